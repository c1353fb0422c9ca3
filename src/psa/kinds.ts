/**
 * The PSA kinds the tool connects to, one entry each: how a connection of that kind opens its
 * client from the settings and the secret store, what the ticket policy's words mean there (a
 * ConnectWise board is an Autotask queue; statuses are a board's or the PSA's one list), the far
 * side's name, its limits (requests in flight, an hourly budget), and what `psa list`, `show` and
 * `remove` say of it. psa/connection.ts opens connections through it; the commands ask it what a
 * kind's settings mean. A new PSA is one more entry (and its client).
 */
import {
  withPolicyDefaults,
  type AutotaskConnection,
  type ConnectWiseConnection,
  type HaloConnection,
  type PsaConnection,
  type TicketPolicySettings,
} from '../config/integrations.js';
import { UsageError } from '../errors.js';
import { AT_MAX_IN_FLIGHT, AT_ZONE_URL, createAutotaskClient, lookUpZone } from './autotask/client.js';
import { budgetFile, hourlyBudget } from './budget.js';
import { connectWiseApiBase, createConnectWiseClient } from './connectwise/client.js';
import { createHaloClient, haloApiBase } from './halo/client.js';
import type { PsaHttpSettings, PsaWriteRecord } from './http.js';
import { CONNECTWISE_WORDS, type PolicyWords } from './policy.js';
import type { PsaClient } from './types.js';

/** Autotask's default hourly budget: well under the 10 000 a database allows all its integrations. */
const AT_DEFAULT_PER_HOUR = 3000;

export interface OpenOptions<S> {
  name: string;
  settings: S;
  /** The value of a secret-store entry (exit 2 naming the ways to give it when there is none). */
  secret: (name: string) => Promise<string>;
  http: PsaHttpSettings;
  /**
   * Where the hourly budget is counted (plan, sync, test, map): the account whose config it is,
   * and --max-per-hour. Left out by `psa add`/`set`, whose few checks are not counted.
   */
  budget?: { configDir: string; account: string; maxPerHour?: number | undefined } | undefined;
}

export interface PsaKind<S extends PsaConnection = PsaConnection> {
  kind: S['kind'];
  /** As errors, the audit log and the docs name it: "ConnectWise". */
  farSide: string;
  words: PolicyWords;
  /** The connection's ticket policy in the tool's words, every default applied. */
  policy(settings: S): TicketPolicySettings;
  /** The client, its secrets read from the store (or given, by `psa add`). Nothing is sent but a zone lookup. */
  open(options: OpenOptions<S>): Promise<PsaClient>;
  /** Requests in flight at most (Autotask: 3 per integration): a sync's --concurrency is capped to it. */
  maxInFlight?: number | undefined;
  /** Requests per rolling hour unless the settings or --max-per-hour say otherwise; none: no budget. */
  defaultPerHour?: number | undefined;
  /** The secret-store entries the connection's secrets are in, each with what it holds. */
  secrets(settings: S): Array<{ name: string; what: string }>;
  /** Where its server is, for `psa list` and `psa show`. */
  address(settings: S): string;
  /** How `psa add` is given, for refusals that say how to add one. */
  addExample: string;
}

/** The run's HTTP settings with the connection named in what the audit log is told. */
function namedFor(name: string, http: PsaHttpSettings): PsaHttpSettings {
  const guard = http.guard;
  return guard?.afterWrite
    ? {
        ...http,
        guard: { ...guard, afterWrite: (record: PsaWriteRecord) => guard.afterWrite!({ ...record, connection: name }) },
      }
    : http;
}

/** The ConnectWise client of a connection, with the private key given (psa add checks one before saving it). */
export function connectWiseClientFor(
  name: string,
  settings: Pick<ConnectWiseConnection, 'site' | 'company' | 'publicKey' | 'clientId' | 'secret'>,
  privateKey: string,
  http: PsaHttpSettings,
): PsaClient {
  return createConnectWiseClient({
    site: settings.site,
    credentials: {
      company: settings.company,
      publicKey: settings.publicKey,
      privateKey,
      clientId: settings.clientId,
    },
    http: namedFor(name, http),
    hints: {
      auth:
        `Check the company ID, public key and clientId of connection "${name}" (safeweb psa show ${name}), ` +
        `and the private key in the secret ${settings.secret} (safeweb psa set ${name} --private-key-stdin replaces it).`,
      address: `Check the site of connection "${name}" (${settings.site}): safeweb psa set ${name} site=HOST changes it.`,
    },
  });
}

const connectWise: PsaKind<ConnectWiseConnection> = {
  kind: 'connectwise',
  farSide: 'ConnectWise',
  words: CONNECTWISE_WORDS,
  policy: (settings) => withPolicyDefaults(settings),
  async open({ name, settings, secret, http }) {
    return connectWiseClientFor(name, settings, await secret(settings.secret), http);
  },
  secrets: (settings) => [{ name: settings.secret, what: 'private key' }],
  address: (settings) => connectWiseApiBase(settings.site).href,
  addExample: 'safeweb psa add connectwise NAME --site HOST --company ID --public-key KEY --client-id ID',
};

/** The secret-store entry of an Autotask connection's integration code: `<secret>-code` unless named. */
export function integrationCodeSecret(settings: Pick<AutotaskConnection, 'secret' | 'integrationCode'>): string {
  return settings.integrationCode ?? `${settings.secret}-code`;
}

/** The Autotask client of a connection, with its secrets given; its zone looked up when the settings have none. */
export async function autotaskClientFor(
  name: string,
  settings: AutotaskConnection,
  secrets: { secret: string; integrationCode: string },
  http: PsaHttpSettings,
  budget?: OpenOptions<AutotaskConnection>['budget'],
): Promise<PsaClient> {
  const code = integrationCodeSecret(settings);
  const hints = {
    auth:
      `Check the user name of connection "${name}" (safeweb psa show ${name}), its secret in ${settings.secret} ` +
      `and its integration code in ${code} (safeweb psa set ${name} --secret-stdin or --integration-code-file FILE replaces them); ` +
      'the API user needs a security level that may create, read and edit tickets.',
    address: `Check the zone of connection "${name}" (${settings.zone ?? 'looked up from the user name'}): safeweb psa set ${name} zone=URL changes it.`,
  };
  const zone = settings.zone ?? (await lookUpZone({ zoneUrl: AT_ZONE_URL, username: settings.username, http, hints }));
  const max = budget?.maxPerHour ?? settings.maxPerHour ?? AT_DEFAULT_PER_HOUR;
  return createAutotaskClient({
    zone,
    credentials: { username: settings.username, ...secrets },
    http: namedFor(name, http),
    hints,
    budget: budget
      ? hourlyBudget({
          file: budgetFile(budget.configDir, budget.account, name),
          max,
          farSide: 'Autotask',
          connection: name,
        })
      : undefined,
  });
}

/** An Autotask connection's policy in the tool's words: its queue is the board, its ticketType the type. */
function autotaskPolicy(settings: AutotaskConnection): TicketPolicySettings {
  const { queue, ticketType, ...rest } = settings;
  return withPolicyDefaults({
    ...rest,
    board: queue,
    type: ticketType,
    // Autotask's own words: a new ticket is "New", the system status "Complete" closes one.
    statuses: { new: settings.statuses?.new ?? 'New', closed: settings.statuses?.closed ?? 'Complete' },
  });
}

const autotask: PsaKind<AutotaskConnection> = {
  kind: 'autotask',
  farSide: 'Autotask',
  words: {
    farSide: 'Autotask',
    board: 'queue',
    statusesPerBoard: false,
    flags: { board: '--queue', type: '--ticket-type' },
    customerBoard: 'queue',
  },
  policy: autotaskPolicy,
  async open({ name, settings, secret, http, budget }) {
    const [apiSecret, code] = await Promise.all([secret(settings.secret), secret(integrationCodeSecret(settings))]);
    return autotaskClientFor(name, settings, { secret: apiSecret, integrationCode: code }, http, budget);
  },
  maxInFlight: AT_MAX_IN_FLIGHT,
  defaultPerHour: AT_DEFAULT_PER_HOUR,
  secrets: (settings) => [
    { name: settings.secret, what: 'secret' },
    { name: integrationCodeSecret(settings), what: 'integration code' },
  ],
  address: (settings) => settings.zone ?? `(zone looked up for ${settings.username})`,
  addExample: 'safeweb psa add autotask NAME --username API-USER [--queue NAME]',
};

/** The HaloPSA client of a connection, with the client secret given (psa add checks one before saving it). */
export function haloClientFor(
  name: string,
  settings: Pick<HaloConnection, 'tenant' | 'clientId' | 'secret'>,
  clientSecret: string,
  http: PsaHttpSettings,
): PsaClient {
  return createHaloClient({
    tenant: settings.tenant,
    credentials: { clientId: settings.clientId, clientSecret },
    http: namedFor(name, http),
    hints: {
      auth:
        `Check the client ID of connection "${name}" (safeweb psa show ${name}) and the client secret in the secret ` +
        `${settings.secret} (safeweb psa set ${name} --secret-stdin replaces it); the Halo application must ` +
        'authenticate with a client ID and secret and be allowed to read and edit tickets.',
      address: `Check the tenant of connection "${name}" (${settings.tenant}): safeweb psa set ${name} tenant=URL changes it.`,
    },
  });
}

/** A HaloPSA connection's policy in the tool's words: its ticket type is the board. */
function haloPolicy(settings: HaloConnection): TicketPolicySettings {
  const { ticketType, ...rest } = settings;
  return withPolicyDefaults({ ...rest, board: ticketType });
}

const halo: PsaKind<HaloConnection> = {
  kind: 'halo',
  farSide: 'HaloPSA',
  words: {
    farSide: 'HaloPSA',
    board: 'ticket type',
    // A Halo ticket type allows its own statuses.
    statusesPerBoard: true,
    flags: { board: '--ticket-type', type: '--ticket-type' },
    customerBoard: 'ticketType',
    prioritiesById: true,
  },
  policy: haloPolicy,
  async open({ name, settings, secret, http }) {
    return haloClientFor(name, settings, await secret(settings.secret), http);
  },
  secrets: (settings) => [{ name: settings.secret, what: 'client secret' }],
  address: (settings) => haloApiBase(settings.tenant).href,
  addExample: 'safeweb psa add halo NAME --tenant msp.halopsa.com --client-id ID [--ticket-type NAME]',
};

const KINDS = { connectwise: connectWise, autotask, halo } as const;

/** The entry of a kind the tool connects to; exit 2 for one it does not (yet). */
export function psaKind<S extends PsaConnection>(name: string, settings: S): PsaKind<S> {
  const kind = (KINDS as unknown as Record<string, PsaKind | undefined>)[settings.kind];
  if (kind) return kind as unknown as PsaKind<S>;
  throw new UsageError(
    `PSA connection "${name}" is ${settings.kind}; this version of safeweb connects to ${Object.values(KINDS)
      .map((k) => k.farSide)
      .join(', ')} only`,
  );
}
