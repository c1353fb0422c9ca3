/**
 * `safeweb psa set NAME key=value… [flags]`: changes a connection's settings. A changed site or
 * credential (or a new private key) is checked with /system/info, and a board, status, priority
 * or fallback company against ConnectWise's live lists, before anything is saved: an unknown
 * name is exit 2 listing the valid ones. `key=` (nothing after) removes an optional setting.
 */
import type { ConnectWiseConnection } from '../../config/integrations.js';
import { PRIORITY_BANDS } from '../../config/integrations-schema.js';
import type { SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { asConnectWise, connectWiseClientFor, pickConnection } from '../../psa/connection.js';
import { checkPolicy } from '../../psa/policy.js';
import { integrationSettingsFile } from '../../services.js';
import { policyFromFlags, readPrivateKey, ref, refuseKeyFlags, type KeyFlags, type PolicyFlags } from './settings.js';

export interface PsaSetOptions extends PolicyFlags, KeyFlags {
  name: string;
  pairs: string[];
  site?: string | undefined;
  company?: string | undefined;
  publicKey?: string | undefined;
  clientId?: string | undefined;
  store: SecretStore;
  makeDefault: boolean;
}

const REQUIRED = ['site', 'company', 'publicKey', 'clientId', 'secret'];
const IDS = ['board', 'statuses.new', 'statuses.closed', 'source', 'type', 'fallbackCompany'];
const KEYS = [
  ...REQUIRED,
  ...IDS,
  ...PRIORITY_BANDS.map((b) => `priorities.${b}`),
  'grouping',
  'reopenDays',
  'resolveOnClose',
  'offboard',
  'mask',
];
const CREDENTIALS = ['site', 'company', 'publicKey', 'clientId', 'secret'];

function yesNo(key: string, text: string): boolean {
  if (/^(true|yes|on)$/i.test(text)) return true;
  if (/^(false|no|off)$/i.test(text)) return false;
  throw new UsageError(`${key}=${text}: give true or false`);
}

/** `board=Security` → ['board', 'Security']; `statuses.new=` → ['statuses.new', undefined]. */
function pair(text: string): [string, unknown] {
  const at = text.indexOf('=');
  const key = text.slice(0, at).trim();
  if (at < 1 || !KEYS.includes(key))
    throw new UsageError(
      `"${text}" is not KEY=VALUE with a key of a ConnectWise connection`,
      `Keys: ${KEYS.join(', ')}`,
    );
  const value = text.slice(at + 1).trim();
  if (value === '') {
    if (REQUIRED.includes(key)) throw new UsageError(`${key} cannot be removed: a connection needs it`);
    return [key, undefined];
  }
  if (IDS.includes(key) || key.startsWith('priorities.')) return [key, ref(value)];
  if (key === 'reopenDays') {
    if (!/^\d+$/.test(value)) throw new UsageError(`reopenDays=${value}: give a whole number of days`);
    return [key, Number(value)];
  }
  if (key === 'resolveOnClose' || key === 'mask') return [key, yesNo(key, value)];
  return [key, value];
}

/** Flags and pairs as one list of changes, by dotted key. */
function changesOf(opts: PsaSetOptions): Map<string, unknown> {
  const changes = new Map<string, unknown>();
  for (const key of ['site', 'company', 'publicKey', 'clientId'] as const)
    if (opts[key] !== undefined) changes.set(key, opts[key]);
  const flags = policyFromFlags(opts);
  for (const [key, value] of Object.entries(flags)) {
    if (value !== null && typeof value === 'object')
      for (const [inner, v] of Object.entries(value as object)) changes.set(`${key}.${inner}`, v);
    else changes.set(key, value);
  }
  for (const text of opts.pairs) changes.set(...pair(text));
  return changes;
}

function merged(current: ConnectWiseConnection, changes: Map<string, unknown>): ConnectWiseConnection {
  const next = structuredClone(current) as unknown as Record<string, Record<string, unknown> | unknown>;
  for (const [key, value] of changes) {
    const [head, inner] = key.split('.') as [string, string | undefined];
    if (inner === undefined) next[head] = value;
    else next[head] = { ...(next[head] as Record<string, unknown> | undefined), [inner]: value };
  }
  return JSON.parse(JSON.stringify(next)) as ConnectWiseConnection; // drops the removed (undefined) values
}

export async function runPsaSet(opts: PsaSetOptions, ctx: Context): Promise<Outcome> {
  refuseKeyFlags(opts.keyGiven);
  const file = await integrationSettingsFile(ctx);
  const { readIntegrations, editIntegrations } = await import('../../config/integrations.js');
  const { settings } = await readIntegrations(file);
  const { name, settings: found } = pickConnection(settings, opts.name, file);
  const current = asConnectWise(name, found);
  const changes = changesOf(opts);
  const newKey = opts.privateKeyStdin || opts.privateKeyFile !== undefined;
  if (changes.size === 0 && !newKey && !opts.makeDefault)
    throw new UsageError(
      'nothing to change',
      `Give KEY=VALUE pairs or flags, e.g. safeweb psa set ${name} --board Security`,
    );
  const next = merged(current, changes);
  const touched = (...keys: string[]) =>
    [...changes.keys()].some((k) => keys.some((x) => k === x || k.startsWith(`${x}.`)));
  const live = {
    ...(touched('board', 'statuses') ? { board: next.board, statuses: next.statuses } : {}),
    ...(touched('priorities') ? { priorities: next.priorities } : {}),
    ...(touched('source') ? { source: next.source } : {}),
    ...(touched('type') ? { type: next.type } : {}),
    ...(touched('fallbackCompany') ? { fallbackCompany: next.fallbackCompany } : {}),
  };
  const privateKey = newKey ? await readPrivateKey(opts, name, ctx) : undefined;
  if (newKey || touched(...CREDENTIALS) || Object.keys(live).length) {
    const key = privateKey ?? (await ctx.secret(next.secret));
    const client = connectWiseClientFor(name, next, key, await ctx.clients.psaHttp());
    if (newKey || touched(...CREDENTIALS)) await client.systemInfo();
    await checkPolicy(client, name, live);
  }
  let stored = '';
  if (privateKey) {
    const [{ setSecret }, scope] = await Promise.all([import('../../config/secrets.js'), ctx.secretScope()]);
    const saved = await setSecret(scope, next.secret, privateKey, { store: opts.store, now: ctx.now() });
    stored = ` New private key stored as ${next.secret} in ${opts.store === 'keyring' ? 'the OS keychain' : saved.file}.`;
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
  const said = [...changes.keys(), ...(opts.makeDefault ? ['default'] : []), ...(privateKey ? ['private key'] : [])];
  return {
    data: { name, changed: said, settings: next, default: opts.makeDefault || settings.psa?.default === name },
    notes: [success(`Updated PSA connection "${name}": ${said.join(', ')}.${stored}`)],
  };
}
