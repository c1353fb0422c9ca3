import type { Context } from '../../context.js';
import { marked, success, type Outcome } from '../../outcome.js';
import { openOutbox } from './open.js';

export interface OutboxRetryOptions {
  keys: string[];
  sink?: string | undefined;
}

export async function runOutboxRetry(
  opts: OutboxRetryOptions,
  ctx: Context,
): Promise<Outcome<Array<{ key: string; sink: string }>>> {
  const { outbox } = await openOutbox(ctx, 'retry');
  const sent = await outbox.retry({ ...(opts.keys.length ? { keys: opts.keys } : {}), sink: opts.sink });
  if (sent.length === 0)
    return { data: sent, notes: [success('Nothing to retry: no item named is retrying or dead-lettered.')] };
  return {
    data: sent,
    view: marked(
      `Sent back to pending: ${sent.length}`,
      sent.map((s) => ({ mark: 'ok', text: `${s.key} (${s.sink})` })),
    ),
  };
}
