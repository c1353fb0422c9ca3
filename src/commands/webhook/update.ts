import { updateWebhook } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { checkEvents } from '../../webhooks/options.js';

/** Commander checked the ID, the URL, and that --active and --inactive are not both given. */
export interface WebhookUpdateOptions {
  id: number;
  url?: string | undefined;
  events?: string[] | undefined;
  active?: boolean | undefined;
  inactive?: boolean | undefined;
}

export async function runWebhookUpdate(opts: WebhookUpdateOptions, ctx: Context): Promise<Outcome> {
  const body: { url?: string; events?: string[]; active?: boolean } = {};
  if (opts.url !== undefined) body.url = opts.url;
  if (opts.events !== undefined) body.events = checkEvents(opts.events);
  if (opts.active || opts.inactive) body.active = Boolean(opts.active);
  if (Object.keys(body).length === 0)
    throw new UsageError('nothing to update', 'Give at least one of --url, --event, --active, --inactive.');
  const { webhook } = unwrapEnvelope(await updateWebhook(await ctx.api(), opts.id, body), 'webhook update');
  const { url, events, active } = webhook;
  return {
    data: webhook,
    notes: [success(`Updated webhook ${opts.id}: ${url} — ${events.join(', ')} — ${active ? 'active' : 'inactive'}.`)],
  };
}
