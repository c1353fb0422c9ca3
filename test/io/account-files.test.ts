import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountFile, accountKey, canonicalAccount } from '../../src/io/account-files.js';
import { adoptLog, mergeLines } from '../../src/io/adopt-log.js';
import { tempDir } from '../helpers/cli.js';

describe('the account key', () => {
  it('is one key for every spelling of the same base URL', () => {
    const spellings = [
      'http://127.0.0.1:4010',
      'http://127.0.0.1:4010/',
      'http://localhost:4010',
      'HTTP://LocalHost:4010/',
      'http://[::1]:4010',
      'http://localhost.:4010/v1/',
    ];
    for (const url of spellings) expect(accountKey('P1', url), url).toBe('P1@127.0.0.1:4010');
    expect(accountKey('P1', 'https://API.SafeWeb.example:443/')).toBe('P1@api.safeweb.example');
    expect(accountKey('P1', 'http://api.safeweb.example:80')).toBe('P1@api.safeweb.example');
    // Another port, another host or another partner is another account.
    expect(accountKey('P1', 'http://localhost:4011')).not.toBe(accountKey('P1', 'http://localhost:4010'));
    expect(accountKey('P1', 'https://api.safeweb.example:8443')).toBe('P1@api.safeweb.example:8443');
    expect(accountKey('P2', 'http://localhost:4010')).not.toBe(accountKey('P1', 'http://localhost:4010'));
  });

  it('reads a key an earlier version wrote in today’s spelling', () => {
    expect(canonicalAccount('P1@localhost:4010')).toBe('P1@127.0.0.1:4010');
    expect(canonicalAccount('P1@[::1]:4010')).toBe('P1@127.0.0.1:4010');
    expect(canonicalAccount('P1@api.safeweb.example')).toBe('P1@api.safeweb.example');
    expect(canonicalAccount('no-at-sign')).toBe('no-at-sign');
  });
});

describe('adopting a log kept under an older name', () => {
  it('renames it when the new name is free, and keeps a writer’s open file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const old = path.join(dir, 'P1@localhost_4010.ndjson');
      fs.writeFileSync(old, '{"op":"a","at":"2026-01-01T00:00:00.000Z"}\n');
      const fd = fs.openSync(old, 'a');
      const file = accountFile(dir, 'P1@127.0.0.1:4010', '.ndjson', 'test log');
      expect(file).toBe(path.join(dir, 'P1@127.0.0.1_4010.ndjson'));
      expect(fs.existsSync(old)).toBe(false);
      fs.writeSync(fd, '{"op":"b","at":"2026-01-01T00:00:01.000Z"}\n');
      fs.closeSync(fd);
      expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      cleanup();
    }
  });

  it('merges both in time order when both exist, and a repeat after a crash changes nothing', () => {
    const { dir, cleanup } = tempDir();
    try {
      const target = path.join(dir, 'new.ndjson');
      const source = path.join(dir, 'old.ndjson');
      const line = (op: string, at: string) => JSON.stringify({ op, at });
      fs.writeFileSync(target, `${line('t1', '2026-01-02T00:00:00Z')}\n${line('t2', '2026-01-04T00:00:00Z')}\n`);
      fs.writeFileSync(source, `${line('s1', '2026-01-01T00:00:00Z')}\n${line('s2', '2026-01-03T00:00:00.500Z')}\n`);
      const sourceCopy = fs.readFileSync(source);
      adoptLog(target, source, 'test log');
      const merged = fs.readFileSync(target, 'utf8');
      expect(
        merged
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { op: string }).op),
      ).toEqual(['s1', 't1', 's2', 't2']);
      expect(fs.existsSync(source)).toBe(false);
      // A crash after the rename and before the source was removed: the same merge again.
      fs.writeFileSync(source, sourceCopy);
      adoptLog(target, source, 'test log');
      expect(fs.readFileSync(target, 'utf8')).toBe(merged);
      expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    } finally {
      cleanup();
    }
  });

  it('keeps a line without a time beside the line before it, and drops a torn last line', () => {
    const a = '{"op":"x","time":"2026-01-02T00:00:00Z"}\n{"op":"no-time"}\n{"op":"torn"';
    const b = '{"op":"y","time":"2026-01-01T00:00:00Z"}\n';
    expect(mergeLines(a, b).trim().split('\n')).toEqual([
      '{"op":"y","time":"2026-01-01T00:00:00Z"}',
      '{"op":"x","time":"2026-01-02T00:00:00Z"}',
      '{"op":"no-time"}',
    ]);
  });
});
