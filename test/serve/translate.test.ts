/**
 * A delivery in the book's vocabulary (serve/translate.ts): v1's breaches by uuid, the older
 * protocol's by name through one read of the customer's breaches, the same finding keys either
 * way; unknown names said, unknown types carried as nothing, malformed bodies refused.
 */
import { describe, expect, it } from 'vitest';
import { bookEvent } from '../../src/findings/event.js';
import { MalformedDeliveryError, translate, type TranslateDeps } from '../../src/serve/translate.js';

const CUSTOMER = '6f1c3b5e-0000-4000-8000-000000000001';
const BREACH = '6f1c3b5e-0000-4000-8000-0000000000b1';

function deps(reads: string[] = []): TranslateDeps {
  return {
    customer: (id) => (id.toLowerCase() === CUSTOMER ? { reference: 'ACME-001', customerId: CUSTOMER } : undefined),
    breaches: async (id) => {
      reads.push(id);
      return [
        {
          id: `${id}-LinkedIn-0`,
          uuid: BREACH,
          breachName: 'LinkedIn',
          breachDate: '2016-05-18T00:00:00Z',
          emails: ['ceo@acme.co'],
        },
      ];
    },
  };
}

describe('translate', () => {
  it('gives v1 and the older protocol the same finding, and reads the breaches once for the names', async () => {
    const reads: string[] = [];
    const v1 = await translate(
      {
        v1: true,
        event: undefined,
        body: {
          type: 'customer.breach.found',
          data: {
            customer: { uuid: CUSTOMER.toUpperCase(), reference: 'ACME-001' },
            breaches: [{ uuid: BREACH, name: 'LinkedIn' }],
          },
        },
      },
      deps(reads),
    );
    const legacy = await translate(
      {
        v1: false,
        event: 'breach.new',
        body: { event: 'breach.new', data: { customer_uuid: CUSTOMER, new_breach_names: ['LinkedIn', 'Gone'] } },
      },
      deps(reads),
    );
    expect(reads).toEqual([CUSTOMER]);
    expect(legacy.unresolved).toEqual(['Gone']);
    const keys = (facts: typeof v1.facts) => facts.map((f) => bookEvent('P1', f, '').finding);
    expect(keys(v1.facts)).toEqual(keys(legacy.facts));
    expect(legacy.facts[0]).toMatchObject({ reference: 'ACME-001', breachId: BREACH, breachDate: '2016-05-18' });
  });

  it('carries resolved and email events, nothing for unknown types, and refuses what is malformed', async () => {
    const resolved = await translate(
      { v1: false, event: 'breach.resolved', body: { data: { customer_uuid: CUSTOMER, breach_name: 'LinkedIn' } } },
      deps(),
    );
    expect(resolved.facts).toMatchObject([{ type: 'breach.resolved', breachId: BREACH }]);
    const emails = await translate(
      {
        v1: false,
        event: 'email.added',
        body: { data: { customer_uuid: 'not-in-the-record', emails: ['a@acme.co'] } },
      },
      deps(),
    );
    expect(emails.facts).toEqual([
      { type: 'email.added', customerId: 'not-in-the-record', reference: 'not-in-the-record', emails: ['a@acme.co'] },
    ]);
    expect(
      (await translate({ v1: true, event: undefined, body: { type: 'customer.other', data: {} } }, deps())).facts,
    ).toEqual([]);
    await expect(
      translate({ v1: true, event: undefined, body: { type: 'customer.breach.found', data: {} } }, deps()),
    ).rejects.toThrow(MalformedDeliveryError);
    await expect(translate({ v1: false, event: undefined, body: {} }, deps())).rejects.toThrow(MalformedDeliveryError);
  });
});
