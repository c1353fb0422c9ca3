/** Stable keys (issue 28 item 2): from SafeWeb identities only, at most 64 ASCII characters, never changing. */
import { describe, expect, it } from 'vitest';
import { bookEvent, EVENT_TYPES, type EventFacts } from '../../src/findings/event.js';
import { eventKey, findingKey, KEY_MAX, ticketKey } from '../../src/findings/keys.js';

const CUSTOMER = '5b0c2f4e-8d2a-4c1e-9f3a-2b7d6e1c0a94';
const BREACH = 'a3e1c9d0-77b4-4f52-8c2e-19f0d6b4e5a1';

describe('finding and event keys', () => {
  it('never change from one version to the next (a ticket made last year must still be found)', () => {
    // Fixed vectors (sha256sum of the JSON array of the parts, cut to 32 hex digits): a change here
    // orphans every ticket and message keyed before it.
    expect(findingKey({ partnerId: 'P1', customer: CUSTOMER, breachId: BREACH })).toBe(
      'sw:finding:a859711b3bbdc1cb23e53aad653d1926',
    );
    expect(
      eventKey('P1', CUSTOMER, { type: 'breach.new', reference: 'ACME-1', customerId: CUSTOMER, breachId: BREACH }),
    ).toBe('sw:breach.new:f4477f68e1f3de8e55093e0a52a46ad8');
  });

  it('depend on identities, not on names, references or when the event was seen', () => {
    const facts = (over: Partial<EventFacts>): EventFacts => ({
      type: 'breach.new',
      reference: 'ACME-1',
      customerId: CUSTOMER,
      breachId: BREACH,
      breachName: 'Adobe',
      ...over,
    });
    const a = bookEvent('P1', facts({}), '2026-01-01T00:00:00.000Z');
    const renamed = bookEvent(
      'P1',
      facts({ reference: 'ACME-RENAMED', breachName: 'Adobe 2013' }),
      '2027-05-05T00:00:00Z',
    );
    expect(renamed.key).toBe(a.key);
    expect(renamed.finding).toBe(a.finding);
    // The breach's other events share its finding, not its event key.
    const resolved = bookEvent('P1', facts({ type: 'breach.resolved' }), '2026-01-02T00:00:00Z');
    expect(resolved.finding).toBe(a.finding);
    expect(resolved.key).not.toBe(a.key);
    // Another partner, customer or breach is another key.
    expect(bookEvent('P2', facts({}), a.at).key).not.toBe(a.key);
    expect(bookEvent('P1', facts({ customerId: BREACH }), a.at).finding).not.toBe(a.finding);
    expect(bookEvent('P1', facts({ breachId: CUSTOMER }), a.at).finding).not.toBe(a.finding);
  });

  it('key address changes by the addresses, whatever their case or order', () => {
    const key = (emails: string[]) =>
      eventKey('P1', CUSTOMER, { type: 'email.added', reference: 'R', customerId: CUSTOMER, emails });
    expect(key(['B@x.co', 'a@x.co'])).toBe(key(['a@x.co', 'b@x.co']));
    expect(key(['a@x.co'])).not.toBe(key(['b@x.co']));
  });

  it('are at most 64 ASCII characters for every kind, and a customer without an ID is keyed by its reference', () => {
    for (const type of EVENT_TYPES) {
      const event = bookEvent(
        'partner_with_a_rather_long_identifier_0123456789',
        {
          type,
          reference: 'R'.repeat(200),
          customerId: null,
          breachId: BREACH,
          emails: ['x@y.z'],
          from: 'low',
          to: 'high',
        },
        '2026-01-01T00:00:00Z',
      );
      for (const k of [event.key, event.finding].filter((x): x is string => x !== undefined)) {
        expect(k.length, k).toBeLessThanOrEqual(KEY_MAX);
        expect(k).toMatch(/^[\x21-\x7e]+$/);
      }
    }
    const byRef = (reference: string) =>
      bookEvent('P1', { type: 'customer.added', reference, customerId: null }, '2026-01-01T00:00:00Z').key;
    expect(byRef('A')).not.toBe(byRef('B'));
  });
});

describe('ticket keys', () => {
  it('are fixed by customer, group and generation (vectors computed outside the code)', () => {
    const one = ticketKey({ partnerId: 'P1', customer: CUSTOMER, group: { breachId: BREACH }, generation: 1 });
    expect(one).toBe('sw:ticket:79c7a0a57028a53253b2f85b71d5cd5b');
    expect(ticketKey({ partnerId: 'P1', customer: CUSTOMER, group: 'customer', generation: 2 })).toBe(
      'sw:ticket:d8b980a031a08f4d4287efa7350bd0e3',
    );
    // The next generation, another breach, or the per-customer group is another ticket.
    expect(ticketKey({ partnerId: 'P1', customer: CUSTOMER, group: { breachId: BREACH }, generation: 2 })).not.toBe(
      one,
    );
    expect(ticketKey({ partnerId: 'P1', customer: CUSTOMER, group: { breachId: CUSTOMER }, generation: 1 })).not.toBe(
      one,
    );
    expect(one.length).toBeLessThanOrEqual(KEY_MAX);
  });
});
