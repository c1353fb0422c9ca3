/**
 * One `psa sync` of one connection, end to end: the events the outbox holds for this connection's
 * sink are taken (their times date SafeWeb's side of a conflict), the plan is made, shown and
 * confirmed by the caller, carried out, and the events acknowledged once the sync that covers
 * them has finished (else recorded as failed, to be retried with backoff); the tickets it created
 * or closed are told of to the notification routes that name ticket events (psa/announce.ts), in
 * the same outbox, for `notify send` or the receiver to send. The caller holds the
 * connection's run lock around it (services.ts), so a cron run and the receiver never sync one
 * connection at the same time.
 */
import type { BulkRun } from '../bulk/runner.js';
import type { BookEvent } from '../findings/event.js';
import type { Outbox } from '../findings/outbox.js';
import { channelOfSink, eventSinks, psaSink } from '../findings/sinks.js';
import type { Announcer } from './announce.js';
import { preparePlan, type PlanRunOptions, type PlanSource, type PreparedPlan } from './session.js';
import { runSync, type SyncReport } from './sync.js';

export interface SyncRunOptions extends PlanRunOptions {
  /** Asked once the plan is known (and shown): false ends the run with nothing sent. */
  confirm?: ((prepared: PreparedPlan) => Promise<boolean>) | undefined;
  mask: boolean;
  now: Date;
  clock: () => Date;
}

export interface SyncRun {
  prepared: PreparedPlan;
  /** Undefined when the caller declined the plan. */
  report?: SyncReport | undefined;
  /** Outbox events this sync acknowledged (or recorded as failed). */
  events: { acked: number; failed: number };
  /** Ticket events this sync put in the outbox for the notification routes that name them. */
  announced: number;
}

export async function syncConnection(
  run: BulkRun,
  source: PlanSource,
  outbox: Outbox | undefined,
  options: SyncRunOptions,
): Promise<SyncRun> {
  const sink = psaSink(source.connection);
  // A sync of some customers takes only their events: acknowledging another customer's would
  // say it was synced when it was not.
  const only = options.customers?.length
    ? new Set(options.customers.flatMap((c) => c.toLowerCase().split(',')).map((c) => c.trim()))
    : undefined;
  const select =
    only && ((e: BookEvent) => only.has(e.reference.toLowerCase()) || only.has((e.customerId ?? '').toLowerCase()));
  const due = outbox ? await outbox.due(sink, undefined, undefined, select || undefined) : [];
  const changedAt = new Map<string, string>();
  for (const item of due)
    if (item.event.finding && (item.event.type === 'breach.resolved' || item.event.type === 'breach.unresolved'))
      changedAt.set(item.event.finding, item.event.at);
  const prepared = await preparePlan(run, source, { ...options, changedAt });
  if (options.confirm && !(await options.confirm(prepared))) {
    // Nothing done: the events go back to waiting at once (a lease would hold them for minutes).
    for (const item of due) await outbox!.record(sink, item.key, { ok: false, error: 'declined', retryAfterMs: 0 });
    return { prepared, events: { acked: 0, failed: 0 }, announced: 0 };
  }
  const report = await runSync(
    run,
    prepared.plan,
    {
      client: source.client,
      index: prepared.index,
      connection: source.connection,
      policy: prepared.policy,
      text: { mask: options.mask, psa: source.client.farSide },
      now: options.clock,
      announce: announcer(source, outbox),
    },
    // A PSA that allows fewer requests in flight (Autotask: 3 per integration) gets no more workers.
    { concurrency: Math.min(options.concurrency, source.maxInFlight ?? options.concurrency) },
  );
  const finished = !report.bulk.interrupted && report.bulk.counts.failed === 0 && prepared.book.failures.length === 0;
  const syncedAt = options.clock().toISOString();
  for (const item of due)
    await outbox!.record(
      sink,
      item.key,
      finished
        ? { ok: true, ack: { syncedAt } }
        : { ok: false, error: 'the sync did not finish; the next one covers it' },
    );
  return {
    prepared,
    report,
    events: { acked: finished ? due.length : 0, failed: finished ? 0 : due.length },
    announced: report.announced,
  };
}

/** Where the sync's ticket events go: the notification sinks whose routes name them (none without an outbox or settings). */
function announcer(source: PlanSource, outbox: Outbox | undefined): Announcer | undefined {
  const settings = source.integrations;
  if (!outbox || !settings) return undefined;
  return {
    outbox,
    partnerId: source.partnerId,
    connection: source.connection,
    psa: source.client.farSide,
    sinksOf: (event, band) => eventSinks(settings, event, band).filter((s) => channelOfSink(s) !== undefined),
  };
}
