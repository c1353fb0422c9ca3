import type { Context } from '../../context.js';
import { readOutboxStatus, type OutboxStatus } from '../../findings/outbox-status.js';
import { table, type Outcome } from '../../outcome.js';
import { OUTBOX_COLUMNS } from './columns.js';
import { openOutbox } from './open.js';

export async function runOutboxStatus(ctx: Context): Promise<Outcome<OutboxStatus>> {
  const { outbox, account } = await openOutbox(ctx, 'status');
  const status = readOutboxStatus(outbox, ctx.now());
  const { items: held, sinks } = status;
  const rows = sinks.map((s) => [
    s.sink,
    s.pending,
    s.held,
    s.retrying,
    s.dead,
    s.acked,
    s.lastAck ? `${s.lastAck.at} ${ackText(s.lastAck.ack)}`.trim() : '',
    s.lastError ? `${s.lastError.at} ${s.lastError.error}` : '',
  ]);
  const empty = `No sinks are configured: the outbox of ${account} holds ${held} event${held === 1 ? '' : 's'}, and nothing acts on them.`;
  return { data: status, view: table(OUTBOX_COLUMNS, rows, empty) };
}

/** What the far side acknowledged, short: a ticket ID as it is, anything else as JSON. */
function ackText(ack: unknown): string {
  if (ack === null || ack === undefined) return '';
  return typeof ack === 'string' || typeof ack === 'number' ? String(ack) : JSON.stringify(ack);
}
