/**
 * Ticket events in every channel (issue 30 items 3 and 4): what a ticket sync did, told with the
 * PSA's ticket, the ticket's key and the finding key(s) it covers — the same key the breach's own
 * messages and the PSA's ticket carry — and routed only where a route names them, never to PagerDuty.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Integrations } from '../../src/config/integrations.js';
import type { BookEvent } from '../../src/findings/event.js';
import { channelRoutes, eventSinks } from '../../src/findings/sinks.js';
import { renderEmail } from '../../src/notify/email.js';
import { findingKeys, keyOf } from '../../src/notify/notice.js';
import { renderSlack } from '../../src/notify/slack.js';
import { renderTeams } from '../../src/notify/teams.js';
import { renderWebhook } from '../../src/notify/webhook.js';
import { ROOT } from '../helpers/cli.js';
import { breachEvent, expectValidCard, slackProblems, ticketEvent } from '../helpers/notify.js';

const SEVERAL = [
  'sw:finding:00000000000000000000000000000001',
  'sw:finding:00000000000000000000000000000002',
  'sw:finding:00000000000000000000000000000003',
];

/** Slack's fields of a one-event message, label → value. */
function slackFields(event: BookEvent): Record<string, string> {
  const payload = renderSlack(event, {});
  expect(slackProblems(payload)).toEqual([]);
  const fields = payload.blocks.flatMap((b) => (b['fields'] as Array<{ text: string }> | undefined) ?? []);
  return Object.fromEntries(fields.map((f) => [f.text.split('\n')[0]!, f.text.split('\n').slice(1).join('\n')]));
}

function teamsFacts(event: BookEvent): Record<string, string> {
  const payload = renderTeams(event, {});
  expectValidCard(payload);
  const facts = JSON.stringify(payload.attachments[0]!.content.body);
  return Object.fromEntries(
    [...facts.matchAll(/\{"title":"([^"]+)","value":"((?:[^"\\]|\\.)*)"\}/g)].map((m) => [m[1]!, m[2]!]),
  );
}

describe('a ticket event in each channel', () => {
  it('a ticket about one breach carries that breach’s finding key everywhere, beside the ticket and its key', () => {
    const breach = breachEvent();
    const created = ticketEvent();
    expect(created.finding).toBe(breach.finding);
    expect(keyOf(created)).toBe(breach.finding);

    const slack = slackFields(created);
    expect(slack).toMatchObject({
      Ticket: 'ConnectWise ticket 1042 (connection cw)',
      'Ticket key': created.ticket!.key,
      'Finding key': breach.finding,
    });
    expect(renderSlack(created, {}).text).toBe('ConnectWise ticket 1042 opened for NW-001: LinkedIn Scrape 2026');
    expect(teamsFacts(created)).toMatchObject({ 'Ticket key': created.ticket!.key, 'Finding key': breach.finding });

    const email = renderEmail(created, {});
    expect(email.headers).toMatchObject({
      'X-Safeweb-Finding': breach.finding,
      'X-Safeweb-Ticket': created.ticket!.key,
    });
    expect(email.subject).toBe('ConnectWise ticket 1042 opened for NW-001: LinkedIn Scrape 2026');

    // The webhook body is the event, valid by the published schema.
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(ROOT, 'schema/event.schema.json'), 'utf8')) as object,
    );
    const body = JSON.parse(renderWebhook(created, {}).body) as BookEvent;
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body.ticket).toEqual(created.ticket);
    // A ticket event without its ticket is refused.
    const { ticket: _ticket, ...bare } = body;
    expect(validate(bare)).toBe(false);
  });

  it('a ticket of several findings names every finding key, and is joined by the ticket’s key', () => {
    const closed = ticketEvent({ type: 'ticket.closed' }, { findings: SEVERAL, reason: 'resolved' });
    expect(closed.finding).toBeUndefined();
    expect(keyOf(closed)).toBe(closed.ticket!.key);
    expect(findingKeys(closed)).toEqual(SEVERAL);
    const slack = slackFields(closed);
    expect(slack['Finding keys']).toBe(SEVERAL.join(', '));
    expect(slack['Closed because']).toBe('SafeWeb resolved what it covers');
    expect(renderSlack(closed, {}).text).toBe('ConnectWise ticket 1042 closed for NW-001: 3 findings');
    expect(teamsFacts(closed)['Finding keys']).toBe(SEVERAL.join(', '));
    expect(renderEmail(closed, {}).headers['X-Safeweb-Finding']).toBe(SEVERAL.join(' '));
    // In a digest beside a breach, every key is in the header.
    const digest = renderEmail([closed, breachEvent()], {});
    expect(digest.headers['X-Safeweb-Finding']!.split(' ')).toEqual([...SEVERAL, breachEvent().finding]);
    expectValidCard(renderTeams([closed, ticketEvent(), breachEvent()], {}));
    expect(slackProblems(renderSlack([closed, ticketEvent(), breachEvent()], {}))).toEqual([]);
  });
});

describe('routing ticket events', () => {
  const settings = (routes: NonNullable<Integrations['notify']>['routes']): Integrations => ({
    notify: {
      channels: {
        chat: { kind: 'slack', secret: 'notify/chat' },
        oncall: { kind: 'pagerduty', secret: 'notify/oncall' },
      },
      routes,
    },
  });

  it('only a route that names them takes them, and never to PagerDuty', () => {
    const created = ticketEvent();
    const all = settings([{ channels: ['chat', 'oncall'] }]);
    // A route naming no events takes every book event, but no ticket event.
    expect([...channelRoutes(all, breachEvent(), 'high').keys()]).toEqual(['chat', 'oncall']);
    expect(eventSinks(all, created, 'high')).toEqual([]);
    const named = settings([{ channels: ['oncall', 'chat'], events: ['ticket.created'], minBand: 'high' }]);
    expect(eventSinks(named, created, 'high')).toEqual(['notify:chat']);
    expect(eventSinks(named, created, 'low')).toEqual([]);
    expect(eventSinks(named, ticketEvent({ type: 'ticket.closed' }), 'high')).toEqual([]);
  });
});
