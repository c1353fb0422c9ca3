import { claimNewFile } from '../../io/safe-write.js';
import { createWebhook } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { pairs, success, warn, type Cell, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { checkEvents } from '../../webhooks/options.js';
import { CREATED_FIELDS } from './columns.js';

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
    result = unwrapEnvelope(await createWebhook(api, { url, events, active: !opts.inactive }), 'webhook create');
  } catch (error) {
    claim?.abandon();
    throw error;
  }
  const { secret, ...endpoint } = result.webhook;
  claim?.write(`${secret ?? ''}\n`);
  const values: Record<string, Cell> = { ...endpoint, events: endpoint.events.join(', '), secret };
  const shown = CREATED_FIELDS.filter((f) => f.key !== 'secret' || claim === undefined);
  return {
    // The endpoint: its secret, or the file the secret went to.
    data: claim !== undefined ? { ...endpoint, secretFile: opts.secretFile } : result.webhook,
    view: pairs(shown.map((f): [string, string, Cell] => [f.header, f.key, values[f.key]])),
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
