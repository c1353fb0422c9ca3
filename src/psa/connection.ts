/**
 * A PSA connection by name, ready to use: its settings from the profile's integration settings
 * (`psa.connections.<name>`; no name: `psa.default`, or the only one), its private key from the
 * secret store (the entry its `secret:` names), and its client on the run's HTTP settings. What
 * the front doors and the sync open; they never build a client from settings themselves.
 */
import {
  connectWisePolicy,
  readIntegrations,
  type ConnectWiseConnection,
  type ConnectWisePolicy,
  type Integrations,
  type PsaConnection,
} from '../config/integrations.js';
import { UsageError } from '../errors.js';
import { createConnectWiseClient } from './connectwise/client.js';
import type { PsaHttpSettings, PsaWriteRecord } from './http.js';
import type { PsaClient } from './types.js';

/** What opening a connection needs from the run (services.ts wires it from the Context). */
export interface ConnectionSource {
  /** The profile's integration settings file. */
  file: string;
  /** The value of a secret-store entry; exit 2 naming the ways to give it when there is none. */
  secret: (name: string) => Promise<string>;
  http: PsaHttpSettings;
}

export interface OpenConnection {
  name: string;
  settings: ConnectWiseConnection;
  /** The settings with every default applied (grouping, reopen window, …). */
  policy: ConnectWisePolicy;
  client: PsaClient;
}

/**
 * The connection `name` names, else `psa.default`, else the only one; exit 2 when there is none
 * to take, listing the configured ones.
 */
export function pickConnection(
  settings: Integrations,
  name: string | undefined,
  file: string,
): { name: string; settings: PsaConnection } {
  const connections = settings.psa?.connections ?? {};
  const names = Object.keys(connections);
  const add = 'Add one: safeweb psa add connectwise NAME --site HOST --company ID --public-key KEY --client-id ID';
  if (names.length === 0) throw new UsageError(`no PSA connection is configured (in ${file})`, add);
  const listed = names.join(', ');
  if (name !== undefined) {
    const found = connections[name];
    if (!found)
      throw new UsageError(
        `no PSA connection named "${name}"; configured: ${listed}`,
        'See them with `safeweb psa list`.',
      );
    return { name, settings: found };
  }
  const fallback = settings.psa?.default ?? (names.length === 1 ? names[0] : undefined);
  if (fallback === undefined || !connections[fallback])
    throw new UsageError(
      `several PSA connections are configured (${listed}) and psa.default names none`,
      'Name one, or make one the default: safeweb psa set NAME --default',
    );
  return { name: fallback, settings: connections[fallback] };
}

/** Only ConnectWise so far: another kind is exit 2 saying so. */
export function asConnectWise(name: string, settings: PsaConnection): ConnectWiseConnection {
  if (settings.kind === 'connectwise') return settings;
  throw new UsageError(
    `PSA connection "${name}" is ${settings.kind}; this version of safeweb connects to ConnectWise only`,
  );
}

/** The client of a ConnectWise connection, with the private key given (psa add checks one before saving it). */
export function connectWiseClientFor(
  name: string,
  settings: Pick<ConnectWiseConnection, 'site' | 'company' | 'publicKey' | 'clientId' | 'secret'>,
  privateKey: string,
  http: PsaHttpSettings,
): PsaClient {
  const guard = http.guard;
  // The audit log names the connection: the HTTP layer knows only the far side.
  const named = guard?.afterWrite
    ? {
        ...http,
        guard: { ...guard, afterWrite: (record: PsaWriteRecord) => guard.afterWrite!({ ...record, connection: name }) },
      }
    : http;
  return createConnectWiseClient({
    site: settings.site,
    credentials: {
      company: settings.company,
      publicKey: settings.publicKey,
      privateKey,
      clientId: settings.clientId,
    },
    http: named,
    hints: {
      auth:
        `Check the company ID, public key and clientId of connection "${name}" (safeweb psa show ${name}), ` +
        `and the private key in the secret ${settings.secret} (safeweb psa set ${name} --private-key-stdin replaces it).`,
      address: `Check the site of connection "${name}" (${settings.site}): safeweb psa set ${name} site=HOST changes it.`,
    },
  });
}

/**
 * Opens the connection `name` (see pickConnection) of the settings file, or of `settings` already
 * read (a manifest's `psa:` block). Nothing is sent.
 */
export async function openConnection(
  source: ConnectionSource,
  name?: string,
  given?: Integrations,
): Promise<OpenConnection> {
  const settings = given ?? (await readIntegrations(source.file)).settings;
  const picked = pickConnection(settings, name, source.file);
  const cw = asConnectWise(picked.name, picked.settings);
  const privateKey = await source.secret(cw.secret);
  return {
    name: picked.name,
    settings: cw,
    policy: connectWisePolicy(cw),
    client: connectWiseClientFor(picked.name, cw, privateKey, source.http),
  };
}
