/**
 * The book as a ticket plan sees it: each customer with its breaches (resolved ones too: a
 * ticket closes when its breach is resolved), its threat band (the ticket's priority), and the
 * PSA company it maps to (the integration settings' or the manifest's `customers.<ref>.psa`).
 * Offboarded customers are not read: only their open tickets matter.
 */
import type { BulkRun } from '../bulk/runner.js';
import { scoreBand } from '../customers/score-band.js';
import { UsageError } from '../errors.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { readBook, selectBook } from '../portfolio/book.js';
import type { Filing, PlanCustomer } from './plan.js';
import { findCompany } from './policy.js';
import type { PsaCompany } from './types.js';

type Id = number | string;

/** A customer's mapping as settings hold it (config/integrations.ts CustomerPsa). */
export interface MappingSettings {
  connection?: string | undefined;
  company: Id;
  /** Its own board (ConnectWise), queue (Autotask) or ticket type (Halo), instead of the connection's. */
  board?: Id | undefined;
  queue?: Id | undefined;
  ticketType?: Id | undefined;
}

type Customers = Record<string, { psa?: MappingSettings | undefined }> | undefined;

/** The mappings that belong to `connection` (a mapping naming no connection belongs to the default one), by reference. */
function mappingsOf(customers: Customers, connection: string, isDefault: boolean): Array<[string, MappingSettings]> {
  return Object.entries(customers ?? {}).flatMap(([reference, local]) => {
    const psa = local.psa;
    return psa && (psa.connection ?? (isDefault ? connection : undefined)) === connection
      ? [[reference, psa] as [string, MappingSettings]]
      : [];
  });
}

/** Reference → the customer's own board, as its mapping names it under `key` (the kind's word for a board). */
export function ownBoards(
  customers: Customers,
  connection: string,
  isDefault: boolean,
  key: 'board' | 'queue' | 'ticketType',
): Map<string, Id> {
  const boards = new Map<string, Id>();
  for (const [reference, psa] of mappingsOf(customers, connection, isDefault))
    if (psa[key] !== undefined) boards.set(reference, psa[key]);
  return boards;
}

/**
 * Reference → company ID for the customers mapped to `connection` (a mapping naming no
 * connection belongs to the default one). A mapping to a company the PSA does not have is exit 2.
 */
export function mappedCompanies(
  customers: Customers,
  connection: string,
  isDefault: boolean,
  companies: readonly PsaCompany[],
  farSide: string,
): Map<string, number> {
  const mapped = new Map<string, number>();
  const missing: string[] = [];
  for (const [reference, psa] of mappingsOf(customers, connection, isDefault)) {
    const company = findCompany(companies, psa.company);
    if (company) mapped.set(reference, company.id);
    else missing.push(`${reference} → ${String(psa.company)}`);
  }
  if (missing.length)
    throw new UsageError(
      `${missing.length === 1 ? 'a customer maps' : `${missing.length} customers map`} to a company ${farSide} does not have: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      `Run \`safeweb psa map ${connection} --suggest\` and fix the mapping (or remove it).`,
    );
  return mapped;
}

export interface PlanBook {
  customers: PlanCustomer[];
  /** Exit codes of the customers whose reads failed (their tickets are left alone this run). */
  failures: ExitCodeValue[];
  interrupted: boolean;
}

export async function readPlanBook(
  run: BulkRun,
  book: { configDir: string; account: string },
  options: { customers?: string[] | undefined; concurrency: number },
  mapped: ReadonlyMap<string, number>,
  filings: ReadonlyMap<string, Filing> = new Map(),
): Promise<PlanBook> {
  const entries = selectBook(book.configDir, book.account, { customers: options.customers, includeOffboarded: true });
  const active = entries.filter((e) => e.status === 'active');
  // A ticket needs the score (its priority) and the breaches (its text), not the assets: a third fewer requests.
  const read = await readBook(run, active, { concurrency: options.concurrency, label: 'Reading', assets: false });
  const customers: PlanCustomer[] = [];
  for (const r of read.reads) {
    if (r.entry.customerId === null) continue;
    customers.push({
      customerId: r.entry.customerId,
      reference: r.entry.reference,
      companyName: r.entry.companyName,
      band: r.snapshot ? scoreBand(r.snapshot.threatScore).name : null,
      companyId: mapped.get(r.entry.reference) ?? null,
      filing: filings.get(r.entry.reference),
      offboarded: false,
      breaches: r.snapshot?.breaches.map((b) => ({
        breachId: b.uuid ?? b.id,
        breachName: b.breachName,
        title: b.title,
        breachDate: b.breachDate,
        emails: [...b.emails],
        dataClasses: [...(b.breachCategories ?? [])],
        nextSteps: [...(b.nextSteps ?? [])],
        resolved: b.resolved,
      })),
    });
  }
  for (const e of entries)
    if (e.status !== 'active' && e.customerId !== null)
      customers.push({
        customerId: e.customerId,
        reference: e.reference,
        companyName: e.companyName,
        band: null,
        companyId: mapped.get(e.reference) ?? null,
        filing: filings.get(e.reference),
        offboarded: true,
        breaches: undefined,
      });
  return { customers, failures: read.failures, interrupted: read.interrupted };
}
