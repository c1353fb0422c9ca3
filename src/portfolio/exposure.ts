/**
 * How exposed each customer is, and the book's totals: the rows of `portfolio status` (its
 * --json document, table and CSV) and the overview of `portfolio report`.
 */
import { BANDS } from '../book-vocabulary.js';
import { scoreBand } from '../customers/score-band.js';
import { errorOf, type CustomerRead } from './book.js';

export { BANDS };
export type Band = (typeof BANDS)[number];

export interface PortfolioCustomer {
  reference: string;
  customerId: string | null;
  companyName: string;
  /** null when the customer's reads failed (see `error`). */
  threatScore: number | null;
  band: Band | null;
  unresolvedBreaches: number | null;
  resolvedBreaches: number | null;
  monitoredDomains: number | null;
  monitoredEmails: number | null;
  error?: { message: string; exitCode: number };
}

export interface PortfolioSummary {
  /** Customers covered (read or not). */
  customers: number;
  read: number;
  failed: number;
  unresolvedBreaches: number;
  resolvedBreaches: number;
  byBand: Record<Band, number>;
}

export function bandOf(score: number): Band {
  return scoreBand(score).name;
}

export function toPortfolioCustomer(read: CustomerRead): PortfolioCustomer {
  const { entry, snapshot } = read;
  const base = { reference: entry.reference, customerId: entry.customerId, companyName: entry.companyName };
  if (!snapshot) {
    return {
      ...base,
      threatScore: null,
      band: null,
      unresolvedBreaches: null,
      resolvedBreaches: null,
      monitoredDomains: null,
      monitoredEmails: null,
      ...(read.error ? { error: errorOf(read.error) } : {}),
    };
  }
  const unresolved = snapshot.breaches.filter((b) => !b.resolved).length;
  return {
    ...base,
    threatScore: snapshot.threatScore,
    band: bandOf(snapshot.threatScore),
    unresolvedBreaches: unresolved,
    resolvedBreaches: snapshot.breaches.length - unresolved,
    monitoredDomains: snapshot.domains.length,
    monitoredEmails: snapshot.emails.length,
  };
}

/** Most exposed first: score, then unresolved breaches, then reference; customers not read last. */
export function byExposure(a: PortfolioCustomer, b: PortfolioCustomer): number {
  const read = Number(a.threatScore === null) - Number(b.threatScore === null);
  if (read) return read;
  return (
    (b.threatScore ?? 0) - (a.threatScore ?? 0) ||
    (b.unresolvedBreaches ?? 0) - (a.unresolvedBreaches ?? 0) ||
    a.reference.localeCompare(b.reference, 'en', { numeric: true })
  );
}

export function summarise(customers: PortfolioCustomer[]): PortfolioSummary {
  const byBand: Record<Band, number> = { critical: 0, high: 0, moderate: 0, low: 0 };
  let unresolved = 0;
  let resolved = 0;
  let read = 0;
  for (const c of customers) {
    if (c.band === null) continue;
    read++;
    byBand[c.band]++;
    unresolved += c.unresolvedBreaches ?? 0;
    resolved += c.resolvedBreaches ?? 0;
  }
  return {
    customers: customers.length,
    read,
    failed: customers.length - read,
    unresolvedBreaches: unresolved,
    resolvedBreaches: resolved,
    byBand,
  };
}

/** "12 customers: 30 unresolved breaches (4 resolved); critical 1, high 3, moderate 4, low 4; 1 not read." */
export function summaryLine(s: PortfolioSummary): string {
  const bands = BANDS.map((b) => `${b} ${s.byBand[b]}`).join(', ');
  const failed = s.failed ? `; ${s.failed} not read` : '';
  const customers = `${s.customers} customer${s.customers === 1 ? '' : 's'}`;
  const breaches = `${s.unresolvedBreaches} unresolved breach${s.unresolvedBreaches === 1 ? '' : 'es'}`;
  return `${customers}: ${breaches} (${s.resolvedBreaches} resolved); ${bands}${failed}.`;
}
