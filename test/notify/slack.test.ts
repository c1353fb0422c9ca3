/**
 * Slack: Block Kit within Slack's documented limits (there is no official schema: the limits are
 * checked here, from Slack's docs and SDKs), a plain-text fallback always, `& < >` escaped, the
 * finding key a field; sent to a loopback webhook that answers as Slack does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifyHttp } from '../../src/notify/http.js';
import { escapeSlack, renderSlack, sendSlack, SLACK_LIMITS } from '../../src/notify/slack.js';
import {
  breachEvent,
  manyEvents,
  receiver,
  slackProblems,
  strings,
  type Obj,
  type Receiver,
} from '../helpers/notify.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('renderSlack', () => {
  it('one event: a header, its facts as fields (the finding key among them), a context line, and a fallback', () => {
    const event = breachEvent();
    const payload = renderSlack(event, {}, { context: () => ({ customerName: 'Northwind & Co', band: 'critical' }) });
    expect(slackProblems(payload)).toEqual([]);
    expect(payload).toMatchObject({ mrkdwn: false, unfurl_links: false, unfurl_media: false });
    expect(payload.text).toBe('New breach for Northwind &amp; Co (NW-001): LinkedIn Scrape 2026');
    const fields = (payload.blocks[1] as Obj).fields!.map((f) => f.text);
    expect(fields).toContain(`Finding key\n${event.finding}`);
    expect(fields).toContain('Affected addresses\nj***@northwind.example, o***@northwind.example');
    expect(fields).toContain('Score and band\ncritical');
    expect((payload.blocks[1] as Obj).fields!.every((f) => f.type === 'plain_text')).toBe(true);
  });

  it('a 10 000-event digest stays within 50 blocks, cut with "and N more"', () => {
    const payload = renderSlack(manyEvents(10_000), {});
    expect(slackProblems(payload)).toEqual([]);
    expect(payload.blocks).toHaveLength(50);
    expect(JSON.stringify(payload.blocks.at(-1))).toContain(`and ${10_000 - 48} more`);
    const few = renderSlack(manyEvents(49), {});
    expect(slackProblems(few)).toEqual([]);
    expect(few.blocks).toHaveLength(50); // a header and 49 sections: all of them, nothing cut
    expect(JSON.stringify(few)).not.toContain('more');
  });

  it('keeps to the limits Slack documents', () => {
    expect(SLACK_LIMITS).toEqual({ blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, header: 150 });
  });

  it('the limits check can fail', () => {
    const good = renderSlack(breachEvent(), {});
    const header = { ...good, blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }] };
    expect(slackProblems(header)).toEqual(['header 0 is 151']);
    expect(slackProblems({ ...good, blocks: Array(51).fill(good.blocks[1]) })).toEqual(['51 blocks']);
    expect(slackProblems({ ...good, text: '' })).toContain('no text fallback');
  });

  it('escapes & < > everywhere, so no text pings a channel or forges a link', () => {
    expect(escapeSlack('<!channel> <https://evil|click> a&b')).toBe(
      '&lt;!channel&gt; &lt;https://evil|click&gt; a&amp;b',
    );
    const payload = renderSlack(breachEvent({ breachName: '<!here> <@U123> <https://evil.example|your bank>' }), {});
    for (const s of strings(payload)) expect(s).not.toMatch(/<[!@h]/);
  });
});

describe('sendSlack', () => {
  it('posts to the webhook and returns Slack\u2019s "ok"', async () => {
    const r = await receiver(() => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/html' } }));
    receivers.push(r);
    const payload = renderSlack(breachEvent(), {});
    const outcome = await sendSlack(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
      `${r.url}/services/T0/B0/SECRETPATH`,
      payload,
    );
    expect(outcome).toEqual({ ok: true, ack: { status: 200, answer: 'ok' } });
    expect(JSON.parse(r.received[0]!.body)).toEqual(payload);
    expect(r.received[0]!.url).toBe('/services/T0/B0/SECRETPATH');
  });

  it('a gone webhook (404 no_service) is permanent and exit 3, the secret path never said', async () => {
    const r = await receiver(() => ({ status: 404, body: 'no_service' }));
    receivers.push(r);
    const outcome = await sendSlack(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
      `${r.url}/services/T0/B0/SECRETPATH`,
      renderSlack(breachEvent(), {}),
    );
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    if (outcome.ok) return;
    expect(outcome.cause.exitCode).toBe(3);
    expect(outcome.error).toMatch(/^no_service.*Slack answered 404/);
    expect(outcome.error).not.toContain('SECRETPATH');
  });

  it('a 429 is retried after its Retry-After when retries are allowed, then acknowledged', async () => {
    const r = await receiver((_req, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200, body: 'ok' },
    );
    receivers.push(r);
    const outcome = await sendSlack(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 2 }),
      `${r.url}/s`,
      renderSlack(breachEvent(), {}),
    );
    expect(outcome.ok).toBe(true);
    expect(r.received).toHaveLength(2);
  });
});
