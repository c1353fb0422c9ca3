/**
 * `notify plan`: what `notify send` would send, and where — the comparison with the sink's state
 * (nothing kept: the first run's baseline is only described) and what the outbox holds for the
 * channels, planned as a send plans it: each message with its channel, route, recipients, window
 * and when it goes; the customers a `to: contact` route would skip; what --max-creates would leave
 * for the next run. Sends nothing; --exit-status is 8 when something would go now.
 */
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { MESSAGE_COLUMNS } from './columns.js';
import { messageRow, type SourceOptions } from './sending.js';
import { planPreview } from './preview.js';

export interface NotifyPlanOptions extends SourceOptions {
  maxCreates: number;
  flush?: boolean | undefined;
}

export interface PlannedMessage {
  channel: string;
  kind: string;
  route: string;
  id: string;
  window: string | null;
  events: number;
  to: string[];
  /** When it goes: now, or the time its window or quiet hours end. */
  at: string;
  now: boolean;
  waits: string | null;
  overCap: boolean;
  /** The finding (or event) keys it is about, the first 20. */
  keys: string[];
}

export interface NotifyPlan {
  baseline: { customers: number; events: number } | null;
  /** Events the comparison found and routed (not yet in the outbox). */
  found: number;
  messages: PlannedMessage[];
  counts: { now: number; later: number; overCap: number };
  skipped: Array<{ reference: string; sink: string; reason: string; key: string }>;
  gone: number;
}

export async function runNotifyPlan(opts: NotifyPlanOptions, ctx: Context): Promise<Outcome<NotifyPlan>> {
  const { doc, notes, failures } = await planPreview(ctx, opts, 'safeweb notify plan', 'notify send');
  const rows = doc.messages.map((m) =>
    messageRow({ ...m, when: m.overCap ? 'next run (cap)' : m.now ? 'now' : `${m.at} (${m.waits})` }),
  );
  return {
    data: doc,
    view: table(MESSAGE_COLUMNS, rows, 'Nothing to send: no message is due or waiting.'),
    notes,
    finding: doc.counts.now ? `${doc.counts.now} messages to send` : undefined,
    failures,
  };
}
