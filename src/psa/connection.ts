/**
 * A PSA connection by name, ready to use: its settings from the profile's integration settings
 * (`psa.connections.<name>`; no name: `psa.default`, or the only one), its secrets from the
 * secret store (the entries its settings name), and its client on the run's HTTP settings, opened
 * by its kind's entry (psa/kinds.ts). What the front doors and the sync open; they never build a
 * client from settings themselves.
 */
import { readIntegrations, type Integrations, type PsaConnection } from '../config/integrations.js';
import { UsageError } from '../errors.js';
import type { PsaHttpSettings } from './http.js';
import { psaKind, type OpenOptions, type PsaKind } from './kinds.js';
import type { PlanPolicySettings } from './policy.js';
import type { PsaClient } from './types.js';

/** What opening a connection needs from the run (services.ts wires it from the Context). */
export interface ConnectionSource {
  /** The profile's integration settings file. */
  file: string;
  /** The value of a secret-store entry; exit 2 naming the ways to give it when there is none. */
  secret: (name: string) => Promise<string>;
  http: PsaHttpSettings;
  /** Where an hourly budget is counted, and --max-per-hour (psa/kinds.ts); none: not counted. */
  budget?: OpenOptions<PsaConnection>['budget'];
}

export interface OpenConnection {
  name: string;
  /** The settings as the file keeps them. */
  settings: PsaConnection;
  /** Its ticket policy in the tool's words (a board, statuses, …), with every default applied. */
  policy: PlanPolicySettings;
  /** Its kind's entry: the policy's words, its limits. */
  kind: PsaKind;
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

/**
 * Opens the connection `name` (see pickConnection) of the settings file, or of `settings` already
 * read (a manifest's `psa:` block). Nothing is sent (but an Autotask zone lookup when the
 * settings name no zone). A kind the tool does not connect to is exit 2 saying so.
 */
export async function openConnection(
  source: ConnectionSource,
  name?: string,
  given?: Integrations,
): Promise<OpenConnection> {
  const settings = given ?? (await readIntegrations(source.file)).settings;
  const picked = pickConnection(settings, name, source.file);
  const kind = psaKind(picked.name, picked.settings);
  if (source.budget?.maxPerHour !== undefined && kind.defaultPerHour === undefined)
    throw new UsageError(
      `--max-per-hour is for PSAs with an hourly limit (Autotask); ${kind.farSide} connection "${picked.name}" has none`,
      'Leave it out for this connection.',
    );
  const client = await kind.open({
    name: picked.name,
    settings: picked.settings,
    secret: source.secret,
    http: source.http,
    budget: kind.defaultPerHour === undefined ? undefined : source.budget,
  });
  return { name: picked.name, settings: picked.settings, policy: kind.policy(picked.settings), kind, client };
}
