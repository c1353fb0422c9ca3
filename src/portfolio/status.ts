/**
 * The whole book at once, for `portfolio status` and MCP's portfolio_status: every customer of
 * the local record (or the ones named) read at the bulk runner's pace, most exposed first, with a
 * summary, and with --fail-on the customers that meet an expression. A customer whose reads fail
 * is listed with its error and the rest go on (the run's failures are theirs).
 */
import { emptyBookWarning, gapNotes, recordGaps } from '../customers/reads.js';
import type { BulkRun } from '../bulk/runner.js';
import { UsageError } from '../errors.js';
import { hint, info, warn, type Note, type Outcome } from '../outcome.js';
import { readBook, selectBook, type BookSelection } from './book.js';
import {
  byExposure,
  summarise,
  summaryLine,
  toPortfolioCustomer,
  type PortfolioCustomer,
  type PortfolioSummary,
} from './exposure.js';
import { meets, parseFailOn, type FailOn } from './fail-on.js';

/** Plain data (no commander types): the MCP server gives these too. */
export interface PortfolioStatusOptions extends BookSelection {
  /** Customers read at once (1 to 64); default 8. */
  concurrency?: number | undefined;
  /** `threat-score>=N`, `unresolved>=N` (also > and =): a finding when any customer meets one. */
  failOn?: string[] | undefined;
}

interface PortfolioStatusSummary extends PortfolioSummary {
  interrupted: boolean;
  /** With --fail-on: the expressions, and the references of the customers that meet one. */
  failOn?: { expressions: string[]; met: string[] };
}

export interface PortfolioStatus {
  customers: PortfolioCustomer[];
  summary: PortfolioStatusSummary;
}

function failOnOf(texts: string[] | undefined): FailOn[] {
  return (texts ?? []).map((text) => {
    const parsed = parseFailOn(text);
    if (typeof parsed === 'string') throw new UsageError(`--fail-on: ${parsed}`);
    return parsed;
  });
}

/**
 * The status of the account's book: its document, what to say about it, the finding (customers
 * meeting --fail-on) and the failures. No view: each front door shows it its own way.
 */
export async function readPortfolioStatus(
  run: BulkRun,
  book: { configDir: string; account: string },
  opts: PortfolioStatusOptions,
): Promise<Outcome<PortfolioStatus>> {
  const failOn = failOnOf(opts.failOn);
  const entries = selectBook(book.configDir, book.account, opts);
  const elsewhere = opts.customers?.length
    ? undefined
    : emptyBookWarning(book.configDir, book.account, {
        check: failOn.length ? '--fail-on would pass without checking anything' : undefined,
      });
  const read = await readBook(run, entries, { concurrency: opts.concurrency ?? 8, label: 'Reading' });
  const customers = read.reads.map(toPortfolioCustomer).sort(byExposure);
  const summary: PortfolioStatusSummary = { ...summarise(customers), interrupted: read.interrupted };
  const met = failOn.length ? customers.filter((c) => failOn.some((f) => meets(f, c))).map((c) => c.reference) : [];
  if (failOn.length) summary.failOn = { expressions: failOn.map((f) => f.text), met };

  const notes: Note[] = elsewhere ? [warn(elsewhere)] : [];
  if (read.interrupted) notes.push(info(`Interrupted: ${customers.length} of ${entries.length} customers were read.`));
  if (entries.length) notes.push(info(summaryLine(summary)));
  if (met.length) {
    const listed = met.slice(0, 10).join(', ') + (met.length > 10 ? `, … (${met.length} in all)` : '');
    notes.push(info(`--fail-on ${failOn.map((f) => f.text).join(' or ')}: met by ${listed}.`));
  }
  if (customers.some((c) => c.error)) notes.push(hint('Customers that could not be read are listed last, with why.'));
  // Customers without an ID cannot be read: each is named with the command that links it.
  const gaps = recordGaps(book.configDir, book.account);
  const covered = new Set(entries.map((e) => e.reference));
  notes.push(...gapNotes({ ...gaps, idless: gaps.idless.filter((c) => covered.has(c.reference)) }));
  return {
    data: { customers, summary },
    notes,
    finding: met.length ? `${met.length} customers meet --fail-on` : undefined,
    failures: read.failures,
  };
}
