/**
 * Bulk onboarding: every row of a CSV, NDJSON or JSON-array file. All rows are validated
 * before the first request; then they are sent with bounded concurrency and pace, each
 * outcome written to the results file as it happens, resumable without losing or doubling a
 * row. The file is streamed twice (check, then send), so memory stays flat.
 */
import { onboardCustomer, type OnboardingRequest } from '../../api/customers.js';
import { Pacer, runPaced } from '../../bulk/pacer.js';
import { memoryKeeper } from '../../bulk/memory.js';
import { startProgress } from '../../bulk/progress.js';
import { readResume, ResultsWriter, type ResumeState, type RowResult } from '../../bulk/results.js';
import { readRows, type RowFormat } from '../../bulk/sources.js';
import type { Context } from '../../context.js';
import { ledgerAppender } from '../../customers/ledger.js';
import { normalizeOnboarding, validateOnboarding } from '../../customers/onboarding.js';
import { ApiRejectedError, AuthError, CliError, UnavailableError, UsageError, ValidationError } from '../../errors.js';
import { ExitCode, type ExitCodeValue } from '../../exit-codes.js';
import type { Outcome } from '../../outcome.js';
import { flagsToDoc, type CustomerOnboardOptions } from './onboard.js';

export interface BulkOptions extends CustomerOnboardOptions {
  concurrency?: number;
  maxRps?: number;
  results?: string;
  resume?: string;
  skipInvalid?: boolean;
}

interface Checked {
  row: number;
  body?: OnboardingRequest;
  problems?: string[];
}

const MAX_LISTED = 50;

export async function runCustomerOnboardBulk(
  opts: BulkOptions,
  ctx: Context,
  file: string,
  format: RowFormat,
  source: string,
): Promise<Outcome | void> {
  const now = ctx.now();
  const flags = flagsToDoc(opts);
  const check = async (row: { row: number; value?: Record<string, unknown>; error?: string }): Promise<Checked> => {
    if (row.error) return { row: row.row, problems: [row.error] };
    try {
      const { body } = await validateOnboarding(
        { ...row.value, ...flags },
        { allowUnknown: Boolean(opts.allowUnknownFields), now, source: `row ${row.row}` },
      );
      return { row: row.row, body };
    } catch (error) {
      if (error instanceof ValidationError)
        return { row: row.row, problems: error.problems.length ? error.problems : [error.message] };
      throw error;
    }
  };

  // A fingerprint of each valid row from pass 1: in pass 2 an unchanged row is not validated
  // again (zod is the largest part of a row's CPU time); a changed one is, in full.
  const fingerprints: number[] = [];
  const fingerprint = (value: Record<string, unknown> | undefined) => fnv1a(JSON.stringify(value ?? null));

  // Pass 1: check every row; nothing is sent while any is wrong (unless --skip-invalid).
  const resume: ResumeState = opts.resume ? await readResume(opts.resume) : { ok: new Set(), unknown: new Set() };
  const seen = new Map<string, number>();
  const invalid: string[] = [];
  let invalidRows = 0;
  let total = 0;
  let toSend = 0;
  let pastDates = 0;
  const keepMemoryFlat = memoryKeeper();
  for await (const raw of readRows(file, format)) {
    total++;
    keepMemoryFlat();
    const checked = await check(raw);
    const reference = checked.body?.customerReference;
    if (reference !== undefined) {
      const first = seen.get(reference);
      if (first !== undefined) checked.problems = [`customerReference ${reference} is also on row ${first}`];
      else seen.set(reference, raw.row);
    }
    if (checked.problems) {
      invalidRows++;
      const label =
        reference ??
        (typeof raw.value?.['customerReference'] === 'string' ? (raw.value['customerReference'] as string) : undefined);
      if (invalid.length < MAX_LISTED)
        invalid.push(`row ${raw.row}${label ? ` (${label})` : ''}: ${checked.problems.join('; ')}`);
      continue;
    }
    fingerprints[raw.row] = fingerprint(raw.value);
    if (Date.parse(checked.body!.billedFromDate) <= now.getTime()) pastDates++;
    if (!resume.ok.has(reference!)) toSend++;
  }
  if (total === 0) throw new UsageError(`${source} holds no rows`);
  if (invalidRows && !opts.skipInvalid) {
    if (invalidRows > invalid.length) invalid.push(`… and ${invalidRows - invalid.length} more`);
    throw new ValidationError(
      `${invalidRows} of ${total} rows in ${source} are invalid; nothing was sent:`,
      invalid,
      'Fix them, or pass --skip-invalid to send the valid rows and record the others as skipped.',
    );
  }
  if (invalidRows)
    ctx.out.warn(
      `${invalidRows} invalid row${invalidRows === 1 ? '' : 's'} will be skipped (--skip-invalid):\n  ${invalid.join('\n  ')}`,
    );
  if (pastDates)
    ctx.out.warn(
      `${pastDates} row${pastDates === 1 ? ' has' : 's have'} a billing date that is not in the future; the API rejects those.`,
    );
  if (opts.dryRun) {
    const summary = {
      total,
      valid: total - invalidRows,
      invalid: invalidRows,
      alreadyDone: total - invalidRows - toSend,
      wouldSend: toSend,
    };
    if (ctx.globals.json) ctx.out.printJson(summary);
    ctx.out.info(`Dry run: ${summary.valid} of ${total} rows are valid; ${toSend} would be sent. Nothing was sent.`);
    return;
  }

  // Pass 2: send.
  const resultsFile = opts.results ?? opts.resume;
  const writer = resultsFile ? new ResultsWriter(resultsFile) : undefined;
  const pacer = new Pacer({ concurrency: opts.concurrency ?? 8, maxRps: opts.maxRps });
  const api = await ctx.bulkApi({ onRateLimited: (ms) => pacer.rateLimited(ms) });
  const account = await ctx.account();
  const ledger = ledgerAppender(ctx.configDir, account.key);
  const counts = { ok: 0, failed: 0, unknown: 0, skipped: 0, alreadyDone: 0 };
  const failures: string[] = [];
  const failureCodes = new Set<number>();
  let stopped = false;
  let authFailure: AuthError | undefined;
  let interrupted = false;
  const progress = await startProgress(ctx.streams.stderr, 'Onboarding', toSend);
  void ctx.waitForSignal().then(() => {
    interrupted = stopped = true;
    progress.stop();
    ctx.out.info('Stopping: no new rows are sent; waiting for the ones in flight…');
  });
  const perRowOut = !ctx.globals.json && !ctx.streams.stdout.isTTY;

  const record = (result: RowResult) => {
    writer?.write(result);
    counts[result.status === 'ok' ? 'ok' : result.status]++;
    if (result.status !== 'ok' && result.status !== 'skipped')
      failures.push(`row ${result.row} (${result.reference}): ${result.status}: ${result.error}`);
    if (perRowOut)
      ctx.out.line(
        [result.row, result.reference ?? '', result.status, result.customerId ?? result.error ?? ''].join('\t'),
      );
  };

  async function* rows(): AsyncGenerator<Checked & { body: OnboardingRequest; settle: boolean }> {
    for await (const raw of readRows(file, format)) {
      const unchanged = raw.value !== undefined && fingerprints[raw.row] === fingerprint(raw.value);
      const checked = unchanged
        ? { row: raw.row, body: normalizeOnboarding({ ...raw.value, ...flags }, now) }
        : await check(raw);
      if (!checked.body || (checked.body && seen.get(checked.body.customerReference) !== raw.row)) {
        record({
          row: raw.row,
          reference: checked.body?.customerReference ?? (raw.value?.['customerReference'] as string | undefined),
          status: 'skipped',
          error: checked.problems?.join('; ') ?? 'duplicate reference in the file',
        });
        continue;
      }
      if (resume.ok.has(checked.body.customerReference)) {
        counts.alreadyDone++;
        continue;
      }
      yield { ...checked, body: checked.body, settle: resume.unknown.has(checked.body.customerReference) };
    }
  }

  const send = async (item: { row: number; body: OnboardingRequest; settle: boolean }) => {
    const reference = item.body.customerReference;
    writer?.sending(item.row, reference);
    let result: RowResult;
    try {
      const res = await onboardCustomer(api, item.body);
      result = { row: item.row, reference, status: 'ok', customerId: res.customerId };
      if (item.settle) result.settled = 'the earlier attempt had not arrived; sent now';
      ledger.onboarded({ reference, id: res.customerId, companyName: item.body.companyName }, ctx.now());
      pacer.succeeded();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      if (item.settle && error instanceof ApiRejectedError && error.status === 409) {
        // The earlier run's request had reached the server after all: settled, not doubled.
        result = {
          row: item.row,
          reference,
          status: 'ok',
          settled: 'already onboarded by an earlier attempt (duplicate reference)',
        };
      } else {
        const status = error instanceof UnavailableError && error.outcomeUnknown ? 'unknown' : 'failed';
        result = { row: item.row, reference, status, error: error.message };
        failureCodes.add(error.exitCode);
        if (error instanceof AuthError) {
          authFailure ??= error;
          stopped = true;
        }
      }
    }
    record(result);
    progress.tick(result.status !== 'ok');
    keepMemoryFlat();
  };

  try {
    await runPaced(rows(), pacer, send, () => stopped);
  } finally {
    progress.stop();
    writer?.close(true);
    ledger.close();
  }

  const summary = { total, ...counts, interrupted, results: resultsFile ?? null };
  if (ctx.globals.json) ctx.out.printJson(summary);
  const parts = [
    `ok ${counts.ok}`,
    `failed ${counts.failed}`,
    `unknown ${counts.unknown}`,
    `skipped ${counts.skipped}`,
    ...(counts.alreadyDone ? [`already done ${counts.alreadyDone}`] : []),
  ];
  ctx.out.info(
    `${interrupted ? 'Interrupted. ' : ''}Onboarding ${source}: ${total} rows — ${parts.join(', ')}.${resultsFile ? ` Results in ${resultsFile}.` : ''}`,
  );
  if (ctx.streams.stderr.isTTY && failures.length)
    ctx.out.info(
      failures
        .slice(0, 10)
        .map((f) => `  ${f}`)
        .join('\n') + (failures.length > 10 ? `\n  … and ${failures.length - 10} more` : ''),
    );
  if (counts.unknown)
    ctx.out.hint(
      `${counts.unknown} row${counts.unknown === 1 ? "'s" : "s'"} outcome is unknown (sent, no answer). Resume with --resume ${resultsFile ?? 'RESULTS'} to settle ${counts.unknown === 1 ? 'it' : 'them'} without doubling.`,
    );
  const codes: ExitCodeValue[] = [...failureCodes] as ExitCodeValue[];
  if (interrupted) codes.push(ExitCode.Cancelled);
  if (authFailure) throw authFailure;
  if (counts.unknown) codes.push(ExitCode.Unavailable);
  if (counts.skipped) codes.push(ExitCode.Usage);
  return { data: undefined, failures: codes };
}

/** 32-bit FNV-1a: a cheap fingerprint, not a security measure. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
