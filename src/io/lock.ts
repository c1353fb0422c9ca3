/**
 * A lock where two safeweb processes can meet (a `portfolio watch` state file, a run that
 * changes the book). It is a small file beside what it guards (0600), holding who took it: PID,
 * host, the command and when that process started. So a refusal names the holder, and a lock
 * whose process is gone (killed, crashed, the machine restarted) is taken over at once rather
 * than after a timeout that would refuse the next cron run for nothing.
 *
 * Judging a lock abandoned and replacing it must be one step, or two newcomers could both take
 * over the same dead holder's lock. That step runs under a short guard (proper-lockfile's mkdir
 * lock beside it, `<file>.guard`), held only for the milliseconds it takes; should a process die
 * inside them, the guard goes stale after 2 s.
 *
 * Taking and releasing the lock costs about a millisecond of CPU (the guard, the holder's file, a
 * rename). A process that changes the guarded file many times a second (the receiver's outbox)
 * may keep the lock between its changes instead, provided it lets go the moment another process
 * wants it: a waiter that passes `ask` keeps a marker beside the lock (`<file>.want`, touched at
 * each look, removed once it has the lock or gives up), and the keeper looks for a fresh one
 * (`HeldLock.wanted`) before each change and lets go.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';

/** Whether process `pid` exists on this machine (EPERM: it does, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Who holds a lock: what the file records, and what a refusal tells. */
interface LockHolder {
  pid: number;
  host: string;
  /** What runs, as the caller names it ("safeweb portfolio watch"); never argv, which may hold secrets. */
  command: string;
  /** When the holding process started (ISO 8601): with the PID, it tells a reused PID from the holder. */
  startedAt: string;
  /** When it took the lock. */
  lockedAt: string;
  /** Tells this lock from a later holder's when releasing. */
  token: string;
}

export interface LockOptions {
  /** What the lock guards, as the refusal begins: "state.json" → "state.json is in use by …". */
  what: string;
  /** The holder's command as others will see it: "safeweb portfolio watch". */
  command: string;
  /** How long to wait for a live holder to finish before refusing; 0 (the default) refuses at once. */
  waitMs?: number | undefined;
  /** Appended to the refusal: "; nothing was sent". */
  consequence?: string | undefined;
  /** The refusal's hint, when the holder runs on this machine. */
  hint?: string | undefined;
  /**
   * While waiting, ask for the lock (a fresh `<file>.want`) and look again every 25 ms: for a lock
   * held for milliseconds at a time, whose holder may keep it between changes until asked.
   */
  ask?: boolean | undefined;
}

export interface HeldLock {
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): void;
  /**
   * Whether the lock file is still the one this holder wrote (one lstat): false once someone
   * removed it or took it over (judged this process gone). A holder that keeps the lock between
   * changes looks before each one.
   */
  stillHeld(): boolean;
  /** Whether another process waits for this lock with `ask` (its marker is fresh). */
  wanted(): boolean;
}

/** An earlier safeweb took locks with proper-lockfile alone: a directory, kept fresh every 15 s while held. */
const OLD_LOCK_STALE_MS = 30_000;
const POLL_MS = 200;
/** How often a waiter that asks looks again (and touches its marker). */
const ASK_POLL_MS = 25;
/** A marker not touched for this long was left by a waiter that has gone (killed) or given up. */
const WANT_FRESH_MS = 500;
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const STARTED_AT = new Date(performance.timeOrigin).toISOString();

type Found =
  | { kind: 'none' }
  | { kind: 'holder'; holder: LockHolder }
  /** A lock directory an earlier version left, and its age. */
  | { kind: 'old'; ageMs: number }
  /** Not a lock this code writes (our writes are atomic, so not one half written): replaced. */
  | { kind: 'odd' };

function look(file: string): Found {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw error;
  }
  if (stat.isDirectory()) return { kind: 'old', ageMs: Date.now() - stat.mtimeMs };
  if (!stat.isFile()) return { kind: 'odd' };
  let holder: Partial<LockHolder>;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW);
    try {
      holder = JSON.parse(fs.readFileSync(fd, 'utf8')) as Partial<LockHolder>;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { kind: 'odd' };
  }
  const whole =
    typeof holder?.pid === 'number' &&
    typeof holder.host === 'string' &&
    typeof holder.command === 'string' &&
    typeof holder.startedAt === 'string' &&
    typeof holder.token === 'string';
  return whole ? { kind: 'holder', holder: holder as LockHolder } : { kind: 'odd' };
}

/**
 * When a process with `pid` started, in ms since the epoch, where the system says (Linux's
 * /proc); undefined elsewhere. Field 22 of /proc/PID/stat is its start in clock ticks after boot
 * (USER_HZ, 100 on every Linux that ships Node), /proc/stat's btime the boot in seconds.
 */
function processStart(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? (boot + ticks / 100) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The holder's process has ended (or its PID now names a later process). Another machine's: never judged. */
function gone(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return false;
  if (holder.pid === process.pid) return holder.startedAt !== STARTED_AT;
  if (!pidAlive(holder.pid)) return true;
  const started = processStart(holder.pid);
  // Clock ticks and a boot time in whole seconds: a few seconds of slack before calling it reused.
  return started !== undefined && started > Date.parse(holder.startedAt) + 5_000;
}

/** What tells our lock file from a later one (an inode is soon reused once its file is removed). */
type Identity = Pick<fs.Stats, 'ino' | 'mtimeMs' | 'size'>;

const same = (a: Identity, b: Identity) => a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;

/** Writes the holder's file (a temporary file renamed over `file`); returns what identifies it. */
function write(file: string, holder: LockHolder): Identity {
  const tmp = `${file}.${holder.token}.tmp`;
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
  let identity: Identity;
  try {
    fs.writeFileSync(fd, `${JSON.stringify(holder)}\n`);
    const { ino, mtimeMs, size } = fs.fstatSync(fd);
    identity = { ino, mtimeMs, size };
  } finally {
    fs.closeSync(fd);
  }
  try {
    // Over a dead holder's file (or a link someone put there: rename replaces the link itself).
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  return identity;
}

/** One attempt, under the guard: our lock file, or what stands in the way. */
async function attempt(file: string, mine: LockHolder): Promise<Found | Identity> {
  const { default: guard } = await import('proper-lockfile');
  let unguard: () => Promise<void>;
  try {
    unguard = await guard.lock(file, {
      realpath: false,
      lockfilePath: `${file}.guard`,
      stale: 2_000,
      retries: { retries: 60, minTimeout: 5, maxTimeout: 100 },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return { kind: 'odd' };
    throw error;
  }
  try {
    const found = look(file);
    if (found.kind === 'holder' && !gone(found.holder)) return found;
    if (found.kind === 'old') {
      if (found.ageMs < OLD_LOCK_STALE_MS) return found;
      fs.rmdirSync(file);
    }
    return write(file, { ...mine, lockedAt: new Date().toISOString() });
  } finally {
    await unguard();
  }
}

function refusal(file: string, found: Found, options: LockOptions): UsageError {
  const said = (who: string, hint: string) =>
    new UsageError(`${options.what} is in use by ${who}${options.consequence ?? ''}`, hint);
  const wait = options.hint ?? 'Let it finish, then run again.';
  if (found.kind === 'holder') {
    const h = found.holder;
    const who = `another \`${h.command}\` (PID ${h.pid} on ${h.host}, started ${h.startedAt.replace(/\.\d+Z$/, 'Z')})`;
    if (h.host === os.hostname()) return said(who, wait);
    return said(who, `It runs on another machine; if it has ended there, remove ${file}.`);
  }
  if (found.kind === 'old')
    return said(
      'another safeweb run (a lock directory from an earlier version)',
      `${wait} It is taken over when ${Math.round(OLD_LOCK_STALE_MS / 1000)} s old.`,
    );
  return said('another safeweb run', wait);
}

const wantFile = (file: string) => `${file}.want`;

/** Whether a waiter that asks (LockOptions.ask) wants the lock `file` now: its marker is fresh. */
export function lockWanted(file: string): boolean {
  const stat = fs.statSync(wantFile(file), { throwIfNoEntry: false });
  return stat !== undefined && Date.now() - stat.mtimeMs < WANT_FRESH_MS;
}

/** Touches the marker that asks a holder keeping the lock `file` to let go of it. */
function ask(file: string): void {
  const want = wantFile(file);
  const now = new Date();
  try {
    fs.utimesSync(want, now, now);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.closeSync(fs.openSync(want, fs.constants.O_WRONLY | fs.constants.O_CREAT | NOFOLLOW, 0o600));
  }
}

/**
 * Takes the lock file `file` (its directory must exist): at once when free or when its holder's
 * process is gone; a live holder is waited for up to `waitMs`, then refused (exit 2) by name.
 */
export async function acquireLock(file: string, options: LockOptions): Promise<HeldLock> {
  const mine: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    command: options.command,
    startedAt: STARTED_AT,
    lockedAt: '',
    token: randomBytes(8).toString('hex'),
  };
  const deadline = Date.now() + (options.waitMs ?? 0);
  let asked = false;
  let ours: Identity;
  try {
    for (;;) {
      const found = await attempt(file, mine);
      if ('ino' in found) {
        ours = found;
        break;
      }
      if (Date.now() >= deadline) throw refusal(file, found, options);
      if (options.ask && found.kind === 'holder') {
        ask(file);
        asked = true;
      }
      await sleep(Math.min(options.ask ? ASK_POLL_MS : POLL_MS, Math.max(1, deadline - Date.now())));
    }
  } finally {
    // Had or given up: asked no more (another waiter touches it again at its next look).
    if (asked) fs.rmSync(wantFile(file), { force: true });
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      const now = look(file);
      // Only ours: a lock that is no longer ours was taken over by someone who judged us gone.
      if (now.kind === 'holder' && now.holder.token === mine.token) fs.rmSync(file, { force: true });
    },
    stillHeld() {
      if (!held) return false;
      const stat = fs.lstatSync(file, { throwIfNoEntry: false });
      return stat !== undefined && same(stat, ours);
    },
    wanted: () => lockWanted(file),
  };
}

/** Runs `fn` holding the lock `file` (see acquireLock), releasing it however `fn` ends. */
export async function holdingLock<T>(file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(file, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
