/**
 * PagerDuty: Events API v2 bodies (checked against its rules), a trigger for a new breach and a
 * resolve when it is resolved, both with dedup_key = the finding key, so a loopback PagerDuty that
 * keeps incidents by dedup_key closes the incident the breach opened; severity by band; the region's
 * URL, or the channel's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifyHttp } from '../../src/notify/http.js';
import { pagerDutyUrl, renderPagerDuty, sendPagerDuty, SEVERITY } from '../../src/notify/pagerduty.js';
import { breachEvent, pagerDuty, pagerDutyProblems, receiver, type Receiver } from '../helpers/notify.js';

const KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('renderPagerDuty', () => {
  it('a new breach is a trigger keyed by the finding, its severity from the band; its resolution a resolve of the same key', () => {
    const opened = breachEvent();
    const trigger = renderPagerDuty(opened, {}, { context: () => ({ band: 'critical', customerName: 'Northwind' }) });
    expect(pagerDutyProblems({ routing_key: KEY, ...trigger })).toEqual([]);
    expect(trigger).toMatchObject({
      event_action: 'trigger',
      dedup_key: opened.finding,
      payload: {
        summary: 'New breach for Northwind (NW-001): LinkedIn Scrape 2026',
        source: 'NW-001',
        severity: 'critical',
        timestamp: opened.at,
        class: 'breach.new',
        custom_details: { 'Finding key': opened.finding, 'Affected addresses': expect.stringContaining('j***@') },
      },
    });
    // Nothing secret in a rendered body: the routing key is the sender's.
    expect(JSON.stringify(trigger)).not.toContain('routing_key');

    const resolved = breachEvent({ type: 'breach.resolved' });
    expect(resolved.finding).toBe(opened.finding);
    expect(resolved.key).not.toBe(opened.key);
    expect(renderPagerDuty(resolved, {})).toEqual({ event_action: 'resolve', dedup_key: opened.finding });
  });

  it('maps each band to a severity; an unbanded new breach is an error, other events info', () => {
    expect(SEVERITY).toEqual({ critical: 'critical', high: 'error', moderate: 'warning', low: 'info' });
    for (const band of ['critical', 'high', 'moderate', 'low'] as const) {
      const event = renderPagerDuty(breachEvent(), {}, { context: () => ({ band }) });
      expect(event.event_action === 'trigger' && event.payload.severity).toBe(SEVERITY[band]);
    }
    const plain = renderPagerDuty(breachEvent(), {});
    expect(plain.event_action === 'trigger' && plain.payload.severity).toBe('error');
    const band = renderPagerDuty(
      breachEvent({ type: 'band.changed', breachId: undefined, breachName: undefined, from: 'high', to: 'critical' }),
      {},
    );
    expect(band).toMatchObject({ event_action: 'trigger', payload: { severity: 'critical' } });
    // No finding: the event's own key.
    expect(band.dedup_key).toMatch(/^sw:band\.changed:/);
  });

  it('the rules check can fail', () => {
    const trigger = renderPagerDuty(breachEvent(), {});
    expect(pagerDutyProblems({ ...trigger })).toEqual(['no routing_key']);
    expect(pagerDutyProblems({ routing_key: KEY, event_action: 'resolve' })).toEqual(['resolve without dedup_key']);
    if (trigger.event_action !== 'trigger') throw new Error('a trigger');
    expect(
      pagerDutyProblems({ routing_key: KEY, ...trigger, payload: { ...trigger.payload, severity: 'high' } }),
    ).toEqual(['severity high']);
    expect(
      pagerDutyProblems({ routing_key: KEY, ...trigger, payload: { ...trigger.payload, summary: 'x'.repeat(1025) } }),
    ).toEqual(['summary']);
  });

  it('sends to the region\u2019s URL, or to the channel\u2019s own', () => {
    expect(pagerDutyUrl({}).href).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(pagerDutyUrl({ region: 'eu' }).href).toBe('https://events.eu.pagerduty.com/v2/enqueue');
    expect(pagerDutyUrl({ region: 'eu', url: 'https://pd-relay.msp.example/v2/enqueue' }).href).toBe(
      'https://pd-relay.msp.example/v2/enqueue',
    );
    expect(() => pagerDutyUrl({ url: 'http://pd-relay.msp.example/v2/enqueue' })).toThrow(/https:\/\//);
  });
});

describe('sendPagerDuty', () => {
  it('opens the incident with the trigger and closes it with the resolve; a retry opens no second one', async () => {
    const pd = await pagerDuty();
    receivers.push(pd);
    const http = notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 });
    const settings = { url: `${pd.url}/v2/enqueue` };
    const opened = breachEvent();
    const first = await sendPagerDuty(http, settings, KEY, renderPagerDuty(opened, {}));
    expect(first).toEqual({
      ok: true,
      ack: { status: 202, answer: { status: 'success', message: 'Event processed', dedup_key: opened.finding } },
    });
    await sendPagerDuty(http, settings, KEY, renderPagerDuty(opened, {}));
    expect([...pd.incidents]).toEqual([[opened.finding, 'triggered']]);
    await sendPagerDuty(http, settings, KEY, renderPagerDuty(breachEvent({ type: 'breach.resolved' }), {}));
    expect([...pd.incidents]).toEqual([[opened.finding, 'resolved']]);
    expect(JSON.parse(pd.received[0]!.body)).toMatchObject({ routing_key: KEY });
  });

  it('a body PagerDuty refuses is permanent and exit 3, in PagerDuty\u2019s own words', async () => {
    const pd = await pagerDuty();
    receivers.push(pd);
    const outcome = await sendPagerDuty(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 2 }),
      { url: `${pd.url}/v2/enqueue` },
      '',
      renderPagerDuty(breachEvent(), {}),
    );
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    if (outcome.ok) return;
    expect(outcome.cause.exitCode).toBe(3);
    expect(outcome.error).toBe('Event object is invalid (PagerDuty answered 400 to POST /v2/enqueue)');
  });

  it('retries a 5xx within the send (PagerDuty dedupes), and gives up as unavailable', async () => {
    const r = await receiver(() => ({ status: 503 }));
    receivers.push(r);
    const outcome = await sendPagerDuty(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 1 }),
      { url: `${r.url}/v2/enqueue` },
      KEY,
      renderPagerDuty(breachEvent(), {}),
    );
    expect(outcome).toMatchObject({ ok: false, permanent: false });
    if (!outcome.ok) expect(outcome.cause.exitCode).toBe(5);
    expect(r.received).toHaveLength(2);
  });
});
