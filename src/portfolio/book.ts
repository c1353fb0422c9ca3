/**
 * The book: the customers of the local record a portfolio verb covers, and one read of each
 * (threat score, breaches, assets) fanned out through the bulk runner, so the pace, the 429
 * slow-down, the progress bar, Ctrl+C and the stop on an authentication failure are the ones
 * every many-row command has. A customer whose reads fail carries its error; the rest go on.
 */
import { getCustomerAssets, getCustomerBreaches, getThreatScore, type BreachesResponse } from '../api/customers.js';
import type { ApiClient } from '../api/client.js';
import { runBulk, type BulkRow, type BulkRun, type RowDone } from '../bulk/runner.js';
import { readRecord, type RecordEntry } from '../customers/local-record.js';
import { AuthError, CliError, IncompleteAnswerError, UsageError } from '../errors.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { warn } from '../outcome.js';
import { unwrapEnvelope } from '../api/envelope.js';

export type Breach = BreachesResponse['breaches'][number];

/** A customer of the book, as the local record knows it. */
export interface BookEntry {
  reference: string;
  /** null: the record does not know the ID (it cannot be read until `customer link`). */
  customerId: string | null;
  companyName: string;
  status: RecordEntry['status'];
}

/** What one read of a customer found. */
interface Snapshot {
  threatScore: number;
  /** Its assets; empty when the book was read without them (`assets: false`). */
  domains: string[];
  emails: string[];
  breaches: Breach[];
}

export interface CustomerRead {
  entry: BookEntry;
  snapshot?: Snapshot | undefined;
  error?: CliError | undefined;
}

export interface BookRead {
  /** In book order; a customer the run never reached (Ctrl+C) is left out. */
  reads: CustomerRead[];
  interrupted: boolean;
  /** Exit codes met: each failed customer's, 130 when interrupted. */
  failures: ExitCodeValue[];
}

export interface BookSelection {
  /** References (or IDs) to cover instead of every active customer. */
  customers?: string[] | undefined;
  /** Offboarded customers of the record too. */
  includeOffboarded?: boolean | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toEntry(e: RecordEntry): BookEntry {
  return { reference: e.reference, customerId: e.id, companyName: e.companyName, status: e.status };
}

/**
 * The customers to cover: the ones named (by reference, or by ID), whatever their status; else
 * every active one of the record (and the offboarded ones when asked). An unknown reference is
 * exit 2 before anything is sent.
 */
export function selectBook(configDir: string, account: string, selection: BookSelection): BookEntry[] {
  const { customers } = readRecord(configDir, account);
  const named = (selection.customers ?? [])
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);
  if (named.length === 0)
    return customers.filter((c) => selection.includeOffboarded || c.status === 'active').map(toEntry);
  const unknown: string[] = [];
  const picked = new Map<string, BookEntry>();
  for (const name of named) {
    const exact = customers.find(
      (c) => c.reference === name || (UUID_RE.test(name) && c.id?.toLowerCase() === name.toLowerCase()),
    );
    const loose = customers.filter((c) => c.reference.toLowerCase() === name.toLowerCase());
    const found = exact ?? (loose.length === 1 ? loose[0] : undefined);
    if (found) picked.set(found.reference, toEntry(found));
    else if (UUID_RE.test(name))
      // An ID the record does not know: read all the same, named by its ID.
      picked.set(name, { reference: name, customerId: name.toLowerCase(), companyName: '', status: 'active' });
    else unknown.push(name);
  }
  if (unknown.length)
    throw new UsageError(
      `no customer with reference ${unknown.map((u) => `"${u}"`).join(', ')} in the local record for ${account}`,
      'Run `safeweb customer list` to see the references this tool knows; `safeweb customer import` adds others.',
    );
  return [...picked.values()];
}

interface BookRow extends BulkRow {
  key: string;
  entry: BookEntry;
}

function unknownIdError(reference: string): UsageError {
  return new UsageError(
    `${reference}: its customer ID is not in the local record`,
    `Find it in the SafeWeb portal, then run \`safeweb customer link ${reference} --id UUID\`.`,
  );
}

/**
 * Reads one customer: three requests (two without its assets), one after another (so --concurrency
 * is the requests in flight).
 */
async function readCustomer(
  api: ApiClient,
  id: string,
  locale: string | undefined,
  withAssets: boolean,
): Promise<Snapshot> {
  const score = unwrapEnvelope(await getThreatScore(api, id), 'customer threat-score');
  if (typeof score.threatScore !== 'number' || !Number.isFinite(score.threatScore))
    throw new IncompleteAnswerError(`GET threat-score of ${id}`, 'a threat score');
  const listing = unwrapEnvelope(await getCustomerBreaches(api, id, locale), 'customer breaches');
  if (!withAssets) return { threatScore: score.threatScore, domains: [], emails: [], breaches: listing.breaches };
  const assets = unwrapEnvelope(await getCustomerAssets(api, id), 'customer assets');
  if (!Array.isArray(assets.domains) || !Array.isArray(assets.emails))
    throw new IncompleteAnswerError(`GET assets of ${id}`, 'the lists of domains and emails');
  return { threatScore: score.threatScore, domains: assets.domains, emails: assets.emails, breaches: listing.breaches };
}

/**
 * Reads every customer of the book. Throws the first AuthError (credentials will not start
 * working for the next customer) once the reads in flight have finished. `assets: false` leaves
 * each customer's assets unread (a third of the requests), for a caller that needs only the score
 * and the breaches (a ticket plan).
 */
export async function readBook(
  ctx: BulkRun,
  book: BookEntry[],
  options: { concurrency: number; locale?: string | undefined; label: string; assets?: boolean | undefined },
): Promise<BookRead> {
  const reads: Array<CustomerRead | undefined> = new Array<CustomerRead | undefined>(book.length);
  const report = await runBulk(ctx, {
    label: options.label,
    noun: 'customers',
    rows: (async function* (): AsyncGenerator<BookRow> {
      for (const [i, entry] of book.entries()) {
        const row: BookRow = { row: i + 1, key: entry.reference, entry };
        if (entry.customerId === null) {
          // Settled before sending: it cannot be read until its ID is recorded.
          const error = unknownIdError(entry.reference);
          reads[i] = { entry, error };
          row.done = {
            line: { row: i + 1, reference: entry.reference, status: 'failed', error: error.message },
            error,
          };
        }
        yield row;
      }
    })(),
    total: book.length,
    concurrency: options.concurrency,
    work: async (row, api): Promise<RowDone> => {
      try {
        const snapshot = await readCustomer(api, row.entry.customerId!, options.locale, options.assets ?? true);
        reads[row.row - 1] = { entry: row.entry, snapshot };
        return { line: { row: row.row, reference: row.key, status: 'ok' } };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        // An authentication failure stops the run and is its one message; the others are per customer.
        if (!(error instanceof AuthError)) ctx.sink.note(warn(`${row.key}: ${error.message}`));
        reads[row.row - 1] = { entry: row.entry, error };
        return { line: { row: row.row, reference: row.key, status: 'failed', error: error.message }, error };
      }
    },
  });
  return {
    reads: reads.filter((r): r is CustomerRead => r !== undefined),
    interrupted: report.interrupted,
    failures: report.failures,
  };
}

/** An error as the documents carry it. */
export function errorOf(error: CliError): { message: string; exitCode: number } {
  return { message: error.message, exitCode: error.exitCode };
}
