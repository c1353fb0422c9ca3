/**
 * The outbox's journal: one JSON line per change of state, appended (never rewritten but by a
 * compaction), folded on read into the items and, per item, each sink's state. Pure: reading the
 * file and writing it are outbox.ts's business.
 *
 * A sink's state of an item: `pending` (nothing tried yet, or sent back by `outbox retry`) →
 * `held` (a process is acting on it; its lease ends at `until`, or when that process is gone) →
 * `acked` (the far side acknowledged it; what it said is kept) | `retrying` (it failed; tried again
 * from `nextAt`) | `dead` (it failed `maxAttempts` times, or the sink called the refusal permanent)
 * | `waiting` (the sink put it off until `notBefore` without trying it: a digest's window, quiet
 * hours, a cap on one run's messages; no attempt is counted).
 *
 * A line of an operation this version does not know (a later version's) is skipped: the journal
 * stays readable both ways.
 */
import { ConfigError } from '../errors.js';
import type { BookEvent } from './event.js';

type SinkStateName = 'pending' | 'held' | 'acked' | 'retrying' | 'dead' | 'waiting';

export type JournalLine =
  | {
      op: 'enqueued';
      key: string;
      event: BookEvent;
      sinks: string[];
      at: string;
      /** Sinks that are not to act on it before a time (a digest's window): it starts out waiting for them. */
      waits?: Record<string, { until: string; reason: string }> | undefined;
    }
  | { op: 'held'; sink: string; key: string; until: string; pid: number; host: string; at: string }
  | { op: 'acked'; sink: string; key: string; ack: unknown; at: string }
  | { op: 'failed'; sink: string; key: string; error: string; attempts: number; next: string | null; at: string }
  | { op: 'retry'; sink: string; key: string; at: string }
  | { op: 'deferred'; sink: string; key: string; until: string; reason: string; at: string }
  | { op: 'dropped'; key: string; at: string };

/** One sink's state of one item, as the journal's lines made it. */
export interface SinkState {
  state: SinkStateName;
  /** Failed attempts since it was enqueued or last sent back to pending. */
  attempts: number;
  /** retrying: when it is due again. */
  nextAt?: string | undefined;
  /** waiting: not acted on before this time, and why (`digest 2026-12-07T10:00Z/1h`, `quiet hours`). */
  notBefore?: string | undefined;
  reason?: string | undefined;
  /** held: until when, and by which process. */
  heldUntil?: string | undefined;
  holder?: { pid: number; host: string } | undefined;
  /** acked: what the far side acknowledged (a ticket ID, a message ID). */
  ack?: unknown;
  lastError?: string | undefined;
  /** When this state began. */
  at: string;
}

export interface OutboxItem {
  key: string;
  /** Its place in the order items were enqueued (the fold's count when it came). */
  seq: number;
  event: BookEvent;
  enqueuedAt: string;
  /** The sinks it is for, each with its state. */
  sinks: Map<string, SinkState>;
  /** `outbox drop`: kept as a tombstone (a re-enqueue of the key is ignored) until compacted. */
  dropped: boolean;
  /** The last change of any of its states. */
  changedAt: string;
}

/**
 * Where one sink's unfinished items are, kept as the lines are folded: a look for what is due
 * reads these, not every item of the outbox (a receiver looks several times a second, and an
 * outbox holds every event of its retention).
 */
export class SinkIndex {
  /** Pending: due now. */
  readonly ready = new Set<string>();
  /** Retrying, waiting or held: by the time each comes due (ISO 8601, as toISOString writes it). */
  readonly #at = new Map<string, Set<string>>();
  /** The times of #at ascending; a time whose items all moved on stays listed until it has passed. */
  #times: string[] = [];
  readonly #listed = new Set<string>();
  /** Held by another process: due early if that process is gone. */
  readonly others = new Set<string>();

  /** The keys that may be due at `now` (ISO text): the pending ones, those whose time has come, those held by others. */
  *candidates(now: string): Generator<string> {
    yield* this.ready;
    let gone = 0;
    for (const time of this.#times) {
      if (time > now) break;
      const keys = this.#at.get(time);
      if (keys) yield* keys;
      else gone++;
    }
    // Passed times without items are no longer listed (a time passed stays passed).
    if (gone > 0) {
      const passed = this.#times.findIndex((time) => time > now);
      const end = passed === -1 ? this.#times.length : passed;
      const kept: string[] = [];
      for (const time of this.#times.slice(0, end)) {
        if (this.#at.has(time)) kept.push(time);
        else this.#listed.delete(time);
      }
      this.#times = [...kept, ...this.#times.slice(end)];
    }
    yield* this.others;
  }

  /** How many times it lists (those still to come, and passed ones that still have items). */
  get listed(): number {
    return this.#times.length;
  }

  /** How many items it holds that are not finished. */
  get size(): number {
    let n = this.ready.size;
    for (const keys of this.#at.values()) n += keys.size;
    return n;
  }

  add(key: string, state: SinkState): void {
    if (state.state === 'pending') return void this.ready.add(key);
    // Another process's hold is looked at every time (its process may be gone), whatever its time says.
    if (state.state === 'held' && state.holder?.pid !== process.pid) this.others.add(key);
    const time = dueTime(state);
    if (time === undefined) return;
    let keys = this.#at.get(time);
    if (!keys) {
      this.#at.set(time, (keys = new Set()));
      if (!this.#listed.has(time)) this.#list(time);
    }
    keys.add(key);
  }

  remove(key: string, state: SinkState): void {
    if (state.state === 'pending') return void this.ready.delete(key);
    this.others.delete(key);
    const time = dueTime(state);
    const keys = time === undefined ? undefined : this.#at.get(time);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.#at.delete(time!);
  }

  #list(time: string): void {
    this.#listed.add(time);
    const times = this.#times;
    // Mostly later than every time listed (now + a lease, a window's end): appended.
    if (times.length === 0 || times[times.length - 1]! < time) return void times.push(time);
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    times.splice(lo, 0, time);
  }
}

/** When an unfinished state comes due, as text that orders like the time; undefined: never (finished, or no time). */
function dueTime(state: SinkState): string | undefined {
  const at =
    state.state === 'retrying'
      ? state.nextAt
      : state.state === 'waiting'
        ? state.notBefore
        : state.state === 'held'
          ? state.heldUntil
          : undefined;
  if (at === undefined) return undefined;
  if (at.length === 24 && at.charCodeAt(23) === 90 /* Z */ && at.charCodeAt(10) === 84 /* T */) return at;
  const ms = Date.parse(at);
  // Another writer's form of a time: as toISOString writes it (a year past 9999 is never).
  return Number.isNaN(ms) || ms > 253_402_300_799_999 ? undefined : new Date(Math.max(0, ms)).toISOString();
}

/**
 * The items by key, in the order they were enqueued, with two indexes kept as lines are folded:
 * per sink, where its unfinished items are (`sinks`), and the items about each finding (`about`).
 */
export class Folded extends Map<string, OutboxItem> {
  readonly sinks = new Map<string, SinkIndex>();
  /** A finding (the event's `finding`, else its key) → the keys of the items about it, in order. */
  readonly about = new Map<string, string[]>();
  #seq = 0;

  /** The next item's place in the order. */
  nextSeq(): number {
    return this.#seq++;
  }

  indexOf(sink: string): SinkIndex {
    let index = this.sinks.get(sink);
    if (!index) this.sinks.set(sink, (index = new SinkIndex()));
    return index;
  }
}

/** Parses the journal's text; a torn last line (a write cut short by a crash) is ignored. */
export function parseJournal(text: string, file: string): JournalLine[] {
  const lines = text.split('\n');
  const out: JournalLine[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as JournalLine);
    } catch {
      if (i === lines.length - 1) return;
      throw new ConfigError(
        `the outbox journal ${file} is corrupt at line ${i + 1}`,
        'Move it aside to start an empty outbox (what it held is then not sent); it was left untouched.',
      );
    }
  });
  return out;
}

const KNOWN_OPS = new Set<string>(['enqueued', 'held', 'acked', 'failed', 'retry', 'deferred', 'dropped']);

export function foldJournal(lines: readonly JournalLine[]): Folded {
  const items = new Folded();
  for (const line of lines) foldLine(items, line);
  return items;
}

/** One line applied to what the lines before it made. A line about an unknown key or sink is ignored. */
export function foldLine(items: Folded, line: JournalLine): void {
  if (line.op === 'enqueued') {
    if (items.has(line.key)) return;
    const sinks = new Map<string, SinkState>();
    for (const sink of line.sinks) {
      const wait = line.waits?.[sink];
      const state: SinkState = wait
        ? { state: 'waiting', attempts: 0, notBefore: wait.until, reason: wait.reason, at: line.at }
        : { state: 'pending', attempts: 0, at: line.at };
      sinks.set(sink, state);
      items.indexOf(sink).add(line.key, state);
    }
    items.set(line.key, {
      key: line.key,
      seq: items.nextSeq(),
      event: line.event,
      enqueuedAt: line.at,
      sinks,
      dropped: false,
      changedAt: line.at,
    });
    const finding = line.event.finding ?? line.event.key;
    const about = items.about.get(finding);
    if (about) about.push(line.key);
    else items.about.set(finding, [line.key]);
    return;
  }
  const item = items.get(line.key);
  if (!item || !KNOWN_OPS.has(line.op)) return;
  item.changedAt = line.at;
  if (line.op === 'dropped') {
    if (!item.dropped) for (const [sink, state] of item.sinks) items.sinks.get(sink)?.remove(item.key, state);
    item.dropped = true;
    return;
  }
  const now = item.sinks.get(line.sink);
  if (!now) return;
  const next = nextState(now, line);
  if (next === now) return;
  item.sinks.set(line.sink, next);
  if (item.dropped) return;
  const index = items.indexOf(line.sink);
  index.remove(item.key, now);
  index.add(item.key, next);
}

function nextState(now: SinkState, line: Exclude<JournalLine, { op: 'enqueued' | 'dropped' }>): SinkState {
  // What the far side acknowledged stays acknowledged: a late report from a slower process changes nothing.
  if (now.state === 'acked') return now;
  // Written out, not spread from an object of the kept fields: V8 spreads such a small object
  // slowly (about 10 µs a time on Node 20), and a receiver folds two of these lines per event.
  const { attempts, lastError } = now;
  switch (line.op) {
    case 'held':
      return {
        attempts,
        lastError,
        state: 'held',
        heldUntil: line.until,
        holder: { pid: line.pid, host: line.host },
        at: line.at,
      };
    case 'acked':
      return { attempts, lastError, state: 'acked', ack: line.ack, at: line.at };
    case 'failed':
      return line.next === null
        ? { state: 'dead', attempts: line.attempts, lastError: line.error, at: line.at }
        : { state: 'retrying', attempts: line.attempts, lastError: line.error, nextAt: line.next, at: line.at };
    case 'retry':
      return { state: 'pending', attempts: 0, lastError, at: line.at };
    case 'deferred':
      // Put off, not tried: the attempts so far stand, and nothing is added to them.
      return { attempts, lastError, state: 'waiting', notBefore: line.until, reason: line.reason, at: line.at };
  }
}

/** Backoff after the `attempts`-th failure: doubling from 30 s to at most 6 h, the later half jittered. */
export function backoffMs(attempts: number, random: () => number): number {
  const ceiling = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);
  // Half fixed, half random: processes that failed together (the far side was down) do not all come back at once.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
