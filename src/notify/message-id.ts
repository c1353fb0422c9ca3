/**
 * A message's ID: the same for every attempt at the same message, so a receiver that dedupes (a
 * Standard Webhooks receiver by `webhook-id`, a mail client by Message-ID) recognises a retry, and
 * a different one for a different message. Made from what the message is, never from when it went:
 * the finding (or event) key, the route that sent it, the kind of event and which occurrence of
 * that kind it is (a breach resolved, reopened and resolved again is two resolutions).
 *
 * `msg_` and 128 bits of SHA-256 in hex: no ".", as the Standard Webhooks signature requires of
 * an ID (it signs `id.timestamp.body`), and short enough for every header it travels in.
 */
import { sha256Hex } from '../io/sha256.js';

function digest(parts: readonly string[]): string {
  // JSON of the array: no separator can make two different lists hash alike.
  return `msg_${sha256Hex(JSON.stringify(parts)).slice(0, 32)}`;
}

/** The ID of the message about one event: its finding key (or event key), route, event kind and occurrence. */
export function messageId(parts: {
  /** The finding's key (`sw:finding:…`), or the event's key where the event has no finding. */
  key: string;
  /** The route's name or index: the same finding sent by two routes is two messages. */
  route: string;
  /** The event's kind: `breach.new`. */
  kind: string;
  /** Which occurrence of that kind for that key: 1 the first time, or when it was seen. */
  occurrence: string | number;
}): string {
  return digest(['message', parts.key, parts.route, parts.kind, String(parts.occurrence)]);
}

/** The ID of a digest: its route, its window (`2026-12-07T10:00Z/1h`) and its recipients (in any order). */
export function digestMessageId(parts: { route: string; window: string; recipients: readonly string[] }): string {
  const recipients = [...new Set(parts.recipients.map((r) => r.toLowerCase()))].sort();
  return digest(['digest', parts.route, parts.window, ...recipients]);
}
