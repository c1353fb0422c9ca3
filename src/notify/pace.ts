/**
 * How fast each far side takes messages, and one pacer (bulk/pacer.ts) per thing it limits: Slack
 * one message a second per incoming webhook, PagerDuty 120 events a minute per routing key; a
 * Teams Workflow (Microsoft states no rate) as Slack. A webhook of the MSP's own and an SMTP server
 * get one message at a time, unpaced. Channels that share a URL or a key share its pacer.
 *
 * Each interval is the limit's plus 2 %: a receiver counting arrivals (which loopback and the
 * network shift by a millisecond or two) never sees two closer than its limit allows.
 */
import { createHash } from 'node:crypto';
import { Pacer } from '../bulk/pacer.js';
import type { ChannelKind } from './channels.js';

const MARGIN = 1.02;

/** The far side's stated limit: the least time between two messages (ms); 0 for none. */
export const INTERVAL_MS: Record<ChannelKind, number> = {
  slack: 1000,
  teams: 1000,
  pagerduty: 60_000 / 120,
  webhook: 0,
  email: 0,
};

export class Pacers {
  readonly #pacers = new Map<string, Pacer>();

  /** The pacer of what `identity` names (the URL, the routing key; hashed: no secret is kept as a key). */
  of(kind: ChannelKind, identity: string): Pacer {
    const key = `${kind}:${createHash('sha256').update(identity).digest('hex')}`;
    let pacer = this.#pacers.get(key);
    if (!pacer) {
      const interval = INTERVAL_MS[kind] * MARGIN;
      pacer = new Pacer({ concurrency: 1, maxRps: interval > 0 ? 1000 / interval : undefined });
      this.#pacers.set(key, pacer);
    }
    return pacer;
  }
}
