/**
 * Bulk onboarding: every row of a CSV, NDJSON or JSON-array file. All rows are checked before
 * the first request (customers/onboarding-rows.ts); then the bulk runner (bulk/runner.ts) sends
 * them, each outcome written to the results file as it happens, resumable without losing or
 * doubling a row.
 */
import type { ApiClient } from '../../api/client.js';
import { onboardCustomer } from '../../api/customers.js';
import { readResume } from '../../bulk/results.js';
import { runBulk, summaryOutcome, type BulkSummary, type RowDone } from '../../bulk/runner.js';
import type { Context } from '../../context.js';
import type { OnboardingRequest } from '../../customers/fields.js';
import { ledgerAppender, readLedger, recordEntry } from '../../customers/ledger.js';
import { OnboardingRows, type CheckedRow, type RowsInput } from '../../customers/onboarding-rows.js';
import { ApiRejectedError, CliError, UnavailableError } from '../../errors.js';
import { info, type Outcome } from '../../outcome.js';

export interface BulkOnboardOptions {
  allowUnknownFields?: boolean | undefined;
  dryRun?: boolean | undefined;
  concurrency?: number | undefined;
  maxRps?: number | undefined;
  results?: string | undefined;
  resume?: string | undefined;
  skipInvalid?: boolean | undefined;
  force?: boolean | undefined;
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
  const resume = opts.resume ? await readResume(opts.resume) : undefined;
  const file = await OnboardingRows.check(input, {
    allowUnknown: Boolean(opts.allowUnknownFields),
    now: ctx.now(),
    resume: resume ?? { ok: new Map(), unknown: new Set() },
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
  const known = new Set(readLedger(ctx.configDir, account.key).customers.map((c) => c.reference));
  const ledger = ledgerAppender(ctx.configDir, account.key);
  // The record is written before the row's results line (the runner writes that when this
  // returns): a row the results file calls ok is always in the record.
  const remember = (body: OnboardingRequest, id: string | null) => {
    ledger.onboarded(recordEntry(body, id), ctx.now());
    known.add(body.customerReference);
  };
  const send = async (item: CheckedRow, api: ApiClient, settling: boolean): Promise<RowDone> => {
    const body = item.body!;
    try {
      const res = await onboardCustomer(api, body);
      remember(body, res.customerId);
      const settled = settling ? 'the earlier attempt had not arrived; sent now' : undefined;
      return done(item, 'ok', { customerId: res.customerId, settled });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      // The earlier run's request had reached the server after all: settled, not doubled. Its
      // ID was in the answer that was lost, so the record knows the customer by reference only.
      if (settling && error instanceof ApiRejectedError && error.status === 409) {
        if (!known.has(body.customerReference)) remember(body, null);
        return done(item, 'ok', { settled: 'already onboarded by an earlier attempt (duplicate reference)' });
      }
      const status = error instanceof UnavailableError && error.outcomeUnknown ? 'unknown' : 'failed';
      return { ...done(item, status, { error: error.message }), error };
    }
  };

  async function* rows() {
    for await (const item of file.rows())
      yield { ...item, key: item.reference, done: item.skip ? done(item, 'skipped', { error: item.skip }) : undefined };
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
        if (item.body && !known.has(item.body.customerReference)) {
          remember(item.body, typeof line['customerId'] === 'string' ? line['customerId'] : null);
        }
      },
      work: (item, api) => send(item, api, false),
      settle: (item, api) => send(item, api, true),
    });
    return summaryOutcome(report, `Onboarding ${input.source}`, file.total);
  } finally {
    ledger.close();
  }
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
