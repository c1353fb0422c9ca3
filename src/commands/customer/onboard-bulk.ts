/**
 * Bulk onboarding: every row of a CSV, NDJSON or JSON-array file. All rows are checked before
 * the first request (bulk/onboarding-rows.ts); then the bulk runner (bulk/runner.ts) sends
 * them, each outcome written to the results file as it happens, resumable without losing or
 * doubling a row.
 */
import type { ApiClient } from '../../api/client.js';
import { readResume } from '../../bulk/results.js';
import { runBulk, summaryOutcome, type BulkSummary, type RowDone } from '../../bulk/runner.js';
import type { Context } from '../../context.js';
import { LocalRecord } from '../../customers/local-record.js';
import { OnboardingRows, type CheckedRow, type RowsInput } from '../../customers/bulk-rows.js';
import { onboard, recordEntry } from '../../customers/service.js';
import { CliError, UnavailableError } from '../../errors.js';
import { recordedReferences, withRunLock } from '../../services.js';
import { hint, info, type Note, type Outcome } from '../../outcome.js';
import { commandLine } from '../../safety/audit.js';

export interface BulkOnboardOptions {
  allowUnknownFields?: boolean | undefined;
  dryRun?: boolean | undefined;
  concurrency?: number | undefined;
  maxRps?: number | undefined;
  results?: string | undefined;
  resume?: string | undefined;
  skipInvalid?: boolean | undefined;
  force?: boolean | undefined;
  /** --wait [duration]: wait for a running bulk onboarding of the account instead of refusing. */
  wait?: boolean | number | undefined;
}

interface DryRunSummary {
  total: number;
  valid: number;
  invalid: number;
  alreadyDone: number;
  wouldSend: number;
}

export async function runCustomerOnboardBulk(
  opts: BulkOnboardOptions,
  ctx: Context,
  input: RowsInput,
): Promise<Outcome<BulkSummary | DryRunSummary>> {
  if (opts.dryRun) return bulkOnboard(opts, ctx, input);
  // One bulk onboarding per account at a time, from before its rows are checked against the
  // record: two would both send the rows the other is sending.
  return withRunLock(ctx, 'bulk-onboard', opts.wait, () => bulkOnboard(opts, ctx, input));
}

async function bulkOnboard(
  opts: BulkOnboardOptions,
  ctx: Context,
  input: RowsInput,
): Promise<Outcome<BulkSummary | DryRunSummary>> {
  const resume = opts.resume ? await readResume(opts.resume) : undefined;
  const recorded = await recordedReferences(ctx);
  const file = await OnboardingRows.check(input, {
    allowUnknown: Boolean(opts.allowUnknownFields),
    now: ctx.now,
    resume,
    recorded,
    skipInvalid: Boolean(opts.skipInvalid),
    say: (note) => ctx.sink.note(note),
  });
  if (opts.dryRun) {
    const valid = file.total - file.invalid;
    const summary = { total: file.total, valid, invalid: file.invalid, alreadyDone: valid - file.toSend };
    const said = `Dry run: ${valid} of ${file.total} rows are valid; ${file.toSend} would be sent. Nothing was sent.`;
    return { data: { ...summary, wouldSend: file.toSend }, notes: [info(said)] };
  }

  const account = await ctx.account();
  const record = LocalRecord.openForRun(ctx.configDir, account.key);
  // The record is written (by the service) before the row's results line (the runner writes that
  // when this returns): a row the results file calls ok is always in the record.
  const send = async (item: CheckedRow, api: ApiClient, settling: boolean): Promise<RowDone> => {
    try {
      const result = await onboard({ api, record, now: ctx.now }, item.body!, { settling });
      return done(item, 'ok', { customerId: result.customerId ?? undefined, settled: result.settled });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      const status = error instanceof UnavailableError && error.outcomeUnknown ? 'unknown' : 'failed';
      return { ...done(item, status, { error: error.message }), error };
    }
  };

  // Rows the interrupted run finished (in the record, not yet in the results file): their line
  // is written now, and they count as already done, not as onboarded by this run.
  let fromRecord = 0;
  async function* rows() {
    for await (const item of file.rows()) {
      let settled: RowDone | undefined;
      if (item.skip) settled = done(item, 'skipped', { error: item.skip });
      else if (item.recorded) {
        fromRecord++;
        const customerId = item.recorded.customerId ?? undefined;
        settled = done(item, 'ok', { customerId, settled: 'found in the local record: finished by the earlier run' });
      }
      yield { ...item, key: item.reference, done: settled };
    }
  }

  try {
    const report = await runBulk(ctx, {
      label: 'Onboarding',
      noun: 'rows',
      rows: rows(),
      total: file.toSend,
      concurrency: opts.concurrency ?? 8,
      maxRps: opts.maxRps,
      results: opts.results ?? opts.resume,
      resume,
      force: opts.force,
      // A row finished by an earlier run that the record lacks (killed between the two
      // writes, or an older version): repaired from the results line and the file's row.
      alreadyDone: (item, line) => {
        if (item.body && !record.entry(item.body.customerReference)) {
          const id = typeof line['customerId'] === 'string' ? line['customerId'] : null;
          record.onboarded(recordEntry(item.body, id), ctx.now());
        }
      },
      work: (item, api) => send(item, api, false),
      settle: (item, api) => send(item, api, true),
    });
    report.counts.ok -= fromRecord;
    report.counts.alreadyDone += fromRecord;
    const outcome = summaryOutcome(report, `Onboarding ${input.source}`, file.total);
    if (report.interrupted) outcome.notes = [...(outcome.notes ?? []), resumeHint(ctx.argv, opts, input.source)];
    return outcome;
  } finally {
    record.close();
  }
}

/** Where a run without --results is told to keep the finishing run's results. */
const DEFAULT_RESUME = 'onboard-results.ndjson';

/**
 * After Ctrl+C, the command that finishes the run: the one typed, continuing its results file
 * (--resume in place of --results and --force). A run that kept no results file is finished all
 * the same: resuming, the rows the local record holds count as done, so a new results file will do.
 */
function resumeHint(argv: readonly string[], opts: BulkOnboardOptions, source: string): Note {
  const results = opts.resume ?? opts.results ?? DEFAULT_RESUME;
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--results' || arg === '--resume') i++;
    else if (arg !== '--force' && !/^--(?:results|resume)=/.test(arg)) kept.push(arg);
  }
  const stdin = source === 'stdin' ? ' (with the same input on stdin)' : '';
  return hint(`To finish the run: ${commandLine([...kept, '--resume', results], [])}${stdin}`);
}

/** A row's result: the results-file line (row, reference, status, customer ID or error) and its piped line. */
function done(
  item: CheckedRow,
  status: 'ok' | 'failed' | 'unknown' | 'skipped',
  more: { customerId?: string | undefined; error?: string | undefined; settled?: string | undefined },
): RowDone {
  const { row, reference } = item;
  return {
    line: { row, reference, status, ...more },
    cells: [row, reference ?? '', status, more.customerId ?? more.error ?? ''],
  };
}
