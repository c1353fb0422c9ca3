/**
 * The one way the tool creates a file for a user (results, saved wizard answers, secret files,
 * reports, exports, state files). Whatever the kind:
 * - it never follows a symbolic link, nor writes through a dangling one (checked, and opened
 *   with O_NOFOLLOW so a link swapped in between is refused too);
 * - a new file is created mode 0600;
 * - an existing file is only continued or replaced when the caller says it may be (a results
 *   file with --resume, anything with --force); otherwise exit 2 naming the flags that would;
 * - a whole file is replaced atomically (a temporary file beside it, fsync, a rename, fsync of
 *   the directory), so a crash or a power cut leaves the old content or the new, never half;
 * - a file written once (a secret the API shows once) appears whole or not at all, and is on
 *   disk before the call returns.
 * Logs the tool only adds to are in append-log.ts; the directories it keeps them in, private-dir.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from './lock.js';
import { UsageError } from '../errors.js';
import { syncDir } from './private-dir.js';

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** What exists at `file` without following a link: 'none', 'file', 'link' or 'other'. */
function what(file: string): 'none' | 'file' | 'link' | 'other' {
  try {
    const stat = fs.lstatSync(file);
    return stat.isSymbolicLink() ? 'link' : stat.isFile() ? 'file' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new UsageError(`cannot use ${file}: ${(error as Error).message}`);
  }
}

function refuseOddTargets(file: string, kind: string): 'none' | 'file' {
  const found = what(file);
  if (found === 'link') {
    throw new UsageError(
      `${file} is a symbolic link; the ${kind} is never written through a link`,
      'Give the path of a regular file (or a new one).',
    );
  }
  if (found === 'other') throw new UsageError(`${file} is not a regular file; cannot write the ${kind} there`);
  return found;
}

function openError(file: string, kind: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP')
    return new UsageError(`${file} is a symbolic link; the ${kind} is never written through a link`);
  if (code === 'EEXIST') return new UsageError(`${file} already exists; the ${kind} never overwrites a file`);
  return new UsageError(`cannot write the ${kind} to ${file}: ${(error as Error).message}`);
}

export interface AppendTarget {
  /** What the file is, for messages: "results file". */
  kind: string;
  /** An existing file may be continued (e.g. --resume). */
  mayContinue: boolean;
  /** An existing file may be replaced (--force): it is emptied first. */
  mayReplace: boolean;
  /** The flags that allow an existing file, for the refusal's hint: "--resume FILE or --force". */
  allowedBy: string;
  /** Checks an existing file is of this kind before continuing it; returns why not, or undefined. */
  isOwnKind?: ((file: string) => string | undefined) | undefined;
}

/**
 * Opens a file to append lines to (a results file, its journal): created 0600 when new; an
 * existing one only as `target` allows. Returns the file descriptor.
 */
export function openForAppend(file: string, target: AppendTarget): number {
  const found = refuseOddTargets(file, target.kind);
  let flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | NOFOLLOW;
  if (found === 'file') {
    if (target.mayContinue) {
      const why = target.isOwnKind?.(file);
      if (why) throw new UsageError(`${file} is not a ${target.kind}: ${why}`, 'Give a new file name.');
    } else if (target.mayReplace) {
      flags |= fs.constants.O_TRUNC;
    } else {
      throw new UsageError(
        `${file} already exists; a ${target.kind} is only continued with ${target.allowedBy}`,
        'Give a new file name, or one of those flags.',
      );
    }
  } else {
    flags |= fs.constants.O_EXCL;
  }
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o600);
  } catch (error) {
    throw openError(file, target.kind, error);
  }
  // A file continued keeps what it holds, not a mode someone loosened (it names customers).
  if ((fs.fstatSync(fd).mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
  return fd;
}

/**
 * A new file's name, checked free now, written later (a secret the answer to a request brings):
 * `write` is writeNewFile's durable write-once, so a request that fails, or a kill while it is in
 * flight or while the file is written, leaves no file, or no empty one, behind.
 */
export function claimNewFile(file: string, kind: string): { write(content: string): void; abandon(): void } {
  if (refuseOddTargets(file, kind) === 'file')
    throw new UsageError(`${file} already exists; the ${kind} never overwrites a file`);
  return { write: (content) => writeNewFile(file, content, kind), abandon: () => {} };
}

/** Where link(2) is not to be had: O_EXCL, written and fsynced (a kill mid-write may leave it short). */
function writeExclusive(file: string, content: string, kind: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
  } catch (error) {
    throw openError(file, kind, error);
  }
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A temporary name beside `file` (same directory, so a rename or link is atomic), hidden and unique. */
function besides(file: string): string {
  sweepStaleTemps(path.dirname(file), path.basename(file));
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
}

const TEMP_RE = /^\.(.+)\.(\d+)\.\d+\.tmp$/;

/**
 * Removes the temporary files a killed writer left in `dir` (of `base` only, when given): a kill
 * between writing one and renaming or linking it leaves it, and it may hold a whole secret under
 * a hidden name nobody asked for. Only files of processes that are gone are touched.
 */
export function sweepStaleTemps(dir: string, base?: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_RE.exec(name);
    if (!match || (base !== undefined && match[1] !== base)) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && !pidAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Writes `content` to a new temporary file (0600, O_EXCL, never through a link) and fsyncs it. */
function writeTemp(tmp: string, content: string): void {
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    // writeFileSync on a descriptor loops over short writes; one writeSync might not write it all.
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** File systems without hard links (some FUSE, FAT, SMB mounts) answer link(2) with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Writes a new file with `content` (0600), refusing anything that exists, durably: the content
 * goes to a temporary file beside it and is fsynced, then linked to its name (link(2) never
 * replaces, as O_EXCL), then the directory is fsynced. A kill at any moment leaves the file whole
 * or absent — never empty — which matters for a secret the API shows only once.
 */
export function writeNewFile(file: string, content: string, kind: string): void {
  if (refuseOddTargets(file, kind) === 'file')
    throw new UsageError(`${file} already exists; the ${kind} never overwrites a file`);
  const tmp = besides(file);
  try {
    writeTemp(tmp, content);
    try {
      fs.linkSync(tmp, file);
    } catch (error) {
      if (!NO_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      writeExclusive(file, content, kind);
    }
  } catch (error) {
    throw error instanceof UsageError ? error : openError(file, kind, error);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  syncDir(path.dirname(file));
}

/**
 * Replaces a whole file atomically: a temporary file (0600) beside it, fsynced, then a rename,
 * then the directory fsynced — a crash leaves the old content or the new. An existing file is
 * replaced only with `mayReplace`; a link is never replaced (rename would replace the link itself,
 * but whoever planted it meant something by it, so it is refused).
 */
export function replaceFile(
  file: string,
  content: string,
  options: { kind: string; mayReplace: boolean; allowedBy?: string },
): void {
  const found = refuseOddTargets(file, options.kind);
  if (found === 'file' && !options.mayReplace) {
    throw new UsageError(
      `${file} already exists; the ${options.kind} is not overwritten`,
      options.allowedBy ? `Pass ${options.allowedBy} to replace it, or give a new file name.` : 'Give a new file name.',
    );
  }
  const tmp = besides(file);
  try {
    writeTemp(tmp, content);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error instanceof UsageError ? error : openError(file, options.kind, error);
  }
  syncDir(path.dirname(file));
}
