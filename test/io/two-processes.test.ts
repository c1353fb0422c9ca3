/**
 * Where two safeweb processes meet: appending to one log at once loses and tears no line; a lock
 * held by a live process is refused naming it; a lock whose process is gone is taken over at once,
 * by exactly one of two newcomers; a holder sees a waiter that asks for it, and a lock taken from it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/io/lock.js';
import { tempDir, until } from '../helpers/cli.js';
import { ioChild, type IoChild } from '../helpers/io-child.js';

const temp = tempDir('io-two-');
let start: (...args: string[]) => IoChild;
beforeAll(async () => {
  start = await ioChild(temp.dir);
});
afterAll(() => temp.cleanup());

let n = 0;
function fresh(): string {
  const dir = path.join(temp.dir, `case-${n++}`);
  fs.mkdirSync(dir);
  return dir;
}

/** A PID no process has now: one that has just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

const LOCK = { what: 'state.json', command: 'safeweb portfolio watch' };

describe('two processes appending to one log', () => {
  it('lose no line and tear none', { timeout: 60_000 }, async () => {
    const file = path.join(fresh(), 'log', 'record.ndjson');
    const count = 4000;
    const writers = [start('append', file, 'one', String(count)), start('append', file, 'two', String(count))];
    expect(await Promise.all(writers.map((w) => w.line()))).toEqual(['done', 'done']);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const seen = { one: new Set<number>(), two: new Set<number>() };
    for (const line of lines) {
      const record = JSON.parse(line) as { tag: 'one' | 'two'; i: number; pad: string };
      expect(record.pad).toHaveLength(1000);
      seen[record.tag].add(record.i);
    }
    expect([seen.one.size, seen.two.size]).toEqual([count, count]);
    expect(lines).toHaveLength(2 * count);
  });
});

describe('a lock', () => {
  it('held by a live process is refused, naming its PID, host, command and start', async () => {
    const file = path.join(fresh(), 'state.json.lock');
    const holder = start('lock', file);
    try {
      expect(await holder.line()).toBe('held');
      const refused = acquireLock(file, { ...LOCK, consequence: '; nothing was sent' });
      await expect(refused).rejects.toThrow(
        new RegExp(
          `^state\\.json is in use by another \`safeweb test lock\` \\(PID ${holder.process.pid} on ${os.hostname()}, ` +
            `started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\); nothing was sent$`,
        ),
      );
      await expect(refused).rejects.toMatchObject({ exitCode: 2 });
    } finally {
      holder.process.kill('SIGKILL');
      await holder.ended;
    }
    // Killed: its lock is left behind, and taken over at once (no waiting allowed).
    expect(fs.existsSync(file)).toBe(true);
    const lock = await acquireLock(file, { ...LOCK, waitMs: 0 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, command: LOCK.command });
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('whose process is gone is taken over at once by exactly one of two newcomers', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const file = path.join(fresh(), 'state.json.lock');
      const dead = { pid: deadPid(), host: os.hostname(), command: 'safeweb portfolio watch' };
      fs.writeFileSync(
        file,
        JSON.stringify({ ...dead, startedAt: new Date().toISOString(), lockedAt: '', token: 't' }),
      );
      const newcomers = [start('lock', file), start('lock', file)];
      try {
        const said = await Promise.all(newcomers.map((c) => c.line()));
        expect(
          said.filter((s) => s === 'held'),
          said.join(' / '),
        ).toHaveLength(1);
        const winner = newcomers[said.indexOf('held')]!.process.pid;
        expect(said.find((s) => s !== 'held')).toContain(`(PID ${winner} on `);
      } finally {
        for (const c of newcomers) c.process.kill('SIGKILL');
        await Promise.all(newcomers.map((c) => c.ended));
      }
    }
  });

  it('on another machine is never judged gone: refused, with how to clear it if that run has ended', async () => {
    const file = path.join(fresh(), 'state.json.lock');
    const far = { pid: deadPid(), host: `${os.hostname()}-elsewhere`, command: 'safeweb apply' };
    fs.writeFileSync(file, JSON.stringify({ ...far, startedAt: '2026-01-02T03:04:05.678Z', lockedAt: '', token: 't' }));
    await expect(acquireLock(file, LOCK)).rejects.toMatchObject({
      message: `state.json is in use by another \`safeweb apply\` (PID ${far.pid} on ${far.host}, started 2026-01-02T03:04:05Z)`,
      hint: `It runs on another machine; if it has ended there, remove ${file}.`,
    });
  });

  it('held in this process is waited for with waitMs, and release removes only a lock still ours', async () => {
    const file = path.join(fresh(), 'state.json.lock');
    const first = await acquireLock(file, LOCK);
    await expect(acquireLock(file, LOCK)).rejects.toThrow(/is in use by another `safeweb portfolio watch`/);
    setTimeout(() => first.release(), 50);
    const second = await acquireLock(file, { ...LOCK, waitMs: 20_000 });
    const mine = fs.readFileSync(file, 'utf8');
    first.release();
    expect(fs.readFileSync(file, 'utf8')).toBe(mine);
    second.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a waiter that asks is seen by the holder, which knows while the lock file is still its own', async () => {
    const file = path.join(fresh(), 'outbox.lock');
    const holder = await acquireLock(file, LOCK);
    expect(holder.stillHeld()).toBe(true);
    expect(holder.wanted()).toBe(false);
    const waiter = acquireLock(file, { ...LOCK, waitMs: 20_000, ask: true });
    await until(() => holder.wanted(), 'the waiter to ask');
    holder.release();
    const second = await waiter;
    // Had: asked no more; the first holder's lock is gone, the second's is its own until someone takes it.
    expect(fs.existsSync(`${file}.want`)).toBe(false);
    expect(second.wanted()).toBe(false);
    expect(holder.stillHeld()).toBe(false);
    expect(second.stillHeld()).toBe(true);
    fs.rmSync(file);
    const third = await acquireLock(file, LOCK);
    expect(second.stillHeld()).toBe(false);
    third.release();
    second.release();
  });

  it('a lock file that is not one (empty, garbage) is replaced', async () => {
    const file = path.join(fresh(), 'state.json.lock');
    fs.writeFileSync(file, '');
    const lock = await acquireLock(file, LOCK);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    lock.release();
  });
});
