/**
 * `safeweb outbox status | retry | drop | compact` (issue 28 item 4) against a config directory
 * whose outbox a test filled through the same module the sinks use. No request is sent: the
 * outbox is found from the profile's partner and base URL alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bookEvent } from '../../src/findings/event.js';
import { Outbox } from '../../src/findings/outbox.js';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';

const BASE = 'http://127.0.0.1:9';
const ACCOUNT = 'P7@127.0.0.1:9';
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const event = (i: number) =>
  bookEvent(
    'P7',
    { type: 'breach.new', reference: `R-${i}`, customerId: `c-${i}`, breachId: `b-${i}` },
    '2026-03-01T00:00:00Z',
  );

function setup() {
  const { dir, cleanup } = tempDir('outbox-cmd-');
  cleanups.push(cleanup);
  const env = cleanEnv({
    SAFEWEB_CONFIG_DIR: dir,
    SAFEWEB_BASE_URL: BASE,
    SAFEWEB_PARTNER_ID: 'P7',
    SAFEWEB_API_KEY: 'sw_test_unused',
  });
  const outbox = (sinks: string[] = []) => new Outbox({ configDir: dir, account: ACCOUNT, sinks });
  return { dir, env, outbox };
}

async function json<T>(argv: string[], env: Record<string, string | undefined>): Promise<T> {
  const r = await runInProcess([...argv, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('safeweb outbox', () => {
  it('status says when no sink is configured, and counts each sink’s states', async () => {
    const { env, outbox } = setup();
    const empty = await runInProcess(['outbox', 'status'], { env });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stderr).toContain(`No sinks are configured: the outbox of ${ACCOUNT} holds 0 events`);
    await outbox().enqueue([event(0)]);
    expect(await json(['outbox', 'status'], env)).toMatchObject({ account: ACCOUNT, items: 1, sinks: [] });

    const box = outbox(['psa']);
    await box.enqueue([1, 2, 3].map(event));
    await box.due('psa');
    await box.record('psa', event(1).key, { ok: true, ack: { ticketId: 812 } });
    await box.record('psa', event(2).key, { ok: false, error: '422 board unknown', permanent: true });
    const status = await json<{ items: number; sinks: unknown[] }>(['outbox', 'status'], env);
    expect(status.items).toBe(4);
    expect(status.sinks).toEqual([
      {
        sink: 'psa',
        pending: 0,
        held: 1,
        retrying: 0,
        dead: 1,
        acked: 1,
        lastAck: { key: event(1).key, at: expect.any(String), ack: { ticketId: 812 } },
        lastError: { key: event(2).key, at: expect.any(String), error: '422 board unknown', state: 'dead' },
      },
    ]);
    const piped = await runInProcess(['outbox', 'status'], { env });
    expect(piped.stdout).toMatch(/^psa\t0\t1\t0\t1\t1\t\S+ \{"ticketId":812\}\t\S+ 422 board unknown$/m);
  });

  it('retry sends dead-lettered items back to pending; drop asks, or needs --yes', async () => {
    const { env, outbox } = setup();
    const box = outbox(['psa', 'chat']);
    await box.enqueue([1, 2].map(event));
    await box.due('psa');
    await box.due('chat');
    for (const sink of ['psa', 'chat'])
      await box.record(sink, event(1).key, { ok: false, error: 'refused', permanent: true });

    expect(await json(['outbox', 'retry', '--sink', 'chat'], env)).toEqual([{ key: event(1).key, sink: 'chat' }]);
    expect(box.read().get(event(1).key)!.sinks.get('chat')!.state).toBe('pending');
    expect(box.read().get(event(1).key)!.sinks.get('psa')!.state).toBe('dead');
    expect(await json(['outbox', 'retry', event(1).key], env)).toEqual([{ key: event(1).key, sink: 'psa' }]);
    expect(await json(['outbox', 'retry'], env)).toEqual([]);

    const asked = await runInProcess(['outbox', 'drop', event(2).key], { env });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('Pass --yes');
    expect(box.read().get(event(2).key)!.dropped).toBe(false);
    const unknown = await runInProcess(['outbox', 'drop', 'sw:breach.new:nope', '--yes'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('holds none of sw:breach.new:nope');
    expect(await json(['outbox', 'drop', event(2).key, '--yes'], env)).toEqual({ dropped: [event(2).key] });
    expect(box.read().get(event(2).key)!.dropped).toBe(true);
  });

  it('compact keeps pending items and removes finished ones past --retain', async () => {
    const { env, outbox } = setup();
    const box = outbox(['psa']);
    await box.enqueue([1, 2].map(event));
    await box.due('psa');
    await box.record('psa', event(1).key, { ok: true });
    expect(await json(['outbox', 'compact'], env)).toEqual({ kept: 2, removed: 0 });
    const bad = await runInProcess(['outbox', 'compact', '--retain', '90'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('like 90d');
    // Finished a moment ago: only a retention of (almost) nothing removes it.
    expect(await json(['outbox', 'compact', '--retain', '1h'], env)).toEqual({ kept: 2, removed: 0 });
    const later = new Outbox({
      configDir: box.options.configDir,
      account: ACCOUNT,
      now: () => new Date(Date.now() + 2 * 3600_000),
    });
    expect(await later.compact(3600_000)).toEqual({ kept: 1, removed: 1 });
    expect([...box.read().keys()]).toEqual([event(2).key]);
  });
});
