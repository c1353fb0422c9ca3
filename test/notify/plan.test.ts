/**
 * The planner (notify/plan.ts), pure: the same items, settings and clock make the same messages
 * and IDs; a digest is one message per route, window and recipients, due when its window ends;
 * quiet hours hold all but critical (a digest's critical items go on their own, with an ID of
 * their own); --flush sends now under the same IDs; PagerDuty is never a digest; a repeat of the
 * same event about the same finding is sent once.
 */
import { describe, expect, it } from 'vitest';
import type { Channel, Integrations, Route } from '../../src/config/integrations.js';
import type { BookEvent } from '../../src/findings/event.js';
import type { EventContext } from '../../src/notify/notice.js';
import { digestHold, duplicateKeys, planSink, type PlanItem, type PlanView } from '../../src/notify/plan.js';
import { breachEvent, manyEvents } from '../helpers/notify.js';

const CHANNELS: Record<string, Channel> = {
  chat: { kind: 'slack', secret: 'notify/chat' },
  pd: { kind: 'pagerduty', secret: 'notify/pd' },
  mail: { kind: 'email', host: 'smtp.x', from: 'a@msp.example', to: ['soc@msp.example'] },
};

function view(
  routes: Route[],
  bands: Record<string, EventContext['band']> = {},
  contacts: Record<string, string> = {},
): PlanView {
  const settings: Integrations = { notify: { channels: CHANNELS, routes, optOut: ['OPTED'] } };
  return { settings, context: (e) => ({ band: bands[e.reference] ?? 'high' }), contact: (r) => contacts[r] };
}

const item = (event: BookEvent, enqueuedAt: string, occurrence = 'run-1'): PlanItem => ({
  key: `${event.key}@${occurrence}`,
  event,
  enqueuedAt,
});

describe('planSink', () => {
  it('one message an event, at once, each with an ID from its finding, route, kind and occurrence', () => {
    const [a, b] = manyEvents(2);
    const now = new Date('2026-12-07T10:20:00Z');
    const plan = planSink(
      'notify:chat',
      [item(a!, '2026-12-07T10:00:00Z'), item(b!, '2026-12-07T10:01:00Z')],
      view([{ channels: ['chat'] }]),
      now,
    );
    expect(plan.messages.map((m) => [m.route, m.window, m.items.length, m.at])).toEqual([
      ['route-1', null, 1, now],
      ['route-1', null, 1, now],
    ]);
    const again = planSink(
      'notify:chat',
      [item(a!, '2026-12-07T10:00:00Z')],
      view([{ channels: ['chat'] }]),
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(again.messages[0]!.id).toBe(plan.messages[0]!.id);
    const later = planSink(
      'notify:chat',
      [item(a!, '2026-12-07T10:00:00Z', 'run-2')],
      view([{ channels: ['chat'] }]),
      now,
    );
    expect(later.messages[0]!.id).not.toBe(plan.messages[0]!.id);
    const named = planSink(
      'notify:chat',
      [item(a!, '2026-12-07T10:00:00Z')],
      view([{ name: 'soc', channels: ['chat'] }]),
      now,
    );
    expect(named.messages[0]!.id).not.toBe(plan.messages[0]!.id);
  });

  it('a digest: one message per window and recipients, due when its window ends; the next window its own', () => {
    const events = manyEvents(4).map((e, i) => ({ ...e, reference: i % 2 ? 'B' : 'A' }));
    const routes: Route[] = [{ name: 'daily', channels: ['mail'], digest: '1h', to: 'contact' }];
    const v = view(routes, {}, { A: 'it@a.example', B: 'it@b.example' });
    const items = [
      item(events[0]!, '2026-12-07T10:05:00Z'),
      item(events[1]!, '2026-12-07T10:06:00Z'),
      item(events[2]!, '2026-12-07T10:59:59Z'),
      item(events[3]!, '2026-12-07T11:00:00Z'),
    ];
    const plan = planSink('notify:mail', items, v, new Date('2026-12-07T10:30:00Z'));
    expect(plan.messages.map((m) => [m.window, m.to, m.items.length, m.at.toISOString(), m.waits])).toEqual([
      ['2026-12-07T10:00Z/1h', ['it@a.example'], 2, '2026-12-07T11:00:00.000Z', 'digest'],
      ['2026-12-07T10:00Z/1h', ['it@b.example'], 1, '2026-12-07T11:00:00.000Z', 'digest'],
      ['2026-12-07T11:00Z/1h', ['it@b.example'], 1, '2026-12-07T12:00:00.000Z', 'digest'],
    ]);
    expect(new Set(plan.messages.map((m) => m.id)).size).toBe(3);
    // After the window, the same messages are due now, with the same IDs.
    const due = planSink('notify:mail', items.slice(0, 3), v, new Date('2026-12-07T11:02:00Z'));
    expect(due.messages.map((m) => [m.id, m.waits])).toEqual(plan.messages.slice(0, 2).map((m) => [m.id, undefined]));
  });

  it('quiet hours hold all but critical; a digest\u2019s critical items go on their own; --flush sends all now under the usual IDs', () => {
    const quiet: Route = {
      channels: ['chat'],
      digest: '15m',
      quietHours: { from: '22:00', to: '07:00' },
      timeZone: 'Europe/Copenhagen',
    };
    const [crit, low] = manyEvents(2);
    const v = view([quiet], { [crit!.reference]: 'critical', [low!.reference]: 'low' });
    // 23:10 in Copenhagen; the window 23:00 to 23:15 (22:00Z to 22:15Z) has ended.
    const items = [item(crit!, '2026-12-07T22:01:00Z'), item(low!, '2026-12-07T22:02:00Z')];
    const now = new Date('2026-12-07T22:20:00Z');
    const night = planSink('notify:chat', items, v, now);
    expect(night.messages.map((m) => [m.window, m.items.length, m.at.toISOString(), m.waits])).toEqual([
      ['2026-12-07T22:00Z/15m critical', 1, now.toISOString(), undefined],
      ['2026-12-07T22:00Z/15m', 1, '2026-12-08T06:00:00.000Z', 'quiet hours'],
    ]);
    const flushed = planSink('notify:chat', items, v, now, { flush: true });
    expect(flushed.messages.map((m) => [m.window, m.items.length, m.at])).toEqual([['2026-12-07T22:00Z/15m', 2, now]]);
    expect(flushed.messages[0]!.id).toBe(night.messages[1]!.id);
    // In the day the window's items go together.
    const day = planSink(
      'notify:chat',
      items.map((i) => ({ ...i, enqueuedAt: '2026-12-07T12:01:00Z' })),
      v,
      new Date('2026-12-07T12:20:00Z'),
    );
    expect(day.messages.map((m) => [m.window, m.items.length])).toEqual([['2026-12-07T12:00Z/15m', 2]]);
  });

  it('PagerDuty is never a digest; routes by channel; skips what no route sends there, no contact, opted out', () => {
    const [a, b, c, d] = manyEvents(4);
    const routes: Route[] = [
      { channels: ['pd'], digest: '1d' },
      { channels: ['mail'], to: 'contact', customers: [c!.reference, d!.reference, 'OPTED'] },
    ];
    const v = view(routes, {}, { [c!.reference]: 'it@c.example' });
    const pd = planSink(
      'notify:pd',
      [item(a!, '2026-12-07T10:00:00Z'), item(b!, '2026-12-07T10:00:00Z')],
      v,
      new Date('2026-12-07T10:01:00Z'),
    );
    expect(pd.messages.map((m) => [m.window, m.items.length])).toEqual([
      [null, 1],
      [null, 1],
    ]);
    const opted = { ...breachEvent(), reference: 'OPTED' };
    const mail = planSink(
      'notify:mail',
      [
        item(a!, '2026-12-07T10:00:00Z'),
        item(c!, '2026-12-07T10:00:00Z'),
        item(d!, '2026-12-07T10:00:00Z'),
        item(opted, '2026-12-07T10:00:00Z'),
      ],
      v,
      new Date('2026-12-07T10:01:00Z'),
    );
    expect(mail.messages.map((m) => m.to)).toEqual([['it@c.example']]);
    expect(mail.skipped.map((s) => [s.reference, s.reason])).toEqual([
      [a!.reference, 'no route'],
      [d!.reference, 'no contact'],
      ['OPTED', 'opted out'],
    ]);
    expect(planSink('notify:gone', [item(a!, '2026-12-07T10:00:00Z')], v, new Date()).gone).toHaveLength(1);
  });
});

describe('digestHold', () => {
  const at = new Date('2026-12-07T10:05:00Z');
  const hold = (routes: Route[], channel: string) => digestHold(view(routes).settings, channel, at)?.toISOString();

  it('is the end of the earliest window when every route to the channel is a digest; else nothing', () => {
    expect(hold([{ channels: ['mail'], digest: '1h' }], 'mail')).toBe('2026-12-07T11:00:00.000Z');
    // A route for some events only still counts: the earliest window of them all.
    const both: Route[] = [
      { channels: ['mail'], digest: '1h' },
      { channels: ['mail', 'chat'], digest: '15m', events: ['breach.new'] },
    ];
    expect(hold(both, 'mail')).toBe('2026-12-07T10:15:00.000Z');
    // A route that sends at once, a channel no route names, PagerDuty (no digest): no hold.
    expect(hold([...both, { channels: ['mail'], minBand: 'critical' }], 'mail')).toBeUndefined();
    expect(hold(both, 'pd')).toBeUndefined();
    expect(hold([{ channels: ['pd'], digest: '1h' }], 'pd')).toBeUndefined();
  });

  it('never holds an event past the time the plan would send it', () => {
    const routes: Route[][] = [
      [{ channels: ['chat'], digest: '1h' }],
      [{ channels: ['chat'], digest: '15m', quietHours: { from: '22:00', to: '07:00' }, timeZone: 'Europe/Berlin' }],
      [
        { channels: ['chat'], digest: '1d', timeZone: 'America/New_York', minBand: 'critical' },
        { channels: ['chat'], digest: '1h' },
      ],
    ];
    let checked = 0;
    for (const r of routes)
      for (const band of ['critical', 'low'] as const)
        for (let h = 0; h < 48; h += 5) {
          const kept = new Date(Date.parse('2026-03-28T00:07:00Z') + h * 3_600_000);
          const until = digestHold(view(r).settings, 'chat', kept);
          expect(until).toBeDefined();
          const event = breachEvent({ reference: 'A' });
          // Planned the moment it was kept, as a routing pass would have: its message is not due before the hold.
          const plan = planSink('notify:chat', [item(event, kept.toISOString())], view(r, { A: band }), kept);
          expect(
            plan.messages[0]!.at.getTime(),
            `${JSON.stringify(r)} ${band} ${kept.toISOString()}`,
          ).toBeGreaterThanOrEqual(until!.getTime());
          checked++;
        }
    expect(checked).toBe(3 * 2 * 10);
  });
});

describe('duplicateKeys', () => {
  it('a repeat of the event before it about the same finding, unless that one was dead-lettered', () => {
    const resolved = breachEvent({ type: 'breach.resolved' });
    const unresolved = breachEvent({ type: 'breach.unresolved' });
    const entry = (event: BookEvent, key: string, dead = false) => ({ key, event, dead });
    expect([
      ...duplicateKeys([
        entry(resolved, 'r@watch'),
        entry(resolved, 'r@notify'),
        entry(unresolved, 'u@watch'),
        entry(resolved, 'r@later'),
        entry(resolved, 'r@later-notify', true),
        entry(resolved, 'r@again'),
      ]),
    ]).toEqual(['r@notify', 'r@later-notify']);
  });
});
