import { deleteWebhook } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';

export interface WebhookDeleteOptions {
  id: number;
  yes: boolean;
}

export async function runWebhookDelete(opts: WebhookDeleteOptions, ctx: Context): Promise<Outcome> {
  const { id } = opts;
  const where = ctx.guard.confirmTarget(await ctx.resolved(), {
    action: `Delete webhook ${id}`,
    operation: 'webhook',
    yes: opts.yes,
  });
  if (!opts.yes) {
    if (!ctx.interactive)
      throw new UsageError(`deleting webhook ${id} needs confirmation`, 'Pass --yes to delete it without asking.');
    const prompter = await ctx.prompter('Pass --yes to delete it without asking.');
    if (!(await prompter.confirm({ message: `Delete webhook ${id} and its delivery log${where}?`, default: false })))
      throw new CancelledError('Nothing deleted.');
  }
  unwrapEnvelope(await deleteWebhook(await ctx.api(), id), 'webhook delete');
  return { data: { id, deleted: true }, notes: [success(`Deleted webhook ${id}.`)] };
}
