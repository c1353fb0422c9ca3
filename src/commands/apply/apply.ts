/**
 * `safeweb apply`: recomputes the plan, shows it, asks (or needs --yes), then carries it out with
 * the bulk runner (pace, 429 slow-down, progress, Ctrl+C, results per change). Its journal (the
 * --results file, else one per account in the config directory) lets a re-run after a failure or
 * a kill recompute the plan and settle creates whose outcome was unknown without doubling them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readResume, type ResumeState } from '../../bulk/results.js';
import { runBulk, type RowDone } from '../../bulk/runner.js';
import type { Context } from '../../context.js';
import { accountFile } from '../../io/account-files.js';
import { ENVIRONMENTS } from '../../environments.js';
import { CancelledError, UsageError } from '../../errors.js';
import { ensurePrivateDir } from '../../io/private-dir.js';
import { applyChange } from '../../manifest/apply-change.js';
import { publicChange, type Change, type PlanSummary, type PlannedChange } from '../../manifest/plan.js';
import { preparePlan, type PlanOptions, type PreparedPlan } from '../../manifest/prepare.js';
import { SecretJournal } from '../../manifest/secret-journal.js';
import { SecretDir } from '../../manifest/secrets.js';
import { planLines } from '../../manifest/view.js';
import { hint, info, marked, warn, type MarkedItem, type Outcome } from '../../outcome.js';
import { withRunLock } from '../../services.js';

export interface ApplyOptions extends PlanOptions {
  yes?: boolean | undefined;
  secretDir?: string | undefined;
  concurrency?: number | undefined;
  results?: string | undefined;
  resume?: string | undefined;
  force?: boolean | undefined;
  /** --wait [duration]: wait for a running apply of the account instead of refusing. */
  wait?: boolean | number | undefined;
}

export interface AppliedChange extends Change {
  status: 'ok' | 'failed' | 'unknown' | 'not done';
  customerId?: string;
  webhookId?: number;
  secretFile?: string;
  settled?: string;
  error?: string;
}

export interface ApplyData {
  changes: AppliedChange[];
  summary: PlanSummary & { ok: number; failed: number; unknown: number; interrupted: boolean; results: string | null };
}

/** The journal kept when no --results is given: one per account, beside the local record. */
function ownJournal(configDir: string, account: string): string {
  const file = accountFile(path.join(configDir, 'apply'), account, '.ndjson', 'apply journal');
  ensurePrivateDir(path.dirname(file), 'apply journal');
  return file;
}

/** The plan, on stderr: stdout is for the result. */
function showPlan(prepared: PreparedPlan, ctx: Context): void {
  for (const w of prepared.plan.warnings) ctx.sink.note(warn(w));
  for (const line of planLines(prepared.plan, prepared.data)) ctx.sink.note(info(line));
}

async function isProduction(ctx: Context): Promise<boolean> {
  const resolved = await ctx.resolved();
  try {
    return new URL(resolved.baseUrl.value).host === new URL(ENVIRONMENTS.production).host;
  } catch {
    return false;
  }
}

/** More addresses than this stopped at once, on any account, and the count must be typed (or --yes said). */
const STOPS_TO_CONFIRM = 5;

/**
 * Asks on a terminal; off one, --yes is needed. A prune in production asks for the count typed,
 * and so does a plan that stops monitoring more than STOPS_TO_CONFIRM addresses; with --yes that
 * count is said on stderr and kept in the audit line of every change the run makes.
 */
async function confirm(opts: ApplyOptions, prepared: PreparedPlan, ctx: Context): Promise<boolean> {
  const offboards = prepared.plan.changes.filter((c) => c.action === 'offboard').length;
  const askCount = Boolean(opts.prune) && offboards > 0 && ctx.interactive && (await isProduction(ctx));
  const stops = prepared.data.summary.stopsMonitoring;
  const stopsLine = `this apply stops monitoring ${stops} address${stops === 1 ? '' : 'es'} of ${prepared.plan.stopsMonitoring.length} customer${prepared.plan.stopsMonitoring.length === 1 ? '' : 's'}`;
  if (stops > STOPS_TO_CONFIRM && opts.yes) {
    ctx.out.warn(`${stopsLine} (confirmed by --yes)`);
    ctx.guard.auditNote = `${stopsLine} (confirmed by --yes)`;
  }
  if (opts.yes && !askCount) return false;
  if (!ctx.interactive)
    throw new UsageError(
      'apply needs a confirmation and this run cannot ask; nothing was sent',
      'Review `safeweb plan`, then pass --yes.',
    );
  const prompter = await ctx.prompter('Pass --yes to apply without asking.');
  const total = prepared.data.summary.total;
  if (
    !opts.yes &&
    !(await prompter.confirm({
      message: `Apply ${total === 1 ? 'this change' : `these ${total} changes`}?`,
      default: false,
    }))
  )
    throw new CancelledError('Not applied; nothing was sent.');
  if (stops > STOPS_TO_CONFIRM && !opts.yes) {
    ctx.out.warn(`${stopsLine[0]!.toUpperCase()}${stopsLine.slice(1)}.`);
    const typed = await prompter.input({
      message: `Type the number of addresses to stop monitoring (${stops}) to confirm`,
    });
    if (typed.trim() !== String(stops))
      throw new CancelledError(`"${typed.trim()}" is not ${stops}; nothing was sent.`);
    ctx.guard.auditNote = `${stopsLine} (confirmed by typing ${stops})`;
  }
  if (askCount) {
    ctx.out.warn(`--prune offboards ${offboards} customer${offboards === 1 ? '' : 's'} of a production account.`);
    const typed = await prompter.input({
      message: `Type the number of customers to offboard (${offboards}) to confirm`,
    });
    if (typed.trim() !== String(offboards))
      throw new CancelledError(`"${typed.trim()}" is not ${offboards}; nothing was sent.`);
  }
  return true;
}

export async function runApply(opts: ApplyOptions, ctx: Context): Promise<Outcome<ApplyData>> {
  // One apply per account at a time, from before the plan is made: two would both carry it out.
  return withRunLock(ctx, 'apply', opts.wait, () => applyLocked(opts, ctx));
}

async function applyLocked(opts: ApplyOptions, ctx: Context): Promise<Outcome<ApplyData>> {
  let prepared = await preparePlan(opts, ctx);
  const total = prepared.plan.changes.length;
  // A read-only run refuses a plan with changes at once: before it is shown as about to be
  // applied, before any question, and before the first write (the client would refuse each one
  // as a failed row). A plan with nothing to do is a read, and fine.
  if (total > 0)
    ctx.guard.refuseIfReadOnly(
      await ctx.resolved(),
      `apply (${total} change${total === 1 ? '' : 's'}; \`safeweb plan\` shows them)`,
    );
  showPlan(prepared, ctx);
  const empty = (): ApplyData => ({
    changes: [],
    summary: { ...prepared.data.summary, ok: 0, failed: 0, unknown: 0, interrupted: false, results: null },
  });
  if (total === 0) return { data: empty() };
  const endpoints = prepared.plan.changes.filter((c) => c.kind === 'webhook' && c.action === 'create');
  if (endpoints.length && !opts.secretDir)
    throw new UsageError(
      `the plan creates ${endpoints.length} webhook endpoint${endpoints.length === 1 ? '' : 's'}, and each signing ` +
        'secret is given once: --secret-dir DIR is needed to keep them; nothing was sent',
      'Pass --secret-dir DIR (created 0700; one 0600 file per endpoint; never printed).',
    );
  const secrets = opts.secretDir ? SecretDir.open(opts.secretDir, (t) => ctx.out.warn(t)) : undefined;
  secrets?.check(endpoints.map((c) => c.webhook!.url));

  if (await confirm(opts, prepared, ctx)) {
    // Time passed while a person read the plan: act only on the book as it is now.
    const shown = JSON.stringify(prepared.data.changes);
    prepared = await preparePlan(opts, ctx);
    if (JSON.stringify(prepared.data.changes) !== shown) {
      showPlan(prepared, ctx);
      throw new UsageError(
        'the book changed while you were confirming (plan above); nothing was sent',
        'Run apply again.',
      );
    }
  }
  return carryOutPlan(opts, prepared, secrets, ctx);
}

async function carryOutPlan(
  opts: ApplyOptions,
  prepared: PreparedPlan,
  secrets: SecretDir | undefined,
  ctx: Context,
): Promise<Outcome<ApplyData>> {
  const own = opts.resume === undefined && opts.results === undefined;
  const journal = opts.resume ?? opts.results ?? ownJournal(ctx.configDir, prepared.state.account);
  // Only the unknown matter: the recomputed plan already leaves out what earlier runs did.
  let resume: ResumeState | undefined;
  if (opts.resume !== undefined || own) {
    const earlier = await readResume(journal, (line) => line['key']);
    resume = { ok: new Map(), unknown: earlier.unknown };
  }
  // The state may know customers the local record does not (--state in CI): the audit log still
  // names the customer of every change.
  for (const entry of prepared.state.entries.values())
    if (entry.id) ctx.guard.knownReferences.set(entry.id, entry.reference);
  const changes = prepared.plan.changes;
  const results = new Map<string, AppliedChange>();
  const rows = changes.map((change, i) => ({ row: i + 1, key: change.key, change }));
  const secretJournal = SecretJournal.open(ctx.configDir, prepared.state.account);
  const deps = { state: prepared.state, now: ctx.now, secrets, secretJournal };
  const work = async (item: (typeof rows)[number], api: Parameters<typeof applyChange>[1], settling: boolean) => {
    const result = await applyChange(item.change, api, deps, settling);
    const applied = appliedChange(item.change, result);
    results.set(item.key, applied);
    const { fields: _fields, status: _status, ...rest } = applied;
    return {
      line: { row: item.row, key: item.key, status: result.status, ...rest },
      error: result.error,
    } satisfies RowDone;
  };
  const report = await runBulk(ctx, {
    label: 'Applying',
    noun: 'changes',
    rows: (async function* () {
      yield* rows;
    })(),
    total: rows.length,
    concurrency: opts.concurrency ?? 8,
    results: journal,
    resume,
    force: opts.force,
    work: (item, api) => work(item, api, false),
    settle: (item, api) => work(item, api, true),
  });
  // Kept while anything may still need settling: an unknown outcome, or rows an interruption left unreached.
  if (own && report.counts.unknown === 0 && !report.interrupted) {
    fs.rmSync(journal, { force: true });
  }
  const data: ApplyData = {
    changes: changes.map((c) => results.get(c.key) ?? { ...publicChange(c), status: 'not done' }),
    summary: {
      ...prepared.data.summary,
      ok: report.counts.ok,
      failed: report.counts.failed,
      unknown: report.counts.unknown,
      interrupted: report.interrupted,
      results: own ? null : journal,
    },
  };
  return {
    data,
    view: marked(undefined, data.changes.map(resultItem)),
    notes: applyNotes(data, report.firstFailures, own, journal),
    failures: report.failures,
  };
}

function appliedChange(change: PlannedChange, result: Awaited<ReturnType<typeof applyChange>>): AppliedChange {
  return {
    ...publicChange(change),
    status: result.status,
    ...(result.customerId ? { customerId: result.customerId } : {}),
    ...(result.webhookId !== undefined ? { webhookId: result.webhookId } : {}),
    ...(result.secretFile ? { secretFile: result.secretFile } : {}),
    ...(result.settled ? { settled: result.settled } : {}),
    ...(result.error ? { error: result.error.message } : {}),
  };
}

const PAST = {
  create: 'created',
  update: 'updated',
  offboard: 'offboarded',
  reactivate: 'reactivated',
  delete: 'deleted',
};

/** One change's result line; an unknown outcome is marked as a failure, its text says which. */
function resultItem(ch: AppliedChange): MarkedItem {
  const what = ch.kind === 'customer' ? `customer ${ch.reference}` : `webhook ${ch.url}`;
  const mark = ch.status === 'ok' ? 'ok' : ch.status === 'not done' ? 'skip' : 'failed';
  const tail =
    ch.status === 'ok'
      ? `${PAST[ch.action]}${ch.secretFile ? ` (signing secret in ${ch.secretFile})` : ''}${ch.settled ? ` (${ch.settled})` : ''}`
      : ch.status === 'not done'
        ? 'not done'
        : `${ch.status}: ${ch.error ?? ''}`;
  return { mark, text: `${what}: ${tail}` };
}

function applyNotes(data: ApplyData, firstFailures: string[], own: boolean, journal: string) {
  const s = data.summary;
  const notes = [
    info(
      `${s.interrupted ? 'Interrupted. ' : ''}Applied ${s.ok} of ${s.total} changes — failed ${s.failed}, unknown ${s.unknown}` +
        `${s.total - s.ok - s.failed - s.unknown ? `, not done ${s.total - s.ok - s.failed - s.unknown}` : ''}.`,
    ),
  ];
  if (firstFailures.length && s.failed + s.unknown > 0) notes.push(hint('Run `safeweb plan` to see what is left.'));
  if (s.unknown)
    notes.push(
      hint(
        `${s.unknown} change${s.unknown === 1 ? "'s" : "s'"} outcome is unknown (sent, no answer). Run apply again` +
          `${own ? '' : ` with --resume ${journal}`}: it recomputes the plan and settles them without doubling.`,
      ),
    );
  else if (s.interrupted || s.failed)
    notes.push(hint('Run apply again: it recomputes the plan and does only what is left.'));
  return notes;
}
