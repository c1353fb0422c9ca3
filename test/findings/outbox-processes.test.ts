/**
 * The outbox across processes (issue 28 item 3): a real process enqueueing and acting on items is
 * killed -9 wherever it has got to, then a new one resumes — nothing it had enqueued is lost,
 * nothing it had recorded as acknowledged is sent again; and two processes draining one outbox
 * never send one item twice, whether or not one of them keeps the lock between its changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/findings/outbox.js';
import { tempDir } from '../helpers/cli.js';
import { ioChild, type IoChild } from '../helpers/io-child.js';

const temp = tempDir('outbox-proc-');
let start: (...args: string[]) => IoChild;
beforeAll(async () => {
  start = await ioChild(temp.dir, 'test/findings/outbox-child.mjs');
});
afterAll(() => temp.cleanup());

const ACCOUNT = 'P1@127.0.0.1';
const COUNT = 30;

/** Who the far side heard about, in order: `key pid` lines. */
function farSideKeys(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]!);
}

/** Reads the child's lines until it ends or `stopAfter` lines were read (then kills it -9). */
async function runChild(child: IoChild, stopAfter: number): Promise<{ lines: string[]; finished: boolean }> {
  const lines: string[] = [];
  for (;;) {
    if (lines.length >= stopAfter) {
      child.process.kill('SIGKILL');
      await child.ended;
      return { lines, finished: false };
    }
    const line = await child.line();
    if (line === undefined) {
      await child.ended;
      return { lines, finished: true };
    }
    expect(line).not.toMatch(/^error/);
    lines.push(line);
    if (line === 'done') {
      await child.ended;
      return { lines, finished: true };
    }
  }
}

describe('outbox across processes', () => {
  it(
    'after kill -9 at random moments, a restart loses nothing pending and redoes nothing acked',
    { timeout: 120_000 },
    async () => {
      for (let round = 0; round < 4; round++) {
        const config = path.join(temp.dir, `kill-${round}`);
        const farSide = path.join(temp.dir, `far-${round}.log`);
        const enqueued = new Set<string>();
        const acked = new Set<string>();
        let kills = 0;
        for (let run = 0; run < 12; run++) {
          // Somewhere in the enqueueing (first 30 lines) or the draining (the next 30), or never.
          const stopAfter = run < 6 ? 1 + Math.floor(Math.random() * 2 * COUNT) : Infinity;
          const sentBefore = farSideKeys(farSide).length;
          const ackedBefore = new Set(acked);
          // Every other run keeps the lock between its changes (as the receiver does): killed, it leaves the lock behind.
          const keep = run % 2 ? 'keep' : '';
          const { lines, finished } = await runChild(start(config, farSide, String(COUNT), '0', keep), stopAfter);
          for (const line of lines) {
            const [what, key] = line.split(' ');
            if (what === 'enqueued') enqueued.add(key!);
            if (what === 'acked') acked.add(key!);
          }
          // Nothing the killed process was told was on disk is missing from the journal.
          const items = new Outbox({ configDir: config, account: ACCOUNT }).read();
          for (const key of enqueued) expect(items.has(key), `${key} was lost`).toBe(true);
          // What this run sent: never a key an earlier run (or this one, before) had recorded acknowledged.
          const sentNow = farSideKeys(farSide).slice(sentBefore);
          expect(new Set(sentNow).size, 'one run sent an item twice').toBe(sentNow.length);
          for (const key of sentNow)
            expect(ackedBefore.has(key), `${key} was acknowledged, then sent again`).toBe(false);
          if (finished) break;
          kills += 1;
        }
        expect(kills).toBeGreaterThan(0);
        const items = new Outbox({ configDir: config, account: ACCOUNT }).read();
        expect(items.size).toBe(COUNT);
        for (const item of items.values()) expect(item.sinks.get('psa')?.state, item.key).toBe('acked');
        // Sent again only what a kill caught between sending and recording: at most one per kill.
        const sent = farSideKeys(farSide);
        expect(new Set(sent).size).toBe(COUNT);
        expect(sent.length - COUNT).toBeLessThanOrEqual(kills);
      }
    },
  );

  it.each([
    ['two processes', ''],
    ['a process that keeps the lock between its changes (the receiver) and one that does not', 'keep'],
  ])('%s draining one outbox never send an item twice', { timeout: 120_000 }, async (_, keep) => {
    const config = path.join(temp.dir, `two-${keep}`);
    const farSide = path.join(temp.dir, `far-two-${keep}.log`);
    // Both enqueue, then start draining together (a loaded machine may otherwise run one to the end first).
    const meet = path.join(temp.dir, `meet-two-${keep}`);
    const [a, b] = await Promise.all([
      runChild(start(config, farSide, String(COUNT), '20', keep, meet, '2'), Infinity),
      runChild(start(config, farSide, String(COUNT), '20', '', meet, '2'), Infinity),
    ]);
    expect(a.finished && b.finished).toBe(true);
    // Both took part (or the test proves nothing about two processes meeting).
    const acked = (r: { lines: string[] }) => r.lines.filter((l) => l.startsWith('acked ')).length;
    expect(acked(a)).toBeGreaterThan(0);
    expect(acked(b)).toBeGreaterThan(0);
    const sent = farSideKeys(farSide);
    expect(sent.length).toBe(COUNT);
    expect(new Set(sent).size).toBe(COUNT);
    const journal = fs.readFileSync(path.join(config, 'outbox', `${ACCOUNT}.ndjson`), 'utf8');
    expect(journal.split('\n').filter((l) => l.includes('"op":"enqueued"'))).toHaveLength(COUNT);
    expect(journal.split('\n').filter((l) => l.includes('"op":"acked"'))).toHaveLength(COUNT);
  });
});
