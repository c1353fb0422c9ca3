/**
 * `safeweb psa add connectwise|autotask NAME`: checks the credentials with a harmless read
 * (ConnectWise /system/info, Autotask the Ticket entity's information) before anything is saved,
 * then (on a terminal) offers the board or queue, statuses and priorities from the live lists;
 * stores the secrets in the secret store and the rest in the settings. Autotask's zone is looked
 * up from the user name (at --zone-url, Autotask's own by default), unless --zone gives it.
 */
import type { AutotaskConnection, ConnectWiseConnection, PsaConnection } from '../../config/integrations.js';
import { deleteSecret, secretProfile, setSecret, type SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { hint, success, type Outcome } from '../../outcome.js';
import { AT_ZONE_URL, autotaskApiBase, lookUpZone } from '../../psa/autotask/client.js';
import { connectWiseApiBase } from '../../psa/connectwise/client.js';
import { autotaskClientFor, connectWiseClientFor, integrationCodeSecret, psaKind } from '../../psa/kinds.js';
import type { PsaClient } from '../../psa/types.js';
import { integrationSettingsFile } from '../../services.js';
import {
  checkConnectionName,
  choosePolicy,
  policyFromFlags,
  readAutotaskSecrets,
  readPrivateKey,
  refuseKeyFlags,
  secretNameFor,
  toKindPolicy,
  type KeyFlags,
  type PolicyFlags,
} from './settings.js';

export interface PsaAddOptions extends PolicyFlags, KeyFlags {
  kind: 'connectwise' | 'autotask';
  name: string;
  site?: string | undefined;
  company?: string | undefined;
  publicKey?: string | undefined;
  clientId?: string | undefined;
  /** Autotask: the API user, and where its zone is found (or the zone itself). */
  username?: string | undefined;
  zoneUrl?: string | undefined;
  zone?: string | undefined;
  maxPerHour?: number | undefined;
  /** Where the secrets are kept: the secret store's file (default) or the OS keychain. */
  store: SecretStore;
  /** Make it psa.default (the first connection is, without asking). */
  makeDefault: boolean;
}

/** The flags a kind needs: exit 2 naming those missing, and those that belong to the other kind. */
function checkFlags(opts: PsaAddOptions): void {
  const all = opts as unknown as Record<string, unknown>;
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const cw = ['site', 'company', 'publicKey', 'clientId'];
  const at = ['username', 'zoneUrl', 'zone', 'maxPerHour', 'queue', 'ticketType'];
  const autotask = opts.kind === 'autotask';
  const [mine, other, farSide] = autotask
    ? [['username'], [...cw, 'board', 'type'], 'Autotask']
    : [cw, at, 'ConnectWise'];
  const foreign = other.filter((k) => all[k] !== undefined);
  if (foreign.length)
    throw new UsageError(
      `${foreign.map(flag).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not for ${farSide === 'Autotask' ? 'an' : 'a'} ${farSide} connection`,
      autotask
        ? 'An Autotask connection takes --username, --zone-url or --zone, --queue, --ticket-type.'
        : 'A ConnectWise connection takes --site, --company, --public-key, --client-id, --board, --type.',
    );
  const missing = mine.filter((k) => all[k] === undefined);
  if (missing.length)
    throw new UsageError(
      `${farSide === 'Autotask' ? 'an' : 'a'} ${farSide} connection needs ${missing.map(flag).join(', ')}`,
      `For example: ${psaKind('x', { kind: opts.kind } as PsaConnection).addExample}`,
    );
  const autotaskSecrets = opts.secretStdin || opts.secretFile || opts.integrationCodeStdin || opts.integrationCodeFile;
  if (opts.kind === 'autotask' && (opts.privateKeyStdin || opts.privateKeyFile))
    throw new UsageError(
      'an Autotask connection has no private key',
      'Give its secret with --secret-stdin or --secret-file FILE, its integration code with --integration-code-file FILE.',
    );
  if (opts.kind === 'connectwise' && autotaskSecrets)
    throw new UsageError(
      'a ConnectWise connection has a private key, not a secret and an integration code',
      'Give it with --private-key-stdin or --private-key-file FILE.',
    );
  if (opts.kind === 'autotask' && opts.zoneUrl !== undefined && opts.zone !== undefined)
    throw new UsageError('give --zone-url (to look the zone up) or --zone (the zone itself), not both');
}

interface Prepared {
  /** The settings to save, before the policy. */
  base: PsaConnection;
  /** Each secret-store entry to write, and its value. */
  secrets: Array<[name: string, value: string]>;
  client: PsaClient;
  /** What answered, for the success line. */
  where: string;
}

async function prepareConnectWise(opts: PsaAddOptions, name: string, ctx: Context): Promise<Prepared> {
  connectWiseApiBase(opts.site!); // a site that is no site is exit 2 before anything is asked
  const base: ConnectWiseConnection = {
    kind: 'connectwise',
    site: opts.site!.trim(),
    company: opts.company!,
    publicKey: opts.publicKey!,
    clientId: opts.clientId!,
    secret: secretNameFor(name),
  };
  const privateKey = await readPrivateKey(opts, name, ctx);
  const client = connectWiseClientFor(name, base, privateKey, await ctx.clients.psaHttp());
  return { base, secrets: [[base.secret, privateKey]], client, where: base.site };
}

async function prepareAutotask(opts: PsaAddOptions, name: string, ctx: Context): Promise<Prepared> {
  const http = await ctx.clients.psaHttp();
  if (opts.zone !== undefined) autotaskApiBase(opts.zone); // exit 2 before anything is asked
  // The zone first: an unknown user or an unreachable Autotask is said before any secret is asked for.
  const zone =
    opts.zone?.trim().replace(/\/+$/, '') ??
    (await lookUpZone({ zoneUrl: opts.zoneUrl ?? AT_ZONE_URL, username: opts.username!, http }));
  const base: AutotaskConnection = {
    kind: 'autotask',
    username: opts.username!,
    zone,
    secret: secretNameFor(name),
    ...(opts.maxPerHour === undefined ? {} : { maxPerHour: opts.maxPerHour }),
  };
  const read = await readAutotaskSecrets(opts, name, ctx, { secret: true, integrationCode: true });
  const secrets = { secret: read.secret!, integrationCode: read.integrationCode! };
  const client = await autotaskClientFor(name, base, secrets, http);
  return {
    base,
    secrets: [
      [base.secret, secrets.secret],
      [integrationCodeSecret(base), secrets.integrationCode],
    ],
    client,
    where: zone,
  };
}

export async function runPsaAdd(opts: PsaAddOptions, ctx: Context): Promise<Outcome> {
  refuseKeyFlags(opts.keyGiven, opts.kind);
  const name = checkConnectionName(opts.name);
  checkFlags(opts);
  const file = await integrationSettingsFile(ctx);
  const { readIntegrations, editIntegrations } = await import('../../config/integrations.js');
  const exists = (connections: Record<string, unknown> | undefined) => {
    if (connections?.[name])
      throw new UsageError(
        `PSA connection "${name}" exists already (in ${file})`,
        `Change it with \`safeweb psa set ${name} …\`, or remove it first: safeweb psa remove ${name}`,
      );
  };
  exists((await readIntegrations(file)).settings.psa?.connections);
  const scope = await ctx.secretScope();
  const profile = secretProfile(scope);
  const prepared =
    opts.kind === 'autotask' ? await prepareAutotask(opts, name, ctx) : await prepareConnectWise(opts, name, ctx);
  const { base, client } = prepared;
  const kind = psaKind(name, base);
  const { version } = await client.systemInfo();
  const policy = await choosePolicy(client, name, policyFromFlags(opts), ctx, kind.words);
  const connection = { ...base, ...toKindPolicy(base.kind, policy) } as PsaConnection;

  const stored: string[] = [];
  let isDefault = false;
  let savedIn = '';
  try {
    for (const [secretName, value] of prepared.secrets) {
      const saved = await setSecret(scope, secretName, value, { store: opts.store, now: ctx.now() });
      savedIn = saved.file;
      // A key stored for this connection alone goes again if the connection is not saved.
      if (!saved.replaced) stored.push(secretName);
    }
    await editIntegrations(
      file,
      (current) => {
        exists(current.psa?.connections);
        isDefault = opts.makeDefault || current.psa?.default === undefined;
        return [
          [['psa', 'connections', name], connection],
          ...(isDefault ? [[['psa', 'default'], name] as [string[], string]] : []),
        ];
      },
      { command: 'safeweb psa add' },
    );
  } catch (error) {
    for (const secretName of stored) await deleteSecret(scope, secretName).catch(() => undefined);
    throw error;
  }
  const where = opts.store === 'keyring' ? 'the OS keychain' : savedIn;
  const view = kind.policy(connection as never);
  const unset = [
    view.board === undefined && kind.words.flags.board,
    view.statuses?.new === undefined && '--new-status',
    view.statuses?.closed === undefined && '--closed-status',
  ].filter(Boolean);
  const what = opts.kind === 'autotask' ? 'Secret and integration code' : 'Private key';
  return {
    data: { name, ...connection, default: isDefault, profile, version, file },
    notes: [
      success(
        `Added ${kind.farSide} connection "${name}"${isDefault ? ' (the default)' : ''}: ${prepared.where} answered (${version}). ` +
          `${what} stored as ${prepared.secrets.map(([n]) => n).join(' and ')} in ${where}; settings in ${file}.`,
      ),
      ...(unset.length
        ? [hint(`Tickets need ${unset.join(', ')}: safeweb psa set ${name} ${unset.map((f) => `${f} …`).join(' ')}`)]
        : [hint(`Try it with a test ticket: safeweb psa test ${name}`)]),
    ],
  };
}
