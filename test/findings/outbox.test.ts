/**
 * The outbox (issue 28 item 3) in one process, with an injected clock and jitter: enqueue is
 * idempotent by key and on disk when it returns; each sink's state goes pending → held → acked |
 * retrying (backoff, Retry-After) | dead; retry and drop; a torn last line; retention; a full disk.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bookEvent, type BookEvent } from '../../src/findings/event.js';
import { Outbox, summarize, type OutboxOptions } from '../../src/findings/outbox.js';
import { DiskFullError } from '../../src/io/append-log.js';
import { tempDir, until } from '../helpers/cli.js';

const ACCOUNT = 'P1@127.0.0.1';
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function event(i: number): BookEvent {
  return bookEvent(
    'P1',
    { type: 'breach.new', reference: `REF-${i}`, customerId: `c-${i}`, breachId: `b-${i}` },
    '2026-03-01T00:00:00.000Z',
  );
}

/** An outbox in a fresh config dir, its clock at `clock.t` (ms), the jitter's random fixed at 0.5. */
function setup(extra: Partial<OutboxOptions> = {}) {
  const { dir, cleanup } = tempDir('outbox-');
  cleanups.push(cleanup);
  const clock = { t: T0 };
  const make = (more: Partial<OutboxOptions> = {}) =>
    new Outbox({
      configDir: dir,
      account: ACCOUNT,
      sinks: ['psa', 'chat'],
      now: () => new Date(clock.t),
      random: () => 0.5,
      ...extra,
      ...more,
    });
  return { dir, clock, outbox: make(), make };
}

describe('outbox', () => {
  it('keeps each event once, by key, on disk (0600) before enqueue returns', async () => {
    const { outbox, make, dir } = setup();
    expect(await outbox.enqueue([event(1), event(2), event(1)])).toEqual({
      added: [event(1).key, event(2).key],
      known: [event(1).key],
    });
    // Another process (a new instance reads the file) sees them, and adds nothing twice.
    expect(await make().enqueue([event(2), event(3)])).toEqual({ added: [event(3).key], known: [event(2).key] });
    expect([...outbox.read().keys()]).toEqual([1, 2, 3].map((i) => event(i).key));
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('hands a due item to a sink once, and never again once acknowledged', async () => {
    const { outbox, clock } = setup();
    await outbox.enqueue([event(1), event(2)]);
    const due = await outbox.due('psa');
    expect(due.map((d) => d.key)).toEqual([event(1).key, event(2).key]);
    expect(due[0]!.event).toEqual(event(1));
    // Held for psa by this process: not handed out again meanwhile; chat has its own state.
    expect(await outbox.due('psa')).toEqual([]);
    expect((await outbox.due('chat', undefined, 1)).map((d) => d.key)).toEqual([event(1).key]);
    const state = await outbox.record('psa', event(1).key, { ok: true, ack: { ticketId: 4711 } });
    expect(state).toMatchObject({ state: 'acked', ack: { ticketId: 4711 } });
    // A late failure report does not undo an acknowledgement.
    expect(await outbox.record('psa', event(1).key, { ok: false, error: 'late' })).toMatchObject({ state: 'acked' });
    // The lease ends (10 min): event 2 is due again for psa; event 1 never is.
    clock.t += 10 * 60_000;
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([event(2).key]);
    const [psa] = summarize(outbox.read(), new Date(clock.t)).filter((s) => s.sink === 'psa');
    expect(psa).toMatchObject({
      acked: 1,
      held: 1,
      pending: 0,
      lastAck: { key: event(1).key, ack: { ticketId: 4711 } },
    });
  });

  it('keeps an event waiting for a sink until the time waitsOf names: in its enqueue line, no routing step before then', async () => {
    const { outbox, clock, dir } = setup();
    const window = new Date(clock.t + 3_600_000);
    await outbox.enqueue([event(1)], undefined, undefined, (_e, sink, at) => {
      expect(at.getTime()).toBe(clock.t);
      return sink === 'chat' ? { until: window, reason: 'digest' } : undefined;
    });
    const lines = fs
      .readFileSync(path.join(dir, 'outbox', `${ACCOUNT}.ndjson`), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ op: 'enqueued', waits: { chat: { reason: 'digest' } } });
    expect(outbox.read().get(event(1).key)!.sinks.get('chat')).toMatchObject({
      state: 'waiting',
      notBefore: window.toISOString(),
    });
    // psa acts at once; chat from the window's end, as after a deferral.
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([event(1).key]);
    expect(await outbox.due('chat', new Date(window.getTime() - 1))).toEqual([]);
    expect((await outbox.due('chat', window)).map((d) => d.key)).toEqual([event(1).key]);
  });

  it('decides what is due in one write: held to act on, recorded, put off, and nothing of what it was not given', async () => {
    const { outbox, clock, dir } = setup();
    await outbox.enqueue([1, 2, 3, 4].map(event));
    await outbox.due('chat', undefined, 1); // event 1 held for chat elsewhere in this run: not due
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    const before = fs.readFileSync(file, 'utf8').split('\n').length;
    const window = new Date(clock.t + 3_600_000);
    const { held, value } = await outbox.decide('chat', new Date(clock.t), (due) => ({
      value: due.map((d) => d.key),
      hold: [event(2).key, event(1).key],
      record: [{ keys: [event(3).key, event(3).key], outcome: { ok: true, ack: { skipped: 'opted out' } } }],
      defer: [
        { key: event(4).key, until: window, reason: 'digest' },
        { key: event(3).key, until: window, reason: 'digest' }, // decided already: once
      ],
    }));
    expect(value).toEqual([2, 3, 4].map((i) => event(i).key));
    // Event 1 was not given (held already): holding it is not this decision's to do.
    expect(held.map((d) => d.key)).toEqual([event(2).key]);
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(before - 1)
      .map((l) => JSON.parse(l) as { op: string; key: string });
    expect(lines.map((l) => [l.op, l.key])).toEqual([
      ['acked', event(3).key],
      ['deferred', event(4).key],
      ['held', event(2).key],
    ]);
    // Nothing due before its time: the held ones at their lease's end (10 min), the deferred one at the window's.
    expect((await outbox.due('chat', new Date(clock.t + 9 * 60_000))).map((d) => d.key)).toEqual([]);
    expect((await outbox.due('chat', new Date(clock.t + 10 * 60_000))).map((d) => d.key)).toEqual([
      event(1).key,
      event(2).key,
    ]);
    // Held again just now, for another 10 min, they are due again by the window's end, beside the deferred one.
    expect((await outbox.due('chat', window)).map((d) => d.key)).toEqual([1, 2, 4].map((i) => event(i).key));
  });

  it('gives each event of one write its own occurrence, and holds only the events a sink selects', async () => {
    const { outbox } = setup();
    // The receiver's group commit: two deliveries' events in one write, each keyed by its delivery.
    const occurrence = (e: BookEvent) => (e.reference === 'REF-1' ? 'd:one' : 'd:two');
    expect((await outbox.enqueue([event(1), event(2)], undefined, occurrence)).added).toEqual([
      `${event(1).key}@d:one`,
      `${event(2).key}@d:two`,
    ]);
    // The same delivery again is known; the same event from another delivery is an occurrence of its own.
    expect(await outbox.enqueue([event(1)], undefined, () => 'd:one')).toEqual({
      added: [],
      known: [`${event(1).key}@d:one`],
    });
    // A sync of REF-2 alone holds REF-2's event and leaves REF-1's pending for whoever covers it.
    const due = await outbox.due('psa', undefined, undefined, (e) => e.reference === 'REF-2');
    expect(due.map((d) => d.key)).toEqual([`${event(2).key}@d:two`]);
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([`${event(1).key}@d:one`]);
  });

  it('a process holding the outbox open sees what others appended, compacted or cut since its last write', async () => {
    const { make, clock, dir } = setup();
    const a = make();
    const b = make();
    await a.enqueue([event(1)]);
    // Another process adds one and acknowledges a's: a, reading only what was appended, knows both.
    await b.enqueue([event(2)]);
    await b.due('psa');
    await b.record('psa', event(1).key, { ok: true });
    expect(await a.enqueue([event(1), event(2), event(3)])).toEqual({
      added: [event(3).key],
      known: [event(1).key, event(2).key],
    });
    expect((await a.due('psa')).map((d) => d.key)).toEqual([event(3).key]);
    // b drops and compacts (the file is replaced): a reads it whole again and never hands out what is gone.
    await b.drop([event(3).key]);
    expect((await b.compact(0)).removed).toBe(1);
    clock.t += 60 * 60_000;
    expect((await a.due('chat')).map((d) => d.key)).toEqual([event(1).key, event(2).key]);
    // A line cut short by a crash at the end: a's next write starts a line of its own, and b reads it.
    fs.appendFileSync(path.join(dir, 'outbox', `${ACCOUNT}.ndjson`), '{"op":"enqueued","key":"torn');
    await a.enqueue([event(4)]);
    expect([...make().read().keys()]).toEqual([1, 2, 4].map((i) => event(i).key));
    expect((await b.enqueue([event(4)])).known).toEqual([event(4).key]);
    // Rewritten in place (the same inode, longer): told apart by its bytes, and read whole.
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    const lines = [5, 6, 7, 8, 9, 10].map((i) => ({
      op: 'enqueued',
      key: event(i).key,
      event: event(i),
      sinks: ['psa'],
      at: 'x',
    }));
    const rewritten = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    expect(rewritten.length).toBeGreaterThan(fs.statSync(file).size);
    fs.writeFileSync(file, rewritten);
    expect(await a.enqueue([event(5)])).toEqual({ added: [], known: [event(5).key] });
    expect((await a.due('psa')).map((d) => d.key)).toEqual([5, 6, 7, 8, 9, 10].map((i) => event(i).key));
  });

  it('backs off, doubling with jitter, never sooner than Retry-After, and dead-letters after the attempts', async () => {
    const { outbox, clock } = setup({ maxAttempts: 4 });
    const key = event(1).key;
    await outbox.enqueue([event(1)]);
    const fail = async (extra: { retryAfterMs?: number } = {}) => {
      expect((await outbox.due('psa')).map((d) => d.key)).toEqual([key]);
      return outbox.record('psa', key, { ok: false, error: 'HTTP 503 from the PSA', ...extra });
    };
    // Attempt 1: 30 s ceiling, half of it fixed, half jittered (random 0.5): 22.5 s.
    expect(await fail()).toMatchObject({ state: 'retrying', attempts: 1, nextAt: new Date(T0 + 22_500).toISOString() });
    clock.t += 22_499;
    expect(await outbox.due('psa')).toEqual([]);
    clock.t += 1;
    // Attempt 2: 60 s ceiling → 45 s, but the far side asked for 120 s.
    const second = await fail({ retryAfterMs: 120_000 });
    expect(second).toMatchObject({ attempts: 2, nextAt: new Date(clock.t + 120_000).toISOString() });
    clock.t += 120_000;
    expect(await fail()).toMatchObject({
      state: 'retrying',
      attempts: 3,
      nextAt: new Date(clock.t + 90_000).toISOString(),
    });
    clock.t += 90_000;
    expect(await fail()).toMatchObject({ state: 'dead', attempts: 4, lastError: 'HTTP 503 from the PSA' });
    clock.t += 365 * 86_400_000;
    expect(await outbox.due('psa')).toEqual([]);
    const [psa] = summarize(outbox.read(), new Date(clock.t)).filter((s) => s.sink === 'psa');
    expect(psa).toMatchObject({ dead: 1, lastError: { key, state: 'dead', error: 'HTTP 503 from the PSA' } });
  });

  it('dead-letters at once a refusal the sink calls permanent; retry sends it back; drop removes it', async () => {
    const { outbox } = setup();
    await outbox.enqueue([event(1), event(2)]);
    await outbox.due('psa');
    await outbox.record('psa', event(1).key, { ok: false, error: '422 board unknown', permanent: true });
    expect(outbox.read().get(event(1).key)!.sinks.get('psa')).toMatchObject({ state: 'dead', attempts: 1 });
    expect(await outbox.retry({ sink: 'chat' })).toEqual([]);
    expect(await outbox.retry({ keys: [event(1).key] })).toEqual([{ key: event(1).key, sink: 'psa' }]);
    expect(outbox.read().get(event(1).key)!.sinks.get('psa')).toMatchObject({ state: 'pending', attempts: 0 });
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([event(1).key]);

    expect(await outbox.drop([event(2).key, 'sw:nope'])).toEqual([event(2).key]);
    expect(await outbox.due('chat')).toEqual([expect.objectContaining({ key: event(1).key })]);
    expect(await outbox.record('psa', event(2).key, { ok: true })).toBeUndefined();
    // A dropped key stays dropped: the same event found again is not queued again (until compacted).
    expect(await outbox.enqueue([event(2)])).toEqual({ added: [], known: [event(2).key] });
  });

  it('ignores a torn last line, and the next write begins a line of its own', async () => {
    const { outbox, dir } = setup();
    await outbox.enqueue([event(1)]);
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    fs.appendFileSync(file, '{"op":"enqueued","key":"sw:torn');
    expect([...outbox.read().keys()]).toEqual([event(1).key]);
    await outbox.enqueue([event(2)]);
    expect([...outbox.read().keys()]).toEqual([event(1).key, event(2).key]);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('sw:torn');
  });

  it('compaction leaves out what was finished longer ago than the retention, and keeps everything pending', async () => {
    const { outbox, clock, make, dir } = setup();
    await outbox.enqueue([1, 2, 3, 4, 5].map(event));
    await outbox.due('psa');
    await outbox.due('chat');
    for (const sink of ['psa', 'chat']) {
      await outbox.record(sink, event(1).key, { ok: true, ack: 'T-1' });
      await outbox.record(sink, event(2).key, { ok: false, error: 'no', permanent: true });
    }
    await outbox.record('psa', event(3).key, { ok: true }); // chat still holds it
    await outbox.record('psa', event(4).key, { ok: false, error: 'try later' });
    clock.t += 80 * 86_400_000;
    await outbox.record('chat', event(5).key, { ok: true });
    await outbox.record('psa', event(5).key, { ok: true }); // finished 10 days before the compaction
    clock.t += 10 * 86_400_000 + 1;
    const before = fs.readFileSync(path.join(dir, 'outbox', `${ACCOUNT}.ndjson`), 'utf8');
    expect(await outbox.compact(90 * 86_400_000)).toEqual({ kept: 3, removed: 2 });
    const items = make().read();
    expect([...items.keys()]).toEqual([3, 4, 5].map((i) => event(i).key));
    expect(items.get(event(4).key)!.sinks.get('psa')).toMatchObject({ state: 'retrying', lastError: 'try later' });
    expect(items.get(event(3).key)!.sinks.get('psa')).toMatchObject({ state: 'acked' });
    expect(items.get(event(3).key)!.sinks.get('chat')).toMatchObject({ state: 'held' });
    const after = fs.readFileSync(path.join(dir, 'outbox', `${ACCOUNT}.ndjson`), 'utf8');
    expect(after.length).toBeLessThan(before.length);
    expect(fs.statSync(path.join(dir, 'outbox', `${ACCOUNT}.ndjson`)).mode & 0o777).toBe(0o600);
    expect(await outbox.compact(90 * 86_400_000)).toEqual({ kept: 3, removed: 0 });
  });

  it('puts an item off until a time without counting an attempt; held meanwhile; due from then', async () => {
    const { outbox, clock, make } = setup();
    await outbox.enqueue([event(1), event(2)]);
    const key = event(1).key;
    // A failure first: one attempt counted, retrying.
    await outbox.due('psa');
    await outbox.record('psa', key, { ok: false, error: 'HTTP 503' });
    clock.t += 60_000;
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([key]);
    // Then put off for a digest's window: the attempt count stands, nothing is added to it.
    const until = new Date(clock.t + 3_600_000);
    expect(await outbox.defer('psa', [{ key, until, reason: 'digest 2026-03-01T00:00Z/1h' }])).toBe(1);
    expect(make().read().get(key)!.sinks.get('psa')).toMatchObject({
      state: 'waiting',
      attempts: 1,
      notBefore: until.toISOString(),
      reason: 'digest 2026-03-01T00:00Z/1h',
      lastError: 'HTTP 503',
    });
    const [held] = summarize(outbox.read(), new Date(clock.t)).filter((s) => s.sink === 'psa');
    expect(held).toMatchObject({ held: 2, pending: 0, retrying: 0 });
    await outbox.record('psa', event(2).key, { ok: true });
    expect(await outbox.due('psa', new Date(until.getTime() - 1))).toEqual([]);
    // Chat's share is its own: not put off.
    expect((await outbox.due('chat')).map((d) => d.key)).toEqual([key, event(2).key]);
    expect((await outbox.due('psa', until)).map((d) => [d.key, d.attempts])).toEqual([[key, 1]]);
    // --flush: put off until now, due at once.
    await outbox.defer('psa', [{ key, until: new Date(clock.t + 86_400_000), reason: 'quiet hours' }]);
    await outbox.defer('psa', [{ key, until: new Date(clock.t), reason: 'flush' }]);
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([key]);
    // What is acknowledged (or dead) is never put off again.
    await outbox.record('psa', key, { ok: true, ack: 'sent' });
    expect(await outbox.defer('psa', [{ key, until, reason: 'late' }])).toBe(0);
    expect(outbox.read().get(key)!.sinks.get('psa')).toMatchObject({ state: 'acked' });
  });

  it('records one outcome for many items in one write; an acknowledgement stays', async () => {
    const { outbox, dir } = setup();
    await outbox.enqueue([1, 2, 3].map(event));
    await outbox.due('psa');
    await outbox.record('psa', event(3).key, { ok: true, ack: 'first' });
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    const before = fs.readFileSync(file, 'utf8').split('\n').length;
    const keys = [1, 2, 3].map((i) => event(i).key);
    const states = await outbox.recordAll('psa', [...keys, keys[0]!, 'sw:nope'], {
      ok: true,
      ack: { messageId: 'msg_1' },
    });
    expect(states.map((st) => st.state)).toEqual(['acked', 'acked']);
    expect(fs.readFileSync(file, 'utf8').split('\n').length).toBe(before + 2);
    const items = outbox.read();
    expect(keys.map((k) => items.get(k)!.sinks.get('psa')!.ack)).toEqual([
      { messageId: 'msg_1' },
      { messageId: 'msg_1' },
      'first',
    ]);
    expect(await outbox.recordAll('psa', keys, { ok: false, error: 'late' })).toEqual([]);
  });

  it('skips a journal line of an operation it does not know (a later version\u2019s), reading the rest', async () => {
    const { outbox, dir } = setup();
    await outbox.enqueue([event(1)]);
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    fs.appendFileSync(
      file,
      `${JSON.stringify({ op: 'snoozed', sink: 'psa', key: event(1).key, at: '2026-03-01T00:00:01.000Z' })}\n`,
    );
    expect(outbox.read().get(event(1).key)!.sinks.get('psa')).toMatchObject({ state: 'pending' });
    expect((await outbox.due('psa')).map((d) => d.key)).toEqual([event(1).key]);
  });

  it('reads, and views under the lock, what another process appends, cuts and compacts', async () => {
    const { outbox, make, dir, clock } = setup();
    const other = make();
    await outbox.enqueue([event(1), event(2)]);
    expect([...outbox.read().keys()]).toEqual([event(1).key, event(2).key]);
    await other.due('psa');
    await other.record('psa', event(1).key, { ok: true, ack: 'T-1' });
    await other.drop([event(2).key]);
    expect(outbox.read().get(event(1).key)!.sinks.get('psa')).toMatchObject({ state: 'acked', ack: 'T-1' });
    expect(outbox.read().get(event(2).key)!.dropped).toBe(true);
    // A line being written (or torn) is not read until it ends; the next writer cuts a torn one.
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    fs.appendFileSync(file, '{"op":"enqueued","key":"sw:half');
    expect(outbox.read().size).toBe(2);
    await other.enqueue([event(3)]);
    expect([...outbox.read().keys()]).toEqual([1, 2, 3].map((i) => event(i).key));
    // Another process compacts (the file is replaced): read again from the start, not from where it was.
    clock.t += 91 * 86_400_000;
    await other.record('chat', event(1).key, { ok: true });
    clock.t += 91 * 86_400_000;
    expect(await other.compact(90 * 86_400_000)).toEqual({ kept: 1, removed: 2 });
    expect([...outbox.read().keys()]).toEqual([event(3).key]);
    await other.enqueue([event(4)]);
    expect([...outbox.read().keys()]).toEqual([event(3).key, event(4).key]);
    expect(await outbox.view((items) => [...items.keys()])).toEqual([event(3).key, event(4).key]);
    await other.enqueue([event(5)]);
    expect(await outbox.view((items) => items.size)).toBe(3);
    // The journal moved aside: an empty outbox.
    fs.renameSync(file, `${file}.aside`);
    expect(outbox.read().size).toBe(0);
    expect(await outbox.view((items) => items.size)).toBe(0);
  });

  it('waits a bounded time for the lock, then refuses naming the holder', async () => {
    const { outbox, dir } = setup({ lockWaitMs: 0 });
    await outbox.enqueue([event(1)]);
    const { acquireLock } = await import('../../src/io/lock.js');
    const held = await acquireLock(path.join(dir, 'outbox', `${ACCOUNT}.lock`), {
      what: 'x',
      command: 'safeweb portfolio watch',
    });
    try {
      await expect(outbox.enqueue([event(2)])).rejects.toThrow(
        new RegExp(`the outbox of ${ACCOUNT} is in use by another \`safeweb portfolio watch\` \\(PID ${process.pid}`),
      );
    } finally {
      held.release();
    }
    expect([...outbox.read().keys()]).toEqual([event(1).key]);
  });
});

describe('an outbox that keeps its lock between changes (the receiver)', () => {
  const lockOf = (dir: string) => path.join(dir, 'outbox', `${ACCOUNT}.lock`);
  const holder = (dir: string) =>
    fs.existsSync(lockOf(dir)) ? (JSON.parse(fs.readFileSync(lockOf(dir), 'utf8')) as { token: string }) : undefined;

  /** The keeper enqueueing one new event after another until stopped: never idle long enough to let go on its own. */
  function busy(keeper: Outbox, from: number) {
    let stop = false;
    const kept: string[] = [];
    const done = (async () => {
      for (let i = from; !stop; i++) {
        await keeper.enqueue([event(i)]);
        kept.push(event(i).key);
      }
    })();
    return {
      kept,
      async stop() {
        stop = true;
        await done;
      },
    };
  }

  it('keeps the lock from change to change, and lets go after a moment without one, and at close', async () => {
    const { make, dir } = setup();
    const keeper = make({ keepLock: true });
    await keeper.enqueue([event(1)]);
    const first = holder(dir);
    expect(first).toBeDefined();
    await keeper.enqueue([event(2)]);
    await keeper.due('psa');
    // The same lock file: not taken and removed again for each change.
    expect(holder(dir)?.token).toBe(first!.token);
    await until(() => !fs.existsSync(lockOf(dir)), 'the idle keeper to let go');
    await keeper.enqueue([event(3)]);
    expect(fs.existsSync(lockOf(dir))).toBe(true);
    await keeper.close();
    expect(fs.existsSync(lockOf(dir))).toBe(false);
    expect([...make().read().keys()]).toEqual([1, 2, 3].map((i) => event(i).key));
  });

  it('lets go while busy when another process asks, and then sees what that one wrote', async () => {
    const { make } = setup();
    const keeper = make({ keepLock: true });
    const other = make({ lockWaitMs: 10_000 });
    await keeper.enqueue([event(0)]);
    const load = busy(keeper, 1);
    try {
      await until(() => load.kept.length >= 5, 'the keeper busy');
      // Refused after 10 s if the keeper never let go: it is busy throughout, so no pause lets it through.
      expect(await other.drop([event(0).key])).toEqual([event(0).key]);
      await other.enqueue([event(-1)]);
      const during = load.kept.length;
      await until(() => load.kept.length >= during + 5, 'the keeper busy again');
    } finally {
      await load.stop();
    }
    // The keeper's fold has the other's changes, and the journal every change of both.
    const seen = await keeper.view((items) => ({
      dropped: items.get(event(0).key)?.dropped,
      other: items.has(event(-1).key),
    }));
    expect(seen).toEqual({ dropped: true, other: true });
    const items = make().read();
    for (const key of load.kept) expect(items.has(key), key).toBe(true);
    expect(items.size).toBe(load.kept.length + 2);
    await keeper.close();
  });

  it('loses nothing it wrote when another process compacts the journal between its changes', async () => {
    const { make, clock } = setup();
    const keeper = make({ keepLock: true });
    const other = make({ lockWaitMs: 10_000 });
    const load = busy(keeper, 1);
    const dropped: string[] = [];
    try {
      for (let round = 0; round < 5; round++) {
        await until(() => load.kept.length >= (round + 1) * 5, 'more changes of the keeper');
        // Replaced by a new file each time: a journal the keeper kept open would be the old one.
        const [first] = load.kept.filter((k) => !dropped.includes(k));
        dropped.push(...(await other.drop([first!])));
        expect((await other.compact(0, new Date(clock.t))).removed).toBe(1);
      }
    } finally {
      await load.stop();
    }
    const items = make().read();
    for (const key of load.kept) expect(items.has(key), key).toBe(!dropped.includes(key));
    await keeper.close();
  });

  it('notices before its next change a lock taken from it, and reads the journal again', async () => {
    const { make, dir } = setup();
    const keeper = make({ keepLock: true });
    await keeper.enqueue([event(1)]);
    expect(fs.existsSync(lockOf(dir))).toBe(true);
    // Removed by hand (or taken over by a process that judged this one gone): another writes meanwhile,
    // and a crash leaves a torn line.
    fs.rmSync(lockOf(dir));
    await make().enqueue([event(2)]);
    fs.appendFileSync(path.join(dir, 'outbox', `${ACCOUNT}.ndjson`), '{"op":"enqueued","key":"torn');
    expect(await keeper.enqueue([event(2), event(3)])).toEqual({ added: [event(3).key], known: [event(2).key] });
    expect([...make().read().keys()]).toEqual([1, 2, 3].map((i) => event(i).key));
    await keeper.close();
  });
});

// A real full disk: a 64 KiB tmpfs. Mounting needs root and a machine that allows it (a container
// may not): tried once, and where it cannot be done the test is skipped, and says so.
function mountWorks(): boolean {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  const { dir, cleanup } = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    cleanup();
  }
}
const canMount = mountWorks();
describe.skipIf(!canMount)('outbox on a full disk', () => {
  it.each([
    ['', false],
    [' (kept open under a kept lock, as the receiver does)', true],
  ])('refuses new work with a clear error (exit 2), keeping what it held whole%s', async (_, keepLock) => {
    const { dir } = setup();
    fs.mkdirSync(path.join(dir, 'outbox'), { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', path.join(dir, 'outbox')]);
    cleanups.unshift(() => execFileSync('umount', [path.join(dir, 'outbox')]));
    const outbox = new Outbox({ configDir: dir, account: ACCOUNT, sinks: ['psa'], keepLock });
    // Most of the disk taken by something else, freed later.
    const filler = path.join(dir, 'outbox', 'filler');
    fs.writeFileSync(filler, Buffer.alloc(32 * 1024));
    // Fill the rest with events until one is refused.
    const big = (i: number) => ({ ...event(i), emails: [`${'x'.repeat(4000)}@example.com`] });
    let refused: unknown;
    let kept = 0;
    for (let i = 0; i < 100 && !refused; i++) {
      try {
        await outbox.enqueue([big(i)]);
        kept += 1;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(DiskFullError);
    expect((refused as DiskFullError).exitCode).toBe(2);
    expect((refused as Error).message).toMatch(/disk holding the outbox journal .* is full; nothing was written/);
    expect(kept).toBeGreaterThan(3);
    // Everything enqueued before is there, whole; the refused event is not; the journal ends with a whole line.
    const items = outbox.read();
    expect(items.size).toBe(kept);
    const file = path.join(dir, 'outbox', `${ACCOUNT}.ndjson`);
    expect(fs.readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    // Space freed, the same event is taken, behind the others: nothing was left half written.
    fs.rmSync(filler);
    const again = big(kept);
    expect(await outbox.enqueue([again])).toEqual({ added: [again.key], known: [] });
    expect([...outbox.read().keys()]).toHaveLength(kept + 1);
    expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(kept + 1);
    // The journal closed before the disk goes (a kept lock keeps it open).
    await outbox.close();
  });
});
