/**
 * Logs the tool keeps and only ever adds to (the local record, the audit log): NDJSON files,
 * 0600, in a 0700 directory, never through a symbolic link. Every record is one write(2) on a
 * descriptor opened O_APPEND, so each lands whole at the end of the file, even with another
 * process appending at the same moment: lines never interleave or overwrite each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { ensurePrivateDir, syncDir } from './private-dir.js';

const APPEND = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0);

/** An open log: its descriptor, and the inode it was opened on (to notice it being moved or replaced). */
export interface OpenLog {
  fd: number;
  ino: number;
}

/**
 * Opens `file` to append to: its directory made 0700 if missing (a link there refused), the file
 * created 0600, an existing one tightened to 0600 if someone loosened it; a symbolic link or
 * anything but a regular file in its place is refused.
 */
export function openAppendLog(file: string, kind: string): OpenLog {
  ensurePrivateDir(path.dirname(file), kind);
  let fd: number;
  try {
    fd = fs.openSync(file, APPEND, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new UsageError(`${file} is a symbolic link; the ${kind} is never written through a link`);
    throw new UsageError(`cannot write the ${kind} ${file}: ${(error as Error).message}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`${file} is not a regular file; cannot write the ${kind} there`);
    if ((stat.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
    return { fd, ino: stat.ino };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * Appends `text` (whole lines) as one write. A short write (a full disk) is an error: the caller
 * must not believe a record is kept when it is not.
 */
export function appendRecord(fd: number, text: string, file: string): void {
  const bytes = Buffer.from(text);
  const written = fs.writeSync(fd, bytes);
  if (written !== bytes.length) throw new Error(`short write to ${file}: ${written} of ${bytes.length} bytes`);
}

/** Opens, appends `text` in one write, closes: for a log written a few times a run. */
export function appendToLog(file: string, text: string, kind: string): void {
  const { fd } = openAppendLog(file, kind);
  try {
    appendRecord(fd, text, file);
  } finally {
    fs.closeSync(fd);
  }
}

/** The disk (or the user's quota) is full: nothing was kept, and what was there is as it was. */
export class DiskFullError extends UsageError {
  constructor(file: string, kind: string) {
    super(
      `the disk holding the ${kind} ${file} is full; nothing was written and nothing already there was changed`,
      'Free some space there (or raise the quota), then run again.',
    );
  }
}

const FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Appends `text` (whole lines) to `file` as one write and fsyncs it before returning: for a log
 * whose records others act on once written (the outbox). A write that fails part way (a full
 * disk) is cut back to where the file ended, so no torn line is left for the next record to land
 * behind. Only for a log every writer appends to under one lock: the cut would otherwise take
 * another process's line with it.
 */
export function appendDurably(file: string, text: string, kind: string): void {
  const log = new DurableLog(file, kind);
  try {
    log.append(text);
  } finally {
    log.close();
  }
}

/**
 * `appendDurably` for a writer that appends many times while it holds the log's lock throughout
 * (the receiver's outbox): the file stays open between appends, and its end is looked at for a
 * torn line only at the first append and after one that failed — no one else writes meanwhile.
 * Close it before letting go of the lock: another process may then replace the file (compact).
 *
 * `write` then `sync` is `append` with the fsync on libuv's threads: the process goes on reading
 * requests while the disk flushes. Nothing written is to be acted on or acknowledged before its
 * `sync` has resolved; if the fsync fails, what was written since the last one is cut off again.
 */
export class DurableLog {
  #open: OpenLog | undefined;
  #checked = false;
  /** The size before the first write not yet fsynced. */
  #unsynced: number | undefined;
  /** The file's size after this log's last write (checked: no one else writes it meanwhile). */
  #size = 0;

  constructor(
    readonly file: string,
    readonly kind: string,
  ) {}

  /** Appends `text` in one write and fsyncs it; returns the file's inode and its size after it. */
  append(text: string): { ino: number; size: number } {
    const after = this.write(text);
    try {
      fs.fsyncSync(this.#open!.fd);
    } catch (error) {
      this.#failed(error);
    }
    this.#unsynced = undefined;
    return after;
  }

  /** Appends `text` in one write, not yet fsynced (`sync`); returns the file's inode and its size after it. */
  write(text: string): { ino: number; size: number } {
    if (this.#open === undefined) {
      const created = !fs.existsSync(this.file);
      this.#open = openAppendLog(this.file, this.kind);
      this.#checked = false;
      if (created) syncDir(path.dirname(this.file));
    }
    const { fd, ino } = this.#open;
    // Its lock held throughout, only this log writes the file: its size is known, not looked up.
    const size = this.#checked ? this.#size : cutTornTail(fd, this.file);
    this.#unsynced ??= size;
    const bytes = Buffer.from(text);
    try {
      const written = fs.writeSync(fd, bytes);
      if (written !== bytes.length) throw new Error(`short write to ${this.file}: ${written} of ${bytes.length} bytes`);
    } catch (error) {
      this.#failed(error);
    }
    this.#checked = true;
    this.#size = size + bytes.length;
    return { ino, size: this.#size };
  }

  /** Fsyncs what was written since the last fsync (off the event loop); a failure cuts it off and throws. */
  async sync(): Promise<void> {
    if (this.#unsynced === undefined || this.#open === undefined) return;
    const { fd } = this.#open;
    try {
      await new Promise<void>((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      this.#failed(error);
    }
    this.#unsynced = undefined;
  }

  /** A write or an fsync failed: the file cut back to where it ended before the writes not yet fsynced. */
  #failed(error: unknown): never {
    this.#checked = false;
    const size = this.#unsynced;
    this.#unsynced = undefined;
    try {
      if (size !== undefined && this.#open) fs.ftruncateSync(this.#open.fd, size);
    } catch {
      /* the cut is best effort; a torn tail is also cut by the next writer under the lock */
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (FULL.has(code) || /^short write/.test((error as Error).message)) throw new DiskFullError(this.file, this.kind);
    throw error;
  }

  /** Closes the file, fsyncing first what was written and not yet synced (best effort: it is written). */
  close(): void {
    if (this.#open !== undefined) {
      if (this.#unsynced !== undefined)
        try {
          fs.fsyncSync(this.#open.fd);
        } catch {
          /* written all the same; a later writer's fsync covers it */
        }
      fs.closeSync(this.#open.fd);
    }
    this.#open = undefined;
    this.#unsynced = undefined;
  }
}

/**
 * A line a crash cut short at the end of `fd`'s file is cut off (the writer holds the log's lock,
 * so no one else is writing it): the next record then begins a line of its own. Returns the size.
 */
function cutTornTail(fd: number, file: string): number {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return 0;
  // The descriptor is write-only (O_APPEND): the file is read through a descriptor of its own.
  const rd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  let text: Buffer;
  try {
    const last = Buffer.alloc(1);
    fs.readSync(rd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return size;
    text = fs.readFileSync(rd);
  } finally {
    fs.closeSync(rd);
  }
  const whole = text.lastIndexOf(0x0a) + 1;
  fs.ftruncateSync(fd, whole);
  return whole;
}
