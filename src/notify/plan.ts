/**
 * What a channel's share of the outbox becomes: messages, each with its ID, recipients and the
 * time it may go. Pure: the same items, settings and clock make the same messages (so a plan shows
 * what a send does, and a send killed and run again makes the same IDs).
 *
 * - Each item takes the first route that matches it and names the channel (findings/sinks.ts):
 *   that route says how. An item no route sends there now (the settings changed) is skipped.
 * - Email: to the route's addresses, or the customer's own contact (`to: contact`; a customer
 *   with no known contact, or opted out, is skipped), else the channel's.
 * - A digest route gathers, per (route, window, recipients), the items kept in one window into
 *   one message, due when the window ends. PagerDuty takes one event a message: no digest.
 * - Quiet hours hold what is not about a critical customer until they end; in them, a digest's
 *   critical items go on their own (an ID of their own), the rest when they end.
 * - `flush`: everything goes now, whatever its window or the hour.
 * - The same event (its key) for a channel twice, with nothing else about the same finding in
 *   between (a watch run and a notify run, or the receiver, saw the same change), is sent once.
 *   Ticket events are left out of it: each is one occurrence, from the ticket sync alone.
 */
import type { Channel, Digest, Integrations } from '../config/integrations.js';
import { isTicketEvent, type BookEvent } from '../findings/event.js';
import type { Folded, OutboxItem } from '../findings/outbox-journal.js';
import { channelOfSink, channelRoutes } from '../findings/sinks.js';
import { TAKES_DIGEST, type ChannelKind } from './channels.js';
import { digestMessageId, messageId } from './message-id.js';
import { keyOf, type EventContext } from './notice.js';
import { digestWindow, isQuiet, quietEnd, type Window } from './schedule.js';

/** An outbox item as the planner reads it. */
export interface PlanItem {
  key: string;
  event: BookEvent;
  enqueuedAt: string;
}

/** What the planner looks up: the settings, what the book knows of a customer, a customer's contact. */
export interface PlanView {
  settings: Integrations;
  context(event: BookEvent): EventContext | undefined;
  /** The customer's own contact address (the local record's), for `to: contact`. */
  contact(reference: string): string | undefined;
}

export interface Message {
  sink: string;
  channel: string;
  kind: ChannelKind;
  /** The route's name (`route-2` when it has none). */
  route: string;
  id: string;
  /** A digest's window (`2026-12-07T10:00Z/1h`); null for a message about one event. */
  window: string | null;
  items: PlanItem[];
  /** Email: who it goes to; empty for the other kinds (the channel's own endpoint). */
  to: string[];
  /** When it may go: now, or the end of its window or of quiet hours. */
  at: Date;
  /** Why it waits, when it does. */
  waits?: 'digest' | 'quiet hours' | undefined;
}

type SkipReason = 'no contact' | 'opted out' | 'no route' | 'duplicate';

export interface Skip {
  key: string;
  sink: string;
  reference: string;
  reason: SkipReason;
}

export interface SinkPlan {
  messages: Message[];
  skipped: Skip[];
  /** The channel is no longer in the settings: its items cannot go anywhere. */
  gone: PlanItem[];
}

/** The band an event is about: a band change's new band, else the customer's (when known). */
function bandOf(event: BookEvent, context: EventContext | undefined): EventContext['band'] {
  return event.type === 'band.changed' ? (event.to ?? context?.band) : context?.band;
}

/** The occurrence part of an item's key (`<event key>@<occurrence>`), else when the event was seen. */
function occurrenceOf(item: PlanItem): string {
  return item.key.startsWith(`${item.event.key}@`) ? item.key.slice(item.event.key.length + 1) : item.event.at;
}

function recipientsOf(
  channel: Channel,
  to: 'contact' | string[] | undefined,
  event: BookEvent,
  view: PlanView,
): string[] | SkipReason {
  if (channel.kind !== 'email') return [];
  if (to === 'contact') {
    if (view.settings.notify?.optOut?.includes(event.reference)) return 'opted out';
    const contact = view.contact(event.reference);
    return contact ? [contact] : 'no contact';
  }
  return [...(to ?? channel.to)];
}

/** The messages `items` (a channel's share of the outbox, oldest first) make at `now`. */
export function planSink(
  sink: string,
  items: readonly PlanItem[],
  view: PlanView,
  now: Date,
  options: { flush?: boolean | undefined; duplicates?: ReadonlySet<string> | undefined } = {},
): SinkPlan {
  const name = channelOfSink(sink) ?? sink;
  const channel = view.settings.notify?.channels?.[name];
  if (!channel) return { messages: [], skipped: [], gone: [...items] };
  const skipped: Skip[] = [];
  // The items of a pass were mostly kept in the same window: its bounds worked out once, not per item.
  let last: { digest: Digest; zone: string; window: Window } | undefined;
  const windowOf = (digest: Digest, enqueuedAt: string, zone: string): Window => {
    const at = Date.parse(enqueuedAt);
    const hit =
      last?.digest === digest &&
      last.zone === zone &&
      last.window.start.getTime() <= at &&
      at < last.window.end.getTime();
    if (!hit) last = { digest, zone, window: digestWindow(digest, new Date(at), zone) };
    return last!.window;
  };
  const groups = new Map<string, Message>();
  const messages: Message[] = [];
  for (const item of items) {
    const skip = (reason: SkipReason) => skipped.push({ key: item.key, sink, reference: item.event.reference, reason });
    if (options.duplicates?.has(item.key)) {
      skip('duplicate');
      continue;
    }
    const band = bandOf(item.event, view.context(item.event));
    // The source routed the item by the band it knew; a band not known now does not undo that.
    const routed = channelRoutes(view.settings, item.event, band ?? 'any').get(name);
    if (!routed) {
      skip('no route');
      continue;
    }
    const { route } = routed;
    const to = recipientsOf(channel, route.to, item.event, view);
    if (typeof to === 'string') {
      skip(to);
      continue;
    }
    const zone = route.timeZone ?? 'UTC';
    const digest =
      route.digest && TAKES_DIGEST[channel.kind] ? windowOf(route.digest, item.enqueuedAt, zone) : undefined;
    const base = new Date(Math.max(digest ? digest.end.getTime() : 0, now.getTime()));
    const quiet = !options.flush && route.quietHours !== undefined && isQuiet(route.quietHours, base, zone);
    const held = quiet && band !== 'critical';
    const at = options.flush ? now : held ? quietEnd(route.quietHours!, base, zone) : base;
    const waits = at > now ? (held ? 'quiet hours' : 'digest') : undefined;
    const common = { sink, channel: name, kind: channel.kind, route: routed.name, to, at, waits } as const;
    if (!digest) {
      const id = messageId({
        key: keyOf(item.event),
        route: routed.name,
        kind: item.event.type,
        occurrence: occurrenceOf(item),
      });
      messages.push({ ...common, id, window: null, items: [item] });
      continue;
    }
    // In quiet hours a digest's critical items go on their own: a window of their own in the ID.
    const window = quiet && !held ? `${digest.label} critical` : digest.label;
    const group = JSON.stringify([routed.name, window, [...to].map((r) => r.toLowerCase()).sort()]);
    const found = groups.get(group);
    if (found) found.items.push(item);
    else {
      const message: Message = {
        ...common,
        id: digestMessageId({ route: routed.name, window, recipients: to }),
        window,
        items: [item],
      };
      groups.set(group, message);
      messages.push(message);
    }
  }
  messages.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { messages, skipped, gone: [] };
}

/**
 * When the first message about an event kept at `at` could go to `channel`, if every route that
 * names the channel gathers its events into a digest: the end of the earliest of their windows
 * (nothing sends a digest's event before its window ends, but `notify send --flush`). The
 * receiver keeps such an event waiting for the channel until then, so no routing step plans it
 * sooner; the plan made then decides as it always does (its route, quiet hours, duplicates).
 * Undefined when some route could send it at once, no route names the channel, or the channel
 * takes no digest.
 */
export function digestHold(settings: Integrations, channel: string, at: Date): Date | undefined {
  const kind = settings.notify?.channels?.[channel]?.kind;
  if (!kind || !TAKES_DIGEST[kind]) return undefined;
  let end: number | undefined;
  for (const route of settings.notify?.routes ?? []) {
    if (!route.channels.includes(channel)) continue;
    if (!route.digest) return undefined;
    const ends = digestWindow(route.digest, at, route.timeZone ?? 'UTC').end.getTime();
    end = end === undefined ? ends : Math.min(end, ends);
  }
  return end === undefined ? undefined : new Date(end);
}

/** An item of a sink as the duplicate check reads it: its event, and whether that sink gave up on it. */
export interface SinkItem {
  key: string;
  event: BookEvent;
  dead: boolean;
}

/** A sink's items in the outbox, oldest first. */
export function sinkItems(items: Folded, sink: string, about?: ReadonlySet<string>): SinkItem[] {
  const out: SinkItem[] = [];
  const add = (item: OutboxItem) => {
    const state = item.sinks.get(sink);
    if (!item.dropped && state) out.push({ key: item.key, event: item.event, dead: state.state === 'dead' });
  };
  if (!about) {
    for (const item of items.values()) add(item);
    return out;
  }
  // Only the findings asked about (those of the items a run plans), from the fold's index of the
  // items about each finding: what duplicateKeys says of them is the same, and a receiver's pass
  // does not look at every item of a large outbox.
  const found: OutboxItem[] = [];
  for (const finding of about) for (const key of items.about.get(finding) ?? []) found.push(items.get(key)!);
  found.sort((a, b) => a.seq - b.seq);
  for (const item of found) add(item);
  return out;
}

/**
 * The items that repeat the event before them about the same finding (another source saw the
 * same change): sent once, by the earlier item, unless that one was dead-lettered.
 */
export function duplicateKeys(items: Iterable<SinkItem>): Set<string> {
  const last = new Map<string, SinkItem>();
  const out = new Set<string>();
  for (const item of items) {
    // A ticket event has one source, the sync, and its occurrence tells a second closing from a repeat.
    if (isTicketEvent(item.event)) continue;
    const about = item.event.finding ?? item.event.key;
    const before = last.get(about);
    if (before && before.event.key === item.event.key && !before.dead) out.add(item.key);
    last.set(about, item);
  }
  return out;
}
