import { listWebhooks } from '../../api/webhooks.js';
import type { Context } from '../../context.js';

export type WebhookListOptions = Record<string, never>;

export async function runWebhookList(_opts: WebhookListOptions, ctx: Context): Promise<void> {
  const result = await listWebhooks(await ctx.api());
  if (ctx.globals.json) {
    ctx.out.printJson(result);
    return;
  }
  await ctx.out.printRows(
    [
      { header: 'ID' },
      { header: 'URL', wrap: true },
      { header: 'Events', wrap: true },
      { header: 'Active' },
      { header: 'Created' },
    ],
    result.webhooks.map((w) => [w.id, w.url, w.events.join(', '), w.active, w.created_at]),
    'No webhook endpoints yet. Create one with `safeweb webhook create --url URL --event all`.',
  );
}
