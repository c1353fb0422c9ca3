/**
 * Bulk onboarding: every row of a CSV, NDJSON or JSON-array file. All rows are checked before
 * the first request; then the bulk runner (bulk/runner.ts) sends them, each outcome written to
 * the results file as it happens, resumable without losing or doubling a row. The file is
 * streamed twice (check, then send), so memory stays flat.
 */
import { onboardCustomer } from '../../api/customers.js';
import type { ApiClient } from '../../api/client.js';
import { memoryKeeper } from '../../bulk/memory.js';
import { readResume, type ResumeState } from '../../bulk/results.js';
import { runBulk, summaryOutcome, type BulkRow, type BulkSummary, type RowDone } from '../../bulk/runner.js';
import { readRows, type Row, type RowFormat } from '../../bulk/sources.js';
import type { Context } from '../../context.js';
import type { OnboardingRequest } from '../../customers/fields.js';
import { ledgerAppender } from '../../customers/ledger.js';
import { normalizeOnboarding, validateOnboarding } from '../../customers/onboarding.js';
import { ApiRejectedError, CliError, UnavailableError, UsageError, ValidationError } from '../../errors.js';
import { info, warn, type Outcome } from '../../outcome.js';

export interface BulkOnboardOptions {
  allowUnknownFields?: boolean | undefined;
  dryRun?: boolean | undefined;
  concurrency?: number | undefined;
  maxRps?: number | undefined;
  results?: string | undefined;
  resume?: string | undefined;
  skipInvalid?: boolean | undefined;
}

/** The file to onboard from, and the document the flags make (flags override every row). */
export interface BulkInput {
  path: string;
  format: RowFormat;
  /** How messages name the file: its path, or stdin. */
  source: string;
  flags: Record<string, unknown>;
}

interface Checked {
  body?: OnboardingRequest;
  problems?: string[];
  warned?: boolean;
}

/** What the checking pass learned, for the sending pass. */
interface CheckPass {
  total: number;
  invalid: number;
  toSend: number;
  /** The row on which each valid reference first appears: later ones are duplicates. */
  firstRow: Map<string, number>;
  /** A fingerprint of each valid row: an unchanged row is not validated again when sent. */
  fingerprints: number[];
}

const MAX_LISTED = 50;

export async function runCustomerOnboardBulk(
  opts: BulkOnboardOptions,
  ctx: Context,
  input: BulkInput,
): Promise<Outcome<BulkSummary | DryRunSummary>> {
  const now = ctx.now();
  const check = checker(opts, input.flags, now);
  const resume: ResumeState = opts.resume ? await readResume(opts.resume) : { ok: new Set(), unknown: new Set() };
  const pass = await checkAll(input, check, resume, Boolean(opts.skipInvalid), ctx);
  if (opts.dryRun) {
    const summary: DryRunSummary = {
      total: pass.total,
      valid: pass.total - pass.invalid,
      invalid: pass.invalid,
      alreadyDone: pass.total - pass.invalid - pass.toSend,
      wouldSend: pass.toSend,
    };
    const said = `Dry run: ${summary.valid} of ${pass.total} rows are valid; ${pass.toSend} would be sent. Nothing was sent.`;
    return { data: summary, notes: [info(said)] };
  }

  const account = await ctx.account();
  const ledger = ledgerAppender(ctx.configDir, account.key);
  type Item = BulkRow & { body?: OnboardingRequest | undefined };
  const send = async (item: Item, api: ApiClient, settling: boolean): Promise<RowDone> => {
    const body = item.body!;
    const reference = body.customerReference;
    try {
      const res = await onboardCustomer(api, body);
      ledger.onboarded({ reference, id: res.customerId, companyName: body.companyName }, ctx.now());
      const settled = settling ? 'the earlier attempt had not arrived; sent now' : undefined;
      return done(item.row, reference, 'ok', { customerId: res.customerId, settled });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      // The earlier run's request had reached the server after all: settled, not doubled.
      if (settling && error instanceof ApiRejectedError && error.status === 409)
        return done(item.row, reference, 'ok', {
          settled: 'already onboarded by an earlier attempt (duplicate reference)',
        });
      const status = error instanceof UnavailableError && error.outcomeUnknown ? 'unknown' : 'failed';
      return { ...done(item.row, reference, status, { error: error.message }), error };
    }
  };

  async function* rows(): AsyncGenerator<Item> {
    for await (const raw of readRows(input.path, input.format)) {
      const unchanged = raw.value !== undefined && pass.fingerprints[raw.row] === fingerprint(raw.value);
      const checked: Checked = unchanged
        ? { body: normalizeOnboarding({ ...raw.value, ...input.flags }, now) }
        : await check(raw);
      const reference = checked.body?.customerReference;
      if (!checked.body || pass.firstRow.get(checked.body.customerReference) !== raw.row) {
        const why = checked.problems?.join('; ') ?? 'duplicate reference in the file';
        const label = reference ?? (raw.value?.['customerReference'] as string | undefined);
        yield { row: raw.row, key: label, done: done(raw.row, label, 'skipped', { error: why }) };
      } else yield { row: raw.row, key: reference, body: checked.body };
    }
  }

  try {
    const report = await runBulk(ctx, {
      label: 'Onboarding',
      noun: 'rows',
      rows: rows(),
      total: pass.toSend,
      concurrency: opts.concurrency ?? 8,
      maxRps: opts.maxRps,
      results: opts.results ?? opts.resume,
      resume,
      work: (item, api) => send(item, api, false),
      settle: (item, api) => send(item, api, true),
    });
    return summaryOutcome(report, `Onboarding ${input.source}`, pass.total);
  } finally {
    ledger.close();
  }
}

interface DryRunSummary {
  total: number;
  valid: number;
  invalid: number;
  alreadyDone: number;
  wouldSend: number;
}

/** A row's result: the results-file line (row, reference, status, customer ID or error) and its piped line. */
function done(
  row: number,
  reference: string | undefined,
  status: 'ok' | 'failed' | 'unknown' | 'skipped',
  more: { customerId?: string | undefined; error?: string | undefined; settled?: string | undefined },
): RowDone {
  return {
    line: { row, reference, status, ...more },
    cells: [row, reference ?? '', status, more.customerId ?? more.error ?? ''],
  };
}

/** Validates one row (with the flags over it); a row's problems are returned, not thrown. */
function checker(opts: BulkOnboardOptions, flags: Record<string, unknown>, now: Date) {
  return async (row: Row): Promise<Checked> => {
    if (row.error) return { problems: [row.error] };
    try {
      const { body, warnings } = await validateOnboarding(
        { ...row.value, ...flags },
        { allowUnknown: Boolean(opts.allowUnknownFields), now, source: `row ${row.row}` },
      );
      return { body, warned: warnings.length > 0 };
    } catch (error) {
      if (error instanceof ValidationError)
        return { problems: error.problems.length ? error.problems : [error.message] };
      throw error;
    }
  };
}

/** Pass 1: check every row; nothing is sent while any is wrong (unless --skip-invalid). */
async function checkAll(
  input: BulkInput,
  check: (row: Row) => Promise<Checked>,
  resume: ResumeState,
  skipInvalid: boolean,
  ctx: Context,
): Promise<CheckPass> {
  const pass: CheckPass = { total: 0, invalid: 0, toSend: 0, firstRow: new Map(), fingerprints: [] };
  const listed: string[] = [];
  let pastDates = 0;
  const keepMemoryFlat = memoryKeeper();
  for await (const raw of readRows(input.path, input.format)) {
    pass.total++;
    keepMemoryFlat();
    const checked = await check(raw);
    const reference = checked.body?.customerReference;
    if (reference !== undefined) {
      const first = pass.firstRow.get(reference);
      if (first !== undefined) checked.problems = [`customerReference ${reference} is also on row ${first}`];
      else pass.firstRow.set(reference, raw.row);
    }
    if (checked.problems) {
      pass.invalid++;
      const given = raw.value?.['customerReference'];
      const label = reference ?? (typeof given === 'string' ? given : undefined);
      if (listed.length < MAX_LISTED)
        listed.push(`row ${raw.row}${label ? ` (${label})` : ''}: ${checked.problems.join('; ')}`);
      continue;
    }
    pass.fingerprints[raw.row] = fingerprint(raw.value);
    if (checked.warned) pastDates++;
    if (!resume.ok.has(reference!)) pass.toSend++;
  }
  if (pass.total === 0) throw new UsageError(`${input.source} holds no rows`);
  if (pass.invalid > listed.length) listed.push(`… and ${pass.invalid - listed.length} more`);
  if (pass.invalid && !skipInvalid)
    throw new ValidationError(
      `${pass.invalid} of ${pass.total} rows in ${input.source} are invalid; nothing was sent:`,
      listed,
      'Fix them, or pass --skip-invalid to send the valid rows and record the others as skipped.',
    );
  if (pass.invalid)
    ctx.sink.note(
      warn(
        `${pass.invalid} invalid row${pass.invalid === 1 ? '' : 's'} will be skipped (--skip-invalid):\n  ${listed.join('\n  ')}`,
      ),
    );
  if (pastDates)
    ctx.sink.note(
      warn(
        `${pastDates} row${pastDates === 1 ? ' has' : 's have'} a billing date that is not in the future; the API rejects those.`,
      ),
    );
  return pass;
}

/** 32-bit FNV-1a of a row as read: a cheap fingerprint, not a security measure. */
function fingerprint(value: Record<string, unknown> | undefined): number {
  const text = JSON.stringify(value ?? null);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
