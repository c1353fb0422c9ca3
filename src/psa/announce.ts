/**
 * Ticket events: what a ticket sync did — a ticket created, a ticket closed (by the sync, or by a
 * technician as the sync saw it) — told to the notification routes that name `ticket.created` or
 * `ticket.closed` (findings/sinks.ts). Nothing is made when no route names them: the index and the
 * outbox stay as they were.
 *
 * Each event is kept in the ticket index with the line of the change it tells of (one write), and
 * handed to the outbox at the sync's end (`announcePending`: one enqueue, on disk before it
 * returns, then an `announced` line). Its outbox item is `<event key>@<occurrence>` — the ticket's
 * ID for a creation, the time of the change for a closing — so a sync killed anywhere hands over,
 * at its next end, what it had not, and the outbox knows what it already holds.
 */
import type { Integrations } from '../config/integrations.js';
import type { BANDS } from '../book-vocabulary.js';
import { bookEvent, type BookEvent, type TicketFacts } from '../findings/event.js';
import type { Outbox } from '../findings/outbox.js';
import { channelOfSink, channelRoutes } from '../findings/sinks.js';
import type { PsaAction, PsaPlan, TicketMessage } from './plan.js';
import { intentId, type Announcement, type IndexLine, type TicketIndex, type TicketIndexFile } from './ticket-index.js';

type Band = (typeof BANDS)[number];
type TicketEventType = TicketMessage['event'];

/** What a sync needs to tell of its tickets: where events go, and the ticket's side of them. */
export interface Announcer {
  outbox: Outbox;
  partnerId: string;
  connection: string;
  /** Which PSA: "ConnectWise". */
  psa: string;
  /** The notify sinks an event of a customer in `band` goes to; none: it is not kept at all. */
  sinksOf(event: BookEvent, band: Band | null): string[];
}

/** A ticket, as an event tells of it. */
export interface TicketParts {
  type: TicketEventType;
  ticketId: number;
  ticketKey: string;
  reference: string;
  customerId: string;
  findings: ReadonlyArray<{ key: string; breachId: string; breachName?: string | undefined }>;
  reason?: TicketFacts['reason'];
}

/** The event of a ticket; one about a single breach carries its uuid, so its `finding` is that breach's key. */
function ticketEvent(announcer: Pick<Announcer, 'partnerId' | 'connection' | 'psa'>, parts: TicketParts, at: string) {
  const one = parts.findings.length === 1 ? parts.findings[0] : undefined;
  return bookEvent(
    announcer.partnerId,
    {
      type: parts.type,
      reference: parts.reference,
      customerId: parts.customerId,
      ...(one?.breachId ? { breachId: one.breachId } : {}),
      ...(one?.breachName !== undefined ? { breachName: one.breachName } : {}),
      ticket: {
        connection: announcer.connection,
        psa: announcer.psa,
        id: parts.ticketId,
        key: parts.ticketKey,
        findings: parts.findings.map((f) => f.key),
        ...(parts.reason ? { reason: parts.reason } : {}),
      },
    },
    at,
  );
}

/** The index line keeping the event of a ticket change for the outbox: none when no route takes it. */
export function announceLines(
  announcer: Announcer | undefined,
  parts: TicketParts,
  band: Band | null,
  occurrence: string,
  at: string,
): IndexLine[] {
  if (!announcer) return [];
  const event = ticketEvent(announcer, parts, at);
  const sinks = announcer.sinksOf(event, band);
  if (sinks.length === 0) return [];
  return [{ op: 'announce', id: `${event.key}@${occurrence}`, occurrence, event, sinks, at }];
}

/** Hands the events the index keeps to the outbox (on disk once it returns), then marks them handed over; how many were new to it. */
export async function announcePending(announcer: Announcer, index: TicketIndexFile, at: string): Promise<number> {
  const pending = [...index.read().announce.values()];
  if (pending.length === 0) return 0;
  const of = new Map<BookEvent, Announcement>(pending.map((p) => [p.event, p]));
  const { added } = await announcer.outbox.enqueue(
    pending.map((p) => p.event),
    (event) => of.get(event)!.sinks,
    (event) => of.get(event)!.occurrence,
  );
  await index.append(pending.map((p) => ({ op: 'announced', id: p.id, at })));
  return added.length;
}

/** The event a plan's action would cause, and about which ticket; undefined for an action that causes none. */
function plannedEvent(
  action: PsaAction,
  index: TicketIndex,
): { type: TicketEventType; ticketId: number | null; findings: string[] } | undefined {
  switch (action.kind) {
    case 'create':
      return { type: 'ticket.created', ticketId: null, findings: action.findings.map((f) => f.key) };
    case 'close':
      return { type: 'ticket.closed', ticketId: action.ticketId, findings: action.findings.map((f) => f.key) };
    case 'observe':
      if (action.state !== 'closed') return undefined;
      return {
        type: 'ticket.closed',
        ticketId: action.ticketId,
        findings: (index.tickets.get(action.key)?.findings ?? []).map((f) => f.key),
      };
    case 'adopt':
      // A ticket the index lost while its creation was under way: the sync's own, told of now.
      if (!index.intents.has(intentId(action.key, 'create'))) return undefined;
      return { type: 'ticket.created', ticketId: action.ticket.id, findings: action.findings.map((f) => f.key) };
    default:
      return undefined;
  }
}

/**
 * The messages a sync of `plan` would cause, per channel, by the routes of `settings`; and those a
 * killed sync kept and did not hand over (`pending`), which this sync hands over.
 */
export function plannedMessages(plan: PsaPlan, index: TicketIndex, settings: Integrations): TicketMessage[] {
  const out: TicketMessage[] = [];
  for (const action of plan.actions) {
    const planned = plannedEvent(action, index);
    if (!planned) continue;
    for (const [channel, routed] of channelRoutes(
      settings,
      { type: planned.type, reference: action.reference },
      action.band,
    ))
      out.push({
        event: planned.type,
        reference: action.reference,
        ticketKey: action.key,
        ticketId: planned.ticketId,
        findings: planned.findings,
        channel,
        route: routed.name,
      });
  }
  for (const p of index.announce.values()) {
    const routes = channelRoutes(settings, p.event, 'any');
    for (const channel of p.sinks.map(channelOfSink).filter((c): c is string => c !== undefined))
      out.push({
        event: p.event.type as TicketEventType,
        reference: p.event.reference,
        ticketKey: p.event.ticket?.key ?? '',
        ticketId: p.event.ticket?.id ?? null,
        findings: p.event.ticket?.findings ?? [],
        channel,
        route: routes.get(channel)?.name ?? '(none now)',
        pending: true,
      });
  }
  return out;
}
