/**
 * `customer import --file FILE`: customers onboarded elsewhere (the portal, another integration)
 * join the local record — the file form of `customer link`. The whole file is checked first
 * (exit 2, nothing sent); then each new row is verified with a read of its assets (the customer
 * exists and belongs to this partner), through the bulk runner's pace. Rows that verify are
 * recorded; unknown or foreign IDs are listed with their row numbers and not recorded (exit 3).
 */
import { getCustomerAssets } from '../../api/customers.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import type { Context } from '../../context.js';
import { readRecord, recordImported, type ImportedEntry } from '../../customers/local-record.js';
import { AuthError, CliError } from '../../errors.js';
import { readInput } from '../../io/read-input.js';
import { info, success, table, type Note, type Outcome } from '../../outcome.js';
import { checkImportFile, type ImportRow } from '../../customers/import-rows.js';
import { withRunLock } from '../../services.js';
import { runBulk } from '../../bulk/runner.js';

export interface CustomerImportOptions {
  file: string;
  concurrency?: number | undefined;
  /** --wait [duration]: wait for a running import of the account instead of refusing. */
  wait?: boolean | number | undefined;
}

interface NotRecorded {
  row: number;
  customerReference: string;
  customerId: string;
  error: { message: string; exitCode: number };
}

export interface ImportSummary {
  file: string;
  total: number;
  recorded: number;
  alreadyRecorded: number;
  notRecorded: NotRecorded[];
  interrupted: boolean;
}

const COLUMNS = [
  { key: 'row', header: 'Row', align: 'right' as const },
  { key: 'customerReference', header: 'Reference' },
  { key: 'customerId', header: 'Customer ID' },
  { key: 'error', header: 'Why not recorded', wrap: true },
];

export async function runCustomerImport(opts: CustomerImportOptions, ctx: Context): Promise<Outcome<ImportSummary>> {
  // One import per account at a time: the record is checked against, then written.
  return withRunLock(ctx, 'customer-import', opts.wait, () => importLocked(opts, ctx));
}

async function importLocked(opts: CustomerImportOptions, ctx: Context): Promise<Outcome<ImportSummary>> {
  const account = await ctx.account();
  const source = opts.file === '-' ? 'stdin' : opts.file;
  const text = await readInput(opts.file, ctx.streams.stdin);
  const recorded = readRecord(ctx.configDir, account.key).customers;
  const { rows } = await checkImportFile(source, text, recorded);
  const toVerify = rows.filter((r) => !r.known);

  const verified: ImportRow[] = [];
  const notRecorded: NotRecorded[] = [];
  const report = await runBulk(ctx, {
    label: 'Verifying',
    noun: 'rows',
    rows: (async function* () {
      for (const r of toVerify) yield { ...r, key: r.customerReference };
    })(),
    total: toVerify.length,
    concurrency: opts.concurrency ?? 8,
    work: async (r, api) => {
      try {
        // Proof that the customer exists: both lists (getCustomerAssets checks them), not a refusal.
        unwrapEnvelope(await getCustomerAssets(api, r.customerId), 'customer assets');
        verified.push(r);
        return { line: { row: r.row, reference: r.customerReference, status: 'ok' } };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        if (!(error instanceof AuthError))
          notRecorded.push({
            row: r.row,
            customerReference: r.customerReference,
            customerId: r.customerId,
            error: { message: error.message, exitCode: error.exitCode },
          });
        return { line: { row: r.row, reference: r.customerReference, status: 'failed', error: error.message }, error };
      }
    },
  });

  // Recorded once every row has been heard from (a Ctrl+C keeps what verified).
  const linkable = new Set(recorded.filter((e) => e.id === null).map((e) => e.reference));
  const entries: ImportedEntry[] = verified
    .sort((a, b) => a.row - b.row)
    .map((r) => ({
      reference: r.customerReference,
      id: r.customerId,
      companyName: r.companyName,
      status: r.status,
      link: linkable.has(r.customerReference),
    }));
  await recordImported(ctx.configDir, account.key, entries, ctx.now());

  notRecorded.sort((a, b) => a.row - b.row);
  const already = rows.length - toVerify.length;
  const notes: Note[] = [];
  if (report.interrupted)
    notes.push(info(`Interrupted: ${verified.length + notRecorded.length} of ${toVerify.length} rows were verified.`));
  const parts = [`${entries.length} recorded`, ...(already ? [`${already} already recorded`] : [])];
  if (notRecorded.length) parts.push(`${notRecorded.length} not recorded`);
  notes.push(
    (notRecorded.length ? info : success)(
      `Imported ${source}: ${rows.length} row${rows.length === 1 ? '' : 's'} — ${parts.join(', ')}. Only the local record changed.`,
    ),
  );
  return {
    data: {
      file: source,
      total: rows.length,
      recorded: entries.length,
      alreadyRecorded: already,
      notRecorded,
      interrupted: report.interrupted,
    },
    view: notRecorded.length
      ? table(
          COLUMNS,
          notRecorded.map((n) => [n.row, n.customerReference, n.customerId, n.error.message]),
        )
      : undefined,
    notes,
    failures: report.failures,
  };
}
