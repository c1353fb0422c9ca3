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
  | { op: 'enqueued'; key: string; event: BookEvent; sinks: string[]; at: string }
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
  event: BookEvent;
  enqueuedAt: string;
  /** The sinks it is for, each with its state. */
  sinks: Map<string, SinkState>;
  /** `outbox drop`: kept as a tombstone (a re-enqueue of the key is ignored) until compacted. */
  dropped: boolean;
  /** The last change of any of its states. */
  changedAt: string;
}

/** The items by key, in the order they were enqueued. */
export type Folded = Map<string, OutboxItem>;

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
  const items: Folded = new Map();
  for (const line of lines) foldLine(items, line);
  return items;
}

/** One line applied to what the lines before it made. A line about an unknown key or sink is ignored. */
export function foldLine(items: Folded, line: JournalLine): void {
  if (line.op === 'enqueued') {
    if (items.has(line.key)) return;
    const sinks = new Map(
      line.sinks.map((s): [string, SinkState] => [s, { state: 'pending', attempts: 0, at: line.at }]),
    );
    items.set(line.key, {
      key: line.key,
      event: line.event,
      enqueuedAt: line.at,
      sinks,
      dropped: false,
      changedAt: line.at,
    });
    return;
  }
  const item = items.get(line.key);
  if (!item || !KNOWN_OPS.has(line.op)) return;
  item.changedAt = line.at;
  if (line.op === 'dropped') {
    item.dropped = true;
    return;
  }
  const now = item.sinks.get(line.sink);
  if (!now) return;
  item.sinks.set(line.sink, nextState(now, line));
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
