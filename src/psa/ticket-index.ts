/**
 * The ticket index of one PSA connection of one account (`<configDir>/psa/<account>.<connection>.ndjson`):
 * which tickets the tool made (ticket key → the PSA's ticket ID), which findings each covers, what
 * the tool last wrote and knew of it (open or closed, and who closed it), which notes it added,
 * what SafeWeb said of each finding at the last sync, and the first run's baseline.
 *
 * It is a journal, one line a change, each written before the sync goes on: an `intent` line is
 * on disk (fsync) before every PSA write and its outcome is written after, so a sync killed
 * between the two knows, when run again, to look the ticket (by key) or the note (by its marker)
 * up before writing it a second time. An outcome line is not fsynced on its own: written, it
 * survives the process being killed, and the next fsync (the next intent's, the run's end) puts it
 * on disk; one a power cut loses leaves its intent open, and the next run looks the write up. Appends go through the one writer (io/append-log.ts) under the index's
 * lock (bounded wait, naming the holder), taken at a run's first write and kept until the sync lets
 * go of it (`release`); `compact` rewrites it atomically once it has grown.
 *
 * When notification routes name ticket events, each ticket created or closed also gets an
 * `announce` line (the event and its sinks), written with the ticket's own line; once the outbox
 * holds the event (fsynced) an `announced` line ends it. A sync killed between the two hands the
 * event over again at its next end (psa/announce.ts), and the outbox knows it by its occurrence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { accountFile, accountFileName } from '../io/account-files.js';
import { appendDurably, appendToLog } from '../io/append-log.js';
import { acquireLock, type HeldLock, type LockOptions } from '../io/lock.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import { replaceFile } from '../io/safe-write.js';
import { ConfigError } from '../errors.js';
import type { BookEvent } from '../findings/event.js';

const KIND = 'ticket index';
/**
 * The lines fsynced before the sync goes on: an intent precedes its PSA write on disk; a baseline
 * and what SafeWeb said (seen) cannot be read back from the PSA; the run's end puts the rest on
 * disk with it. Outcome lines (ticket, covers, note, state) are only written: see above.
 */
const DURABLE = new Set<IndexLine['op']>(['intent', 'baseline', 'seen', 'synced']);
const LOCK_WAIT_MS = 60_000;

/** One finding a ticket covers: its key and the breach instance's uuid (what resolving takes). */
export interface CoveredFinding {
  key: string;
  breachId: string;
}

type TicketState = 'open' | 'closed';

/** A PSA write the tool is about to make: its key in the journal says which. */
export type IntentAction = 'create' | 'note' | 'close' | 'reopen';

export type IndexLine =
  /** A baseline of these customers: their findings then existing get no ticket. Adds to earlier ones. */
  | { op: 'baseline'; customers: string[]; findings: string[]; at: string }
  | {
      op: 'intent';
      key: string;
      action: IntentAction;
      marker?: string | undefined;
      /**
       * A create's: the findings the ticket is made for. A run killed before the `ticket` line
       * leaves the next one to adopt the ticket from the PSA: it covers these, resolved since or not.
       */
      findings?: CoveredFinding[] | undefined;
      at: string;
    }
  | {
      op: 'ticket';
      key: string;
      id: number;
      customerId: string;
      reference: string;
      /** The breach uuid of a per-breach ticket; absent for a per-customer one. */
      breachId?: string | undefined;
      generation: number;
      findings: CoveredFinding[];
      companyId: number;
      written: { summary: string; boardId: number; priorityId: number | null };
      at: string;
    }
  | { op: 'covers'; key: string; findings: CoveredFinding[]; at: string }
  | { op: 'note'; key: string; marker: string; at: string }
  | { op: 'state'; key: string; state: TicketState; by: 'safeweb' | 'psa'; at: string }
  | { op: 'seen'; findings: Record<string, boolean>; at: string }
  | { op: 'synced'; at: string }
  /** A ticket event to hand to the outbox: `id` is its outbox item's (`<event key>@<occurrence>`). */
  | { op: 'announce'; id: string; occurrence: string; event: BookEvent; sinks: string[]; at: string }
  /** The outbox holds it. */
  | { op: 'announced'; id: string; at: string };

/** A ticket event the index holds until the outbox does. */
export type Announcement = Omit<Extract<IndexLine, { op: 'announce' }>, 'op'>;

/** A ticket as the index knows it: what its `ticket` line said, and what the lines after it changed. */
export interface IndexedTicket extends Omit<Extract<IndexLine, { op: 'ticket' }>, 'op' | 'at'> {
  /** What the tool last knew: open or closed, by whom, and since when. */
  state: TicketState;
  stateBy: 'safeweb' | 'psa';
  stateAt: string;
  /** The markers of the notes the tool added to it. */
  notes: Set<string>;
}

/** The index as the journal folds. */
export interface TicketIndex {
  tickets: Map<string, IndexedTicket>;
  /** Finding key → the keys of the tickets covering it, oldest generation first. */
  byFinding: Map<string, string[]>;
  /** The customers baselined (each on the first run that read it), and their findings then (no ticket for them). */
  baseline: { customers: Set<string>; findings: Set<string> };
  /** Finding key → resolved, as SafeWeb said at the last sync that saw it. */
  seen: Map<string, boolean>;
  /** PSA writes begun and not known to have ended (key + action + marker → the intent). */
  intents: Map<string, Omit<Extract<IndexLine, { op: 'intent' }>, 'op' | 'at'>>;
  lastSync: string | null;
  /** Ticket events not yet handed to the outbox, by their outbox item's ID. */
  announce: Map<string, Announcement>;
  /** Journal lines read: compaction is worth it once far more than the tickets. */
  lines: number;
}

export function intentId(key: string, action: IntentAction, marker?: string): string {
  return `${key} ${action} ${marker ?? ''}`;
}

export function foldIndex(lines: readonly IndexLine[]): TicketIndex {
  const index: TicketIndex = {
    tickets: new Map(),
    byFinding: new Map(),
    baseline: { customers: new Set(), findings: new Set() },
    seen: new Map(),
    intents: new Map(),
    lastSync: null,
    announce: new Map(),
    lines: lines.length,
  };
  for (const line of lines) applyLine(index, line);
  return index;
}

function cover(index: TicketIndex, key: string, findings: readonly CoveredFinding[]): void {
  for (const f of findings) {
    const keys = index.byFinding.get(f.key) ?? [];
    if (!keys.includes(key)) keys.push(key);
    index.byFinding.set(f.key, keys);
  }
}

/** Folds one line into the index (also used as lines are written, so the index in memory stays the file's). */
function applyLine(index: TicketIndex, line: IndexLine): void {
  switch (line.op) {
    case 'baseline':
      for (const c of line.customers) index.baseline.customers.add(c);
      for (const f of line.findings) index.baseline.findings.add(f);
      return;
    case 'intent':
      index.intents.set(intentId(line.key, line.action, line.marker), line);
      return;
    case 'ticket': {
      const { op: _op, at, ...rest } = line;
      index.tickets.set(line.key, { ...rest, state: 'open', stateBy: 'safeweb', stateAt: at, notes: new Set() });
      index.intents.delete(intentId(line.key, 'create'));
      cover(index, line.key, line.findings);
      return;
    }
    case 'covers': {
      const t = index.tickets.get(line.key);
      if (!t) return;
      for (const f of line.findings) if (!t.findings.some((x) => x.key === f.key)) t.findings.push(f);
      cover(index, line.key, line.findings);
      return;
    }
    case 'note': {
      index.tickets.get(line.key)?.notes.add(line.marker);
      index.intents.delete(intentId(line.key, 'note', line.marker));
      return;
    }
    case 'state': {
      const t = index.tickets.get(line.key);
      if (t) Object.assign(t, { state: line.state, stateBy: line.by, stateAt: line.at });
      index.intents.delete(intentId(line.key, line.state === 'closed' ? 'close' : 'reopen'));
      return;
    }
    case 'seen':
      for (const [k, v] of Object.entries(line.findings)) index.seen.set(k, v);
      return;
    case 'synced':
      index.lastSync = line.at;
      return;
    case 'announce': {
      const { op: _op, ...rest } = line;
      index.announce.set(line.id, rest);
      return;
    }
    case 'announced':
      index.announce.delete(line.id);
      return;
  }
}

/** The lines that rebuild `index` as it is: what compaction writes. */
function snapshotLines(index: TicketIndex, at: string): IndexLine[] {
  const lines: IndexLine[] = [];
  if (index.baseline.customers.size)
    lines.push({
      op: 'baseline',
      customers: [...index.baseline.customers],
      findings: [...index.baseline.findings],
      at,
    });
  for (const t of index.tickets.values()) {
    const { notes, state, stateBy, stateAt, ...rest } = t;
    lines.push({ op: 'ticket', ...rest, at: stateAt });
    if (state !== 'open' || stateBy !== 'safeweb')
      lines.push({ op: 'state', key: t.key, state, by: stateBy, at: stateAt });
    for (const marker of notes) lines.push({ op: 'note', key: t.key, marker, at });
  }
  for (const intent of index.intents.values()) lines.push({ op: 'intent', ...intent, at });
  for (const pending of index.announce.values()) lines.push({ op: 'announce', ...pending });
  if (index.seen.size) lines.push({ op: 'seen', findings: Object.fromEntries(index.seen), at });
  if (index.lastSync) lines.push({ op: 'synced', at: index.lastSync });
  return lines;
}

export class TicketIndexFile {
  readonly file: string;
  readonly #lockFile: string;
  #index: TicketIndex | undefined;
  /** Appends waiting for the batch being written (append). */
  #queued: Array<{ lines: readonly IndexLine[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  #writing: Promise<void> | undefined;
  /** Written appends holding a DURABLE line, waiting for the next fsync (syncWritten). */
  #unsynced: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #syncing: Promise<void> | undefined;
  /** The index's lock, from this run's first write until `release`. */
  #held: HeldLock | undefined;
  /** The descriptor fsyncs go through, from the run's first until `release` (or compaction). */
  #syncHandle: fs.promises.FileHandle | undefined;
  /** Whether this run has written to the journal (and its last write did not fail). */
  #written = false;

  constructor(
    readonly configDir: string,
    readonly account: string,
    readonly connection: string,
    readonly command = 'safeweb psa sync',
  ) {
    const dir = path.join(configDir, 'psa');
    this.file = accountFile(dir, account, `.${connection}.ndjson`, KIND);
    this.#lockFile = path.join(dir, `${accountFileName(account)}.${connection}.lock`);
  }

  /** The index as on disk (read once; kept in step with what this process appends). */
  read(): TicketIndex {
    this.#index ??= foldIndex(this.#lines());
    return this.#index;
  }

  /**
   * Appends lines, each written before it returns (and an intent, or another DURABLE line, fsynced),
   * and folds them into the index in memory.
   *
   * The sync's workers append side by side: their lines are written one batch at a time, what
   * arrived while a batch was being written going in the next, under the lock the run took at its
   * first write. A batch holding a DURABLE line is fsynced off the event loop (group commit: one
   * fsync at a time, covering every batch written before it began) and its appends resolve after
   * it; the other appends resolve once written, and later batches are written meanwhile — an
   * outcome line never waits for another worker's fsync. Before, each append took the file's lock
   * for itself and fsynced on the event loop, which a profile of bench/psa.js showed blocked for
   * much of the sync (docs/speed.md), and every line waited behind the batch being fsynced. An
   * intent is still on disk before its PSA write is sent.
   */
  append(lines: readonly IndexLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ lines, resolve, reject });
      this.#writing ??= this.#writeQueued();
    });
  }

  async #writeQueued(): Promise<void> {
    // Written once the event loop has run what is ready (setImmediate), so the appends of answers
    // that arrived together go in one batch. And pending before anything is written, so `append`
    // keeps this promise as the writer.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queued.length) {
      const batch = this.#queued.splice(0);
      const lines = batch.flatMap((b) => b.lines);
      try {
        const index = this.read();
        this.#held ??= await this.#lock();
        const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
        // The run's first write, and the first after a failed one, cuts a line left torn (and fsyncs).
        const synced = !this.#written;
        if (synced) appendDurably(this.file, text, KIND);
        else appendToLog(this.file, text, KIND);
        this.#written = true;
        for (const line of lines) applyLine(index, line);
        index.lines += lines.length;
        for (const b of batch)
          if (synced || !b.lines.some((l) => DURABLE.has(l.op))) b.resolve();
          else this.#unsynced.push(b);
        if (this.#unsynced.length) this.#syncing ??= this.#syncWritten();
      } catch (error) {
        this.#written = false;
        for (const b of batch) b.reject(error);
      }
    }
    this.#writing = undefined;
  }

  /** Fsyncs until every written DURABLE append is on disk; each fsync covers what was written before it. */
  async #syncWritten(): Promise<void> {
    while (this.#unsynced.length) {
      const waiting = this.#unsynced.splice(0);
      try {
        await this.#sync();
        for (const b of waiting) b.resolve();
      } catch (error) {
        // What this fsync covered may not be on disk: the next write starts durably again.
        this.#written = false;
        for (const b of waiting) b.reject(error);
      }
    }
    this.#syncing = undefined;
  }

  /**
   * fsync of the journal, on libuv's threads rather than the event loop, through a descriptor kept
   * for the run (fsync puts the file's data on disk whichever descriptor asks; opened for writing,
   * as Windows requires).
   */
  async #sync(): Promise<void> {
    this.#syncHandle ??= await fs.promises.open(
      this.file,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | (fs.constants.O_NOFOLLOW ?? 0),
    );
    await this.#syncHandle.sync();
  }

  /** Until the appends in flight are written, and those that must be, fsynced. */
  async #settled(): Promise<void> {
    while (this.#writing || this.#syncing) {
      await this.#writing;
      await this.#syncing;
    }
  }

  /** Lets go of the index's lock once the appends in flight are written (a sync's end, however it ends). */
  async release(): Promise<void> {
    await this.#settled();
    await this.#closeSyncHandle();
    this.#held?.release();
    this.#held = undefined;
  }

  async #closeSyncHandle(): Promise<void> {
    const handle = this.#syncHandle;
    this.#syncHandle = undefined;
    await handle?.close();
  }

  /** Rewrites the journal as the lines of the index now, when it has grown well past them. */
  async compact(at: string): Promise<boolean> {
    await this.#settled();
    await this.#closeSyncHandle(); // the file it is open on is about to be replaced
    const index = this.read();
    const lines = snapshotLines(index, at);
    if (index.lines < 2 * lines.length + 100) return false;
    await this.#locked(() =>
      replaceFile(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''), { kind: KIND, mayReplace: true }),
    );
    index.lines = lines.length;
    return true;
  }

  #lines(): IndexLine[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ConfigError(`cannot read the ${KIND} ${this.file}: ${(error as Error).message}`);
    }
    const lines: IndexLine[] = [];
    const rows = text.split('\n');
    for (const [i, row] of rows.entries()) {
      if (row.trim() === '') continue;
      try {
        lines.push(JSON.parse(row) as IndexLine);
      } catch {
        // A torn last line is a write a kill -9 cut short (no newline yet): its change never happened.
        if (i === rows.length - 1) continue;
        throw new ConfigError(
          `the ${KIND} ${this.file} is damaged at line ${i + 1}; move it aside and run \`safeweb psa sync\` ` +
            'again (tickets are found again by their keys)',
        );
      }
    }
    return lines;
  }

  /** Runs `fn` under the index's lock: the one this run holds, else taken for it. */
  async #locked<T>(fn: () => T): Promise<T> {
    if (this.#held) return fn();
    const lock = await this.#lock();
    try {
      return fn();
    } finally {
      lock.release();
    }
  }

  #lock(): Promise<HeldLock> {
    ensurePrivateDir(path.dirname(this.#lockFile), KIND);
    const options: LockOptions = {
      what: `the ticket index of ${this.connection}`,
      command: this.command,
      waitMs: LOCK_WAIT_MS,
      consequence: '; nothing was sent',
    };
    return acquireLock(this.#lockFile, options);
  }
}
