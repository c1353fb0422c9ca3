import { updateWebhook } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { checkEvents, checkWebhookId, checkWebhookUrl } from '../../webhooks/options.js';

export interface WebhookUpdateOptions {
  id: string;
  url?: string | undefined;
  events?: string[] | undefined;
  active?: boolean | undefined;
  inactive?: boolean | undefined;
}

export async function runWebhookUpdate(opts: WebhookUpdateOptions, ctx: Context): Promise<void> {
  const id = checkWebhookId(opts.id);
  if (opts.active && opts.inactive) throw new UsageError('--active and --inactive cannot be used together');
  const body: { url?: string; events?: string[]; active?: boolean } = {};
  if (opts.url !== undefined) body.url = checkWebhookUrl(opts.url);
  if (opts.events !== undefined) body.events = checkEvents(opts.events);
  if (opts.active || opts.inactive) body.active = Boolean(opts.active);
  if (Object.keys(body).length === 0)
    throw new UsageError('nothing to update', 'Give at least one of --url, --event, --active, --inactive.');
  const result = await updateWebhook(await ctx.api(), id, body);
  if (ctx.globals.json) ctx.out.printJson(result);
  else
    ctx.out.success(
      `Updated webhook ${id}: ${result.webhook.url} — ${result.webhook.events.join(', ')} — ${result.webhook.active ? 'active' : 'inactive'}.`,
    );
}
