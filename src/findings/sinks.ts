/**
 * Which sinks an event is for, from the integration settings: the PSA connection its customer's
 * tickets go to (`psa:<connection>`, for breach events and offboarding), and the channels whose
 * routes match it (`notify:<channel>`: the event's kind, the customer's band and tags). The outbox
 * keeps, per event, these names: each sink acknowledges its own share.
 */
import type { BANDS } from '../book-vocabulary.js';
import type { Integrations } from '../config/integrations.js';
import type { BookEvent } from './event.js';

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

function notifySink(channel: string): string {
  return `notify:${channel}`;
}

/** The sinks `event` is for; none when nothing is configured (the outbox then keeps nothing). */
export function eventSinks(settings: Integrations, event: BookEvent, band: Band | null): string[] {
  const sinks = new Set<string>();
  if (PSA_EVENTS.has(event.type)) {
    const connection = connectionOf(settings, event.reference);
    if (connection && settings.psa?.connections?.[connection]) sinks.add(psaSink(connection));
  }
  const tags = new Set(settings.customers?.[event.reference]?.tags ?? []);
  const eventBand = event.type === 'band.changed' ? (event.to ?? band) : band;
  for (const route of settings.notify?.routes ?? []) {
    if (route.events && !route.events.includes(event.type)) continue;
    if (route.bands && (eventBand === null || !route.bands.includes(eventBand))) continue;
    if (route.tags && !route.tags.some((t) => tags.has(t))) continue;
    for (const channel of route.channels) if (settings.notify?.channels?.[channel]) sinks.add(notifySink(channel));
  }
  return [...sinks].sort();
}
