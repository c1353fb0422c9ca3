/** `safeweb notify list`: the channels of the profile, where each sends, never a secret. */
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { CHANNEL_COLUMNS } from './columns.js';
import { readChannels, rowOf, type ChannelRow } from './settings.js';

export async function runNotifyList(ctx: Context): Promise<Outcome<ChannelRow[]>> {
  const { channels, file } = await readChannels(ctx);
  const rows = Object.entries(channels).map(([name, channel]) => rowOf(name, channel));
  return {
    data: rows,
    view: table(
      CHANNEL_COLUMNS,
      rows.map((r) => [r.name, r.kind, r.target, r.masked ? 'yes' : 'no', r.secret ?? '']),
      `No channels in ${file}. Add one with \`safeweb notify add KIND NAME\`.`,
    ),
  };
}
