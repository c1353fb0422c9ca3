/**
 * The durable outbox between the sources of events (`portfolio watch`, the receiver) and the
 * sinks that act on them (tickets, notifications): per account, `<configDir>/outbox/<account>.ndjson`.
 *
 * - `enqueue` returns only once each event is on disk (one O_APPEND write, fsync): only then may a
 *   sink act on it or the receiver acknowledge it. Idempotent by the event's key.
 * - `due(sink)` hands a sink what to act on now and holds it (a lease) so that another process
 *   does not act on it too; `record(sink, key, outcome)` keeps what the far side acknowledged, or
 *   the failure and when to try again (doubling backoff, jittered, never before a Retry-After);
 *   after `maxAttempts`, or a refusal the sink calls permanent, the item is dead-lettered.
 * - After a kill -9 at any moment a restart acts on what is pending (a lease whose process is
 *   gone ends at once) and never on what was acknowledged; a torn last line is ignored.
 * - Every change runs under a short lock (io/lock.ts) with a bounded wait naming the holder, and
 *   is one journal line (outbox-journal.ts); `compact` rewrites the journal atomically, leaving
 *   out what was finished (acked or dead for every sink) longer ago than the retention. The
 *   changes one process makes run one after another (a queue, not the lock file's poll).
 * - A process that changes the outbox many times a second (the receiver: every group commit, every
 *   routing step) keeps the lock between its changes (`keepLock`): the lock file is not taken and
 *   removed each time, the journal stays open, and nothing is read back, since no one else can
 *   have written it meanwhile. It lets go as soon as another process asks for the lock (they all
 *   do while they wait: `ask`), after a moment without a change, and at `close`; so `outbox drop`,
 *   `notify send` or a cron `psa sync` beside it wait one change, not until the receiver stops.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountFile, accountFileName } from '../io/account-files.js';
import { appendDurably, DurableLog } from '../io/append-log.js';
import { acquireLock, holdingLock, lockWanted, pidAlive, type HeldLock, type LockOptions } from '../io/lock.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import { replaceFile } from '../io/safe-write.js';
import { ConfigError } from '../errors.js';
import type { BookEvent } from './event.js';
import {
  backoffMs,
  foldJournal,
  foldLine,
  Folded,
  parseJournal,
  type JournalLine,
  type OutboxItem,
  type SinkState,
} from './outbox-journal.js';

const DEFAULT_MAX_ATTEMPTS = 8;
/** How long the receiver's own compaction keeps a finished item: `outbox compact`'s default too (its --retain). */
export const DEFAULT_RETAIN_MS = 90 * 86_400_000;
const DEFAULT_LOCK_WAIT_MS = 60_000;
/** How long a sink may act on an item before another process may take it over (its process alive). */
const DEFAULT_LEASE_MS = 10 * 60_000;
const KIND = 'outbox journal';
/** A kept lock is let go after this long without a change (nobody waits on an idle receiver). */
const KEEP_IDLE_MS = 100;
/** How often a keeper that let go for an asker looks whether the asker has the lock yet. */
const GIVE_WAY_POLL_MS = 10;

export interface OutboxOptions {
  configDir: string;
  /** The account key (io/account-files.ts `accountKey`). */
  account: string;
  /** The sinks an event enqueued now is for: the configured ones (none yet: events are kept, not sent). */
  sinks?: readonly string[] | undefined;
  now?: (() => Date) | undefined;
  /** For the backoff's jitter; tests make it fixed. */
  random?: (() => number) | undefined;
  maxAttempts?: number | undefined;
  lockWaitMs?: number | undefined;
  leaseMs?: number | undefined;
  /** Who holds the lock, as a refusal names it: "safeweb portfolio watch". */
  command?: string | undefined;
  /**
   * Keep the lock between changes, until another process asks for it, a moment passes without a
   * change, or `close` (the receiver: one per account, changing the outbox many times a second).
   */
  keepLock?: boolean | undefined;
}

/** What a sink reports of one attempt. */
export type AttemptOutcome =
  | { ok: true; ack?: unknown }
  | {
      ok: false;
      error: string;
      /** The far side's Retry-After, in ms: the next attempt is not sooner. */
      retryAfterMs?: number | undefined;
      /** The far side refused in a way retrying cannot change (a 400, a 422): dead-lettered at once. */
      permanent?: boolean | undefined;
    };

/** What `decide` says of the due items it was given; an item it names nowhere is left as it is. */
export interface Decision<T> {
  /** To act on now: held (leased) for this process. */
  hold?: readonly string[] | undefined;
  /** Outcomes recorded at once, without an attempt held first (skipped: acknowledged; gone: dead). */
  record?: ReadonlyArray<{ keys: readonly string[]; outcome: AttemptOutcome }> | undefined;
  /** Put off until a time, no attempt counted. */
  defer?: ReadonlyArray<{ key: string; until: Date; reason: string }> | undefined;
  value: T;
}

/** An item handed to a sink by `due`. */
export interface DueItem {
  key: string;
  event: BookEvent;
  /** Failed attempts so far. */
  attempts: number;
  /** When it was kept, by the outbox's clock under its lock (a digest's window is chosen by it). */
  enqueuedAt: string;
}

export class Outbox {
  readonly file: string;
  readonly #lockFile: string;
  readonly #now: () => Date;
  readonly #random: () => number;
  #folded: Folding | undefined;
  /** This process's changes, one after another: the end of the queue. */
  #queue: Promise<unknown> = Promise.resolve();
  /** keepLock: the lock while kept, the journal open for appending, and whether #folded is the journal as it is. */
  #kept: { lock: HeldLock; log: DurableLog; current: boolean; idle: NodeJS.Timeout | undefined } | undefined;

  constructor(readonly options: OutboxOptions) {
    const dir = path.join(options.configDir, 'outbox');
    this.file = accountFile(dir, options.account, '.ndjson', KIND);
    this.#lockFile = path.join(dir, `${accountFileName(options.account)}.lock`);
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
  }

  /** The items as the journal has them now (no lock: a line being written is not seen yet). */
  read(): Folded {
    return foldJournal(this.#lines());
  }

  /**
   * Keeps each event not yet in the outbox, on disk before it returns; an event whose key is there
   * is left out. `sinksOf` names the sinks of each event, and an event it names none for is not
   * kept (without it, every event is for the outbox's `sinks`). `occurrence` tells one occurrence of an event from a later one with the
   * same key (a breach resolved, back, resolved again): the comparison a watch run made (the
   * state it started from), a delivery's ID. The item's ID is then `<key>@<occurrence>`, so the
   * same run redone after a crash is recognised, and a later occurrence is not mistaken for it.
   * A function gives each event its own occurrence: the receiver commits the events of several
   * deliveries in one write (one lock, one fsync), each delivery its own occurrence. `waitsOf`
   * names a time before which a sink is not to act on an event kept at `at` (the end of a digest's
   * window that nothing can send it sooner than): the item starts out waiting for that sink, as if
   * put off (`defer`), and no routing step touches it until then.
   */
  async enqueue(
    events: readonly BookEvent[],
    sinksOf?: (event: BookEvent) => readonly string[],
    occurrence?: string | ((event: BookEvent) => string),
    waitsOf?: (event: BookEvent, sink: string, at: Date) => { until: Date; reason: string } | undefined,
  ): Promise<{ added: string[]; known: string[] }> {
    return this.#locked((items) => {
      const now = this.#now();
      const at = now.toISOString();
      const added: string[] = [];
      const adding = new Set<string>();
      const known: string[] = [];
      const lines: JournalLine[] = [];
      for (const event of events) {
        const once = typeof occurrence === 'function' ? occurrence(event) : occurrence;
        const key = once === undefined ? event.key : `${event.key}@${once}`;
        const sinks = [...(sinksOf ? sinksOf(event) : (this.options.sinks ?? []))];
        if (sinksOf && sinks.length === 0) continue;
        if (items.has(key) || adding.has(key)) known.push(key);
        else {
          added.push(key);
          adding.add(key);
          let waits: Record<string, { until: string; reason: string }> | undefined;
          for (const sink of waitsOf ? sinks : []) {
            const wait = waitsOf!(event, sink, now);
            if (wait) (waits ??= {})[sink] = { until: wait.until.toISOString(), reason: wait.reason };
          }
          lines.push(
            waits ? { op: 'enqueued', key, event, sinks, at, waits } : { op: 'enqueued', key, event, sinks, at },
          );
        }
      }
      this.#append(lines, items);
      return { added, known };
    });
  }

  /**
   * What `sink` should act on now (at most `limit`, oldest first), held for it until recorded or
   * the lease ends. `select` narrows it (a sync of some customers holds only their events).
   */
  async due(
    sink: string,
    now = this.#now(),
    limit = Infinity,
    select?: (event: BookEvent) => boolean,
  ): Promise<DueItem[]> {
    return this.#locked((items) => {
      const picked = dueIn(items, sink, now, select, limit);
      const until = new Date(now.getTime() + (this.options.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
      const at = now.toISOString();
      const host = os.hostname();
      this.#append(
        picked.map((item) => ({ op: 'held', sink, key: item.key, until, pid: process.pid, host, at })),
        items,
      );
      return picked.map((item) => dueItem(item, sink));
    });
  }

  /**
   * What is due for `sink` at `now`, decided in one change: `decide` is given the due items (and
   * the fold, to look at others; it must not change it) and says which to hold for acting on
   * (leased, as `due` does), which outcomes to record at once (a skip, a dead letter) and which to
   * put off until a time (a digest's window, quiet hours). One write for all of it, under one
   * lock: an item put off or recorded is never held in between (no line for that, and no lease to
   * wait out after a kill).
   */
  async decide<T>(
    sink: string,
    now: Date,
    decide: (due: readonly DueItem[], items: Folded) => Decision<T>,
  ): Promise<{ held: DueItem[]; value: T }> {
    return this.#locked(
      (items) => {
        const due = dueIn(items, sink, now).map((item) => dueItem(item, sink));
        const decision = decide(due, items);
        const at = now.toISOString();
        const lines: JournalLine[] = [];
        const hold = new Set(decision.hold);
        const until = new Date(now.getTime() + (this.options.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
        const host = os.hostname();
        // Only items it was given, once each: what it decides of others is not its to decide.
        const settled = new Set<string>();
        const given = new Set(due.map((d) => d.key));
        const take = (key: string) => given.has(key) && !settled.has(key) && Boolean(settled.add(key));
        for (const { keys, outcome } of decision.record ?? [])
          for (const key of keys)
            if (take(key)) lines.push(this.#outcomeLine(sink, key, items.get(key)!.sinks.get(sink)!, outcome, now));
        for (const { key, until: later, reason } of decision.defer ?? [])
          if (take(key)) lines.push({ op: 'deferred', sink, key, until: later.toISOString(), reason, at });
        const held = due.filter((d) => hold.has(d.key) && take(d.key));
        for (const d of held) lines.push({ op: 'held', sink, key: d.key, until, pid: process.pid, host, at });
        this.#append(lines, items);
        return { held, value: decision.value };
        // Lost to a power cut, what it put off or skipped is planned again: only a hold comes before acting.
      },
      ({ held }) => held.length > 0,
    );
  }

  /**
   * Records what came of `sink`'s attempt at `key`; returns the state it is now in, or undefined
   * when the item is not there for that sink (dropped meanwhile). An acknowledged item stays so.
   */
  async record(sink: string, key: string, outcome: AttemptOutcome, now = this.#now()): Promise<SinkState | undefined> {
    return this.#locked((items) => {
      const item = items.get(key);
      const state = item?.sinks.get(sink);
      if (!item || item.dropped || !state) return undefined;
      if (state.state === 'acked') return state;
      this.#append([this.#outcomeLine(sink, key, state, outcome, now)], items);
      return item.sinks.get(sink);
    });
  }

  /**
   * Records one outcome for many items at once (one line each, one write): the items of a digest,
   * acknowledged together. Returns the state each item recorded is in now (an item not there for
   * the sink, dropped or already acknowledged is left out).
   */
  async recordAll(
    sink: string,
    keys: readonly string[],
    outcome: AttemptOutcome,
    now = this.#now(),
  ): Promise<SinkState[]> {
    return this.#locked((items) => {
      const lines: JournalLine[] = [];
      for (const key of new Set(keys)) {
        const item = items.get(key);
        const state = item?.sinks.get(sink);
        if (!item || item.dropped || !state || state.state === 'acked') continue;
        lines.push(this.#outcomeLine(sink, key, state, outcome, now));
      }
      this.#append(lines, items);
      return lines.map((line) => items.get(line.key)!.sinks.get(sink)!);
    });
  }

  /**
   * Puts items off for `sink` until a time, without trying them: no attempt is counted, and `due`
   * hands them out again from then (`--flush`: put off until now). An item acknowledged, dead or
   * dropped is left as it is. Returns how many it put off.
   */
  async defer(
    sink: string,
    entries: ReadonlyArray<{ key: string; until: Date; reason: string }>,
    now = this.#now(),
  ): Promise<number> {
    if (entries.length === 0) return 0;
    return this.#locked(
      (items) => {
        const at = now.toISOString();
        const lines: JournalLine[] = [];
        for (const { key, until, reason } of entries) {
          const item = items.get(key);
          const state = item?.sinks.get(sink);
          if (!item || item.dropped || !state || state.state === 'acked' || state.state === 'dead') continue;
          lines.push({ op: 'deferred', sink, key, until: until.toISOString(), reason, at });
        }
        this.#append(lines, items);
        return lines.length;
        // Lost to a power cut, a deferral is made again by the next plan: nothing acts on it meanwhile.
      },
      () => false,
    );
  }

  /**
   * `fn` over the items as they are, under the lock and from this process's fold (only what was
   * appended since is read): a sink that looks at many items between its writes reads the journal
   * once, not once a look. `fn` must not change what it is given.
   */
  async view<T>(fn: (items: Folded) => T): Promise<T> {
    return this.#locked(fn, () => false);
  }

  #outcomeLine(sink: string, key: string, state: SinkState, outcome: AttemptOutcome, now: Date): JournalLine {
    const at = now.toISOString();
    if (outcome.ok) return { op: 'acked', sink, key, ack: outcome.ack ?? null, at };
    const attempts = state.attempts + 1;
    const dead = outcome.permanent === true || attempts >= (this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const wait = Math.max(backoffMs(attempts, this.#random), outcome.retryAfterMs ?? 0);
    const next = dead ? null : new Date(now.getTime() + wait).toISOString();
    return { op: 'failed', sink, key, error: outcome.error, attempts, next, at };
  }

  /** Sends retrying and dead items back to pending, now: those of `keys` (every sink), or every one of `sink`. */
  async retry(select: {
    keys?: readonly string[];
    sink?: string | undefined;
  }): Promise<Array<{ key: string; sink: string }>> {
    return this.#locked((items) => {
      const at = this.#now().toISOString();
      const lines: JournalLine[] = [];
      for (const item of items.values()) {
        if (item.dropped || (select.keys && !select.keys.includes(item.key))) continue;
        for (const [sink, state] of item.sinks) {
          if (select.sink !== undefined && sink !== select.sink) continue;
          if (state.state === 'retrying' || state.state === 'dead')
            lines.push({ op: 'retry', sink, key: item.key, at });
        }
      }
      this.#append(lines, items);
      return lines.map((l) => ({ key: l.key, sink: (l as { sink: string }).sink }));
    });
  }

  /** Removes items from the outbox (no sink acts on them again); returns the keys it held. */
  async drop(keys: readonly string[]): Promise<string[]> {
    return this.#locked((items) => {
      const at = this.#now().toISOString();
      const found = [...new Set(keys)].filter((key) => items.get(key)?.dropped === false);
      this.#append(
        found.map((key) => ({ op: 'dropped', key, at })),
        items,
      );
      return found;
    });
  }

  /**
   * Rewrites the journal without the items finished (acked or dead for every sink) before
   * `now - retainMs`, and without dropped ones; pending, held and retrying items are kept whole.
   * `keepRecentDrops`: a dropped item's tombstone (which keeps a re-enqueue of its key out) is
   * kept for the retention too (the receiver's own compaction: nobody asked for this one).
   */
  async compact(
    retainMs: number,
    now = this.#now(),
    options: { keepRecentDrops?: boolean } = {},
  ): Promise<{ kept: number; removed: number }> {
    return this.#locked((items) => {
      const cutoff = now.getTime() - retainMs;
      const old = (item: OutboxItem) => Date.parse(item.changedAt) < cutoff;
      const gone = new Set(
        [...items.values()].filter((item) =>
          item.dropped ? !options.keepRecentDrops || old(item) : finished(item) && old(item),
        ),
      );
      if (gone.size === 0) return { kept: items.size, removed: 0 };
      const goneKeys = new Set([...gone].map((item) => item.key));
      const kept = this.#lines().filter((line) => !goneKeys.has(line.key));
      replaceFile(this.file, kept.map((l) => `${JSON.stringify(l)}\n`).join(''), { kind: KIND, mayReplace: true });
      this.#folded = undefined;
      // A new file: a journal kept open would be the old one.
      if (this.#kept) {
        this.#kept.log.close();
        this.#kept.current = false;
      }
      return { kept: items.size - gone.size, removed: gone.size };
    });
  }

  #lines(): JournalLine[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ConfigError(`cannot read the ${KIND} ${this.file}: ${(error as Error).message}`);
    }
    return parseJournal(text, this.file);
  }

  /** Appends `lines` (durably) and folds them into `items`, the fold they were made against. */
  #append(lines: readonly JournalLine[], items: Folded): void {
    if (lines.length === 0) return;
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    const folded = this.#folded?.items === items ? this.#folded : undefined;
    this.#folded = undefined;
    const kept = this.#kept;
    if (kept) kept.current = false;
    let after: { ino: number; size: number };
    // Kept: fsynced at the end of the change (#locked), off the event loop.
    if (kept) after = kept.log.write(text);
    else {
      appendDurably(this.file, text, KIND);
      after = fs.statSync(this.file);
    }
    for (const line of lines) foldLine(items, line);
    // The file is what was folded and these lines (the lock is held): the next fold starts after them.
    if (!folded) return;
    const bytes = Buffer.from(text);
    if (after.ino !== folded.ino || after.size !== folded.size + bytes.length) return;
    this.#folded = { ...folded, size: after.size, ...marks(folded, bytes) };
    if (kept) kept.current = true;
  }

  /**
   * Under the lock: the journal folded. A process that holds the outbox open (the receiver) reads
   * only what was appended since its last fold, when the file is the one it folded — the same
   * inode, not shorter, the same bytes at its start and where that fold ended — and the whole file
   * otherwise (compacted, cut, replaced): a delivery's write costs its own lines, not the journal's.
   */
  #foldedNow(): Folded {
    // The lock kept since this fold was made or grown: no one else can have written the journal.
    if (this.#kept?.current && this.#folded) return this.#folded.items;
    let fd: number;
    try {
      fd = fs.openSync(this.file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      this.#folded = undefined;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Folded();
      throw new ConfigError(`cannot read the ${KIND} ${this.file}: ${(error as Error).message}`);
    }
    try {
      const { ino, size } = fs.fstatSync(fd);
      const known = this.#folded;
      const same =
        known !== undefined &&
        known.ino === ino &&
        size >= known.size &&
        bytesAt(fd, 0, known.head.length).equals(known.head) &&
        bytesAt(fd, known.size - known.tail.length, known.tail.length).equals(known.tail);
      const from = same ? known : { ino, size: 0, head: Buffer.alloc(0), tail: Buffer.alloc(0), items: new Folded() };
      const chunk = bytesAt(fd, from.size, size - from.size);
      // Whole lines only: a line being cut short (a crash) is left for the next writer to cut.
      const whole = chunk.subarray(0, chunk.lastIndexOf(0x0a) + 1);
      for (const line of parseJournal(whole.toString('utf8'), this.file)) foldLine(from.items, line);
      this.#folded = { ino, size: from.size + whole.length, ...marks(from, whole), items: from.items };
      // A torn tail stays unfolded and is cut by the next append: until then, read the file again.
      if (this.#kept) this.#kept.current = whole.length === chunk.length;
      return from.items;
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * `fn` over the journal as it is, under the outbox's lock: no other process changes it meanwhile.
   * What it wrote is on disk (fsynced) before it returns, unless `durable` says of its result that
   * nothing rests on that (keepLock: a deferral, a skip, a look); the next change that is durable
   * fsyncs those lines with its own, so a commit's answer does not wait for a routing step's fsync.
   */
  #locked<T>(fn: (items: Folded) => T, durable: (result: T) => boolean = () => true): Promise<T> {
    return this.#inTurn(async () => {
      if (!this.options.keepLock) {
        ensurePrivateDir(path.dirname(this.#lockFile), 'outbox');
        return holdingLock(this.#lockFile, this.#lockOptions(), async () => fn(this.#foldedNow()));
      }
      await this.#keep();
      const kept = this.#kept!;
      try {
        const result = fn(this.#foldedNow());
        // On disk before the change returns (and before the next one begins).
        if (durable(result)) await kept.log.sync();
        return result;
      } catch (error) {
        // What was folded in may not be on disk: the next change reads the journal again.
        this.#folded = undefined;
        kept.current = false;
        throw error;
      } finally {
        kept.idle?.refresh();
      }
    });
  }

  /** `step` after every change this process asked for before it (whatever became of them). */
  #inTurn<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #lockOptions(): LockOptions {
    return {
      what: `the outbox of ${this.options.account}`,
      command: this.options.command ?? 'safeweb outbox',
      waitMs: this.options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
      consequence: '; nothing was changed in it',
      ask: true,
    };
  }

  /**
   * keepLock: the lock, kept from the last change when it is still ours and nobody asks for it;
   * else (after giving way to whoever asked) taken again.
   */
  async #keep(): Promise<void> {
    const kept = this.#kept;
    if (kept) {
      const ours = kept.lock.stillHeld();
      if (ours && !kept.lock.wanted()) return;
      this.#letGo();
      if (ours) await this.#giveWay();
    }
    ensurePrivateDir(path.dirname(this.#lockFile), 'outbox');
    const lock = await acquireLock(this.#lockFile, this.#lockOptions());
    const idle = setTimeout(() => void this.#inTurn(async () => this.#letGo()), KEEP_IDLE_MS);
    idle.unref();
    this.#kept = { lock, log: new DurableLog(this.file, KIND), current: false, idle };
  }

  /** Waits (a bounded while) for the process that asked to take the lock, so it is not taken back first. */
  async #giveWay(): Promise<void> {
    const until = Date.now() + Math.min(1000, this.options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    while (lockWanted(this.#lockFile) && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, GIVE_WAY_POLL_MS));
  }

  /** keepLock: the journal closed and the lock let go (only when still ours). */
  #letGo(): void {
    const kept = this.#kept;
    if (!kept) return;
    this.#kept = undefined;
    clearTimeout(kept.idle);
    kept.log.close();
    kept.lock.release();
  }

  /** Lets go of a kept lock once the changes asked for are done (keepLock; nothing to do otherwise). */
  close(): Promise<void> {
    return this.#inTurn(async () => this.#letGo());
  }
}

/** How many bytes at the start and at the end of a fold tell the file from another. */
const MARK = 256;

/** The journal as this process last folded it under the lock, and where in the file that fold ends. */
interface Folding {
  ino: number;
  size: number;
  head: Buffer;
  tail: Buffer;
  items: Folded;
}

/** The marks of a fold grown by `added`: a head shorter than MARK is the whole file so far, so it grows too. */
function marks(fold: Pick<Folding, 'head' | 'tail'>, added: Buffer): Pick<Folding, 'head' | 'tail'> {
  const head = fold.head.length >= MARK ? fold.head : Buffer.concat([fold.head, added]).subarray(0, MARK);
  const tail = added.length >= MARK ? added.subarray(added.length - MARK) : Buffer.concat([fold.tail, added]);
  return { head, tail: tail.subarray(Math.max(0, tail.length - MARK)) };
}

function bytesAt(fd: number, position: number, length: number): Buffer {
  const out = Buffer.alloc(Math.max(0, length));
  let read = 0;
  while (read < out.length) {
    const n = fs.readSync(fd, out, read, out.length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return out.subarray(0, read);
}

/**
 * The items due for `sink` at `now` (those `select` keeps, at most `limit`), oldest first: from
 * the fold's index of the sink's unfinished items, not a look at every item.
 */
export function dueIn(
  items: Folded,
  sink: string,
  now: Date,
  select?: (event: BookEvent) => boolean,
  limit = Infinity,
): OutboxItem[] {
  const index = items.sinks.get(sink);
  if (!index) return [];
  const out: OutboxItem[] = [];
  // A key held by another process may also be listed by its lease's time: looked at once.
  const seen = index.others.size > 0 ? new Set<string>() : undefined;
  for (const key of index.candidates(now.toISOString())) {
    if (seen) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const item = items.get(key);
    if (item && !item.dropped && isDue(item.sinks.get(sink), now) && (!select || select(item.event))) out.push(item);
  }
  out.sort((a, b) => a.seq - b.seq);
  return out.length > limit ? out.slice(0, limit) : out;
}

/** An item as handed to `sink` (a copy: later changes to the outbox leave it as it was). */
export function dueItem(item: OutboxItem, sink: string): DueItem {
  return { key: item.key, event: item.event, attempts: item.sinks.get(sink)!.attempts, enqueuedAt: item.enqueuedAt };
}

/** Whether a sink's state of an item asks for an attempt at `now`. */
export function isDue(state: SinkState | undefined, now: Date): boolean {
  if (!state) return false;
  if (state.state === 'pending') return true;
  if (state.state === 'retrying') return reached(state.nextAt, now);
  if (state.state === 'held') return leaseEnded(state, now);
  if (state.state === 'waiting') return reached(state.notBefore, now);
  return false;
}

/** `now` as toISOString writes it, kept for the next call with the same Date (a scan asks once per item). */
let nowText: { at: Date; text: string } | undefined;

/**
 * Whether the time `at` (ISO 8601, as the journal holds it) has come by `now`. A scan of the outbox
 * asks this of every item, and Date.parse costs about 0.4 µs: the journal's own times (what
 * toISOString writes, `2026-12-07T10:00:00.000Z`) are compared as text, which orders them alike.
 */
function reached(at: string | undefined, now: Date): boolean {
  if (at === undefined) return false;
  if (at.length !== 24 || at.charCodeAt(23) !== 90 /* Z */ || at.charCodeAt(10) !== 84 /* T */)
    return Date.parse(at) <= now.getTime();
  if (nowText?.at !== now || nowText.text.length !== 24 || nowText.at.getTime() !== now.getTime())
    nowText = { at: now, text: now.toISOString() };
  return nowText.text.length === 24 ? at <= nowText.text : Date.parse(at) <= now.getTime();
}

/** A hold ends at its time, or at once when its process is gone (killed, crashed): its item is due again. */
function leaseEnded(state: SinkState, now: Date): boolean {
  if (reached(state.heldUntil, now)) return true;
  const holder = state.holder;
  // This process's own holds first: no system call for them.
  return holder !== undefined && holder.pid !== process.pid && holder.host === os.hostname() && !pidAlive(holder.pid);
}

function finished(item: OutboxItem): boolean {
  return [...item.sinks.values()].every((s) => s.state === 'acked' || s.state === 'dead');
}

/** One sink's share of the outbox, as `outbox status` shows it. */
export interface SinkSummary {
  sink: string;
  pending: number;
  /** Being acted on by a process, or put off until a time still to come (a digest's window, quiet hours). */
  held: number;
  retrying: number;
  dead: number;
  acked: number;
  /** The latest acknowledgement: which item, when, and what the far side said. */
  lastAck: { key: string; at: string; ack: unknown } | null;
  /** The latest failure still standing (retrying or dead). */
  lastError: { key: string; at: string; error: string; state: 'retrying' | 'dead' } | null;
}

/** Per sink (every sink an item is for), what state its items are in at `now`. */
export function summarize(items: Folded, now: Date): SinkSummary[] {
  const bySink = new Map<string, SinkSummary>();
  for (const item of items.values()) {
    if (item.dropped) continue;
    for (const [sink, state] of item.sinks) {
      const s = bySink.get(sink) ?? blank(sink);
      bySink.set(sink, s);
      // Held: being acted on, or put off (a digest, quiet hours) until a time still to come.
      const name =
        state.state === 'held' || state.state === 'waiting' ? (isDue(state, now) ? 'pending' : 'held') : state.state;
      s[name] += 1;
      if (name === 'acked' && (!s.lastAck || state.at >= s.lastAck.at))
        s.lastAck = { key: item.key, at: state.at, ack: state.ack };
      if ((name === 'retrying' || name === 'dead') && (!s.lastError || state.at >= s.lastError.at))
        s.lastError = { key: item.key, at: state.at, error: state.lastError ?? '', state: name };
    }
  }
  return [...bySink.values()].sort((a, b) => a.sink.localeCompare(b.sink));
}

function blank(sink: string): SinkSummary {
  return { sink, pending: 0, held: 0, retrying: 0, dead: 0, acked: 0, lastAck: null, lastError: null };
}
