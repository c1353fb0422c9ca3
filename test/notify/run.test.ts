/**
 * The notification sink (notify/run.ts `sendDue`) over a real outbox in a temp config dir, with an
 * injected clock, against loopback receivers (Slack, a signed webhook, PagerDuty, SMTP): digests
 * gather a window into one message per (channel, recipients) and go after it; quiet hours hold
 * all but critical; --flush sends what is held; a cap leaves the rest pending; a 429 is waited out;
 * a refusal is dead-lettered; a customer without a contact, or opted out, is skipped; the same
 * event from two sources is sent once; a channel removed dead-letters its items.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, Integrations, Route } from '../../src/config/integrations.js';
import type { BookEvent } from '../../src/findings/event.js';
import { Outbox, summarize } from '../../src/findings/outbox.js';
import { eventSinks } from '../../src/findings/sinks.js';
import { notifyHttp } from '../../src/notify/http.js';
import type { EventContext } from '../../src/notify/notice.js';
import { sendDue, type NotifyDeps } from '../../src/notify/run.js';
import { tempDir } from '../helpers/cli.js';
import { breachEvent, manyEvents, pagerDuty, receiver, smtpReceiver } from '../helpers/notify.js';

const ACCOUNT = 'P1@127.0.0.1';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listening<R extends { close(): Promise<void> }>(r: R): Promise<R> {
  cleanups.push(() => r.close());
  return r;
}

const okSlack = async () => listening(await receiver(() => ({ status: 200, body: 'ok' })));
const okHook = async () => listening(await receiver(() => ({ status: 204 })));

interface World {
  outbox: Outbox;
  clock: { t: number };
  settings: Integrations;
  deps: NotifyDeps;
  /** Enqueues as a source does: routed by the settings, the customer's band `band`. */
  enqueue(events: BookEvent[], occurrence?: string): Promise<void>;
}

/** An outbox, settings with these channels and routes, secrets by name, every customer in `band`. */
function world(
  channels: Record<string, Channel>,
  routes: Route[],
  options: {
    secrets?: Record<string, string>;
    band?: EventContext['band'];
    contacts?: Record<string, string>;
    optOut?: string[];
    at?: string;
  } = {},
): World {
  const { dir, cleanup } = tempDir('notify-run-');
  cleanups.push(cleanup);
  const clock = { t: Date.parse(options.at ?? '2026-12-07T10:20:00Z') };
  const now = () => new Date(clock.t);
  const outbox = new Outbox({ configDir: dir, account: ACCOUNT, now, random: () => 0.5 });
  const settings: Integrations = {
    notify: { channels, routes, ...(options.optOut ? { optOut: options.optOut } : {}) },
  };
  const band = options.band ?? 'high';
  const deps: NotifyDeps = {
    outbox,
    settings,
    now,
    context: (e) => ({ customerName: `Customer ${e.reference}`, band }),
    contact: (reference) => options.contacts?.[reference],
    secret: async (name) => {
      const value = options.secrets?.[name];
      if (value === undefined) throw new Error(`no secret ${name}`);
      return value;
    },
    http: (secrets) => notifyHttp({ env: {}, timeoutMs: 5_000, retries: 2, secrets }),
  };
  return {
    outbox,
    clock,
    settings,
    deps,
    async enqueue(events, occurrence = 'run-1') {
      await outbox.enqueue(events, (e) => eventSinks(settings, e, band), occurrence);
    },
  };
}

/** One sink's share of the outbox now (read under the lock, from the outbox's own fold: quick at 10 000 items). */
const sinkState = async (w: World, sink: string) =>
  (await w.outbox.view((items) => summarize(items, new Date(w.clock.t)))).find((s) => s.sink === sink)!;

describe('digests', () => {
  it(
    '10 000 findings into an hourly digest: one message per (channel, recipients), after the window',
    { timeout: 120_000 },
    async () => {
      const slack = await okSlack();
      const hook = await okHook();
      const smtp = await listening(await smtpReceiver());
      const w = world(
        {
          chat: { kind: 'slack', secret: 'notify/chat' },
          siem: { kind: 'webhook', url: `${hook.url}/in`, secret: 'notify/siem' },
          mail: {
            kind: 'email',
            host: '127.0.0.1',
            port: smtp.port,
            insecure: true,
            from: 'sw@msp.example',
            to: ['soc@msp.example'],
          },
        },
        [{ name: 'hourly', channels: ['chat', 'siem', 'mail'], digest: '1h', to: 'contact' }],
        {
          secrets: {
            'notify/chat': `${slack.url}/services/T/B/X`,
            'notify/siem': `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
          },
          // Three customers of the book; the third has no known contact (an imported one).
          contacts: { 'NW-A': 'it@a.example', 'NW-B': 'it@b.example' },
        },
      );
      const refs = ['NW-A', 'NW-B', 'NW-C'];
      const events = manyEvents(10_000).map((e, i) => ({ ...e, reference: refs[i % 3]! }));
      await w.enqueue(events);

      // Within the window: nothing is sent; everything waits for its end, no attempt counted.
      expect(await w.outbox.view((items) => items.size)).toBe(10_000);
      const first = await sendDue(w.deps);
      expect(first.messages).toEqual([]);
      expect(first.waiting.map((m) => [m.channel, m.events, m.at])).toEqual([
        ['chat', 10_000, '2026-12-07T11:00:00.000Z'],
        ['mail', 3334, '2026-12-07T11:00:00.000Z'],
        ['mail', 3333, '2026-12-07T11:00:00.000Z'],
        ['siem', 10_000, '2026-12-07T11:00:00.000Z'],
      ]);
      expect(first.skipped.filter((s) => s.reason === 'no contact')).toHaveLength(3333);
      expect(await sinkState(w, 'notify:chat')).toMatchObject({ held: 10_000, pending: 0, retrying: 0 });
      w.clock.t = Date.parse('2026-12-07T10:59:59Z');
      expect((await sendDue(w.deps)).messages).toEqual([]);

      // The first run after the window: one message per channel and recipient set.
      w.clock.t = Date.parse('2026-12-07T11:04:00Z');
      const sent = await sendDue(w.deps);
      expect(sent.messages.map((m) => [m.channel, m.events, m.to, m.outcome]).sort()).toEqual([
        ['chat', 10_000, [], 'sent'],
        ['mail', 3333, ['it@b.example'], 'sent'],
        ['mail', 3334, ['it@a.example'], 'sent'],
        ['siem', 10_000, [], 'sent'],
      ]);
      expect(slack.received).toHaveLength(1);
      expect(hook.received).toHaveLength(1);
      expect(JSON.parse(hook.received[0]!.body)).toHaveLength(10_000);
      expect(smtp.delivered.map((m) => m.to).sort()).toEqual([['it@a.example'], ['it@b.example']]);
      // A digest's ID is its route's, window's and recipients': the two emails differ, Slack's and the webhook's agree.
      expect(hook.received[0]!.headers['webhook-id']).toBe(sent.messages.find((m) => m.channel === 'chat')!.id);
      for (const sink of ['notify:chat', 'notify:siem', 'notify:mail'])
        expect(await sinkState(w, sink)).toMatchObject({ pending: 0, held: 0, retrying: 0, dead: 0 });
      expect((await sinkState(w, 'notify:chat')).acked).toBe(10_000);
      // Nothing is sent twice.
      w.clock.t += 3_600_000;
      expect((await sendDue(w.deps)).messages).toEqual([]);
      expect(slack.received).toHaveLength(1);
    },
  );

  it('PagerDuty takes one event a message at once, even on a digest route', async () => {
    const pd = await listening(await pagerDuty());
    const w = world(
      { oncall: { kind: 'pagerduty', secret: 'notify/pd', url: `${pd.url}/v2/enqueue` } },
      [{ channels: ['oncall'], digest: '1d' }],
      { secrets: { 'notify/pd': 'R0UT1NGKEY' } },
    );
    await w.enqueue(manyEvents(3));
    const sent = await sendDue(w.deps);
    expect(sent.messages.map((m) => [m.window, m.outcome])).toEqual([
      [null, 'sent'],
      [null, 'sent'],
      [null, 'sent'],
    ]);
    expect(pd.incidents.size).toBe(3);
  });
});

describe('quiet hours', () => {
  const route: Route = {
    channels: ['chat'],
    quietHours: { from: '22:00', to: '07:00' },
    timeZone: 'Europe/Copenhagen',
  };

  it('hold everything below critical until they end; critical goes at once; --flush sends what is held', async () => {
    const slack = await okSlack();
    // 23:30 in Copenhagen.
    const at = '2026-12-07T22:30:00Z';
    const w = world({ chat: { kind: 'slack', secret: 'notify/chat' } }, [route], {
      secrets: { 'notify/chat': `${slack.url}/hook` },
      at,
    });
    const critical = breachEvent({ reference: 'CRIT-1', customerId: 'c-crit' });
    const ordinary = breachEvent({ reference: 'LOW-1', customerId: 'c-low' });
    w.deps.context = (e) => ({ band: e.reference === 'CRIT-1' ? 'critical' : 'low' });
    await w.enqueue([critical, ordinary]);
    const night = await sendDue(w.deps);
    expect(night.messages.map((m) => m.outcome)).toEqual(['sent']);
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]!.body).toContain('CRIT-1');
    expect(night.waiting).toEqual([
      expect.objectContaining({ channel: 'chat', events: 1, at: '2026-12-08T06:00:00.000Z', waits: 'quiet hours' }),
    ]);
    expect(await sinkState(w, 'notify:chat')).toMatchObject({ held: 1, acked: 1 });
    // Another run in the night sends nothing more.
    w.clock.t = Date.parse('2026-12-08T03:00:00Z');
    expect((await sendDue(w.deps)).messages).toEqual([]);
    // --flush: what is held goes now.
    const flushed = await sendDue(w.deps, { flush: true });
    expect(flushed.messages.map((m) => m.outcome)).toEqual(['sent']);
    expect(slack.received[1]!.body).toContain('LOW-1');
    expect(await sinkState(w, 'notify:chat')).toMatchObject({ held: 0, acked: 2 });
  });

  it('without --flush, what was held goes with the first run after they end', async () => {
    const slack = await okSlack();
    const w = world({ chat: { kind: 'slack', secret: 'notify/chat' } }, [route], {
      secrets: { 'notify/chat': `${slack.url}/hook` },
      at: '2026-12-07T22:30:00Z',
    });
    await w.enqueue([breachEvent()]);
    expect((await sendDue(w.deps)).messages).toEqual([]);
    w.clock.t = Date.parse('2026-12-08T05:59:00Z');
    expect((await sendDue(w.deps)).messages).toEqual([]);
    w.clock.t = Date.parse('2026-12-08T06:00:00Z');
    expect((await sendDue(w.deps)).messages.map((m) => m.outcome)).toEqual(['sent']);
    expect(slack.received).toHaveLength(1);
  });
});

describe('sending', () => {
  it('at most maxMessages a run: the rest stay pending for the next', async () => {
    const hook = await okHook();
    const w = world({ siem: { kind: 'webhook', url: `${hook.url}/in` } }, [{ channels: ['siem'] }]);
    await w.enqueue(manyEvents(5));
    const first = await sendDue(w.deps, { maxMessages: 2 });
    expect(first.messages).toHaveLength(2);
    expect(first.overCap).toBe(3);
    expect(await sinkState(w, 'notify:siem')).toMatchObject({ acked: 2, pending: 3, held: 0 });
    const second = await sendDue(w.deps, { maxMessages: 50 });
    expect(second.messages).toHaveLength(3);
    expect(hook.received).toHaveLength(5);
    // Each message's ID is its own, and the same as its webhook-id.
    expect(new Set(hook.received.map((r) => r.headers['webhook-id'])).size).toBe(5);
  });

  it('waits out a 429\u2019s Retry-After and sends the message once', async () => {
    const slack = await listening(
      await receiver((_r, i) =>
        i === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' } : { status: 200, body: 'ok' },
      ),
    );
    const w = world({ chat: { kind: 'slack', secret: 'notify/chat' } }, [{ channels: ['chat'] }], {
      secrets: { 'notify/chat': `${slack.url}/hook` },
    });
    await w.enqueue([breachEvent()]);
    const sent = await sendDue(w.deps);
    expect(sent.messages.map((m) => m.outcome)).toEqual(['sent']);
    expect(slack.received).toHaveLength(2);
    expect(await sinkState(w, 'notify:chat')).toMatchObject({ acked: 1, retrying: 0 });
  });

  it('dead-letters a refusal at once, retries what is unavailable later, and stops that channel for the run', async () => {
    const refusing = await listening(await receiver(() => ({ status: 400, body: 'invalid_payload' })));
    const down = await listening(await receiver(() => ({ status: 503 })));
    const w = world(
      {
        chat: { kind: 'slack', secret: 'notify/chat' },
        siem: { kind: 'webhook', url: `${down.url}/in` },
      },
      [{ channels: ['chat', 'siem'] }],
      { secrets: { 'notify/chat': `${refusing.url}/hook` } },
    );
    w.deps.http = (secrets) => notifyHttp({ env: {}, timeoutMs: 5_000, retries: 0, secrets });
    await w.enqueue(manyEvents(3));
    const run = await sendDue(w.deps);
    // Slack refused each message on its own: all three dead; the webhook was down: one tried, two put back.
    expect(run.messages.filter((m) => m.channel === 'chat').map((m) => m.outcome)).toEqual(['dead', 'dead', 'dead']);
    expect(run.messages.filter((m) => m.channel === 'siem').map((m) => m.outcome)).toEqual(['retrying']);
    expect(run.putBack).toBe(2);
    expect(run.failures.map((f) => f.exitCode).sort()).toEqual([3, 3, 3, 5]);
    expect(await sinkState(w, 'notify:chat')).toMatchObject({
      dead: 3,
      lastError: expect.objectContaining({ state: 'dead' }),
    });
    expect(await sinkState(w, 'notify:siem')).toMatchObject({ retrying: 1, held: 2 });
    expect(down.received).toHaveLength(1);
  });

  it('skips a customer with no contact or opted out, and sends the same event from two sources once', async () => {
    const smtp = await listening(await smtpReceiver());
    const w = world(
      {
        mail: {
          kind: 'email',
          host: '127.0.0.1',
          port: smtp.port,
          insecure: true,
          from: 'sw@msp.example',
          to: ['soc@msp.example'],
        },
      },
      [{ channels: ['mail'], to: 'contact' }],
      { contacts: { 'NW-001': 'it@nw.example', 'NW-OPT': 'boss@opt.example' }, optOut: ['NW-OPT'] },
    );
    const known = breachEvent();
    const imported = breachEvent({ reference: 'IMP-1', customerId: 'c-imp' });
    const optedOut = breachEvent({ reference: 'NW-OPT', customerId: 'c-opt' });
    await w.enqueue([known, imported, optedOut], 'watch-run');
    // The receiver (or a watch run) saw the same new breach: another occurrence of the same event.
    await w.enqueue([known], 'delivery-42');
    const run = await sendDue(w.deps);
    expect(run.messages.map((m) => [m.to, m.outcome])).toEqual([[['it@nw.example'], 'sent']]);
    expect(run.skipped.map((s) => [s.reference, s.reason])).toEqual([
      ['IMP-1', 'no contact'],
      ['NW-OPT', 'opted out'],
      ['NW-001', 'duplicate'],
    ]);
    expect(smtp.delivered).toHaveLength(1);
    expect(smtp.delivered[0]!.findingHeader).toBe(known.finding);
    expect(await sinkState(w, 'notify:mail')).toMatchObject({ acked: 4, pending: 0 });
  });

  it('dead-letters the items of a channel no longer in the settings', async () => {
    const hook = await okHook();
    const w = world({ siem: { kind: 'webhook', url: `${hook.url}/in` } }, [{ channels: ['siem'] }]);
    await w.enqueue([breachEvent()]);
    delete w.settings.notify!.channels!['siem'];
    w.settings.notify!.routes = [];
    const run = await sendDue(w.deps);
    expect(run.gone).toBe(1);
    expect(await sinkState(w, 'notify:siem')).toMatchObject({
      dead: 1,
      lastError: expect.objectContaining({ error: 'the channel "siem" is no longer in the settings' }),
    });
    expect(hook.received).toEqual([]);
  });
});
