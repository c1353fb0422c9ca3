/**
 * Logs the tool keeps and only ever adds to (the local record, the audit log): NDJSON files,
 * 0600, in a 0700 directory, never through a symbolic link. Every record is one write(2) on a
 * descriptor opened O_APPEND, so each lands whole at the end of the file, even with another
 * process appending at the same moment: lines never interleave or overwrite each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { ensurePrivateDir } from './private-dir.js';

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
