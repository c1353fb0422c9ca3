/**
 * The directories the tool keeps files in, and the logs it appends to: 0700 directories made
 * (missing parents too), existing ones left as they are, files 0600 (tightened when loosened),
 * and a symbolic link refused where the file or its directory should be.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { appendToLog, openAppendLog } from '../../src/io/append-log.js';
import { ensurePrivateDir } from '../../src/io/private-dir.js';
import { tempDir } from '../helpers/cli.js';

let cleanup: (() => void) | undefined;
function dir(): string {
  const t = tempDir('private-dir-');
  cleanup = t.cleanup;
  return t.dir;
}
afterEach(() => cleanup?.());

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('ensurePrivateDir', () => {
  it('makes the directory and its missing parents 0700, and leaves an existing one as it is', () => {
    const d = dir();
    const deep = path.join(d, 'config', 'ledger');
    ensurePrivateDir(deep, 'record');
    expect(mode(path.join(d, 'config'))).toBe(0o700);
    expect(mode(deep)).toBe(0o700);
    const open = path.join(d, 'shared');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o755);
    ensurePrivateDir(open, 'record');
    expect(mode(open)).toBe(0o755);
  });

  it('refuses a symbolic link or a file where the directory should be, and creates nothing through it', () => {
    const d = dir();
    const elsewhere = path.join(d, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(d, 'ledger'));
    expect(() => ensurePrivateDir(path.join(d, 'ledger'), 'record')).toThrow(
      /ledger is a symbolic link; the record is never kept through a link/,
    );
    fs.writeFileSync(path.join(d, 'plain'), '');
    expect(() => ensurePrivateDir(path.join(d, 'plain'), 'record')).toThrow(/is not a directory/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe('append logs', () => {
  it('are created 0600 in a 0700 directory, and appended to, never truncated', () => {
    const d = dir();
    const file = path.join(d, 'audit', 'P1@host.ndjson');
    appendToLog(file, '{"n":1}\n', 'audit log');
    appendToLog(file, '{"n":2}\n{"n":3}\n', 'audit log');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(mode(file)).toBe(0o600);
    expect(mode(path.dirname(file))).toBe(0o700);
  });

  it('tighten an existing file someone loosened to 0600, in a directory left as it is', () => {
    const d = dir();
    const logs = path.join(d, 'logs');
    fs.mkdirSync(logs, { mode: 0o755 });
    fs.chmodSync(logs, 0o755);
    const file = path.join(logs, 'record.ndjson');
    fs.writeFileSync(file, '{"n":1}\n');
    fs.chmodSync(file, 0o644);
    appendToLog(file, '{"n":2}\n', 'record');
    expect(mode(file)).toBe(0o600);
    expect(mode(logs)).toBe(0o755);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('never write through a symbolic link: not in place of the file, nor of its directory', () => {
    const d = dir();
    const victim = path.join(d, 'victim.txt');
    fs.writeFileSync(victim, 'keep\n');
    const logs = path.join(d, 'logs');
    fs.mkdirSync(logs);
    fs.symlinkSync(victim, path.join(logs, 'live.ndjson'));
    fs.symlinkSync(path.join(d, 'nowhere.txt'), path.join(logs, 'dangling.ndjson'));
    for (const name of ['live.ndjson', 'dangling.ndjson'])
      expect(() => appendToLog(path.join(logs, name), 'x\n', 'record')).toThrow(/is a symbolic link/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep\n');
    expect(fs.existsSync(path.join(d, 'nowhere.txt'))).toBe(false);

    const elsewhere = path.join(d, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(d, 'audit'));
    expect(() => openAppendLog(path.join(d, 'audit', 'P1.ndjson'), 'audit log')).toThrow(UsageError);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});
