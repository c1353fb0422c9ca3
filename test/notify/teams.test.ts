/**
 * Teams: the Workflows envelope around an Adaptive Card that the Adaptive Cards 1.4 schema accepts
 * (Teams' own `msteams` key stripped first: the schema refuses it), under 28 000 bytes however long
 * the digest, the finding key a fact; sent to a loopback Workflow, its failures typed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifyHttp } from '../../src/notify/http.js';
import { escapeCardMarkdown, renderTeams, sendTeams, TEAMS_MAX_BYTES } from '../../src/notify/teams.js';
import {
  breachEvent,
  card,
  cardSchema,
  expectValidCard,
  manyEvents,
  receiver,
  type Receiver,
} from '../helpers/notify.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('renderTeams', () => {
  it('is the Workflows envelope around a 1.4 card the schema accepts, with the facts and the finding key', () => {
    const event = breachEvent();
    const payload = renderTeams(
      event,
      {},
      {
        context: () => ({
          customerName: 'Northwind Traders',
          band: 'high',
          threatScore: 72,
          dataClasses: ['Email addresses', 'Passwords'],
          locale: 'de-DE',
        }),
      },
    );
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    expect(payload.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: { type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } },
    });
    expectValidCard(payload);
    const facts = (
      payload.attachments[0]!.content.body.find((e) => e['type'] === 'FactSet')!['facts'] as Array<{
        title: string;
        value: string;
      }>
    ).map((f) => [f.title, f.value]);
    expect(Object.fromEntries(facts)).toMatchObject({
      Customer: 'Northwind Traders (NW-001)',
      'Score and band': '72 · high',
      Breach: 'LinkedIn Scrape 2026',
      // The customer's locale.
      Date: '30\\. November 2026',
      'Data classes': 'Email addresses, Passwords',
      // Masked by default: chat is masked unless the channel says mask: false.
      'Affected addresses': 'j\\*\\*\\*@northwind.example, o\\*\\*\\*@northwind.example',
      'Finding key': event.finding,
    });
    expect(event.finding).toMatch(/^sw:finding:[0-9a-f]{32}$/);
  });

  it('shows the addresses whole with mask: false', () => {
    const text = JSON.stringify(renderTeams(breachEvent(), { mask: false }));
    expect(text).toContain('jane.doe@northwind.example');
  });

  it('a schema check that can fail: a card with an unknown property or a plain text body is refused', () => {
    const payload = renderTeams(breachEvent(), {});
    const check = cardSchema();
    expect(check({ ...card(payload), colour: 'red' })).toBe(false);
    expect(check(payload.attachments[0]!.content)).toBe(false); // msteams kept
    expect(check({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock' }] })).toBe(false);
  });

  it('keeps a 10 000-event digest under 28 000 bytes, cut with "and N more", still a valid card', () => {
    const events = manyEvents(10_000);
    const payload = renderTeams(events, {});
    const size = Buffer.byteLength(JSON.stringify(payload));
    expect(size).toBeLessThan(TEAMS_MAX_BYTES);
    expect(size).toBeGreaterThan(TEAMS_MAX_BYTES * 0.8); // it fills the room, not a token few
    expectValidCard(payload);
    const body = payload.attachments[0]!.content.body;
    const shown = body.filter((e) => e['type'] === 'Container').length;
    expect(shown).toBeGreaterThan(5);
    expect(JSON.stringify(body.at(-1))).toContain(`and ${10_000 - shown} more`);
    // A short digest is whole.
    const three = renderTeams(manyEvents(3), {}).attachments[0]!.content.body;
    expect(three.filter((e) => e['type'] === 'Container')).toHaveLength(3);
    expect(JSON.stringify(three)).not.toContain('more');
  });

  it('escapes every Markdown mark in fact values', () => {
    expect(escapeCardMarkdown('**bold** [x](http://evil) `c` _i_ ~s~ <b> NW-001 a\\b')).toBe(
      '\\*\\*bold\\*\\* \\[x\\](http://evil) \\`c\\` \\_i\\_ \\~s\\~ \\<b> NW-001 a\\\\b',
    );
    for (const [given, escaped] of [
      ['1. first', '1\\. first'],
      ['# heading', '\\# heading'],
      ['> quote', '\\> quote'],
      ['- item', '\\- item'],
      ['+ item', '\\+ item'],
    ])
      expect(escapeCardMarkdown(given!)).toBe(escaped);
  });
});

describe('sendTeams', () => {
  it('posts the card to the Workflow and returns what it answered', async () => {
    const r = await receiver(() => ({ status: 202 }));
    receivers.push(r);
    const payload = renderTeams(breachEvent(), {});
    const outcome = await sendTeams(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
      `${r.url}/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG`,
      payload,
    );
    expect(outcome).toEqual({ ok: true, ack: { status: 202, answer: '' } });
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.received[0]!.body)).toEqual(payload);
  });

  it('a refusal is permanent and exit 3, naming Teams but never the signed URL', async () => {
    const r = await receiver(() => ({
      status: 400,
      body: '{"error":{"code":"InvalidRequestContent","message":"bad"}}',
    }));
    receivers.push(r);
    const outcome = await sendTeams(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 2 }),
      `${r.url}/workflows/abc/paths/invoke?sig=SECRETSIG`,
      renderTeams(breachEvent(), {}),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.permanent).toBe(true);
    expect(outcome.cause.exitCode).toBe(3);
    expect(outcome.error).toContain('Teams answered 400');
    expect(outcome.error).not.toContain('SECRETSIG');
    expect(outcome.error).not.toContain('workflows/abc');
    // A POST that Teams cannot dedupe is not repeated after a refusal.
    expect(r.received).toHaveLength(1);
  });

  it('a 429 is not permanent and carries the Retry-After', async () => {
    const r = await receiver(() => ({ status: 429, headers: { 'retry-after': '7' } }));
    receivers.push(r);
    const outcome = await sendTeams(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
      `${r.url}/w`,
      renderTeams(breachEvent(), {}),
    );
    expect(outcome).toMatchObject({ ok: false, permanent: false, retryAfterMs: 7000 });
    if (!outcome.ok) expect(outcome.cause.exitCode).toBe(5);
  });

  it('refuses plain http:// off this machine before sending', async () => {
    await expect(
      sendTeams(
        notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
        'http://example.com/w',
        renderTeams(breachEvent(), {}),
      ),
    ).rejects.toThrow(/must be https:\/\//);
  });
});
