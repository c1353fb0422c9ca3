/**
 * What the outbox of an account holds, per sink: the one answer `safeweb outbox status` and the
 * MCP `outbox_status` tool give. Reads without the lock (a line being written is not seen yet).
 */
import { Outbox, summarize, type SinkSummary } from './outbox.js';

export interface OutboxStatus {
  account: string;
  journal: string;
  /** The events the outbox holds (not dropped). */
  items: number;
  sinks: SinkSummary[];
}

export function readOutboxStatus(outbox: Outbox, now: Date): OutboxStatus {
  const items = outbox.read();
  const held = [...items.values()].filter((i) => !i.dropped).length;
  return { account: outbox.options.account, journal: outbox.file, items: held, sinks: summarize(items, now) };
}

/** The status of `account`'s outbox under `configDir`, with no process holding it open. */
export function outboxStatusOf(configDir: string, account: string, now: Date): OutboxStatus {
  return readOutboxStatus(new Outbox({ configDir, account }), now);
}
