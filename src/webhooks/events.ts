/** The five events and realistic sample payloads, shaped exactly as in seed 002. */
// crypto is the global Web Crypto: importing node:crypto here loaded it on every start-up, since
// the webhook commands read EVENTS while the command tree is built.

export const EVENTS = ['breach.new', 'breach.resolved', 'breach.unresolved', 'email.added', 'email.removed'] as const;
export type EventType = (typeof EVENTS)[number];

/** v1's event types (webhooks/v1.ts): only this one is documented; others exist, names unknown. */
export const V1_EVENTS = ['customer.breach.found'] as const;

export interface Envelope {
  event: EventType;
  data: Record<string, unknown>;
  created_at: string;
}

export function isEvent(value: string): value is EventType {
  return (EVENTS as readonly string[]).includes(value);
}

export function envelope(event: EventType, data: Record<string, unknown>, now: Date): Envelope {
  return { event, data, created_at: now.toISOString() };
}

/** A sample `data` for an event, as a partner would receive it. */
export function sampleData(
  event: EventType,
  now: Date,
  customerUuid: string = crypto.randomUUID(),
): Record<string, unknown> {
  const timestamp = now.toISOString();
  switch (event) {
    case 'breach.new':
      return {
        customer_uuid: customerUuid,
        breaches_found: 3,
        new_breach_names: ['LinkedIn-2024', 'Adobe-2023'],
        emails_scanned: 5,
        timestamp,
      };
    case 'breach.resolved':
    case 'breach.unresolved':
      return { customer_uuid: customerUuid, breach_name: 'LinkedIn-2024', emails: ['user@example.com'], timestamp };
    case 'email.added':
    case 'email.removed':
      return { customer_uuid: customerUuid, emails: ['user@example.com', 'admin@example.com'], timestamp };
  }
}
