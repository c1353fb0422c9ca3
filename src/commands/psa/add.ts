/**
 * `safeweb psa add connectwise|autotask|halo NAME`: checks the credentials with a harmless read
 * (ConnectWise /system/info, Autotask the Ticket entity's information, Halo a token and its
 * statuses) before anything is saved,
 * then (on a terminal) offers the board or queue, statuses and priorities from the live lists;
 * stores the secrets in the secret store and the rest in the settings. Autotask's zone is looked
 * up from the user name (at --zone-url, Autotask's own by default), unless --zone gives it.
 */
import {
  readIntegrations,
  editIntegrations,
  type AutotaskConnection,
  type ConnectWiseConnection,
  type HaloConnection,
  type PsaConnection,
} from '../../config/integrations.js';
import { deleteSecret, secretProfile, setSecret, type SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { hint, success, type Outcome } from '../../outcome.js';
import { AT_ZONE_URL, autotaskApiBase, lookUpZone } from '../../psa/autotask/client.js';
import { connectWiseApiBase } from '../../psa/connectwise/client.js';
import { haloTenantUrl } from '../../psa/halo/client.js';
import {
  autotaskClientFor,
  connectWiseClientFor,
  haloClientFor,
  integrationCodeSecret,
  psaKind,
} from '../../psa/kinds.js';
import type { PsaClient } from '../../psa/types.js';
import { integrationSettingsFile } from '../../services.js';
import {
  checkConnectionName,
  choosePolicy,
  policyFromFlags,
  readAutotaskSecrets,
  readHaloSecret,
  readPrivateKey,
  refuseKeyFlags,
  secretNameFor,
  toKindPolicy,
  type KeyFlags,
  type PolicyFlags,
} from './settings.js';

export interface PsaAddOptions extends PolicyFlags, KeyFlags {
  kind: 'connectwise' | 'autotask' | 'halo';
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
  /** Halo: the tenant (its client ID is --client-id). */
  tenant?: string | undefined;
  /** Where the secrets are kept: the secret store's file (default) or the OS keychain. */
  store: SecretStore;
  /** Make it psa.default (the first connection is, without asking). */
  makeDefault: boolean;
}

/** Each kind's own flags (beside the policy's shared ones), and the secrets it is given with. */
const OWN_FLAGS: Record<PsaAddOptions['kind'], { required: string[]; optional: string[]; farSide: string }> = {
  connectwise: {
    required: ['site', 'company', 'publicKey', 'clientId'],
    optional: ['board', 'type'],
    farSide: 'ConnectWise',
  },
  autotask: {
    required: ['username'],
    optional: ['zoneUrl', 'zone', 'maxPerHour', 'queue', 'ticketType'],
    farSide: 'Autotask',
  },
  halo: { required: ['tenant', 'clientId'], optional: ['ticketType'], farSide: 'HaloPSA' },
};
const TAKES: Record<PsaAddOptions['kind'], string> = {
  connectwise: 'A ConnectWise connection takes --site, --company, --public-key, --client-id, --board, --type.',
  autotask: 'An Autotask connection takes --username, --zone-url or --zone, --queue, --ticket-type.',
  halo: 'A HaloPSA connection takes --tenant, --client-id, --ticket-type.',
};

/** The flags a kind needs: exit 2 naming those missing, and those that belong to another kind. */
function checkFlags(opts: PsaAddOptions): void {
  const all = opts as unknown as Record<string, unknown>;
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const own = OWN_FLAGS[opts.kind];
  const mine = new Set([...own.required, ...own.optional]);
  const other = [...new Set(Object.values(OWN_FLAGS).flatMap((k) => [...k.required, ...k.optional]))].filter(
    (k) => !mine.has(k),
  );
  const article = (farSide: string) => (farSide === 'Autotask' ? 'an' : 'a');
  const foreign = other.filter((k) => all[k] !== undefined);
  if (foreign.length)
    throw new UsageError(
      `${foreign.map(flag).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not for ${article(own.farSide)} ${own.farSide} connection`,
      TAKES[opts.kind],
    );
  const missing = own.required.filter((k) => all[k] === undefined);
  if (missing.length)
    throw new UsageError(
      `${article(own.farSide)} ${own.farSide} connection needs ${missing.map(flag).join(', ')}`,
      `For example: ${psaKind('x', { kind: opts.kind } as PsaConnection).addExample}`,
    );
  const privateKey = opts.privateKeyStdin || opts.privateKeyFile;
  const secret = opts.secretStdin || opts.secretFile;
  const code = opts.integrationCodeStdin || opts.integrationCodeFile;
  if (opts.kind !== 'connectwise' && privateKey)
    throw new UsageError(
      `${article(own.farSide)} ${own.farSide} connection has no private key`,
      opts.kind === 'halo'
        ? 'Give its client secret with --secret-stdin or --secret-file FILE.'
        : 'Give its secret with --secret-stdin or --secret-file FILE, its integration code with --integration-code-file FILE.',
    );
  if (opts.kind === 'connectwise' && (secret || code))
    throw new UsageError(
      'a ConnectWise connection has a private key, not a secret and an integration code',
      'Give it with --private-key-stdin or --private-key-file FILE.',
    );
  if (opts.kind === 'halo' && code)
    throw new UsageError(
      'a HaloPSA connection has a client secret, not an integration code',
      'Give it with --secret-stdin or --secret-file FILE.',
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

async function prepareHalo(opts: PsaAddOptions, name: string, ctx: Context): Promise<Prepared> {
  // Kept as given but checked first: a tenant that is no address is exit 2 before anything is asked.
  const tenant = haloTenantUrl(opts.tenant!);
  const base: HaloConnection = { kind: 'halo', tenant, clientId: opts.clientId!, secret: secretNameFor(name) };
  const clientSecret = await readHaloSecret(opts, name, ctx);
  const client = haloClientFor(name, base, clientSecret, await ctx.clients.psaHttp());
  return { base, secrets: [[base.secret, clientSecret]], client, where: tenant };
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
    opts.kind === 'autotask'
      ? await prepareAutotask(opts, name, ctx)
      : opts.kind === 'halo'
        ? await prepareHalo(opts, name, ctx)
        : await prepareConnectWise(opts, name, ctx);
  const { base, client } = prepared;
  const kind = psaKind(name, base);
  const { version } = await client.systemInfo();
  const policy = await choosePolicy(client, name, policyFromFlags(opts, opts.kind), ctx, kind.words);
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
  const what = { autotask: 'Secret and integration code', halo: 'Client secret', connectwise: 'Private key' }[
    opts.kind
  ];
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
