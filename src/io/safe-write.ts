/**
 * The one way the tool creates a file for a user (results, saved wizard answers, secret files,
 * reports, exports, state files). Whatever the kind:
 * - it never follows a symbolic link, nor writes through a dangling one (checked, and opened
 *   with O_NOFOLLOW so a link swapped in between is refused too);
 * - a new file is created mode 0600;
 * - an existing file is only continued or replaced when the caller says it may be (a results
 *   file with --resume, anything with --force); otherwise exit 2 naming the flags that would;
 * - a whole file is replaced atomically (a temporary file beside it, then a rename), so a crash
 *   leaves the old content or the new, never half of one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

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
  try {
    return fs.openSync(file, flags, 0o600);
  } catch (error) {
    throw openError(file, target.kind, error);
  }
}

/**
 * Creates a new file with `content`, 0600, never over anything that exists (a link included).
 * For secrets: claim the file first with `claim`, write later with the returned writer, so a
 * request that fails leaves no file behind (call `abandon`).
 */
export function claimNewFile(file: string, kind: string): { write(content: string): void; abandon(): void } {
  refuseOddTargets(file, kind);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
  } catch (error) {
    throw openError(file, kind, error);
  }
  let open = true;
  return {
    write(content) {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      open = false;
    },
    abandon() {
      if (open) fs.closeSync(fd);
      open = false;
      fs.rmSync(file, { force: true });
    },
  };
}

/** Writes a new file with `content` (0600), refusing anything that exists. */
export function writeNewFile(file: string, content: string, kind: string): void {
  claimNewFile(file, kind).write(content);
}

/**
 * Replaces a whole file atomically: a temporary file (0600) beside it, then a rename. An
 * existing file is replaced only with `mayReplace`; a link is never replaced.
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
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error instanceof UsageError ? error : openError(file, options.kind, error);
  }
}
