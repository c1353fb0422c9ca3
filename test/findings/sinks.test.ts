/**
 * Routes (findings/sinks.ts): every condition a route gives must hold — the event's kind, a
 * minimum band (critical > high > moderate > low) or exact bands, customers, tags — and an event
 * goes to a channel once, by the first route that matches it and names that channel.
 */
import { describe, expect, it } from 'vitest';
import type { Integrations, Route } from '../../src/config/integrations.js';
import { channelRoutes, eventSinks, routeMatches } from '../../src/findings/sinks.js';
import { breachEvent } from '../helpers/notify.js';

const settings = (routes: Route[]): Integrations => ({
  notify: {
    channels: { soc: { kind: 'teams', secret: 'notify/soc' }, pd: { kind: 'pagerduty', secret: 'notify/pd' } },
    routes,
  },
  customers: { 'NW-001': { tags: ['vip', 'healthcare'] } },
});

describe('a route', () => {
  const event = breachEvent();

  it('with a minimum band matches that band and worse, and not an unknown band (unless any will do)', () => {
    const s = settings([]);
    const route: Route = { channels: ['soc'], minBand: 'high' };
    expect(['critical', 'high', 'moderate', 'low'].map((b) => routeMatches(s, route, event, b as never))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(routeMatches(s, route, event, null)).toBe(false);
    expect(routeMatches(s, route, event, 'any')).toBe(true);
    expect(routeMatches(s, { channels: ['soc'] }, event, null)).toBe(true);
  });

  it('with bands matches exactly those; a band change is about the band it changed to', () => {
    const s = settings([]);
    const route: Route = { channels: ['soc'], bands: ['moderate'] };
    expect(routeMatches(s, route, event, 'moderate')).toBe(true);
    expect(routeMatches(s, route, event, 'critical')).toBe(false);
    const change = breachEvent({ type: 'band.changed', from: 'low', to: 'moderate' });
    expect(routeMatches(s, route, change, 'low')).toBe(true);
    expect(routeMatches(s, { channels: ['soc'], minBand: 'critical' }, { ...change, to: 'high' }, 'critical')).toBe(
      false,
    );
  });

  it('with events, customers and tags: each must hold', () => {
    const s = settings([]);
    expect(routeMatches(s, { channels: ['soc'], events: ['breach.resolved'] }, event, 'low')).toBe(false);
    expect(routeMatches(s, { channels: ['soc'], events: ['breach.new'] }, event, 'low')).toBe(true);
    expect(routeMatches(s, { channels: ['soc'], customers: ['NW-002'] }, event, 'low')).toBe(false);
    expect(routeMatches(s, { channels: ['soc'], customers: ['NW-002', 'NW-001'] }, event, 'low')).toBe(true);
    expect(routeMatches(s, { channels: ['soc'], tags: ['retail'] }, event, 'low')).toBe(false);
    expect(routeMatches(s, { channels: ['soc'], tags: ['retail', 'vip'] }, event, 'low')).toBe(true);
    expect(routeMatches(s, { channels: ['soc'], tags: ['vip'] }, breachEvent({ reference: 'NW-009' }), 'low')).toBe(
      false,
    );
    expect(
      routeMatches(s, { channels: ['soc'], events: ['breach.new'], tags: ['vip'], minBand: 'high' }, event, 'moderate'),
    ).toBe(false);
  });
});

describe('channelRoutes and eventSinks', () => {
  it('send an event to each channel once, by the first route in order that matches and names it', () => {
    const s = settings([
      { name: 'pages', channels: ['pd'], minBand: 'critical' },
      { name: 'vip', channels: ['soc', 'pd'], tags: ['vip'], digest: '1h' },
      { channels: ['soc', 'gone'] },
    ]);
    const routes = channelRoutes(s, breachEvent(), 'critical');
    expect([...routes].map(([c, r]) => [c, r.name, r.index])).toEqual([
      ['pd', 'pages', 0],
      ['soc', 'vip', 1],
    ]);
    expect([...channelRoutes(s, breachEvent({ reference: 'NW-002' }), 'low')].map(([c, r]) => [c, r.name])).toEqual([
      ['soc', 'route-3'],
    ]);
    expect(eventSinks(s, breachEvent({ reference: 'NW-002' }), 'low')).toEqual(['notify:soc']);
    expect(eventSinks(s, breachEvent(), 'low')).toEqual(['notify:pd', 'notify:soc']);
  });
});
