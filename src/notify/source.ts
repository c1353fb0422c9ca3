/**
 * `notify send`'s own source of events: the `portfolio watch` comparison (portfolio/watch-state.ts)
 * against a state the notification sink keeps per account, `<configDir>/notify/<account>.state.json`,
 * so it needs no watch of its own and no other state file. Its first run takes a baseline: what the
 * book holds then is not news, and nothing is sent for it — unless `--include-existing` (all of it)
 * or `--since DATE` (breaches dated on or after DATE). Events are routed (findings/sinks.ts) and
 * kept in the outbox, on disk, before the state moves on: a run killed between the two compares
 * again from the same state, and the outbox knows the events it already holds (their occurrence
 * is the state's time, as watch's are).
 */
import path from 'node:path';
import type { BulkRun } from '../bulk/runner.js';
import type { Integrations } from '../config/integrations.js';
import type { ExitCodeValue } from '../exit-codes.js';
import type { BookEvent } from '../findings/event.js';
import type { Outbox } from '../findings/outbox.js';
import { channelOfSink, eventSinks } from '../findings/sinks.js';
import { accountFileName } from '../io/account-files.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import { readBook, selectBook, type CustomerRead } from '../portfolio/book.js';
import { bandOf } from '../portfolio/exposure.js';
import { compare, readWatchState, saveWatchState, type WatchState } from '../portfolio/watch-state.js';

/** The state the notification sink compares against, per account. */
export function notifyStateFile(configDir: string, account: string): string {
  return path.join(configDir, 'notify', `${accountFileName(account)}.state.json`);
}

export interface SourceDeps {
  configDir: string;
  account: string;
  partnerId: string;
  settings: Integrations;
  outbox: Outbox;
  now(): Date;
}

export interface CollectOptions {
  concurrency: number;
  /** The first run routes every existing finding (no baseline). */
  includeExisting?: boolean | undefined;
  /** The first run routes the breaches dated on or after this day (YYYY-MM-DD). */
  since?: string | undefined;
  /** Compare and route, but keep nothing: no outbox entry, no state saved. */
  dryRun?: boolean | undefined;
}

export interface Collected {
  stateFile: string;
  /** The state compared against; undefined on the first run. */
  previous: WatchState | undefined;
  /** The first run's baseline: what it found and left alone. */
  baseline: { customers: number; events: number } | null;
  /** The events routed to at least one channel, in the order found. */
  events: BookEvent[];
  /** Of those, new to the outbox (the rest it held already: a run redone). */
  enqueued: number;
  /** Customers read, and this run's reads (for a message's band and score). */
  read: number;
  reads: CustomerRead[];
  /** Whether the state was saved (not on a dry run, an interrupted run, or one that read nothing). */
  saved: boolean;
  interrupted: boolean;
  failures: ExitCodeValue[];
}

/** The notify sinks an event goes to, by the customer's band this run. */
function notifySinksOf(settings: Integrations, bands: Map<string, ReturnType<typeof bandOf>>) {
  return (event: BookEvent) =>
    eventSinks(settings, event, bands.get(event.reference) ?? null).filter((s) => channelOfSink(s) !== undefined);
}

/** Compares the book with the sink's state, routes and keeps what changed, and saves the state. */
export async function collectEvents(run: BulkRun, deps: SourceDeps, options: CollectOptions): Promise<Collected> {
  const stateFile = notifyStateFile(deps.configDir, deps.account);
  ensurePrivateDir(path.dirname(stateFile), 'notification state');
  const previous = readWatchState(stateFile, deps.account);
  const book = selectBook(deps.configDir, deps.account, {});
  const result = await readBook(run, book, { concurrency: options.concurrency, label: 'Comparing' });
  const blank = { stateFile, previous, baseline: null, events: [], enqueued: 0, saved: false };
  const reads = result.reads;
  if (result.interrupted) return { ...blank, read: 0, reads, interrupted: true, failures: result.failures };
  const diff = compare(previous, reads, {
    account: deps.account,
    partnerId: deps.partnerId,
    at: deps.now().toISOString(),
  });
  // A run that read nothing (the API down, an empty record) changes nothing.
  if (diff.read === 0) return { ...blank, read: 0, reads, interrupted: false, failures: result.failures };
  const bands = new Map(
    reads.filter((r) => r.snapshot).map((r) => [r.entry.reference, bandOf(r.snapshot!.threatScore)]),
  );
  const sinksOf = notifySinksOf(deps.settings, bands);
  const first = previous === undefined;
  const news = (e: BookEvent) =>
    !first ||
    options.includeExisting ||
    (options.since !== undefined && e.type === 'breach.new' && (e.breachDate ?? '').slice(0, 10) >= options.since);
  const events = diff.events.filter((e) => news(e) && sinksOf(e).length > 0);
  const baseline =
    first && !options.includeExisting
      ? { customers: diff.read, events: diff.events.filter((e) => !news(e)).length }
      : null;
  let enqueued = 0;
  if (!options.dryRun) {
    if (events.length)
      enqueued = (await deps.outbox.enqueue(events, sinksOf, previous?.savedAt ?? 'first')).added.length;
    saveWatchState(stateFile, diff.next);
  }
  return {
    stateFile,
    previous,
    baseline,
    events,
    enqueued,
    read: diff.read,
    reads,
    saved: !options.dryRun,
    interrupted: false,
    failures: result.failures,
  };
}
