/**
 * Stable keys. Made only from SafeWeb identities — the partner ID, the customer ID, the breach
 * instance's uuid, the kind of event and what it is about (addresses, bands) — never from names,
 * which change, nor from when or where it was seen: the same on every machine and every run.
 * At most 64 ASCII characters (ConnectWise's externalXRef holds 100, PagerDuty's dedup_key 255):
 * a readable prefix and 128 bits of SHA-256 over the parts, the parts themselves travelling
 * beside the key in the event.
 *
 * - a finding (one breach of one customer): `sw:finding:<hash(partner, customer, breach uuid)>`
 * - an event: `sw:<type>:<hash(partner, customer, type, what it is about)>`, what it is about
 *   being the breach uuid (breach.*), the sorted lower-cased addresses (email.* and domain.*),
 *   the bands before and after (band.changed), the ticket's key (ticket.*), nothing more (customer.*).
 * - a ticket: `sw:ticket:<hash(partner, customer, group, generation)>`, the group being the
 *   breach uuid (one ticket per breach) or the customer itself (one ticket per customer), and the
 *   generation counting the tickets that group has had: a finding back after its ticket's reopen
 *   window gets a new ticket, with the next generation's key.
 */
import { sha256Hex } from '../io/sha256.js';
import type { EventFacts } from './event.js';

export const KEY_MAX = 64;

function digest(parts: readonly string[]): string {
  // JSON of the array: no choice of separator can make two different lists hash alike.
  return sha256Hex(JSON.stringify(parts)).slice(0, 32);
}

/** The key of one breach of one customer, whatever happens to it. */
export function findingKey(parts: { partnerId: string; customer: string; breachId: string }): string {
  return `sw:finding:${digest(['finding', parts.partnerId, parts.customer, parts.breachId])}`;
}

/** The key of one event: its kind, the customer, and what it is about. */
export function eventKey(partnerId: string, customer: string, facts: EventFacts): string {
  const about = (() => {
    if (facts.type.startsWith('breach.')) return [facts.breachId ?? ''];
    if (facts.type.startsWith('ticket.')) return [facts.ticket?.key ?? ''];
    if (facts.type.startsWith('email.')) return sortedLower(facts.emails);
    if (facts.type.startsWith('domain.')) return sortedLower(facts.domains);
    if (facts.type === 'band.changed') return [facts.from ?? '', facts.to ?? ''];
    return [];
  })();
  return `sw:${facts.type}:${digest([facts.type, partnerId, customer, ...about])}`;
}

function sortedLower(list: readonly string[] | undefined): string[] {
  return [...new Set((list ?? []).map((x) => x.toLowerCase()))].sort();
}

/** What a ticket covers: one breach of a customer, or all of a customer's findings. */
export type TicketGroup = { breachId: string } | 'customer';

/** The key of one ticket (the PSA's externalXRef): its customer, its group and its generation (1, 2, …). */
export function ticketKey(parts: {
  partnerId: string;
  customer: string;
  group: TicketGroup;
  generation: number;
}): string {
  const group = parts.group === 'customer' ? ['customer'] : ['breach', parts.group.breachId];
  return `sw:ticket:${digest(['ticket', parts.partnerId, parts.customer, ...group, String(parts.generation)])}`;
}
