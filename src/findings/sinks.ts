/**
 * Which sinks an event is for, from the integration settings: the PSA connection its customer's
 * tickets go to (`psa:<connection>`, for breach events and offboarding), and the channels whose
 * routes match it (`notify:<channel>`). The outbox keeps, per event, these names: each sink
 * acknowledges its own share.
 *
 * A route matches an event when every condition it gives holds: the event's kind (`events`), the
 * customer's band (`minBand`: that band or a worse one; `bands`: exactly those), the customer
 * (`customers`: references) and its tags (`tags`: any one of them). An event goes to a channel
 * once, by the first route in order that matches it and names the channel: that route says how
 * (at once or in a digest, quiet hours, recipients), and its name is in the message's ID.
 *
 * What a ticket sync did (ticket.created, ticket.closed) goes only by routes that name it in
 * `events` (a route naming no events does not take it: settings written before these existed send
 * what they sent before), and never to PagerDuty: a ticket is not a page, and the finding's own
 * incident (dedup_key = the finding key) is opened and resolved by its breach events.
 */
import { BANDS } from '../book-vocabulary.js';
import type { Integrations, Route } from '../config/integrations.js';
import { isTicketEvent, type BookEvent } from './event.js';

type Band = (typeof BANDS)[number];

/** Events a ticket sync acts on: breaches, and a customer offboarded (its tickets close). */
const PSA_EVENTS = new Set(['breach.new', 'breach.resolved', 'breach.unresolved', 'customer.removed']);

/** The connection a customer's tickets go to: its own mapping's, else the default (or the only) one. */
function connectionOf(settings: Integrations, reference: string): string | undefined {
  const named = settings.customers?.[reference]?.psa?.connection;
  if (named) return named;
  const names = Object.keys(settings.psa?.connections ?? {});
  return settings.psa?.default ?? (names.length === 1 ? names[0] : undefined);
}

export function psaSink(connection: string): string {
  return `psa:${connection}`;
}

export function notifySink(channel: string): string {
  return `notify:${channel}`;
}

/** The channel a `notify:<channel>` sink names; undefined for other sinks. */
export function channelOfSink(sink: string): string | undefined {
  return sink.startsWith('notify:') ? sink.slice('notify:'.length) : undefined;
}

/** What message IDs call a route: its name, else its place in the list (`route-1`). */
function routeName(route: Route, index: number): string {
  return route.name ?? `route-${index + 1}`;
}

/** `band` is `min` or worse (BANDS runs from the worst). */
function atLeast(band: Band, min: Band): boolean {
  return BANDS.indexOf(band) <= BANDS.indexOf(min);
}

/** What routing reads of an event: a plan routes a ticket event before the ticket exists. */
type Routed = Pick<BookEvent, 'type' | 'reference' | 'to'>;

/**
 * Whether `route` matches `event` of a customer in `band` (null: not known, and a route that asks
 * for a band does not match; `'any'`: not known, and band conditions are passed — the sender's
 * view of an event a source already routed by its band).
 */
export function routeMatches(settings: Integrations, route: Route, event: Routed, band: Band | null | 'any'): boolean {
  if (route.events ? !route.events.includes(event.type) : isTicketEvent(event)) return false;
  if (route.customers && !route.customers.includes(event.reference)) return false;
  if (route.tags) {
    const tags = settings.customers?.[event.reference]?.tags ?? [];
    if (!route.tags.some((t) => tags.includes(t))) return false;
  }
  if (!route.bands && !route.minBand) return true;
  // A band change is about the band it changed to.
  const known = event.type === 'band.changed' ? (event.to ?? band) : band;
  if (known === 'any') return true;
  if (known === null) return false;
  return route.bands ? route.bands.includes(known) : atLeast(known, route.minBand!);
}

/** A route that sends an event to a channel, and its place in the list. */
export interface RouteOf {
  route: Route;
  index: number;
  name: string;
}

/** Per channel (that exists) the event goes to, the first route that matches it and names that channel. */
export function channelRoutes(settings: Integrations, event: Routed, band: Band | null | 'any'): Map<string, RouteOf> {
  const out = new Map<string, RouteOf>();
  const paged = !isTicketEvent(event);
  (settings.notify?.routes ?? []).forEach((route, index) => {
    if (!routeMatches(settings, route, event, band)) return;
    for (const channel of route.channels) {
      const kind = settings.notify?.channels?.[channel]?.kind;
      if (kind && (paged || kind !== 'pagerduty') && !out.has(channel))
        out.set(channel, { route, index, name: routeName(route, index) });
    }
  });
  return out;
}

/** The sinks `event` is for; none when nothing is configured (the outbox then keeps nothing). */
export function eventSinks(settings: Integrations, event: BookEvent, band: Band | null): string[] {
  const sinks = new Set<string>();
  if (PSA_EVENTS.has(event.type)) {
    const connection = connectionOf(settings, event.reference);
    if (connection && settings.psa?.connections?.[connection]) sinks.add(psaSink(connection));
  }
  for (const channel of channelRoutes(settings, event, band).keys()) sinks.add(notifySink(channel));
  return [...sinks].sort();
}
