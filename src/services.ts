/**
 * The services, wired from a run's Context: the one place that turns "the credentials and config
 * of this run" into what a service takes (an API client, the account's local record, the clock).
 * The front doors (commands/, mcp/) call these; the services never see the Context.
 */
import type { Context } from './context.js';
import { CliError } from './errors.js';
import { LocalRecord, resolveCustomerArg, type RecordEntry } from './customers/local-record.js';
import { RecordedReferences } from './customers/recorded.js';
import type { CustomerDeps, CustomerRef } from './customers/service.js';
import { readIntegrations, integrationsFile, type Integrations } from './config/integrations.js';
import { openConnection, type OpenConnection } from './psa/connection.js';
import type { PlanSource } from './psa/session.js';
import type { Outbox } from './findings/outbox.js';
import type { NotifyDeps } from './notify/run.js';
import type { CustomerRead } from './portfolio/book.js';
import { readWatchState, type WatchState } from './portfolio/watch-state.js';
import { holdingRunLock, waitMs, type RunKind } from './safety/run-lock.js';
import { readCustomerBreaches } from './customers/reads.js';
import { loadManifest, manifestIntegrations } from './manifest/load.js';
import { manifestSizeCap } from './manifest/parse.js';
import { bookView } from './notify/book-view.js';
import { notifyHttp } from './notify/http.js';
import { notifyStateFile } from './notify/source.js';

export interface Account {
  key: string;
  profile: string | undefined;
}

/** What the customer services take, for the account of this run's credentials (exit 4 without them). */
export async function customerDeps(ctx: Context): Promise<CustomerDeps & { account: Account; record: LocalRecord }> {
  const api = await ctx.api();
  const account = await ctx.account();
  return { api, account, record: new LocalRecord(ctx.configDir, account.key), now: ctx.now };
}

/** A customer an ID-or-reference argument names, with the services' dependencies (no request is sent). */
export interface CustomerTarget extends CustomerRef {
  deps: CustomerDeps & { account: Account };
  entry: RecordEntry | undefined;
  account: Account;
}

export async function customerTarget(ctx: Context, arg: string): Promise<CustomerTarget> {
  const deps = await customerDeps(ctx);
  const { id, entry } = resolveCustomerArg(ctx.configDir, deps.account.key, arg);
  return { deps, id, entry, account: deps.account };
}

/** The uuids of a customer's breaches (one read): `audit --customer` matches breach changes made by uuid alone. */
export async function breachUuidsOf(ctx: Context, arg: string): Promise<string[]> {
  const target = await customerTarget(ctx, arg);
  const breaches = await readCustomerBreaches(target.deps.api, target.id);
  return breaches.flatMap((b) => [b.uuid, b.id].filter((x): x is string => typeof x === 'string'));
}

/** "Acme (ACME-001)" when the local record knows the customer, else its ID. */
export function describeCustomer(target: Pick<CustomerRef, 'id' | 'entry'>): string {
  return target.entry ? `${target.entry.companyName} (${target.entry.reference})` : target.id;
}

/**
 * The references the local record holds for the account the credentials name. Without usable
 * credentials there is no account, so nothing is known: a dry run still checks the input, and a
 * real run stops at the credentials before it sends anything.
 */
export async function recordedReferences(ctx: Context): Promise<RecordedReferences> {
  try {
    return RecordedReferences.of(ctx.configDir, (await ctx.account()).key);
  } catch (error) {
    if (error instanceof CliError) return RecordedReferences.none();
    throw error;
  }
}

/**
 * Runs `fn` holding the account's lock for a kind of run (safety/run-lock.ts). Without usable
 * credentials there is no account to lock: `fn` runs and stops where it needs them, so the input
 * is still checked first.
 */
export async function withRunLock<T>(
  ctx: Context,
  kind: RunKind,
  wait: boolean | number | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  let account: string;
  try {
    account = (await ctx.account()).key;
  } catch (error) {
    if (error instanceof CliError) return fn();
    throw error;
  }
  return holdingRunLock({ configDir: ctx.configDir, account, kind, waitMs: waitMs(wait) }, fn);
}

/**
 * The integration settings of this run: the profile's settings file, or with --file the blocks a
 * manifest carries (manifest/load.ts `manifestIntegrations`).
 */
export interface IntegrationSource {
  /** The file read: the settings file or the manifest. */
  file: string;
  kind: 'settings' | 'manifest';
  /** False when the settings file does not exist yet (no settings is valid: nothing is configured). */
  exists: boolean;
  settings: Integrations;
}

export async function integrationSettings(
  opts: { file?: string | undefined },
  ctx: Context,
): Promise<IntegrationSource> {
  if (opts.file) {
    const manifest = await loadManifest({ file: opts.file }, ctx.now(), manifestSizeCap(ctx.env));
    return { file: opts.file, kind: 'manifest', exists: true, settings: manifestIntegrations(manifest) };
  }
  const file = await integrationSettingsFile(ctx);
  return { file, kind: 'settings', ...(await readIntegrations(file)) };
}

/** The profile's integration settings file (named for the account when no profile is in use). */
export async function integrationSettingsFile(ctx: Context): Promise<string> {
  const account = await ctx.account();
  return integrationsFile(ctx.configDir, account.profile ?? account.key);
}

/**
 * The PSA connection `name` names (else psa.default, else the only one), opened with its secrets
 * from the secret store (held, so no output of the run shows them) on the run's HTTP settings,
 * its hourly budget (Autotask) counted in the config directory; `maxPerHour` is --max-per-hour.
 */
export async function psaConnection(
  ctx: Context,
  name?: string,
  source?: IntegrationSource,
  extra: { onRateLimited?: (waitMs: number) => void; maxPerHour?: number | undefined } = {},
): Promise<OpenConnection> {
  const [file, http, account] = await Promise.all([
    source?.file ?? integrationSettingsFile(ctx),
    ctx.clients.psaHttp({ onRateLimited: extra.onRateLimited }),
    ctx.account(),
  ]);
  return openConnection(
    {
      file,
      secret: (secret) => ctx.secret(secret),
      http,
      budget: { configDir: ctx.configDir, account: account.key, maxPerHour: extra.maxPerHour },
    },
    name,
    source?.settings,
  );
}

/**
 * What a ticket plan of the connection `name` reads (psa/session.ts `PlanSource`): the connection
 * opened, its policy, the customers' mappings (the settings', or a manifest's with --file), the
 * notification routes its ticket events go by, and the account whose book and ticket index it is.
 */
export async function psaPlanSource(
  ctx: Context,
  name: string | undefined,
  opts: { file?: string | undefined; command: string; maxPerHour?: number | undefined },
): Promise<PlanSource> {
  const source = await integrationSettings({ file: opts.file }, ctx);
  const [connection, account] = await Promise.all([
    psaConnection(ctx, name, source, { maxPerHour: opts.maxPerHour }),
    ctx.account(),
  ]);
  return {
    connection: connection.name,
    isDefault:
      Object.keys(source.settings.psa?.connections ?? {}).length === 1 ||
      source.settings.psa?.default === connection.name,
    client: connection.client,
    policy: connection.policy,
    words: connection.kind.words,
    maxInFlight: connection.kind.maxInFlight,
    customers: source.settings.customers,
    configDir: ctx.configDir,
    account: account.key,
    partnerId: account.partnerId,
    command: opts.command,
    integrations: source.settings,
  };
}

/**
 * What the notification sink (notify/run.ts `sendDue`) takes, wired from a run's Context: the
 * settings and outbox given, the channels' secrets from the secret store (held: no output shows
 * them), the HTTP engine with the run's timeout, retries and --debug, and the book's view of each
 * customer (the local record; the score and band of `reads`, else of the state the last
 * `notify send` kept). `notify send` and the receiver build it the same way.
 */
export async function notifyDeps(
  ctx: Context,
  opts: {
    settings: Integrations;
    account: string;
    outbox: Outbox;
    reads?: readonly CustomerRead[] | undefined;
  },
): Promise<NotifyDeps> {
  let state: WatchState | undefined;
  try {
    state = readWatchState(notifyStateFile(ctx.configDir, opts.account), opts.account);
  } catch (error) {
    // A state that cannot be read only leaves scores and bands unknown; `notify send` reports it.
    if (!(error instanceof CliError)) throw error;
  }
  return {
    ...bookView(ctx.configDir, opts.account, { state, reads: opts.reads }),
    settings: opts.settings,
    outbox: opts.outbox,
    now: ctx.now,
    secret: (name) => ctx.secret(name),
    http: (secrets) =>
      notifyHttp({
        env: ctx.env,
        timeoutMs: ctx.globals.timeout,
        retries: ctx.globals.retries,
        trace: ctx.globals.debug ? (line) => ctx.debug(line) : undefined,
        secrets,
      }),
  };
}
