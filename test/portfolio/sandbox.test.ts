/** The sandbox makes a book worth watching: varied breaches and scores, and changes that show. */
import { describe, expect, it } from 'vitest';
import { breachesForEmail, exposedAtDomain, isBreachedEmail } from '../../src/sandbox/breach-rules.js';
import { seededState } from '../../src/sandbox/state.js';

describe('the sandbox book', () => {
  it('gives the seed customers varied breaches, scores and resolved states, the same every time', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const state = seededState(now, { partnerId: 'p', apiKey: 'k' });
    const again = seededState(new Date('2026-06-01T00:00:00Z'), { partnerId: 'p', apiKey: 'k' });
    const mine = state.customers.filter((c) => c.partnerId === 'p');
    const counts = mine.map((c) => state.breaches.filter((b) => b.customerId === c.id).length);
    expect(new Set(counts).size).toBeGreaterThanOrEqual(3);
    expect(state.breaches.some((b) => b.resolved)).toBe(true);
    expect(state.breaches.filter((b) => b.resolved).length).toBeLessThan(state.breaches.length / 2);
    const summary = (s: typeof state) => s.breaches.map((b) => [b.id, b.breachName, b.resolved, b.emails]);
    expect(summary(again)).toEqual(summary(state));
  });

  it('exposes 0 to 3 role addresses at a .example domain, picked by the domain; none elsewhere', () => {
    const counts = new Map<number, number>();
    for (let i = 1; i <= 200; i++) {
      const found = exposedAtDomain(`b${i}.example`);
      expect(found).toEqual(exposedAtDomain(`B${i}.EXAMPLE`));
      expect(new Set(found).size).toBe(found.length);
      for (const address of found) {
        expect(address.endsWith(`@b${i}.example`)).toBe(true);
        // The documented address rule agrees, so `breach check` says the same.
        expect(isBreachedEmail(address)).toBe(true);
        expect(breachesForEmail(address).length).toBeGreaterThan(0);
      }
      counts.set(found.length, (counts.get(found.length) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(counts.get(0)!).toBeGreaterThan(20);
    expect(exposedAtDomain('acme.co')).toEqual([]);
  });
});
