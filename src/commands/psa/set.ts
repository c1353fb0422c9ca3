/**
 * `safeweb psa set NAME key=value… [flags]`: changes a connection's settings. A changed address or
 * credential (or a new secret) is checked with the PSA's harmless read, and a board (Autotask:
 * queue), status, priority or fallback company against the live lists, before anything is saved:
 * an unknown name is exit 2 listing the valid ones. `key=` (nothing after) removes an optional setting.
 */
import { readIntegrations, editIntegrations, type PsaConnection } from '../../config/integrations.js';
import { PRIORITY_BANDS } from '../../config/integrations-schema.js';
import { setSecret, type SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { pickConnection } from '../../psa/connection.js';
import { haloTenantUrl } from '../../psa/halo/client.js';
import { integrationCodeSecret, psaKind } from '../../psa/kinds.js';
import { checkPolicy } from '../../psa/policy.js';
import { integrationSettingsFile } from '../../services.js';
import {
  policyFromFlags,
  readAutotaskSecrets,
  readHaloSecret,
  readPrivateKey,
  ref,
  refuseKeyFlags,
  toKindPolicy,
  type KeyFlags,
  type PolicyFlags,
} from './settings.js';

export interface PsaSetOptions extends PolicyFlags, KeyFlags {
  name: string;
  pairs: string[];
  site?: string | undefined;
  company?: string | undefined;
  publicKey?: string | undefined;
  clientId?: string | undefined;
  username?: string | undefined;
  maxPerHour?: number | undefined;
  /** Halo: the tenant. */
  tenant?: string | undefined;
  store: SecretStore;
  makeDefault: boolean;
}

/** A kind's settings keys: which are required, which name a record, which change the credentials. */
interface Keys {
  kind: PsaConnection['kind'];
  farSide: string;
  /** Its own flags of `psa set` (beside the policy's). */
  flags: string[];
  required: string[];
  ids: string[];
  credentials: string[];
  numbers: string[];
  all: string[];
  /** The kind's keys of the policy's board and type (none: Halo's board is its type). */
  board: string;
  type?: string | undefined;
}

const POLICY_TAIL = ['grouping', 'reopenDays', 'resolveOnClose', 'offboard', 'mask'];
const bands = PRIORITY_BANDS.map((b) => `priorities.${b}`);

function keysOf(kind: PsaConnection['kind']): Keys {
  if (kind === 'halo') {
    const required = ['tenant', 'clientId', 'secret'];
    const ids = ['ticketType', 'statuses.new', 'statuses.closed', 'source', 'fallbackCompany'];
    return {
      kind,
      farSide: 'HaloPSA',
      flags: ['tenant', 'clientId'],
      required,
      ids,
      credentials: required,
      numbers: ['reopenDays'],
      all: [...required, ...ids, ...bands, ...POLICY_TAIL],
      board: 'ticketType',
    };
  }
  if (kind === 'autotask') {
    const required = ['username', 'secret'];
    const ids = ['queue', 'statuses.new', 'statuses.closed', 'source', 'ticketType', 'fallbackCompany'];
    return {
      kind,
      farSide: 'Autotask',
      flags: ['username', 'maxPerHour'],
      required,
      ids,
      credentials: ['username', 'zone', 'secret', 'integrationCode'],
      numbers: ['reopenDays', 'maxPerHour'],
      all: [...required, 'zone', 'integrationCode', ...ids, ...bands, ...POLICY_TAIL, 'maxPerHour'],
      board: 'queue',
      type: 'ticketType',
    };
  }
  const required = ['site', 'company', 'publicKey', 'clientId', 'secret'];
  const ids = ['board', 'statuses.new', 'statuses.closed', 'source', 'type', 'fallbackCompany'];
  return {
    kind,
    farSide: 'ConnectWise',
    flags: ['site', 'company', 'publicKey', 'clientId'],
    required,
    ids,
    credentials: required,
    numbers: ['reopenDays'],
    all: [...required, ...ids, ...bands, ...POLICY_TAIL],
    board: 'board',
    type: 'type',
  };
}

function yesNo(key: string, text: string): boolean {
  if (/^(true|yes|on)$/i.test(text)) return true;
  if (/^(false|no|off)$/i.test(text)) return false;
  throw new UsageError(`${key}=${text}: give true or false`);
}

/** `board=Security` → ['board', 'Security']; `statuses.new=` → ['statuses.new', undefined]. */
function pair(text: string, keys: Keys): [string, unknown] {
  const at = text.indexOf('=');
  const key = text.slice(0, at).trim();
  if (at < 1 || !keys.all.includes(key))
    throw new UsageError(
      `"${text}" is not KEY=VALUE with a key of a ${keys.farSide} connection`,
      `Keys: ${keys.all.join(', ')}`,
    );
  const value = text.slice(at + 1).trim();
  if (value === '') {
    if (keys.required.includes(key)) throw new UsageError(`${key} cannot be removed: a connection needs it`);
    return [key, undefined];
  }
  if (keys.ids.includes(key) || key.startsWith('priorities.')) return [key, ref(value)];
  if (keys.numbers.includes(key)) {
    if (!/^\d+$/.test(value))
      throw new UsageError(`${key}=${value}: give a whole number${key === 'reopenDays' ? ' of days' : ''}`);
    return [key, Number(value)];
  }
  if (key === 'resolveOnClose' || key === 'mask') return [key, yesNo(key, value)];
  return [key, value];
}

/** Flags and pairs as one list of changes, by dotted key in the kind's own words. */
function changesOf(opts: PsaSetOptions, keys: Keys): Map<string, unknown> {
  const changes = new Map<string, unknown>();
  const given = opts as unknown as Record<string, unknown>;
  for (const key of keys.flags) if (given[key] !== undefined) changes.set(key, given[key]);
  // Each kind's own flags, and its words for the board and the type.
  const policyFlags: Record<PsaConnection['kind'], string[]> = {
    connectwise: ['board', 'type'],
    autotask: ['queue', 'ticketType'],
    halo: ['ticketType'],
  };
  const mine = new Set([...keys.flags, ...policyFlags[keys.kind]]);
  const everyKind = ['site', 'company', 'publicKey', 'clientId', 'username', 'maxPerHour', 'tenant'];
  const foreign = [...new Set([...everyKind, ...Object.values(policyFlags).flat()])].filter(
    (k) => !mine.has(k) && given[k] !== undefined,
  );
  if (foreign.length)
    throw new UsageError(
      `${foreign.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not for ${keys.farSide === 'Autotask' ? 'an' : 'a'} ${keys.farSide} connection`,
    );
  const flags = toKindPolicy(keys.kind, policyFromFlags(opts, keys.kind));
  for (const [key, value] of Object.entries(flags)) {
    if (value !== null && typeof value === 'object')
      for (const [inner, v] of Object.entries(value as object)) changes.set(`${key}.${inner}`, v);
    else changes.set(key, value);
  }
  for (const text of opts.pairs) changes.set(...pair(text, keys));
  // A tenant given as a host is kept as the URL it means (exit 2 for one that is no address).
  const tenant = changes.get('tenant');
  if (keys.kind === 'halo' && typeof tenant === 'string') changes.set('tenant', haloTenantUrl(tenant));
  return changes;
}

function merged<T extends PsaConnection>(current: T, changes: Map<string, unknown>): T {
  const next = structuredClone(current) as unknown as Record<string, Record<string, unknown> | unknown>;
  for (const [key, value] of changes) {
    const [head, inner] = key.split('.') as [string, string | undefined];
    if (inner === undefined) next[head] = value;
    else next[head] = { ...(next[head] as Record<string, unknown> | undefined), [inner]: value };
  }
  return JSON.parse(JSON.stringify(next)) as T; // drops the removed (undefined) values
}

export async function runPsaSet(opts: PsaSetOptions, ctx: Context): Promise<Outcome> {
  const file = await integrationSettingsFile(ctx);
  const { settings } = await readIntegrations(file);
  const { name, settings: current } = pickConnection(settings, opts.name, file);
  refuseKeyFlags(opts.keyGiven, current.kind);
  const kind = psaKind(name, current);
  const keys = keysOf(current.kind);
  const changes = changesOf(opts, keys);
  const autotask = current.kind === 'autotask';
  const halo = current.kind === 'halo';
  const newSecrets =
    autotask || halo
      ? {
          secret: Boolean(opts.secretStdin || opts.secretFile !== undefined),
          integrationCode: autotask && Boolean(opts.integrationCodeStdin || opts.integrationCodeFile !== undefined),
        }
      : { secret: opts.privateKeyStdin || opts.privateKeyFile !== undefined, integrationCode: false };
  const newKey = newSecrets.secret || newSecrets.integrationCode;
  if (changes.size === 0 && !newKey && !opts.makeDefault)
    throw new UsageError(
      'nothing to change',
      `Give KEY=VALUE pairs or flags, e.g. safeweb psa set ${name} ${kind.words.flags.board} Security`,
    );
  const next = merged(current, changes);
  const touched = (...wanted: string[]) =>
    [...changes.keys()].some((k) => wanted.some((x) => k === x || k.startsWith(`${x}.`)));
  const view = kind.policy(next as never);
  // What was changed is checked against the live lists, in the tool's words.
  const live = {
    ...(touched(keys.board, 'statuses') ? { board: view.board, statuses: view.statuses } : {}),
    ...(touched('priorities') ? { priorities: view.priorities } : {}),
    ...(touched('source') ? { source: view.source } : {}),
    ...(keys.type !== undefined && touched(keys.type) ? { type: view.type } : {}),
    ...(touched('fallbackCompany') ? { fallbackCompany: view.fallbackCompany } : {}),
  };
  // The new secrets, by their entry in the store.
  const given = new Map<string, string>();
  if (autotask && newKey) {
    const read = await readAutotaskSecrets(opts, name, ctx, newSecrets);
    if (read.secret !== undefined) given.set(next.secret, read.secret);
    if (read.integrationCode !== undefined) given.set(integrationCodeSecret(next as never), read.integrationCode);
  } else if (halo && newKey) given.set(next.secret, await readHaloSecret(opts, name, ctx));
  else if (newKey) given.set(next.secret, await readPrivateKey(opts, name, ctx));
  if (newKey || touched(...keys.credentials) || Object.keys(live).length) {
    const client = await kind.open({
      name,
      settings: next as never,
      secret: async (secretName) => given.get(secretName) ?? (await ctx.secret(secretName)),
      http: await ctx.clients.psaHttp(),
    });
    if (newKey || touched(...keys.credentials)) await client.systemInfo();
    await checkPolicy(client, name, live, live.board, kind.words);
  }
  let stored = '';
  if (given.size) {
    const scope = await ctx.secretScope();
    let savedIn = '';
    for (const [secretName, value] of given)
      savedIn = (await setSecret(scope, secretName, value, { store: opts.store, now: ctx.now() })).file;
    const what = autotask ? `New ${[...given.keys()].join(' and ')}` : halo ? 'New client secret' : 'New private key';
    stored = ` ${what} stored${autotask ? '' : ` as ${next.secret}`} in ${opts.store === 'keyring' ? 'the OS keychain' : savedIn}.`;
  }
  await editIntegrations(
    file,
    (now) => {
      if (!now.psa?.connections?.[name]) throw new UsageError(`PSA connection "${name}" was removed meanwhile`);
      return [
        // Key by key, so a person's comments in the connection stay where they are.
        ...[...changes].map(([key, value]): [string[], unknown] => [
          ['psa', 'connections', name, ...key.split('.')],
          value,
        ]),
        ...(opts.makeDefault ? [[['psa', 'default'], name] as [string[], unknown]] : []),
      ];
    },
    { command: 'safeweb psa set' },
  );
  const secretsSaid = autotask
    ? [...(newSecrets.secret ? ['secret'] : []), ...(newSecrets.integrationCode ? ['integration code'] : [])]
    : newKey
      ? [halo ? 'client secret' : 'private key']
      : [];
  const said = [...changes.keys(), ...(opts.makeDefault ? ['default'] : []), ...secretsSaid];
  return {
    data: { name, changed: said, settings: next, default: opts.makeDefault || settings.psa?.default === name },
    notes: [success(`Updated PSA connection "${name}": ${said.join(', ')}.${stored}`)],
  };
}
