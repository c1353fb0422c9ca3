/**
 * The PSA sink (`psa:<connection>`) in the receiver: a ticket sync of that connection for the
 * customers whose events are due (psa/run.ts `syncConnection` with `customers`), holding the
 * connection's run lock, so a cron `psa sync` beside the receiver waits its turn and no ticket is
 * made twice. The sync holds and acknowledges exactly those customers' events; one that does not
 * finish records them failed, retried with the outbox's backoff.
 *
 * The cap on creates (--max-creates) applies to what the catch-up found; each delivered
 * `breach.new` is one finding, and adds one to the cap. The tickets a sync creates or closes are
 * told of in the outbox (psa/announce.ts) when a notification route names ticket events; the
 * router's next pass sends them.
 */
import type { BulkRun } from '../bulk/runner.js';
import type { Outbox } from '../findings/outbox.js';
import { syncConnection } from '../psa/run.js';
import type { PlanSource } from '../psa/session.js';
import type { SinkHandler } from './router.js';

export interface PsaSinkDeps {
  /** The connection opened, with its policy and mappings (services.ts `psaPlanSource`). */
  source(connection: string): Promise<PlanSource>;
  /** `fn` holding the connection's run lock (`psa-sync:<name>`), waiting a bounded time for a holder. */
  locked<T>(connection: string, fn: () => Promise<T>): Promise<T>;
  run: BulkRun;
  /** Creates allowed for what a catch-up pass found. */
  maxCreates: number;
  concurrency: number;
  now(): Date;
}

/** Occurrences of delivered events begin `d:` (accept.ts); a catch-up's begin `c:`. */
const DELIVERED = '@d:';

export function psaHandler(deps: PsaSinkDeps): SinkHandler {
  return {
    async route(sink, due, outbox) {
      const connection = sink.slice(sink.indexOf(':') + 1);
      // By ID where known: the book reads a customer the record lacks by its ID alone.
      const customers = [...new Set(due.map((i) => i.event.customerId ?? i.event.reference))];
      const delivered = due.filter((i) => i.key.includes(DELIVERED) && i.event.type === 'breach.new').length;
      try {
        return await deps.locked(connection, async () => {
          const source = await deps.source(connection);
          const run = await syncConnection(deps.run, source, outbox, {
            customers,
            concurrency: deps.concurrency,
            maxCreates: deps.maxCreates + delivered,
            now: deps.now(),
            clock: deps.now,
            mask: source.policy.mask ?? false,
          });
          // The tickets it created or closed, told of to the routes that name ticket events: the router sends them next.
          return { ...run.events, enqueued: run.announced };
        });
      } catch (error) {
        await releaseHeld(outbox, sink, error);
        throw error;
      }
    },
  };
}

/**
 * The items this process holds for `sink` when its run failed part way: recorded failed at once,
 * so they are retried with backoff instead of waiting out a ten-minute lease.
 */
async function releaseHeld(outbox: Outbox, sink: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  for (const item of outbox.read().values()) {
    const state = item.sinks.get(sink);
    if (state?.state === 'held' && state.holder?.pid === process.pid)
      await outbox.record(sink, item.key, { ok: false, error: message }).catch(() => undefined);
  }
}
