import { listWebhooks } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { WEBHOOK_COLUMNS } from './columns.js';

export type WebhookListOptions = Record<string, never>;

export async function runWebhookList(_opts: WebhookListOptions, ctx: Context): Promise<Outcome> {
  const { webhooks } = unwrapEnvelope(await listWebhooks(await ctx.api()), 'webhook list');
  return {
    data: webhooks,
    view: table(
      WEBHOOK_COLUMNS,
      webhooks.map((w) => [w.id, w.url, w.events.join(', '), w.active, w.created_at]),
      'No webhook endpoints yet. Create one with `safeweb webhook create --url URL --event all`.',
    ),
  };
}
