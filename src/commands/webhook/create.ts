import { claimNewFile } from '../../io/safe-write.js';
import { createWebhook } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { pairs, success, warn, type Cell, type Outcome } from '../../outcome.js';
import { checkEvents } from '../../webhooks/options.js';

export interface WebhookCreateOptions {
  /** Commander checked it: https, or http to this machine (parseWebhookUrl). */
  url: string;
  events: string[];
  inactive: boolean;
  secretFile?: string | undefined;
}

export async function runWebhookCreate(opts: WebhookCreateOptions, ctx: Context): Promise<Outcome> {
  const url = opts.url;
  const events = checkEvents(opts.events);
  const api = await ctx.api();
  // Claim the secret file before creating anything: it must be new, and only yours.
  const claim = opts.secretFile ? claimNewFile(opts.secretFile, 'secret file') : undefined;
  let result;
  try {
    result = await createWebhook(api, { url, events, active: !opts.inactive });
  } catch (error) {
    claim?.abandon();
    throw error;
  }
  const { secret, ...endpoint } = result.webhook;
  claim?.write(`${secret ?? ''}\n`);
  const shown: Array<[string, string, Cell]> = claim === undefined ? [['Secret', 'secret', secret]] : [];
  return {
    data: {
      success: result.success,
      webhook: claim !== undefined ? { ...endpoint, secretFile: opts.secretFile } : result.webhook,
    },
    view: pairs([
      ['ID', 'id', endpoint.id],
      ['URL', 'url', endpoint.url],
      ['Events', 'events', endpoint.events.join(', ')],
      ['Active', 'active', endpoint.active],
      ['Created', 'created_at', endpoint.created_at],
      ...shown,
    ]),
    notes: [
      claim !== undefined
        ? success(`The signing secret is in ${opts.secretFile} (mode 0600). It cannot be shown again.`)
        : warn(
            'this signing secret is shown only now and cannot be retrieved later; ' +
              'store it safely (or use --secret-file next time).',
          ),
    ],
  };
}
