/**
 * A verified delivery, in the book's vocabulary (findings/event.ts): the facts of each event it
 * carries, keyed as `portfolio watch` keys them, so an endpoint subscribed with both protocols —
 * and the watch comparison beside them — yields one finding, not two.
 *
 * - v1 `customer.breach.found` names the customer and each breach by uuid: one `breach.new` each.
 * - The older protocol's `breach.new` names breaches without IDs, and `breach.resolved` /
 *   `breach.unresolved` name one: one read of the customer's breaches resolves the names to the
 *   uuids watch keys by. A name the read does not know is left out and said (the catch-up pass
 *   finds it); a read that fails is an error, so the delivery is answered 503 and retried.
 * - `email.added` / `email.removed` carry the addresses.
 * Other types (v1 has more, names unknown) carry nothing to act on: accepted and logged.
 */
import type { EventFacts } from '../findings/event.js';

/** One breach of a customer as the customer-breaches listing gives it. */
interface ListedBreach {
  id: string;
  uuid?: string | undefined;
  breachName: string;
  breachDate?: string | undefined;
  emails?: string[] | undefined;
}

export interface TranslateDeps {
  /** The local record's reference and spelling of the ID for a customer ID, when it knows the customer. */
  customer(id: string): { reference: string; customerId: string } | undefined;
  /** One read of a customer's breaches (the API); throws when it cannot be read. */
  breaches(customerId: string): Promise<ListedBreach[]>;
}

export interface Translation {
  /** The event type as delivered ("customer.breach.found", "breach.new", …). */
  type: string;
  customerId: string | null;
  reference: string | null;
  facts: EventFacts[];
  /** Breach names the read did not resolve. */
  unresolved: string[];
}

/** The body's shape is not what its type promises: a 400, since a retry cannot change it. */
export class MalformedDeliveryError extends Error {}

/** The body of a check delivery (`serve check`): verified and answered, nothing acted on. */
export const CHECK_TYPE = 'safeweb.serve.check';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function translate(
  delivery: { v1: boolean; event: string | undefined; body: unknown },
  deps: TranslateDeps,
): Promise<Translation> {
  const body = (delivery.body ?? {}) as Record<string, unknown>;
  const data = (body['data'] ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) throw new MalformedDeliveryError('data is not an object');
  const type = delivery.v1 ? str(body['type']) : (str(delivery.event) ?? str(body['event']));
  if (!type) throw new MalformedDeliveryError(delivery.v1 ? 'no type' : 'no event');
  if (delivery.v1) return type === 'customer.breach.found' ? breachFound(data, deps) : nothing(type);
  switch (type) {
    case 'breach.new':
      return named(type, data, strings(data['new_breach_names']), deps);
    case 'breach.resolved':
    case 'breach.unresolved':
      return named(type, data, [str(data['breach_name']) ?? ''].filter(Boolean), deps);
    case 'email.added':
    case 'email.removed': {
      const who = customerOf(data['customer_uuid'], undefined, deps);
      return { type, ...who, facts: [{ type, ...who, emails: strings(data['emails']) }], unresolved: [] };
    }
    default:
      return nothing(type);
  }
}

function nothing(type: string): Translation {
  return { type, customerId: null, reference: null, facts: [], unresolved: [] };
}

/** The customer by its ID: the record's reference and spelling, else the ID itself as the reference. */
function customerOf(id: unknown, reference: unknown, deps: TranslateDeps): { customerId: string; reference: string } {
  const customerId = str(id);
  if (!customerId) throw new MalformedDeliveryError('no customer ID');
  const known = deps.customer(customerId);
  return known ?? { customerId, reference: str(reference) ?? customerId };
}

function breachFound(data: Record<string, unknown>, deps: TranslateDeps): Translation {
  const customer = (data['customer'] ?? {}) as Record<string, unknown>;
  const who = customerOf(customer['uuid'], customer['reference'], deps);
  const breaches = Array.isArray(data['breaches']) ? (data['breaches'] as Array<Record<string, unknown>>) : [];
  const facts: EventFacts[] = breaches.map((b) => {
    const breachId = str(b?.['uuid']);
    if (!breachId) throw new MalformedDeliveryError('a breach without a uuid');
    return {
      type: 'breach.new',
      ...who,
      breachId,
      breachName: str(b['name']) ?? breachId,
      emails: strings(b['emails']),
    };
  });
  return { type: 'customer.breach.found', ...who, facts, unresolved: [] };
}

async function named(
  type: 'breach.new' | 'breach.resolved' | 'breach.unresolved',
  data: Record<string, unknown>,
  names: string[],
  deps: TranslateDeps,
): Promise<Translation> {
  const who = customerOf(data['customer_uuid'], undefined, deps);
  if (names.length === 0) return { type, ...who, facts: [], unresolved: [] };
  const listed = await deps.breaches(who.customerId);
  const facts: EventFacts[] = [];
  const unresolved: string[] = [];
  for (const name of names) {
    const matches = listed.filter((b) => b.breachName === name);
    if (matches.length === 0) unresolved.push(name);
    for (const b of matches)
      facts.push({
        type,
        ...who,
        breachId: b.uuid ?? b.id,
        breachName: b.breachName,
        ...(b.breachDate ? { breachDate: b.breachDate.slice(0, 10) } : {}),
        emails: b.emails ?? strings(data['emails']),
      });
  }
  return { type, ...who, facts, unresolved };
}
