/**
 * Catch-up: SafeWeb gives up on a delivery after a few retries, so a receiver that was down
 * misses events. On start and every --reconcile, the receiver runs the `portfolio watch`
 * comparison (portfolio/watch-state.ts) against a state file of its own and puts in the outbox,
 * for the same sinks, what changed and the outbox does not already have — an event delivered
 * since the last comparison is there under its delivery and is not routed twice.
 *
 * The first pass takes a baseline (the book as it is now is not news) unless --catch-up-from
 * DATE: then the unresolved breaches dated on or after DATE are new.
 */
import type { BulkRun } from '../bulk/runner.js';
import type { BookEvent } from '../findings/event.js';
import type { Outbox } from '../findings/outbox.js';
import { readBook, selectBook } from '../portfolio/book.js';
import { bandOf, type Band } from '../portfolio/exposure.js';
import { compare, readWatchState, saveWatchState, type WatchState } from '../portfolio/watch-state.js';

export interface CatchUpDeps {
  run: BulkRun;
  configDir: string;
  account: string;
  partnerId: string;
  state: string;
  outbox: Outbox;
  sinksOf(event: BookEvent, band: Band | null): readonly string[];
  /** YYYY-MM-DD: on the first pass, breaches dated on or after it are new instead of baselined. */
  from?: string | undefined;
  concurrency: number;
  now(): Date;
}

export interface CatchUpResult {
  baseline: boolean;
  /** Customers read. */
  read: number;
  /** Changes found, and how many of them the outbox did not already have. */
  found: number;
  enqueued: number;
  /** The events it put in the outbox. */
  events: BookEvent[];
  /** Customers that could not be read (they keep their saved state). */
  failed: number;
  interrupted: boolean;
}

/** Each customer's band as the state last saw it (a delivery's routes can match on it). */
export function savedBands(state: WatchState | undefined): Map<string, Band> {
  return new Map(Object.entries(state?.customers ?? {}).map(([id, c]) => [id, c.band]));
}

export async function catchUp(deps: CatchUpDeps): Promise<CatchUpResult> {
  const previous = readWatchState(deps.state, deps.account);
  const book = selectBook(deps.configDir, deps.account, {});
  const result = await readBook(deps.run, book, { concurrency: deps.concurrency, label: 'Catching up' });
  const failed = result.reads.filter((r) => !r.snapshot).length;
  const none = { read: 0, found: 0, enqueued: 0, events: [], failed, baseline: false };
  if (result.interrupted) return { ...none, interrupted: true };
  const at = deps.now().toISOString();
  const diff = compare(previous, result.reads, { account: deps.account, partnerId: deps.partnerId, at });
  // Nothing read (the API down): nothing is new, and the state stays as it was.
  if (diff.read === 0) return { ...none, interrupted: false };
  const changes = diff.events.filter((e) => e.type !== 'customer.error');
  const found = previous
    ? changes
    : deps.from
      ? changes.filter((e) => e.type === 'breach.new' && (e.breachDate ?? '') >= deps.from!)
      : [];
  const fresh = notAlreadyThere(deps.outbox, found, previous?.savedAt);
  const bands = new Map(
    result.reads.filter((r) => r.snapshot).map((r) => [r.entry.reference, bandOf(r.snapshot!.threatScore)]),
  );
  // On disk before the state moves on: a kill between the two finds the same changes again,
  // under the same occurrence, and the outbox keeps them once.
  const { added } = fresh.length
    ? await deps.outbox.enqueue(
        fresh,
        (e) => deps.sinksOf(e, bands.get(e.reference) ?? null),
        `c:${previous?.savedAt ?? 'first'}`,
      )
    : { added: [] };
  saveWatchState(deps.state, diff.next);
  return {
    baseline: !previous && !deps.from,
    read: diff.read,
    found: found.length,
    enqueued: added.length,
    events: fresh,
    failed,
    interrupted: false,
  };
}

/** The changes whose event the outbox got since `since` (a delivery of it), left out. */
function notAlreadyThere(outbox: Outbox, events: readonly BookEvent[], since: string | undefined): BookEvent[] {
  if (events.length === 0) return [];
  const there = new Set<string>();
  for (const item of outbox.read().values())
    if (since === undefined || item.enqueuedAt >= since) there.add(item.event.key);
  return events.filter((e) => !there.has(e.key));
}
