/**
 * The directories the tool keeps files in (the local record, the audit log, journals, secret
 * directories, state files' homes). What we create is a real directory, mode 0700, and so are
 * the missing parents we create on the way; a directory that already exists keeps its mode
 * (that is the user's choice), but a symbolic link or a file where our directory should be is
 * refused: a link planted there would send every later write somewhere else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

function lstatOrNone(dir: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot use the directory ${dir}: ${(error as Error).message}`);
  }
}

function refuseOdd(dir: string, stat: fs.Stats, kind: string): void {
  if (stat.isSymbolicLink())
    throw new UsageError(
      `${dir} is a symbolic link; the ${kind} is never kept through a link`,
      'Move the link aside (the tool makes the directory itself), or give another path.',
    );
  if (!stat.isDirectory()) throw new UsageError(`${dir} is not a directory; cannot keep the ${kind} there`);
}

/**
 * Makes sure `dir` is a directory the tool may write in: created 0700 (missing parents too)
 * when absent; refused when it is a symbolic link or not a directory. Existing parents are not
 * examined: a config directory the user links to a dotfiles repository is theirs to keep.
 */
export function ensurePrivateDir(dir: string, kind: string): void {
  const found = lstatOrNone(dir);
  if (found) return refuseOdd(dir, found, kind);
  const parent = path.dirname(dir);
  if (parent !== dir && !lstatOrNone(parent)) ensurePrivateDir(parent, kind);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    // Another process made it between our look and our mkdir: fine, if it is a directory.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new UsageError(`cannot create the directory ${dir} for the ${kind}: ${(error as Error).message}`);
    refuseOdd(dir, fs.lstatSync(dir), kind);
  }
}

/**
 * Makes a rename or a new name in `dir` survive a power cut (the entry lives in the directory,
 * not the file). Best effort: some platforms cannot open a directory for fsync, and there the
 * rename is as durable as the platform makes it.
 */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY);
    fs.fsyncSync(fd);
  } catch {
    /* EISDIR/EPERM/EINVAL on platforms without directory fsync */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
