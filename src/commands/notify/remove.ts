/**
 * `safeweb notify remove NAME`: the channel leaves the settings (refused while a route still
 * sends to it), and its secret leaves the profile's store unless another channel names it or
 * --keep-secret says so.
 */
import { deleteSecret, listSecrets } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { channelNamed, readChannels, writeChannel } from './settings.js';

export interface NotifyRemoveOptions {
  name: string;
  yes: boolean;
  keepSecret: boolean;
}

export async function runNotifyRemove(opts: NotifyRemoveOptions, ctx: Context): Promise<Outcome> {
  const channels = await readChannels(ctx);
  const channel = channelNamed(channels, opts.name);
  if (!opts.yes) {
    const why = 'Pass --yes to remove it without asking.';
    if (!ctx.interactive) throw new UsageError(`removing the channel ${opts.name} needs confirmation`, why);
    const prompter = await ctx.prompter(why);
    if (!(await prompter.confirm({ message: `Remove the ${channel.kind} channel "${opts.name}"?`, default: false })))
      throw new CancelledError('Nothing removed.');
  }
  await writeChannel(channels.file, opts.name, undefined);
  const secret = 'secret' in channel ? channel.secret : undefined;
  const shared = Object.entries(channels.channels).some(
    ([other, c]) => other !== opts.name && 'secret' in c && c.secret === secret,
  );
  const scope = await ctx.secretScope();
  const stored =
    secret !== undefined &&
    !opts.keepSecret &&
    !shared &&
    scope.profile !== undefined &&
    listSecrets(scope).some((s) => s.name === secret && (s.source === 'file' || s.source === 'keyring'));
  if (stored) await deleteSecret(scope, secret);
  return {
    data: { removed: opts.name, file: channels.file, secretDeleted: stored ? secret : null },
    notes: [success(`Removed the channel "${opts.name}"${stored ? ` and its secret ${secret}` : ''}.`)],
  };
}
