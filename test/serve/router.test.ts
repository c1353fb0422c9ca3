/**
 * The receiver's router (serve/router.ts) over a real outbox in a temp dir: a sink kind with a
 * handler gets what is due and records it (a `notify` handler plugs in so); a kind without one
 * keeps its events pending, unacknowledged; a failure is retried with the outbox's backoff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bookEvent } from '../../src/findings/event.js';
import { Outbox, summarize } from '../../src/findings/outbox.js';
import type { Metrics } from '../../src/serve/metrics.js';
import { perEvent, Router, SinkRegistry } from '../../src/serve/router.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const quiet: Metrics = {
  received: () => undefined,
  refused: () => undefined,
  acknowledged: () => undefined,
  routed: () => undefined,
  retried: () => undefined,
  contentType: 'text/plain',
  text: async () => '',
};

function setup() {
  const { dir, cleanup } = tempDir('router-');
  cleanups.push(cleanup);
  const outbox = new Outbox({ configDir: dir, account: 'P1@127.0.0.1', random: () => 0.5 });
  const said: string[] = [];
  const make = (registry: SinkRegistry) =>
    new Router({
      outbox,
      registry,
      metrics: quiet,
      now: () => new Date(),
      info: (t) => said.push(t),
      warn: (t) => said.push(t),
      intervalMs: 60_000,
    });
  return { outbox, said, make };
}

const event = (i: number) =>
  bookEvent(
    'P1',
    { type: 'breach.new', reference: `R-${i}`, customerId: `c-${i}`, breachId: `b-${i}` },
    '2026-01-01T00:00:00Z',
  );

describe('router', () => {
  it('hands each sink kind its due events; a kind with no handler keeps them pending', async () => {
    const { outbox, said, make } = setup();
    await outbox.enqueue([event(1), event(2)], () => ['notify:ops', 'psa:cw'], 'd:1');
    const sent: string[] = [];
    const registry = new SinkRegistry().register(
      'notify',
      perEvent(async (sink, item) => {
        sent.push(`${sink} ${item.event.reference}`);
        return { ok: true, ack: { messageId: item.event.reference } };
      }),
    );
    const router = make(registry);
    router.start();
    await router.idle();
    await router.stop();
    expect(sent).toEqual(['notify:ops R-1', 'notify:ops R-2']);
    const sinks = summarize(outbox.read(), new Date());
    expect(sinks).toMatchObject([
      { sink: 'notify:ops', acked: 2, pending: 0 },
      { sink: 'psa:cw', acked: 0, pending: 2 },
    ]);
    expect(said.join('\n')).toContain('2 event(s) for psa:cw wait in the outbox');
  });

  it('a failed attempt is recorded and retried later with backoff, never lost', async () => {
    const { outbox, make } = setup();
    await outbox.enqueue([event(1)], () => ['notify:ops'], 'd:1');
    const router = make(
      new SinkRegistry().register(
        'notify',
        perEvent(async () => ({ ok: false, error: 'the channel answered 503' })),
      ),
    );
    router.start();
    await router.idle();
    await router.stop();
    const [item] = [...outbox.read().values()];
    expect(item!.sinks.get('notify:ops')).toMatchObject({
      state: 'retrying',
      attempts: 1,
      lastError: 'the channel answered 503',
    });
  });
});
