/**
 * What every channel says about an event, before it is shaped for one: a title, the facts (customer,
 * score and band, breach, date, data classes, affected addresses, the finding key) and the key that
 * joins the message to the page, the ticket and the webhook of the same finding. Each channel
 * (teams.ts, slack.ts, pagerduty.ts, webhook.ts, email.ts) renders a Notice in its own format.
 *
 * Text from the book (customer names, breach titles, addresses) is data, never markup: here it is
 * masked when the channel masks, made one line with its control characters shown (`\x1b`, as the
 * terminal shows them: output/inert.ts) and cut to a length; each channel then escapes what its
 * format would read as markup.
 */
import type { BookEvent } from '../findings/event.js';
import { inertCell } from '../output/inert.js';
import { maskPii } from '../safety/mask.js';

export type Band = 'critical' | 'high' | 'moderate' | 'low';

/**
 * What the book knows about an event beyond the event itself, looked up by whoever sends (the
 * customer's name and band from the local record, the breach's data classes from the API).
 * Everything optional: a channel shows what it is given.
 */
export interface EventContext {
  customerName?: string | undefined;
  band?: Band | undefined;
  threatScore?: number | undefined;
  dataClasses?: readonly string[] | undefined;
  /** The customer's locale (`de-DE`): dates are written in it. */
  locale?: string | undefined;
}

/** How a message is rendered, besides the channel's own settings. */
export interface RenderOptions {
  /** The context of each event (the sink runner's lookup); none: the event alone. */
  context?: ((event: BookEvent) => EventContext | undefined) | undefined;
  /** A sample sent by `notify test`: labelled as such in every channel. */
  test?: boolean | undefined;
}

/** The channel settings a rendering reads: masking (on unless `mask: false`). */
export interface MaskSetting {
  mask?: boolean | undefined;
}

interface Fact {
  label: string;
  value: string;
}

export interface Notice {
  /** The finding's key (`sw:finding:…`), else the event's: the one key every system shares. */
  key: string;
  /** The event as the channel may show it (masked when the channel masks). */
  event: BookEvent;
  title: string;
  band: Band | undefined;
  /** In order; the finding key (a ticket's several: the finding keys) last. */
  facts: Fact[];
  test: boolean;
}

/** The longest a single value (a name, a title) may be in a message; longer is cut with "…". */
const VALUE_MAX = 300;
/** The most addresses a message lists; the rest are counted. */
const ADDRESSES_MAX = 20;

/** The label every channel gives a sample from `notify test`. */
export const TEST_LABEL = '[TEST]';
export const TEST_NOTE = 'This is a test message from `safeweb notify test`: no customer is affected.';

/**
 * The finding key of an event; a ticket covering several findings: the ticket's key (which the
 * PSA holds); else the event's own key.
 */
export function keyOf(event: BookEvent): string {
  return event.finding ?? event.ticket?.key ?? event.key;
}

/** The finding keys a message about `event` names: a ticket's every finding, else its one key. */
export function findingKeys(event: BookEvent): string[] {
  return event.ticket && !event.finding && event.ticket.findings.length ? event.ticket.findings : [keyOf(event)];
}

/** Masking is on unless the channel says `mask: false` (chat, pages and mail are masked by default). */
export function masks(settings: MaskSetting): boolean {
  return settings.mask !== false;
}

/** One line of book text, made inert (controls shown, line breaks too) and cut to `max` characters. */
export function clean(text: string, max = VALUE_MAX): string {
  const line = inertCell(text);
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/** The Notice of one event for a channel with these settings. */
export function notice(event: BookEvent, settings: MaskSetting, options: RenderOptions = {}): Notice {
  const mask = masks(settings);
  const shown = mask ? maskPii(event) : event;
  const found = options.context?.(event);
  const context = found && mask ? maskPii(found) : found;
  const band = context?.band ?? (event.type === 'band.changed' ? event.to : undefined);
  const customer = customerText(shown, context);
  const title = `${options.test ? `${TEST_LABEL} ` : ''}${titleOf(shown, customer)}`;
  return {
    key: keyOf(event),
    event: shown,
    title: clean(title, VALUE_MAX * 2),
    band,
    facts: factsOf(shown, context, customer, band),
    test: Boolean(options.test),
  };
}

/** One event or a digest's, as a list. */
export function eventList(events: BookEvent | readonly BookEvent[]): readonly BookEvent[] {
  return Array.isArray(events) ? (events as readonly BookEvent[]) : [events as BookEvent];
}

/**
 * The Notices of the first `limit` events (a digest shows what fits and counts the rest: a
 * 10 000-event digest renders only what it shows).
 */
export function notices(
  events: BookEvent | readonly BookEvent[],
  settings: MaskSetting,
  options: RenderOptions = {},
  limit = Infinity,
): Notice[] {
  return eventList(events)
    .slice(0, limit)
    .map((e) => notice(e, settings, options));
}

function customerText(event: BookEvent, context: EventContext | undefined): string {
  const name = context?.customerName;
  return clean(name ? `${name} (${event.reference})` : event.reference);
}

function titleOf(event: BookEvent, customer: string): string {
  const breach = event.breachName ?? 'a breach';
  switch (event.type) {
    case 'breach.new':
      return `New breach for ${customer}: ${breach}`;
    case 'breach.resolved':
      return `Breach resolved for ${customer}: ${breach}`;
    case 'breach.unresolved':
      return `Breach open again for ${customer}: ${breach}`;
    case 'breach.removed':
      return `Breach no longer listed for ${customer}: ${breach}`;
    case 'customer.added':
      return `Customer now monitored: ${customer}`;
    case 'customer.removed':
      return `Customer no longer monitored: ${customer}`;
    case 'email.added':
    case 'domain.added':
      return `Monitoring added for ${customer}`;
    case 'email.removed':
    case 'domain.removed':
      return `Monitoring removed for ${customer}`;
    case 'band.changed':
      return `Threat band of ${customer}: ${event.from ?? '?'} to ${event.to ?? '?'}`;
    case 'customer.error':
      return `Could not check ${customer}`;
    case 'ticket.created':
      return `${ticketName(event)} opened for ${customer}: ${ticketAbout(event)}`;
    case 'ticket.closed':
      return `${ticketName(event)} closed for ${customer}: ${ticketAbout(event)}`;
  }
}

/** "ConnectWise ticket 1042". */
function ticketName(event: BookEvent): string {
  return `${event.ticket?.psa ?? 'PSA'} ticket ${event.ticket?.id ?? '?'}`;
}

/** What a ticket is about: its breach, or how many findings. */
function ticketAbout(event: BookEvent): string {
  if (event.breachName !== undefined) return event.breachName;
  const n = event.ticket?.findings.length ?? 0;
  return n === 1 ? 'a breach' : `${n} findings`;
}

const CLOSED_BECAUSE: Record<NonNullable<NonNullable<BookEvent['ticket']>['reason']>, string> = {
  resolved: 'SafeWeb resolved what it covers',
  offboarded: 'the customer was offboarded',
  technician: 'a technician closed it',
};

/** A ticket event's own facts: which ticket, why it closed, its key, and (several) the findings it covers. */
function ticketFacts(event: BookEvent): Fact[] {
  const t = event.ticket;
  if (!t) return [];
  const facts: Fact[] = [{ label: 'Ticket', value: `${ticketName(event)} (connection ${t.connection})` }];
  if (t.reason) facts.push({ label: 'Closed because', value: CLOSED_BECAUSE[t.reason] });
  facts.push({ label: 'Ticket key', value: t.key });
  return facts;
}

function factsOf(
  event: BookEvent,
  context: EventContext | undefined,
  customer: string,
  band: Band | undefined,
): Fact[] {
  const facts: Fact[] = [{ label: 'Customer', value: customer }];
  const score = context?.threatScore ?? event.threatScore;
  if (score !== undefined || band) facts.push({ label: 'Score and band', value: scoreText(score, band) });
  if (event.type === 'band.changed') facts.push({ label: 'Band', value: `${event.from ?? '?'} to ${event.to ?? '?'}` });
  if (event.breachName !== undefined) facts.push({ label: 'Breach', value: clean(event.breachName) });
  if (event.breachDate) facts.push({ label: 'Date', value: clean(dateText(event.breachDate, context?.locale)) });
  if (context?.dataClasses?.length)
    facts.push({ label: 'Data classes', value: clean(context.dataClasses.join(', '), VALUE_MAX * 2) });
  if (event.emails?.length) facts.push({ label: 'Affected addresses', value: listText(event.emails) });
  if (event.domains?.length) facts.push({ label: 'Domains', value: listText(event.domains) });
  if (event.error) facts.push({ label: 'Error', value: clean(event.error.message, VALUE_MAX * 2) });
  facts.push(...ticketFacts(event));
  facts.push({ label: 'Event', value: event.type });
  // The one key, last (the chat channels keep it whatever else they cut): a ticket's every finding.
  const keys = findingKeys(event);
  if (keys.length === 1) facts.push({ label: 'Finding key', value: keys[0]! });
  else facts.push({ label: 'Finding keys', value: listText(keys) });
  return facts;
}

function scoreText(score: number | undefined, band: Band | undefined): string {
  return [score === undefined ? undefined : String(score), band].filter(Boolean).join(' · ');
}

/** A list of addresses: the first ADDRESSES_MAX, then how many more. */
function listText(items: readonly string[]): string {
  const shown = items.slice(0, ADDRESSES_MAX).map((item) => clean(item, 120));
  const more = items.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** A breach date in the customer's locale when there is one (`7 December 2026`), else as the API gave it. */
function dateText(date: string, locale: string | undefined): string {
  const day = /^\d{4}-\d{2}-\d{2}/.exec(date)?.[0];
  if (!locale || !day) return date;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
  } catch {
    return date; // a locale Intl does not know
  }
}
