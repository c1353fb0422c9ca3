import { deleteWebhook } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { checkWebhookId } from '../../webhooks/options.js';

export interface WebhookDeleteOptions {
  id: string;
  yes: boolean;
}

export async function runWebhookDelete(opts: WebhookDeleteOptions, ctx: Context): Promise<void> {
  const id = checkWebhookId(opts.id);
  if (!opts.yes) {
    if (!ctx.interactive)
      throw new UsageError(`deleting webhook ${id} needs confirmation`, 'Pass --yes to delete it without asking.');
    const prompter = await ctx.prompter('Pass --yes to delete it without asking.');
    if (!(await prompter.confirm({ message: `Delete webhook ${id} and its delivery log?`, default: false })))
      throw new CancelledError('Nothing deleted.');
  }
  const result = await deleteWebhook(await ctx.api(), id);
  if (ctx.globals.json) ctx.out.printJson({ ...result, id });
  else ctx.out.success(`Deleted webhook ${id}.`);
}
