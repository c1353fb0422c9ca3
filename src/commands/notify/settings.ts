/**
 * Where the notify verbs read and write channels: the profile's integration settings
 * (config/integrations.ts, `notify.channels.<name>`), and the secret each channel names.
 */
import type { Context } from '../../context.js';
import {
  integrationsFile,
  readIntegrations,
  setIntegration,
  type Channel,
  type Integrations,
} from '../../config/integrations.js';
import { NAME_PATTERN } from '../../config/integrations-schema.js';
import { UsageError } from '../../errors.js';

export interface Channels {
  file: string;
  settings: Integrations;
  channels: Record<string, Channel>;
}

/** The settings file of the profile in use, and its channels. */
/** The profile's integration settings file, not read. */
export async function settingsFile(ctx: Context): Promise<string> {
  const account = await ctx.account();
  return integrationsFile(ctx.configDir, account.profile ?? account.key);
}

export async function readChannels(ctx: Context): Promise<Channels> {
  const file = await settingsFile(ctx);
  const { settings } = await readIntegrations(file);
  return { file, settings, channels: settings.notify?.channels ?? {} };
}

/** The channel of that name, or exit 2 naming the ones there are. */
export function channelNamed(channels: Channels, name: string): Channel {
  const channel = channels.channels[name];
  if (channel) return channel;
  const known = Object.keys(channels.channels);
  throw new UsageError(
    `no channel named "${name}" in ${channels.file}`,
    known.length ? `Channels: ${known.join(', ')}.` : 'Add one with `safeweb notify add KIND NAME`.',
  );
}

/** A channel name as routes and commands name it, or exit 2 saying what one looks like. */
export function checkChannelName(name: string): string {
  if (new RegExp(NAME_PATTERN).test(name)) return name;
  throw new UsageError(
    `invalid channel name "${name}"`,
    'Use lower-case letters, digits, "-" and "_", starting with a letter or digit (at most 40).',
  );
}

/** Writes (or with undefined removes) one channel, keeping the rest of the file and its comments. */
export async function writeChannel(file: string, name: string, channel: Channel | undefined): Promise<void> {
  await setIntegration(file, ['notify', 'channels', name], channel);
}

/** What a channel's secret is, in words (without an article), for prompts and messages. */
export const SECRET_WHAT: Record<Channel['kind'], string> = {
  teams: 'Workflow URL',
  slack: 'incoming-webhook URL',
  pagerduty: 'integration (routing) key',
  webhook: 'signing secret (whsec_…)',
  email: 'SMTP password',
};

export interface ChannelRow {
  name: string;
  kind: Channel['kind'];
  target: string;
  masked: boolean;
  secret: string | null;
}

/** Where a channel sends, as far as the settings say (a Teams or Slack URL is the secret: not shown). */
function targetOf(channel: Channel): string {
  switch (channel.kind) {
    case 'teams':
      return 'the Workflow URL in the secret store';
    case 'slack':
      return 'the webhook URL in the secret store';
    case 'pagerduty':
      return channel.url ?? `PagerDuty Events API v2 (${channel.region ?? 'us'})`;
    case 'webhook':
      return channel.url;
    case 'email':
      return `${channel.to.join(', ')} via ${channel.host}:${channel.port ?? 587}${channel.insecure ? ' (no STARTTLS required)' : ''}`;
  }
}

export function rowOf(name: string, channel: Channel): ChannelRow {
  return {
    name,
    kind: channel.kind,
    target: targetOf(channel),
    masked: channel.mask !== false,
    secret: 'secret' in channel ? (channel.secret ?? null) : null,
  };
}
