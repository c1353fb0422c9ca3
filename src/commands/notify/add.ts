/**
 * `safeweb notify add teams|slack|pagerduty|webhook|email NAME`: a channel in the profile's
 * integration settings, and its secret (the Workflow or webhook URL, the routing key, the signing
 * secret, the SMTP password) in the secret store: from stdin, a file or a hidden prompt, or an
 * entry already there (--secret-name), never from a flag value.
 */
import path from 'node:path';
import { editIntegrations, type Change, type Channel, type Integrations } from '../../config/integrations.js';
import { checkSecretName, getSecret, setSecret, type SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readSecret } from '../../io/read-secret.js';
import { hint, success, type Outcome } from '../../outcome.js';
import type { ChannelKind } from '../../notify/channels.js';
import { loadTemplates } from '../../notify/email-templates.js';
import { channelUrl } from '../../notify/http.js';
import { webhookSecretBytes } from '../../notify/webhook.js';
import { checkChannelName, SECRET_WHAT, settingsFile } from './settings.js';

export interface NotifyAddOptions {
  kind: ChannelKind;
  name: string;
  secretStdin: boolean;
  secretFile?: string | undefined;
  /** The secret store entry to use (or store under): notify/<name> by default. */
  secretName?: string | undefined;
  store: SecretStore;
  /** webhook: where events go; pagerduty: the events URL instead of the region's. */
  url?: string | undefined;
  region?: 'us' | 'eu' | undefined;
  unsigned?: boolean | undefined;
  host?: string | undefined;
  port?: number | undefined;
  username?: string | undefined;
  from?: string | undefined;
  to?: string[] | undefined;
  insecureSmtp?: boolean | undefined;
  templates?: string | undefined;
  /** false: send addresses unmasked. */
  mask: boolean;
  force: boolean;
  /** Flags (or a second argument) that tried to carry the secret: refused, never echoed. */
  valueGiven: string[];
}

interface AddData {
  name: string;
  kind: ChannelKind;
  file: string;
  secret: string | null;
  secretStored: boolean;
}

export async function runNotifyAdd(opts: NotifyAddOptions, ctx: Context): Promise<Outcome<AddData>> {
  if (opts.valueGiven.length)
    throw new UsageError(
      `a secret is never taken on the command line (${opts.valueGiven.join(', ')}): it would stay in shell history and process lists`,
      'Pipe it in with --secret-stdin, give --secret-file FILE, or leave both out to be asked (input hidden).',
    );
  const name = checkChannelName(opts.name);
  const file = await settingsFile(ctx);
  const needsSecret = opts.kind !== 'email' ? !opts.unsigned : opts.username !== undefined;
  const secretName = needsSecret ? secretNameFor(opts, name) : undefined;
  const channel = await settingsFor(opts, secretName);
  // The file is not read as valid first: a route naming this very channel is what the add makes
  // whole. The change is checked on the file as it is, then asked for a secret, then made.
  let replaced = false;
  const change = (current: Integrations): Change[] => {
    replaced = Boolean(current.notify?.channels?.[name]);
    if (replaced && !opts.force)
      throw new UsageError(`a channel named "${name}" exists already`, 'Pass --force to replace it.');
    return [[['notify', 'channels', name], channel]];
  };
  await editIntegrations(file, change, { write: false });
  const stored = secretName ? await provideSecret(opts, secretName, ctx) : false;
  await editIntegrations(file, change);
  return {
    data: { name, kind: opts.kind, file, secret: secretName ?? null, secretStored: stored },
    notes: [
      success(
        `${replaced ? 'Replaced' : 'Added'} the ${opts.kind} channel "${name}" in ${file}` +
          (secretName ? `; its secret is ${secretName}${stored ? ' (stored)' : ''}.` : '.'),
      ),
      hint(`Send it a test message: safeweb notify test ${name}`),
    ],
  };
}

function secretNameFor(opts: NotifyAddOptions, name: string): string {
  if (opts.secretName) return checkSecretName(opts.secretName);
  const fallback = `notify/${name.replace(/_/g, '-')}`;
  try {
    return checkSecretName(fallback);
  } catch {
    throw new UsageError(
      `the channel name "${name}" makes no secret name`,
      'Name its secret with --secret-name notify/NAME (letters, digits and "-" inside).',
    );
  }
}

/** The channel's settings, each checked; nothing secret in them. */
async function settingsFor(opts: NotifyAddOptions, secret: string | undefined): Promise<Channel> {
  const mask = opts.mask ? {} : { mask: false };
  const need = <T>(value: T | undefined, flag: string): T => {
    if (value === undefined) throw new UsageError(`a ${opts.kind} channel needs ${flag}`);
    return value;
  };
  switch (opts.kind) {
    case 'teams':
    case 'slack':
      return { kind: opts.kind, secret: secret!, ...mask };
    case 'pagerduty':
      if (opts.url) channelUrl(opts.url, 'the PagerDuty events URL');
      return {
        kind: 'pagerduty',
        secret: secret!,
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.url ? { url: opts.url } : {}),
        ...mask,
      };
    case 'webhook':
      channelUrl(need(opts.url, '--url URL'), 'the webhook URL');
      return { kind: 'webhook', url: opts.url!, ...(secret ? { secret } : {}), ...mask };
    case 'email': {
      const templates = opts.templates ? path.resolve(opts.templates) : undefined;
      if (templates) await loadTemplates(templates);
      return {
        kind: 'email',
        host: need(opts.host, '--host HOST'),
        ...(opts.port ? { port: opts.port } : {}),
        ...(opts.username ? { username: opts.username } : {}),
        ...(secret ? { secret } : {}),
        from: need(opts.from, '--from ADDRESS'),
        to: need(opts.to?.length ? opts.to : undefined, '--to ADDRESS'),
        ...(opts.insecureSmtp ? { insecure: true } : {}),
        ...(templates ? { templates } : {}),
        ...mask,
      };
    }
  }
}

/** Reads, checks and stores the secret; or finds it stored already under --secret-name. True when stored now. */
async function provideSecret(opts: NotifyAddOptions, name: string, ctx: Context): Promise<boolean> {
  const scope = await ctx.secretScope();
  const what = SECRET_WHAT[opts.kind];
  if (!opts.secretStdin && !opts.secretFile && opts.secretName) {
    const found = await getSecret(scope, name);
    if (found) {
      ctx.holdSecret(found.value);
      checkSecret(opts.kind, found.value, name);
      return false;
    }
  }
  let value: string;
  if (opts.secretStdin || opts.secretFile) {
    value = await readSecret(
      { file: opts.secretFile, stdin: opts.secretStdin },
      ctx.streams.stdin,
      what,
      (t) => ctx.out.warn(t),
      { spaces: opts.kind === 'email' },
    );
  } else {
    const prompter = await ctx.prompter(`Pipe the ${what} in with --secret-stdin, or give --secret-file FILE.`);
    value = await prompter.password({
      message: `The ${what} of the ${opts.kind} channel`,
      validate: (v) => (v.trim() === '' ? 'Give the value.' : /[\r\n]/.test(v) ? 'One line only.' : true),
    });
  }
  ctx.holdSecret(value);
  checkSecret(opts.kind, value, name);
  await setSecret(scope, name, value, { store: opts.store, now: ctx.now() });
  return true;
}

/** Exit 2 when the secret cannot be what the kind needs; the value itself never said. */
function checkSecret(kind: ChannelKind, value: string, name: string): void {
  if (kind === 'teams' || kind === 'slack')
    channelUrl(value, `the ${kind === 'teams' ? 'Workflow' : 'webhook'} URL in ${name}`);
  if (kind === 'webhook') {
    const bytes = webhookSecretBytes(value);
    if (typeof bytes === 'string')
      throw new UsageError(
        `the signing secret in ${name} ${bytes}`,
        'A Standard Webhooks secret is whsec_ and 24 to 64 random bytes in base64, e.g. from `openssl rand -base64 32`.',
      );
  }
  if (kind === 'pagerduty' && !/^[A-Za-z0-9]{20,64}$/.test(value))
    throw new UsageError(
      `the routing key in ${name} does not look like one (20 to 64 letters and digits)`,
      'Copy the Integration Key of the service\u2019s Events API v2 integration.',
    );
}
