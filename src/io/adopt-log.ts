/**
 * One append-only log taken into another (an account's log kept under an older name): the
 * source is renamed when the target does not exist yet, else the two are merged. Either way it
 * is safe to repeat after a crash at any point, and nothing either file held is lost:
 * - rename: a hard link to the new name, then the old name removed (a writer holding the old
 *   file open goes on writing into the same file, now under the new name);
 * - merge: every line of both, oldest first by the time each line carries (`at`, or `time` in
 *   the audit log; a line without one keeps the time of the line before it), a line found in
 *   both written once — so a merge repeated after a crash between its rename and the removal
 *   of the source changes nothing. The result replaces the target atomically (a temporary file,
 *   fsync, rename); lines another process appended to the target meanwhile are carried over
 *   after the rename, then the source is removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { syncDir } from './private-dir.js';

export function adoptLog(target: string, source: string, kind: string): void {
  try {
    try {
      fs.linkSync(source, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return; // adopted meanwhile by another process
      if (code !== 'EEXIST') throw error;
      merge(target, source);
    }
    fs.rmSync(source, { force: true });
    syncDir(path.dirname(target));
  } catch (error) {
    throw new ConfigError(
      `cannot take ${source} into ${target} (the ${kind} of the same account under an older name): ${(error as Error).message}`,
      'Check the permissions of the config directory; both files were left as they were.',
    );
  }
}

function merge(target: string, source: string): void {
  let sourceText: string;
  try {
    sourceText = fs.readFileSync(source, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const fd = fs.openSync(target, 'r');
  try {
    const targetText = fs.readFileSync(fd, 'utf8');
    const read = Buffer.byteLength(targetText);
    const merged = mergeLines(targetText, sourceText);
    const tmp = `${target}.adopt-${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, merged, { mode: 0o600, flag: 'w' });
      const tfd = fs.openSync(tmp, 'r+');
      fs.fsyncSync(tfd);
      fs.closeSync(tfd);
      fs.renameSync(tmp, target);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw error;
    }
    // Lines appended to the old target between the read and the rename.
    const size = fs.fstatSync(fd).size;
    if (size > read) {
      const tail = Buffer.alloc(size - read);
      fs.readSync(fd, tail, 0, tail.length, read);
      fs.appendFileSync(target, tail);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Both logs' lines in time order, each distinct line once; a torn last line of either is dropped. */
export function mergeLines(a: string, b: string): string {
  const seen = new Set<string>();
  const lines: Array<{ line: string; time: number; order: number }> = [];
  for (const text of [a, b]) {
    let time = 0;
    const all = text.split('\n');
    all.forEach((line, i) => {
      if (!line.trim() || seen.has(line)) return;
      let parsed: { at?: unknown; time?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        if (i === all.length - 1) return; // torn: never completed
        parsed = {};
      }
      const own = Date.parse(String(parsed.at ?? parsed.time));
      if (Number.isFinite(own)) time = own;
      seen.add(line);
      lines.push({ line, time, order: lines.length });
    });
  }
  lines.sort((x, y) => x.time - y.time || x.order - y.order);
  return lines.map((l) => `${l.line}\n`).join('');
}
