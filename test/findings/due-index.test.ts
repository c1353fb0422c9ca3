/**
 * The fold's index of each sink's unfinished items (outbox-journal.ts `SinkIndex`), which a look
 * for due items (`dueIn`: the router's passes, `Outbox.due`) and the duplicates check read instead
 * of every item: over random journals of every kind of line, in the forms other writers use too,
 * it must find exactly what a look at every item finds, in the same order, at any time.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { bookEvent, type BookEvent } from '../../src/findings/event.js';
import { dueIn, isDue } from '../../src/findings/outbox.js';
import { foldJournal, foldLine, type Folded, type JournalLine } from '../../src/findings/outbox-journal.js';
import { sinkItems } from '../../src/notify/plan.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const SINKS = ['psa:cw', 'notify:soc', 'notify:mail'];

/** A small seeded generator (mulberry32): the same journal on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function event(i: number): BookEvent {
  // Several items about one finding (a breach found twice, resolved), as the duplicates check meets them.
  const breach = `b-${i % 7}`;
  return bookEvent(
    'P1',
    {
      type: i % 3 ? 'breach.new' : 'breach.resolved',
      reference: `REF-${i % 5}`,
      customerId: `c-${i % 5}`,
      breachId: breach,
    },
    '2026-03-01T00:00:00.000Z',
  );
}

/**
 * A time around T0 (half of them on a whole minute, as the looks below are) in one of the forms a
 * journal may hold: toISOString's, without milliseconds, with an offset of +02:00.
 */
function time(rnd: () => number): string {
  let ms = T0 + Math.round((rnd() - 0.3) * 3_600_000);
  if (rnd() < 0.5) ms -= ms % 60_000;
  const form = rnd();
  const iso = new Date(ms).toISOString();
  if (form < 0.7) return iso;
  if (form < 0.85) return `${iso.slice(0, 19)}Z`;
  return `${new Date(ms + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
}

/** A random journal of `n` lines: enqueues, holds (this process's, another's here and elsewhere), outcomes, retries, deferrals, drops. */
function journal(seed: number, n: number): JournalLine[] {
  const rnd = random(seed);
  const lines: JournalLine[] = [];
  const keys: string[] = [];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  for (let i = 0; i < n; i++) {
    const at = new Date(T0 + i * 1000).toISOString();
    const r = rnd();
    if (keys.length === 0 || r < 0.25) {
      const e = event(i);
      const key = `${e.key}@${i}`;
      keys.push(key);
      lines.push({ op: 'enqueued', key, event: e, sinks: SINKS.filter(() => rnd() < 0.7), at });
      continue;
    }
    const key = pick(keys);
    const sink = pick(SINKS);
    if (r < 0.4) {
      const holder = pick([
        { pid: process.pid, host: os.hostname() },
        { pid: 2 ** 22 + 17, host: os.hostname() }, // gone: its hold ends at once
        { pid: process.ppid, host: os.hostname() }, // alive: its hold stands until its time
        { pid: 1234, host: 'elsewhere' },
      ]);
      lines.push({ op: 'held', sink, key, until: time(rnd), ...holder, at });
    } else if (r < 0.55) lines.push({ op: 'acked', sink, key, ack: { id: i }, at });
    else if (r < 0.7)
      lines.push({ op: 'failed', sink, key, error: 'x', attempts: 1, next: rnd() < 0.8 ? time(rnd) : null, at });
    else if (r < 0.8) lines.push({ op: 'retry', sink, key, at });
    else if (r < 0.95) lines.push({ op: 'deferred', sink, key, until: time(rnd), reason: 'digest', at });
    else lines.push({ op: 'dropped', key, at });
  }
  return lines;
}

/** What a look at every item finds due, in the order they were enqueued. */
function scan(items: Folded, sink: string, now: Date): string[] {
  return [...items.values()].filter((i) => !i.dropped && isDue(i.sinks.get(sink), now)).map((i) => i.key);
}

describe('the due index', () => {
  it('finds what a look at every item finds, in the same order, at every time, as the journal grows', () => {
    let looked = 0;
    let found = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const lines = journal(seed, 300);
      const items = foldJournal([]);
      lines.forEach((line, i) => {
        foldLine(items, line);
        if (i % 25 !== 24) return;
        for (const offset of [-3_600_000, -60_000, 0, 60_000, 1_800_000, 7_200_000]) {
          const now = new Date(T0 + offset);
          for (const sink of SINKS) {
            const expected = scan(items, sink, now);
            expect(dueIn(items, sink, now).map((x) => x.key)).toEqual(expected);
            // A limit takes the oldest.
            expect(dueIn(items, sink, now, undefined, 3).map((x) => x.key)).toEqual(expected.slice(0, 3));
            looked++;
            found += expected.length;
          }
        }
      });
    }
    // The journals reach every kind of state: the comparison is not of empty lists.
    expect(looked).toBe(40 * 12 * 6 * 3);
    expect(found).toBeGreaterThan(looked * 2);
  });

  it('gives the duplicates check the items about the findings asked for, as a look at every item does', () => {
    for (let seed = 100; seed < 110; seed++) {
      const items = foldJournal(journal(seed, 400));
      for (const sink of SINKS) {
        const about = new Set([...items.values()].slice(0, 5).map((i) => i.event.finding ?? i.event.key));
        const all = sinkItems(items, sink);
        const expected = all.filter((i) => about.has(i.event.finding ?? i.event.key));
        expect(expected.length).toBeGreaterThan(0);
        expect(sinkItems(items, sink, about)).toEqual(expected);
      }
    }
  });

  it('looks at a hold of another process whatever its time says: a gone holder\u2019s item is due again', () => {
    const items = foldJournal([]);
    const at = new Date(T0).toISOString();
    foldLine(items, { op: 'enqueued', key: 'k', event: event(1), sinks: ['psa:cw'], at });
    const held = { op: 'held', sink: 'psa:cw', key: 'k', host: os.hostname(), at } as const;
    foldLine(items, { ...held, until: 'not a time', pid: 2 ** 22 + 17 });
    expect(dueIn(items, 'psa:cw', new Date(T0)).map((i) => i.key)).toEqual(['k']);
    // Held by a process that is there (this test's parent), until a time to come: not due.
    foldLine(items, { ...held, until: new Date(T0 + 60_000).toISOString(), pid: process.ppid });
    expect(dueIn(items, 'psa:cw', new Date(T0))).toEqual([]);
  });

  it('keeps a time that has passed without items from growing the list it walks', () => {
    const items = foldJournal([]);
    const e = event(1);
    foldLine(items, { op: 'enqueued', key: 'k', event: e, sinks: ['notify:soc'], at: new Date(T0).toISOString() });
    // A thousand deferrals, each to its own time, each replaced by the next: one item waits.
    for (let i = 0; i < 1000; i++)
      foldLine(items, {
        op: 'deferred',
        sink: 'notify:soc',
        key: 'k',
        until: new Date(T0 + i * 1000).toISOString(),
        reason: 'quiet hours',
        at: new Date(T0).toISOString(),
      });
    const index = items.sinks.get('notify:soc')!;
    expect(index.size).toBe(1);
    expect(dueIn(items, 'notify:soc', new Date(T0 + 998_000))).toEqual([]);
    expect(dueIn(items, 'notify:soc', new Date(T0 + 999_000)).map((i) => i.key)).toEqual(['k']);
    // Walked past them once, the passed times without items are no longer listed: the one left is k's.
    expect(index.listed).toBe(1);
    // Also behind an item that stays due without being taken (a sync that selects other customers).
    foldLine(items, {
      op: 'enqueued',
      key: 'stays',
      event: event(2),
      sinks: ['notify:soc'],
      at: new Date(T0).toISOString(),
    });
    const at = (i: number) => new Date(T0 + 2_000_000 + i * 1000).toISOString();
    foldLine(items, { op: 'deferred', sink: 'notify:soc', key: 'stays', until: at(0), reason: 'digest', at: at(0) });
    for (let i = 1; i <= 500; i++)
      foldLine(items, { op: 'deferred', sink: 'notify:soc', key: 'k', until: at(i), reason: 'digest', at: at(0) });
    expect(dueIn(items, 'notify:soc', new Date(T0 + 3_000_000)).map((i) => i.key)).toEqual(['k', 'stays']);
    expect(index.listed).toBe(2);
  });
});
