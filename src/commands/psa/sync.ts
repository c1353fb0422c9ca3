/**
 * `psa sync [CONNECTION] [--yes]`: carries the plan out (psa/run.ts) under the connection's run
 * lock, so a cron run beside the receiver waits its turn (60 s by default, --wait) and never
 * doubles a ticket. On a terminal it shows the plan and asks; elsewhere --yes is needed. The
 * summary object is the --json document.
 */
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { hint, info, warn, type Outcome } from '../../outcome.js';
import { hasWork, planColumns, planRows, planSummary, type PlanSummary } from '../../psa/plan-summary.js';
import type { SyncCounts } from '../../psa/sync.js';
import { psaPlanSource, withRunLock } from '../../services.js';
import { planNotes, type PsaPlanOptions } from './plan.js';
import { syncConnection } from '../../psa/run.js';
import { Outbox } from '../../findings/outbox.js';

export interface PsaSyncOptions extends PsaPlanOptions {
  yes: boolean;
  /** --wait: how long to wait for another sync of this connection (default 60 s). */
  wait?: boolean | number | undefined;
}

export interface PsaSyncSummary extends SyncCounts {
  connection: string;
  planned: number;
  failed: number;
  interrupted: boolean;
  held: number;
  baselined: number;
  baseline: PlanSummary['baseline'];
  conflicts: number;
  unmapped: PlanSummary['unmapped'];
  /** Outbox events for this connection acknowledged by this sync (or recorded as failed). */
  events: { acked: number; failed: number };
  /** Ticket events this sync put in the outbox for the notification routes that name them (`notify send` sends them). */
  announced: number;
  /** Set when the hourly budget ran out: how many tickets' changes wait for the next run. */
  budget?: { left: number; max: number } | undefined;
}

const DEFAULT_WAIT_MS = 60_000;

export async function runPsaSync(opts: PsaSyncOptions, ctx: Context): Promise<Outcome<PsaSyncSummary>> {
  const source = await psaPlanSource(ctx, opts.connection, {
    file: opts.file,
    command: 'safeweb psa sync',
    maxPerHour: opts.maxPerHour,
  });
  if (!opts.yes && !ctx.interactive)
    throw new UsageError(
      'psa sync changes tickets and needs a confirmation this run cannot ask; nothing was sent',
      'Review `safeweb psa plan`, then pass --yes.',
    );
  const wait = opts.wait ?? DEFAULT_WAIT_MS;
  return withRunLock(ctx, `psa-sync:${source.connection}`, wait, async () => {
    const outbox = new Outbox({
      configDir: ctx.configDir,
      account: source.account,
      now: ctx.now,
      command: 'safeweb psa sync',
    });
    let summary: PlanSummary | undefined;
    const run = await syncConnection(ctx, source, outbox, {
      ...opts,
      now: ctx.now(),
      clock: ctx.now,
      mask: source.policy.mask ?? false,
      confirm: async (prepared) => {
        summary = planSummary(source.connection, prepared.plan);
        for (const note of planNotes(summary, prepared, 'psa sync'))
          ctx.out[note.tone === 'warn' ? 'warn' : 'info'](String(note.text));
        if (opts.yes || !hasWork(summary)) return true;
        await ctx.out.tableOnStderr(
          planColumns(summary).map((c) => c.header),
          planRows(summary).map((r) => r.map((c) => String(c ?? ''))),
        );
        const prompter = await ctx.prompter('Pass --yes to sync without asking.');
        if (await prompter.confirm({ message: `Make these ${summary.actions.length} changes?`, default: false }))
          return true;
        throw new CancelledError('Not synced; nothing was sent.');
      },
    });
    const plan = summary ?? planSummary(source.connection, run.prepared.plan);
    const bulk = run.report!.bulk;
    const counts = run.report!.counts;
    const data: PsaSyncSummary = {
      connection: source.connection,
      planned: plan.actions.length,
      ...counts,
      failed: bulk.counts.failed,
      interrupted: bulk.interrupted,
      held: plan.held,
      baselined: plan.baselined,
      baseline: plan.baseline,
      conflicts: plan.conflicts.length,
      unmapped: plan.unmapped,
      events: run.events,
      announced: run.announced,
      ...(run.report!.budget ? { budget: run.report!.budget } : {}),
    };
    const said =
      `${bulk.interrupted ? 'Interrupted. ' : ''}Synced ${source.connection}: created ${counts.created}` +
      `${counts.foundByKey ? ` (+${counts.foundByKey} found by key)` : ''}, noted ${counts.noted}, closed ${counts.closed}, ` +
      `reopened ${counts.reopened}; in SafeWeb resolved ${counts.resolved}, unresolved ${counts.unresolved}` +
      `${bulk.counts.failed ? `; ${bulk.counts.failed} tickets failed` : ''}` +
      `${run.announced ? `; ${run.announced} ticket event(s) kept for notify send` : ''}.`;
    const spent = run.report!.budget;
    const failures = spent ? [] : bulk.firstFailures.map((f) => info(`  ${f}`));
    const budget = spent
      ? [
          warn(
            `budget reached, ${spent.left} left: ${spent.max} requests to ${source.client.farSide} in the last hour ` +
              '(--max-per-hour); the next run continues',
          ),
          hint(`Run it again later (cron does), or raise the budget: --max-per-hour N, or maxPerHour in the settings.`),
        ]
      : [];
    return {
      data,
      notes: [info(said), ...budget, ...failures],
      failures: [...bulk.failures, ...run.prepared.book.failures],
    };
  });
}
