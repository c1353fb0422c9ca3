import { listWebhooks } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';

export type WebhookListOptions = Record<string, never>;

export async function runWebhookList(_opts: WebhookListOptions, ctx: Context): Promise<Outcome> {
  const result = await listWebhooks(await ctx.api());
  return {
    data: result,
    view: table(
      [
        { key: 'id', header: 'ID' },
        { key: 'url', header: 'URL', wrap: true },
        { key: 'events', header: 'Events', wrap: true },
        { key: 'active', header: 'Active' },
        { key: 'created_at', header: 'Created' },
      ],
      result.webhooks.map((w) => [w.id, w.url, w.events.join(', '), w.active, w.created_at]),
      'No webhook endpoints yet. Create one with `safeweb webhook create --url URL --event all`.',
    ),
  };
}
