/**
 * How fast each far side takes messages, and one pacer per thing it limits: Slack one message a
 * second per incoming webhook, PagerDuty 120 events a minute per routing key; a Teams Workflow
 * (Microsoft states no rate) as Slack. A webhook of the MSP's own and an SMTP server are not paced.
 * Channels that share a URL or a key share its pacer; each pacer sends one message at a time.
 *
 * The next message starts a whole interval (and 1 %) after the far side ANSWERED the last one,
 * not after the last one started (the bulk runner's pacer, bulk/pacer.ts, spaces starts): a first
 * request slowed by its connection, or any jitter on the way, could otherwise arrive closer to the
 * next than the limit allows, and be answered 429. On loopback it costs a millisecond a message;
 * over the internet one round trip each.
 */
import { createHash } from 'node:crypto';
import type { ChannelKind } from './channels.js';

const MARGIN = 1.01;

/** The far side's stated limit: the least time between two messages (ms); 0 for none. */
export const INTERVAL_MS: Record<ChannelKind, number> = {
  slack: 1000,
  teams: 1000,
  pagerduty: 60_000 / 120,
  webhook: 0,
  email: 0,
};

export class Pacer {
  #next = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Waits until the next message may start. */
  async acquire(): Promise<void> {
    for (let wait = this.#next - this.clock(); wait > 0; wait = this.#next - this.clock()) await this.sleep(wait);
  }

  /** The far side answered (or the attempt ended): the next message no sooner than an interval from now. */
  release(): void {
    this.#next = Math.max(this.#next, this.clock() + this.intervalMs * MARGIN);
  }

  /** The far side said 429: nothing before its Retry-After. */
  rateLimited(retryAfterMs: number): void {
    this.#next = Math.max(this.#next, this.clock() + retryAfterMs);
  }
}

export class Pacers {
  readonly #pacers = new Map<string, Pacer>();

  /** The pacer of what `identity` names (the URL, the routing key; hashed: no secret is kept as a key). */
  of(kind: ChannelKind, identity: string): Pacer {
    const key = `${kind}:${createHash('sha256').update(identity).digest('hex')}`;
    let pacer = this.#pacers.get(key);
    if (!pacer) this.#pacers.set(key, (pacer = new Pacer(INTERVAL_MS[kind])));
    return pacer;
  }
}
