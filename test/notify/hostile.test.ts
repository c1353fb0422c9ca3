/**
 * Hostile text in customer names, breach titles, references and addresses (HTML, Markdown, Slack
 * mrkdwn, `<!channel>`, ANSI escapes, 100 KB strings, and generated strings) renders inert in every
 * channel: nothing a format would read as markup or a control, every limit still kept.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BookEvent } from '../../src/findings/event.js';
import { renderEmail } from '../../src/notify/email.js';
import type { EventContext } from '../../src/notify/notice.js';
import { renderPagerDuty } from '../../src/notify/pagerduty.js';
import { renderSlack } from '../../src/notify/slack.js';
import { renderTeams, TEAMS_MAX_BYTES, type TeamsPayload } from '../../src/notify/teams.js';
import { renderWebhook } from '../../src/notify/webhook.js';
import {
  breachEvent,
  cardSchema,
  card,
  pagerDutyProblems,
  slackProblems,
  strings,
  ticketEvent,
  type Obj,
} from '../helpers/notify.js';

const SEED = Number(process.env['SAFEWEB_TEST_SEED'] ?? 20261207);
fc.configureGlobal({ seed: SEED });
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`fast-check seed ${SEED}: rerun with SAFEWEB_TEST_SEED=${SEED}`));
});

const HOSTILE = [
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  '**bold** _it_ [click](https://evil.example) ![img](https://evil.example/p.png) `code` # H1\n> quote',
  '*bold* ~strike~ <https://evil.example|your bank> <@U0123> <!here>',
  '<!channel> @channel @everyone',
  '\u001b[31mred\u001b[0m \u001b]0;title\u0007 \u001b[2J \u009b31m \u202eevil',
  'line one\r\nX-Injected: yes\nSubject: forged',
  'A'.repeat(100 * 1024),
  '&amp; &lt;b&gt; &#60;',
];

/** An event and its context with `text` in every free-text place. */
function hostile(text: string): { event: BookEvent; context: EventContext } {
  const event = breachEvent({
    reference: text.slice(0, 2000),
    breachName: text,
    emails: [`${text.slice(0, 50).replace(/\s/g, '')}@evil.example`, 'ok@northwind.example'],
    error: { message: text, exitCode: 5 },
  });
  return { event, context: { customerName: text, dataClasses: [text, 'Passwords'] } };
}

/** Ticket events (a ticket created about the breach, one closed covering several findings) with `text` likewise. */
function hostileTickets(text: string): BookEvent[] {
  const { event } = hostile(text);
  const about = { reference: event.reference, breachName: event.breachName!, emails: event.emails! };
  const several = ['sw:finding:00000000000000000000000000000001', 'sw:finding:00000000000000000000000000000002'];
  return [
    ticketEvent(about),
    ticketEvent({ type: 'ticket.closed', reference: event.reference }, { findings: several, reason: 'technician' }),
  ];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A fact value with its escapes taken out: what is left has no Markdown mark an Adaptive Card would read. */
function unescapedMarks(value: string): boolean {
  return /[*_[\]`~<]/.test(value.replace(/\\[\s\S]/g, ''));
}

function teamsChecks(payload: TeamsPayload): void {
  expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(TEAMS_MAX_BYTES);
  expect(cardSchema()(card(payload))).toBe(true);
  for (const s of strings(payload)) expect(s).not.toMatch(CONTROL);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Obj;
    // Markdown is read in TextBlocks and fact values; book text is only ever in TextRuns (never read) and facts.
    if (o.type === 'TextBlock') throw new Error('book text in a TextBlock');
    if (o.type === 'FactSet')
      for (const f of o['facts'] as Array<{ value: string }>) expect(unescapedMarks(f.value), f.value).toBe(false);
    Object.values(o).forEach(walk);
  };
  walk(payload);
}

function slackChecks(payload: ReturnType<typeof renderSlack>): void {
  expect(slackProblems(payload)).toEqual([]);
  expect(payload.mrkdwn).toBe(false);
  for (const s of strings(payload)) {
    expect(s).not.toMatch(/[<>]/);
    expect(s.replace(/&(?:amp|lt|gt);/g, '')).not.toContain('&');
    expect(s).not.toMatch(CONTROL);
  }
  const types = JSON.stringify(payload.blocks).match(/"type":"(?:plain_text|mrkdwn)"/g) ?? [];
  expect(types.every((t) => t.includes('plain_text'))).toBe(true);
}

function emailChecks(message: ReturnType<typeof renderEmail>): void {
  // One line, no controls: nothing can add a header.
  expect(message.subject).not.toMatch(/[\r\n]/);
  expect(message.subject).not.toMatch(CONTROL);
  expect(message.subject.length).toBeLessThanOrEqual(250);
  expect(message.text).not.toMatch(CONTROL);
  for (const value of Object.values(message.headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
  // The only tags are the template's own.
  const tags = [...message.html.matchAll(/<\/?([a-zA-Z!][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
  const own = [
    '!doctype',
    'html',
    'head',
    'meta',
    'title',
    'body',
    'h2',
    'table',
    'tr',
    'th',
    'td',
    'p',
    'br',
    'strong',
  ];
  expect(tags.filter((t) => !own.includes(t))).toEqual([]);
  expect(message.html).not.toMatch(CONTROL);
}

function pagerDutyChecks(event: ReturnType<typeof renderPagerDuty>): void {
  expect(pagerDutyProblems({ routing_key: 'R0UT1NGKEY', ...event })).toEqual([]);
  for (const s of strings(event)) expect(s).not.toMatch(CONTROL);
}

function webhookChecks(body: string, event: BookEvent, mask: boolean): void {
  expect(body).not.toMatch(CONTROL);
  const parsed = JSON.parse(body) as BookEvent;
  // Exact data (masked when the channel masks): only its bytes are escaped.
  if (!mask) expect(parsed).toEqual(event);
  else expect(parsed.breachName).toBe(event.breachName);
}

describe.each([true, false])('hostile text, mask %s', (mask) => {
  const settings = { mask };
  it.each(HOSTILE.map((h) => [h.length > 200 ? `${h.slice(0, 20)}… (${h.length})` : h, h] as const))(
    '%j is inert in every channel',
    (_name, text) => {
      const { event, context } = hostile(text);
      const options = { context: () => context };
      teamsChecks(renderTeams(event, settings, options));
      teamsChecks(renderTeams([event, event, breachEvent()], settings, options));
      slackChecks(renderSlack(event, settings, options));
      slackChecks(renderSlack([event, breachEvent()], settings, options));
      emailChecks(renderEmail(event, settings, options));
      emailChecks(renderEmail([event, breachEvent()], settings, options));
      pagerDutyChecks(renderPagerDuty(event, settings, options));
      webhookChecks(renderWebhook(event, settings, options).body, event, mask);
      // Ticket events (never sent to PagerDuty) render as inert, alone and in a digest.
      const tickets = hostileTickets(text);
      teamsChecks(renderTeams(tickets, settings, options));
      slackChecks(renderSlack(tickets, settings, options));
      emailChecks(renderEmail(tickets, settings, options));
      for (const ticket of tickets) {
        teamsChecks(renderTeams(ticket, settings, options));
        slackChecks(renderSlack(ticket, settings, options));
        emailChecks(renderEmail(ticket, settings, options));
        webhookChecks(renderWebhook(ticket, settings, options).body, ticket, mask);
      }
    },
  );
});

describe('generated strings', () => {
  it('are inert in every channel', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (text, mask) => {
        const { event, context } = hostile(text || 'x');
        const options = { context: () => context };
        teamsChecks(renderTeams(event, { mask }, options));
        slackChecks(renderSlack(event, { mask }, options));
        emailChecks(renderEmail(event, { mask }, options));
        pagerDutyChecks(renderPagerDuty(event, { mask }, options));
        webhookChecks(renderWebhook(event, { mask }, options).body, event, mask);
      }),
      { numRuns: 150 },
    );
  });
});
