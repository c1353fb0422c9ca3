import { spawnSync } from 'node:child_process';
import fs, { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { claimNewFile, openForAppend, replaceFile, sweepStaleTemps, writeNewFile } from '../../src/io/safe-write.js';
import { tempDir } from '../helpers/cli.js';

let cleanup: (() => void) | undefined;
function dir(): string {
  const t = tempDir('safe-write-');
  cleanup = t.cleanup;
  return t.dir;
}
afterEach(() => cleanup?.());

const results = { kind: 'results file', mayContinue: false, mayReplace: false, allowedBy: '--resume FILE or --force' };
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('openForAppend', () => {
  it('creates a new file 0600', () => {
    const file = path.join(dir(), 'r.ndjson');
    fs.closeSync(openForAppend(file, results));
    expect(mode(file)).toBe(0o600);
  });

  it('refuses an existing file unless continuing or replacing is allowed', () => {
    const file = path.join(dir(), 'r.ndjson');
    fs.writeFileSync(file, 'precious\n');
    expect(() => openForAppend(file, results)).toThrow(
      /already exists; a results file is only continued with --resume/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('precious\n');
    const fd = openForAppend(file, { ...results, mayReplace: true });
    fs.writeSync(fd, 'new\n');
    fs.closeSync(fd);
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
  });

  it('continues a file of its own kind (tightened to 0600), and refuses one that is not', () => {
    const file = path.join(dir(), 'r.ndjson');
    fs.writeFileSync(file, '{"row":1}\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const isOwnKind = (f: string) => (fs.readFileSync(f, 'utf8').startsWith('{') ? undefined : 'not NDJSON');
    const fd = openForAppend(file, { ...results, mayContinue: true, isOwnKind });
    fs.writeSync(fd, '{"row":2}\n');
    fs.closeSync(fd);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"row":1}\n{"row":2}\n');
    expect(mode(file)).toBe(0o600);
    fs.writeFileSync(file, 'an essay\n');
    expect(() => openForAppend(file, { ...results, mayContinue: true, isOwnKind })).toThrow(
      /is not a results file: not NDJSON/,
    );
  });

  it('never writes through a symbolic link, live or dangling', () => {
    const d = dir();
    const victim = path.join(d, 'victim.txt');
    fs.writeFileSync(victim, 'keep\n');
    const live = path.join(d, 'live.ndjson');
    const dangling = path.join(d, 'dangling.ndjson');
    fs.symlinkSync(victim, live);
    fs.symlinkSync(path.join(d, 'nowhere.txt'), dangling);
    for (const link of [live, dangling]) {
      for (const target of [results, { ...results, mayContinue: true }, { ...results, mayReplace: true }]) {
        expect(() => openForAppend(link, target)).toThrow(UsageError);
      }
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep\n');
    expect(fs.existsSync(path.join(d, 'nowhere.txt'))).toBe(false);
  });
});

describe('new files', () => {
  it('writes 0600, refuses to overwrite, and abandoning a claim leaves nothing', () => {
    const d = dir();
    const file = path.join(d, 'secret.txt');
    writeNewFile(file, 's3cret\n', 'secret file');
    expect(mode(file)).toBe(0o600);
    expect(() => writeNewFile(file, 'other\n', 'secret file')).toThrow(/already exists/);
    expect(fs.readFileSync(file, 'utf8')).toBe('s3cret\n');
    const claim = claimNewFile(path.join(d, 'later.txt'), 'secret file');
    claim.abandon();
    expect(fs.existsSync(path.join(d, 'later.txt'))).toBe(false);
    fs.symlinkSync(path.join(d, 'nowhere'), path.join(d, 'link'));
    expect(() => writeNewFile(path.join(d, 'link'), 'x', 'secret file')).toThrow(/symbolic link/);
    expect(fs.existsSync(path.join(d, 'nowhere'))).toBe(false);
    // The temporary file a durable write goes through is gone, refused or not.
    expect(fs.readdirSync(d).sort()).toEqual(['link', 'secret.txt']);
  });
});

describe('replaceFile', () => {
  it('replaces whole files atomically, only when allowed, never through a link', () => {
    const d = dir();
    const file = path.join(d, 'state.json');
    replaceFile(file, '{"v":1}\n', { kind: 'state file', mayReplace: false });
    expect(mode(file)).toBe(0o600);
    expect(() =>
      replaceFile(file, '{"v":2}\n', { kind: 'state file', mayReplace: false, allowedBy: '--force' }),
    ).toThrow(/already exists; the state file is not overwritten/);
    replaceFile(file, '{"v":2}\n', { kind: 'state file', mayReplace: true });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"v":2}\n');
    expect(fs.readdirSync(d)).toEqual(['state.json']);
    fs.symlinkSync(file, path.join(d, 'link.json'));
    expect(() => replaceFile(path.join(d, 'link.json'), 'x', { kind: 'state file', mayReplace: true })).toThrow(
      /symbolic link/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{"v":2}\n');
  });
});

describe('temporary files a killed writer left', () => {
  it("are removed when that writer's process is gone (a hidden secret is not kept), never a live one's", () => {
    const d = dir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const left = path.join(d, `.hook.secret.${dead}.1700000000000.tmp`);
    const live = path.join(d, `.hook.secret.${process.pid}.1700000000001.tmp`);
    writeFileSync(left, 'whsec_a_whole_secret\n');
    writeFileSync(live, 'being written\n');
    writeFileSync(path.join(d, 'other.txt'), 'kept\n');
    sweepStaleTemps(d);
    expect(existsSync(left)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(readFileSync(path.join(d, 'other.txt'), 'utf8')).toBe('kept\n');
    // Writing the same name sweeps its own leftovers too.
    writeFileSync(left, 'whsec_again\n');
    writeNewFile(path.join(d, 'hook.secret'), 'whsec_new\n', 'secret');
    expect(existsSync(left)).toBe(false);
  });
});
