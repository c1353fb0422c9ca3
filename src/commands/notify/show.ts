/** `safeweb notify show NAME`: one channel's settings and where its secret lives; never the secret. */
import { listSecrets } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { pairs, type Outcome } from '../../outcome.js';
import { channelNamed, readChannels, rowOf } from './settings.js';

export async function runNotifyShow(opts: { name: string }, ctx: Context): Promise<Outcome> {
  const channels = await readChannels(ctx);
  const channel = channelNamed(channels, opts.name);
  const row = rowOf(opts.name, channel);
  // Where the secret is given (nothing is read: a keychain is not asked).
  const found = row.secret
    ? listSecrets(await ctx.secretScope()).find((s) => s.name === row.secret && s.inEffect)
    : undefined;
  const secretState = row.secret
    ? found
      ? `${row.secret} (${found.source}: ${found.location})`
      : `${row.secret} (missing)`
    : 'none';
  const data = { name: opts.name, file: channels.file, settings: channel, secretFound: found ? found.source : null };
  return {
    data,
    view: pairs([
      ['Name', 'name', opts.name],
      ['Kind', 'kind', channel.kind],
      ['Sends to', 'target', row.target],
      ['Masked', 'masked', row.masked ? 'yes' : 'no'],
      ['Secret', 'secret', secretState],
      ...(channel.kind === 'email' && channel.username
        ? [['SMTP user', 'username', channel.username] as [string, string, string]]
        : []),
      ...(channel.kind === 'email' && channel.templates
        ? [['Templates', 'templates', channel.templates] as [string, string, string]]
        : []),
      ['Settings file', 'file', channels.file],
    ]),
  };
}
