/**
 * The one vocabulary for "something happened to the book": the events `portfolio watch` emits,
 * and that the sinks (tickets, notifications) and the receiver act on. Versioned: a consumer
 * checks `version`; a field added keeps the version, a meaning changed bumps it. Its JSON Schema
 * is `safeweb schema event` (findings/schema.ts).
 *
 * Every event carries a stable key (findings/keys.ts), made from SafeWeb identities only, so a
 * ticket, a page and a message about one breach can be joined on every machine and every run.
 */
import { EVENT_TYPES, TICKET_EVENT_TYPES } from '../book-vocabulary.js';
import { eventKey, findingKey } from './keys.js';

export const EVENT_VERSION = 1;

export { EVENT_TYPES };

type EventType = (typeof EVENT_TYPES)[number];

/** Whether an event says what a ticket sync did (ticket.created, ticket.closed) rather than what the book did. */
export function isTicketEvent(event: { type: string }): boolean {
  return (TICKET_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** ticket.*: the ticket a sync created or saw closed, and what it covers. */
export interface TicketFacts {
  /** The PSA connection's name (`cw`) and which PSA it is (`ConnectWise`). */
  connection: string;
  psa: string;
  /** The PSA's ticket ID (the ticket number ConnectWise and HaloPSA show). */
  id: number;
  /** The ticket's key (`sw:ticket:…`), which the PSA holds as its external reference. */
  key: string;
  /** The keys of the findings it covers (`sw:finding:…`). */
  findings: string[];
  /** ticket.closed: SafeWeb resolved what it covers, the customer was offboarded, or a technician closed it. */
  reason?: 'resolved' | 'offboarded' | 'technician';
}

/** The bands of a threat score (customers/score-band.ts names them). */
type EventBand = 'critical' | 'high' | 'moderate' | 'low';

/** What a comparison found, before it is keyed: the parts each kind of event has. */
export interface EventFacts {
  type: EventType;
  reference: string;
  customerId: string | null;
  /** The breach instance's uuid (what resolving and SafeWeb's deliveries use). */
  breachId?: string;
  breachName?: string;
  breachDate?: string;
  emails?: string[];
  domains?: string[];
  /** band.changed: the band before and now, and the score now. */
  from?: EventBand;
  to?: EventBand;
  threatScore?: number;
  error?: { message: string; exitCode: number };
  /** ticket.*: the ticket (a ticket about one breach also carries `breachId`, so its `finding` is that breach's). */
  ticket?: TicketFacts;
}

/** One event as every consumer sees it (`watch --json` prints one a line). */
export interface BookEvent extends EventFacts {
  version: typeof EVENT_VERSION;
  /** This event's identity: the same event found twice, anywhere, has the same key. */
  key: string;
  /**
   * The finding a breach event is about (one per breach of a customer): joins new, resolved,
   * unresolved, and the ticket.* events of a ticket covering that one breach.
   */
  finding?: string;
  partnerId: string;
  /** When this run observed it (not part of the key). */
  at: string;
}

/** The facts, keyed and stamped. */
export function bookEvent(partnerId: string, facts: EventFacts, at: string): BookEvent {
  const finding =
    facts.breachId !== undefined
      ? findingKey({ partnerId, customer: customerPart(facts), breachId: facts.breachId })
      : undefined;
  // Built in place rather than spread (the same fields in the same order): V8 spreads into an
  // object literal slowly, and the receiver makes one of these per event it accepts.
  const event = { version: EVENT_VERSION, key: eventKey(partnerId, customerPart(facts), facts) } as BookEvent;
  if (finding) event.finding = finding;
  event.partnerId = partnerId;
  Object.assign(event, facts);
  event.at = at;
  return event;
}

/** The customer's SafeWeb ID; a customer whose ID the record lacks is named by its reference (the partner's own ID). */
function customerPart(facts: Pick<EventFacts, 'customerId' | 'reference'>): string {
  return facts.customerId ?? `reference:${facts.reference}`;
}
