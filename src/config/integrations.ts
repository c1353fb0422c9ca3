/**
 * The integration settings of a profile: `<configDir>/integrations/<profile>.yaml` (or, without a
 * profile, the account's name), read and checked with zod (every problem at once, each with its
 * path and line, as manifests report them) and edited through the yaml library's Document API so
 * that a person's comments and layout survive the tool's edits. The shape is integrations-schema.ts;
 * a manifest's `psa:`/`notify:` blocks and per-customer `tags:`/`psa:` are checked by the same rules.
 *
 * Imports io/ sideways (the one writer, the private directory): allowed in .dependency-cruiser.mjs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Document } from 'yaml';
import { ValidationError, type Problem } from '../errors.js';
import { holdingLock } from '../io/lock.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import { replaceFile } from '../io/safe-write.js';
import {
  CHANNEL_KINDS,
  DIGESTS,
  GROUPINGS,
  HOST_PATTERN,
  MAX_PER_HOUR,
  MAX_REOPEN_DAYS,
  NAME_PATTERN,
  OFFBOARD_ACTIONS,
  PRIORITY_BANDS,
  PSA_KINDS,
  ROUTE_BANDS,
  ROUTE_EVENTS,
  SECRET_PATTERN,
  SITE_PATTERN,
  TIME_OF_DAY_PATTERN,
  TIME_ZONE_PATTERN,
  URL_PATTERN,
} from './integrations-schema.js';

export type Path = Array<string | number>;

/** A problem found: where (a key path) and what. */
export interface Found {
  path: Path;
  message: string;
}

/** A record at the far side by its ID, or by its name (identifier, for a company). */
type Id = number | string;
interface Masked {
  mask?: boolean | undefined;
}
type Band = (typeof PRIORITY_BANDS)[number];
type Grouping = (typeof GROUPINGS)[number];
type OffboardAction = (typeof OFFBOARD_ACTIONS)[number];

/**
 * A connection's ticket policy in the tool's own words, whatever the kind (a ConnectWise board is
 * an Autotask queue, a ConnectWise type an Autotask ticket type): what psa/policy.ts checks
 * against the live lists, and plan and sync read. Each kind's settings map to it (psa/kinds.ts).
 */
export interface PolicySettings extends Masked {
  board?: Id | undefined;
  statuses?: { new?: Id | undefined; closed?: Id | undefined } | undefined;
  priorities?: Partial<Record<Band, Id>> | undefined;
  source?: Id | undefined;
  type?: Id | undefined;
  grouping?: Grouping | undefined;
  reopenDays?: number | undefined;
  resolveOnClose?: boolean | undefined;
  offboard?: OffboardAction | undefined;
  /** Where an unmapped customer's tickets go: a company ID or identifier. */
  fallbackCompany?: Id | undefined;
}

/** A ConnectWise connection as the settings keep it (psa-design.md); defaults by connectWisePolicy. */
export interface ConnectWiseConnection extends PolicySettings {
  kind: 'connectwise';
  /** A host (https implied) or a URL: https://host[:port], http:// to this machine only. */
  site: string;
  /** The company ID people log in with. */
  company: string;
  publicKey: string;
  clientId: string;
  /** The secret-store entry that holds the private key. */
  secret: string;
}

/** An Autotask connection as the settings keep it: its queue is the policy's board, its ticketType the type. */
export interface AutotaskConnection extends Omit<PolicySettings, 'board' | 'type'> {
  kind: 'autotask';
  /** The API user's user name (an address). */
  username: string;
  /** The zone's REST base (`https://webservices5.autotask.net/ATServicesRest`); looked up when absent. */
  zone?: string | undefined;
  /** The secret-store entry of the API user's secret. */
  secret: string;
  /** The secret-store entry of the integration code (API tracking identifier); `<secret>-code` when absent. */
  integrationCode?: string | undefined;
  queue?: Id | undefined;
  ticketType?: Id | undefined;
  /** At most this many requests in any rolling hour (3000 when absent). */
  maxPerHour?: number | undefined;
}

/** A connection's ticket policy with every default applied: what plan and sync read. */
export interface TicketPolicySettings extends Omit<
  PolicySettings,
  'grouping' | 'reopenDays' | 'resolveOnClose' | 'offboard' | 'mask'
> {
  grouping: Grouping;
  reopenDays: number;
  resolveOnClose: boolean;
  offboard: OffboardAction;
  mask: boolean;
}

/** A ConnectWise connection's ticket policy with every default applied: what plan and sync read. */
export interface ConnectWisePolicy
  extends
    Omit<ConnectWiseConnection, 'grouping' | 'reopenDays' | 'resolveOnClose' | 'offboard' | 'mask'>,
    TicketPolicySettings {}

/** The defaults of psa-design.md: per-breach tickets, a 30-day reopen window, closing resolves, offboarding closes, unmasked. */
export function withPolicyDefaults<T extends PolicySettings>(settings: T): T & TicketPolicySettings {
  return {
    ...settings,
    grouping: settings.grouping ?? 'per-breach',
    reopenDays: settings.reopenDays ?? 30,
    resolveOnClose: settings.resolveOnClose ?? true,
    offboard: settings.offboard ?? 'close',
    mask: settings.mask ?? false,
  };
}

/** A ConnectWise connection's policy with the defaults applied. */
export function connectWisePolicy(settings: ConnectWiseConnection): ConnectWisePolicy {
  return withPolicyDefaults(settings);
}

/** A HaloPSA connection as the settings keep it: its ticket type is the policy's board (Halo has no type beside it). */
export interface HaloConnection extends Omit<PolicySettings, 'board' | 'type'> {
  kind: 'halo';
  /** The tenant: `https://msp.halopsa.com` (the API below /api, tokens from /auth/token). */
  tenant: string;
  /** The API application's client ID (not secret). */
  clientId: string;
  /** The secret-store entry of the application's client secret. */
  secret: string;
  ticketType?: Id | undefined;
}

export type PsaConnection = ConnectWiseConnection | AutotaskConnection | HaloConnection;
/** A notification channel's settings (notify/ renders and sends by them). */
export type Channel = Masked &
  (
    | { kind: 'teams' | 'slack'; secret: string }
    | { kind: 'pagerduty'; secret: string; region?: 'us' | 'eu' | undefined; url?: string | undefined }
    | { kind: 'webhook'; url: string; secret?: string | undefined }
    | {
        kind: 'email';
        host: string;
        port?: number | undefined;
        username?: string | undefined;
        secret?: string | undefined;
        from: string;
        to: string[];
        insecure?: boolean | undefined;
        templates?: string | undefined;
      }
  );
type RouteBand = (typeof ROUTE_BANDS)[number];
export type Digest = (typeof DIGESTS)[number];

/**
 * One route of `notify.routes` (findings/sinks.ts matches it, notify/ sends by it): every
 * condition given must hold; `digest`, `quietHours` and `to` say when and to whom it sends.
 */
export interface Route {
  /** What message IDs are made from; else the route's place in the list (`route-1`). */
  name?: string | undefined;
  events?: Array<(typeof ROUTE_EVENTS)[number]> | undefined;
  /** This band or a worse one. */
  minBand?: RouteBand | undefined;
  /** Exactly these bands (the older form; a route has one or the other). */
  bands?: RouteBand[] | undefined;
  /** Customer references. */
  customers?: string[] | undefined;
  tags?: string[] | undefined;
  channels: string[];
  digest?: Digest | undefined;
  /** IANA; of quietHours and of a 1d digest's days. UTC when left out. */
  timeZone?: string | undefined;
  quietHours?: { from: string; to: string } | undefined;
  /** Email: the customer's own contact, or these addresses, instead of the channel's `to`. */
  to?: 'contact' | string[] | undefined;
}
export interface CustomerPsa {
  connection?: string | undefined;
  company: Id;
  board?: Id | undefined;
  queue?: Id | undefined;
  ticketType?: Id | undefined;
}
export interface CustomerLocal {
  tags?: string[] | undefined;
  psa?: CustomerPsa | undefined;
}
export interface PsaSettings {
  default?: string | undefined;
  connections?: Record<string, PsaConnection> | undefined;
}
export interface NotifySettings {
  channels?: Record<string, Channel> | undefined;
  routes?: Route[] | undefined;
  /** Customers (references) a `to: contact` route never emails. */
  optOut?: string[] | undefined;
}
export interface Integrations {
  psa?: PsaSettings | undefined;
  notify?: NotifySettings | undefined;
  customers?: Record<string, CustomerLocal> | undefined;
}

/** The settings file of a profile (or, when no profile is in use, of the account key). */
export function integrationsFile(configDir: string, name: string): string {
  return path.join(configDir, 'integrations', `${name.replace(/[^A-Za-z0-9@._-]/g, '_')}.yaml`);
}

type Zod = typeof import('zod/mini');

/** The rules, built once a process (zod loads only when a file is checked). */
let built: { file: unknown; psa: unknown; notify: unknown; customer: unknown } | undefined;

async function rules() {
  if (built) return built as ReturnType<typeof build>;
  built = build(await import('zod/mini'));
  return built as ReturnType<typeof build>;
}

function build(z: Zod) {
  const pattern = (source: string, message: string) => z.string().check(z.regex(new RegExp(source), message));
  const name = pattern(NAME_PATTERN, 'must be a name of lower-case letters, digits, "-" or "_" (at most 40)');
  const secret = z.optional(
    pattern(SECRET_PATTERN, 'must name a secret of the secret store (psa/connectwise), never hold the secret itself'),
  );
  const url = pattern(URL_PATTERN, 'must be https://, or http:// to 127.0.0.1, localhost or [::1] only').check(
    z.refine((u) => URL.canParse(u) && !new URL(u).username && !new URL(u).password, {
      message: 'must be a URL without credentials (keep those in the secret store)',
    }),
  );
  const host = pattern(HOST_PATTERN, 'must be a host name (and port), without https:// or a path');
  const text = z
    .string()
    .check(z.minLength(1, 'must not be empty'), z.maxLength(100, 'must be at most 100 characters'));
  const id = z.union([z.int().check(z.minimum(1, 'must be 1 or more')), text]);
  const mask = z.optional(z.boolean());
  const secretName = pattern(SECRET_PATTERN, 'must name a secret of the secret store, never hold the secret');
  const site = pattern(
    SITE_PATTERN,
    'must be a host (na.myconnectwise.net) or https://host[:port]; http:// only to 127.0.0.1, localhost or [::1]',
  );
  // The policy's parts every kind shares; the board and the type have each kind's own name.
  const policy = {
    statuses: z.optional(z.strictObject({ new: z.optional(id), closed: z.optional(id) })),
    priorities: z.optional(z.strictObject(Object.fromEntries(PRIORITY_BANDS.map((b) => [b, z.optional(id)])))),
    source: z.optional(id),
    grouping: z.optional(z.enum(GROUPINGS)),
    reopenDays: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_REOPEN_DAYS))),
    resolveOnClose: z.optional(z.boolean()),
    offboard: z.optional(z.enum(OFFBOARD_ACTIONS)),
    fallbackCompany: z.optional(id),
  };
  const connection = z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('connectwise'),
      site,
      company: text,
      publicKey: text,
      clientId: text,
      board: z.optional(id),
      ...policy,
      type: z.optional(id),
      secret: secretName,
      mask,
    }),
    z.strictObject({
      kind: z.literal('autotask'),
      username: text,
      zone: z.optional(url),
      integrationCode: z.optional(secretName),
      queue: z.optional(id),
      ...policy,
      ticketType: z.optional(id),
      maxPerHour: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_PER_HOUR))),
      secret: secretName,
      mask,
    }),
    z.strictObject({
      kind: z.literal('halo'),
      tenant: url,
      clientId: text,
      ticketType: z.optional(id),
      ...policy,
      secret: secretName,
      mask,
    }),
  ]);
  const channel = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('teams'), secret: secretName, mask }),
    z.strictObject({ kind: z.literal('slack'), secret: secretName, mask }),
    z.strictObject({
      kind: z.literal('pagerduty'),
      secret: secretName,
      region: z.optional(z.enum(['us', 'eu'])),
      url: z.optional(url),
      mask,
    }),
    z.strictObject({ kind: z.literal('webhook'), url, secret, mask }),
    z.strictObject({
      kind: z.literal('email'),
      host,
      port: z.optional(z.int().check(z.minimum(1), z.maximum(65535))),
      username: z.optional(text),
      secret,
      from: z.email(),
      to: z.array(z.email()).check(z.minLength(1, 'must list at least one address')),
      insecure: z.optional(z.boolean()),
      templates: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
      mask,
    }),
  ]);
  const list = <T extends Parameters<typeof z.array>[0]>(item: T) =>
    z.optional(z.array(item).check(z.minLength(1, 'must list at least one (leave the key out for all)')));
  const time = pattern(TIME_OF_DAY_PATTERN, 'must be a time of day as HH:MM (07:00, 22:30)');
  const route = z
    .strictObject({
      name: z.optional(name),
      events: list(z.enum(ROUTE_EVENTS)),
      minBand: z.optional(z.enum(ROUTE_BANDS)),
      bands: list(z.enum(ROUTE_BANDS)),
      customers: list(z.string().check(z.minLength(1, 'must not be empty'))),
      tags: list(z.string()),
      channels: z.array(name).check(z.minLength(1, 'must name at least one channel')),
      digest: z.optional(z.enum(DIGESTS)),
      timeZone: z.optional(pattern(TIME_ZONE_PATTERN, 'must be an IANA time zone such as Europe/Copenhagen or UTC')),
      quietHours: z.optional(z.strictObject({ from: time, to: time })),
      to: z.optional(
        z.union([
          z.literal('contact'),
          z.array(z.email()).check(z.minLength(1, 'must list at least one address (or say contact)')),
        ]),
      ),
    })
    .check(
      z.refine((r) => !(r.bands && r.minBand), {
        message: 'give minBand or bands, not both',
        path: ['bands'],
      }),
    );
  const psa = z.strictObject({ default: z.optional(name), connections: z.optional(z.record(name, connection)) });
  const notify = z.strictObject({
    channels: z.optional(z.record(name, channel)),
    routes: z.optional(z.array(route)),
    optOut: z.optional(z.array(z.string().check(z.minLength(1, 'must not be empty')))),
  });
  const customerPsa = z.strictObject({
    connection: z.optional(name),
    company: id,
    board: z.optional(id),
    queue: z.optional(id),
    ticketType: z.optional(id),
  });
  const tag = pattern('^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$', 'must be a tag of letters, digits, ".", "_", ":" or "-"');
  const customer = z.strictObject({ tags: z.optional(z.array(tag)), psa: z.optional(customerPsa) });
  const file = z.strictObject({
    $schema: z.optional(z.string()),
    psa: z.optional(psa),
    notify: z.optional(notify),
    customers: z.optional(z.record(z.string().check(z.minLength(1)), customer)),
  });
  return { file, psa, notify, customer };
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
  values?: unknown[];
  expected?: string;
  format?: string;
  minimum?: unknown;
  maximum?: unknown;
}

/** The value at a path of the input, to tell a missing key from a wrong one. */
function valueAt(input: unknown, keys: PropertyKey[]): unknown {
  let node = input;
  for (const key of keys)
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

type Rule = { safeParse(value: unknown): { success: boolean; error?: { issues: unknown[] } } };

function issuesOf(rule: Rule, input: unknown, at: Path): Found[] {
  const result = rule.safeParse(input) as { success: boolean; error?: { issues: Issue[] } };
  if (result.success) return [];
  return result.error!.issues.flatMap((issue) => {
    const where: Path = [...at, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    // One problem per unknown key, at the key itself: its line is the one to fix.
    if (issue.code === 'unrecognized_keys' && issue.keys)
      return issue.keys.map((key) => ({ path: [...where, key], message: 'unknown key' }));
    const missing =
      (issue.code === 'invalid_type' || issue.code === 'invalid_union') && valueAt(input, issue.path) === undefined;
    return [{ path: where, message: missing ? required(where) : wording(issue, where) }];
  });
}

const required = (where: Path) =>
  where.at(-1) === 'kind'
    ? `is required: one of ${(where.includes('connections') ? PSA_KINDS : CHANNEL_KINDS).join(', ')}`
    : 'is required';

/**
 * zod/mini carries no wording of its own ("Invalid input"): a message a person can act on, from
 * the issue's code, unless the rule gave one.
 */
function wording(issue: Issue, where: Path): string {
  if (issue.message !== 'Invalid input') return issue.message;
  const kinds = where.includes('connections') ? PSA_KINDS : CHANNEL_KINDS;
  switch (issue.code) {
    case 'invalid_union':
      return where.at(-1) === 'kind' ? `must be one of ${kinds.join(', ')}` : 'is not valid here';
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map(String).join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'undefined' ? 'unknown key' : `must be ${article(issue.expected ?? 'value')}`;
    case 'invalid_format':
      return issue.format === 'email' ? 'must be an email address' : `must be a valid ${issue.format ?? 'value'}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    default:
      return 'is not valid';
  }
}

const article = (expected: string) =>
  ({ object: 'a mapping', array: 'a list', int: 'a whole number', nonoptional: 'given' })[expected] ??
  (/^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The names a block's `psa`/`notify` parts refer to, each checked against what is defined. */
function references(value: Record<string, unknown>, customers: Array<[Path, unknown]>): Found[] {
  const found: Found[] = [];
  const psa = isObject(value['psa']) ? value['psa'] : undefined;
  const connections = psa && isObject(psa['connections']) ? Object.keys(psa['connections']) : [];
  const fallback = psa?.['default'];
  if (typeof fallback === 'string' && !connections.includes(fallback))
    found.push({
      path: ['psa', 'default'],
      message: `names no connection ("${fallback}" is not under psa.connections)`,
    });
  const notify = isObject(value['notify']) ? value['notify'] : undefined;
  const channels = notify && isObject(notify['channels']) ? Object.keys(notify['channels']) : [];
  const routes = notify && Array.isArray(notify['routes']) ? notify['routes'] : [];
  routes.forEach((route, i) => {
    const named = isObject(route) && Array.isArray(route['channels']) ? route['channels'] : [];
    named.forEach((c, j) => {
      if (typeof c === 'string' && !channels.includes(c))
        found.push({
          path: ['notify', 'routes', i, 'channels', j],
          message: `names no channel ("${c}" is not under notify.channels)`,
        });
    });
    if (isObject(route)) found.push(...routeChecks(route, i, routes, notify));
  });
  // A customer's mapping is checked against the connections only where the same document defines them.
  if (!psa) return found;
  for (const [at, local] of customers) {
    const own = isObject(local) && isObject(local['psa']) ? local['psa'] : undefined;
    if (!own) continue;
    const connection = own['connection'];
    if (typeof connection === 'string' && !connections.includes(connection))
      found.push({
        path: [...at, 'psa', 'connection'],
        message: `names no connection ("${connection}" is not under psa.connections)`,
      });
    else if (connection === undefined && typeof fallback !== 'string' && connections.length !== 1)
      found.push({
        path: [...at, 'psa'],
        message: 'names no connection, and psa.default names none either (there is not exactly one to assume)',
      });
  }
  return found;
}

/** Whether this machine knows the IANA time zone (Intl refuses one it does not). */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a route's schema cannot say: its time zone exists, its name is its own, its quiet hours
 * end at another time than they begin, and `to` goes with an email channel.
 */
function routeChecks(
  route: Record<string, unknown>,
  i: number,
  routes: unknown[],
  notify: Record<string, unknown> | undefined,
): Found[] {
  const found: Found[] = [];
  const at: Path = ['notify', 'routes', i];
  const zone = route['timeZone'];
  if (typeof zone === 'string' && new RegExp(TIME_ZONE_PATTERN).test(zone) && !knownTimeZone(zone))
    found.push({ path: [...at, 'timeZone'], message: `names no time zone ("${zone}" is not one this machine knows)` });
  const name = route['name'];
  if (typeof name === 'string' && routes.slice(0, i).some((r) => isObject(r) && r['name'] === name))
    found.push({ path: [...at, 'name'], message: `is the name of an earlier route too ("${name}")` });
  const quiet = isObject(route['quietHours']) ? route['quietHours'] : undefined;
  if (quiet && typeof quiet['from'] === 'string' && quiet['from'] === quiet['to'])
    found.push({ path: [...at, 'quietHours', 'to'], message: 'must differ from quietHours.from' });
  const defined = notify && isObject(notify['channels']) ? notify['channels'] : undefined;
  const named = Array.isArray(route['channels']) ? route['channels'] : [];
  const kinds = named.map((c) =>
    defined && typeof c === 'string' && isObject(defined[c]) ? defined[c]['kind'] : undefined,
  );
  if (route['to'] !== undefined && kinds.every((k) => k !== undefined && k !== 'email'))
    found.push({
      path: [...at, 'to'],
      message: 'names no email channel (`to` is for email channels, and this route sends to none)',
    });
  return found;
}

/** Every problem of a settings document (the file's whole value), in order. */
export async function integrationProblems(value: unknown): Promise<Found[]> {
  const { file } = await rules();
  const found = issuesOf(file, value ?? {}, []);
  // Names that point nowhere are found too, so one run lists every problem.
  if (!isObject(value)) return found;
  const customers = isObject(value['customers']) ? value['customers'] : {};
  const mapped = Object.entries(customers).map(([ref, local]): [Path, unknown] => [['customers', ref], local]);
  return found.concat(references(value, mapped));
}

/**
 * The problems of a manifest's integration parts: its top-level `psa`/`notify` blocks and each
 * customer's `tags`/`psa` (given with the customer's path, `customers[3]`). Mappings are checked
 * against the manifest's own connections when it has a `psa:` block.
 */
export async function manifestIntegrationProblems(
  blocks: { psa?: unknown; notify?: unknown },
  customers: Array<[Path, { tags?: unknown; psa?: unknown }]>,
): Promise<Found[]> {
  const r = await rules();
  const found: Found[] = [];
  if (blocks.psa !== undefined) found.push(...issuesOf(r.psa, blocks.psa, ['psa']));
  if (blocks.notify !== undefined) found.push(...issuesOf(r.notify, blocks.notify, ['notify']));
  for (const [at, local] of customers) found.push(...issuesOf(r.customer, local, at));
  return found.concat(references(blocks as Record<string, unknown>, customers));
}

/** `customers.NW-1.psa` / `notify.routes[0].channels[1]` */
function pathText(p: Path): string {
  return p.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  );
}

const lineCol = (doc: Document, counter: import('yaml').LineCounter, at: Path): string => {
  for (let n = at.length; n >= 0; n--) {
    const node = doc.getIn(at.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) {
      const { line, col } = counter.linePos(start);
      return ` (line ${line}, column ${col})`;
    }
  }
  return '';
};

/** Reads a settings file's text: none when it does not exist yet. */
function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ValidationError(`cannot read the integration settings ${file}: ${(error as Error).message}`, []);
  }
}

async function parse(file: string, text: string) {
  const { default: yaml } = await import('yaml');
  const counter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length)
    throw new ValidationError(
      `${file} is not valid YAML:`,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, code: 'syntax' })),
      'Fix the file and run it again.',
    );
  return { doc, counter };
}

function invalid(file: string, found: Found[], where: (p: Path) => string, nothing: string): ValidationError {
  const problems: Problem[] = found.map((f) => ({
    path: pathText(f.path),
    message: `${f.message}${where(f.path)}`,
    code: 'invalid',
  }));
  const n = problems.length;
  return new ValidationError(
    `${file} is not valid integration settings (${n} problem${n === 1 ? '' : 's'})${nothing}:`,
    problems,
    'Fix them and run it again (`safeweb schema integrations` prints the schema, for editors).',
  );
}

/**
 * The settings in `file`, checked: an empty set when the file does not exist; a ValidationError
 * naming every problem (path, line and column) when it is not valid.
 */
export async function readIntegrations(file: string): Promise<{ settings: Integrations; exists: boolean }> {
  const text = readText(file);
  if (text === undefined) return { settings: {}, exists: false };
  const { doc, counter } = await parse(file, text);
  const value: unknown = doc.toJS() ?? {};
  const found = await integrationProblems(value);
  if (found.length) throw invalid(file, found, (p) => lineCol(doc, counter, p), '');
  const { $schema: _schema, ...settings } = value as Integrations & { $schema?: string };
  return { settings, exists: true };
}

/** One change to the settings: the value at a key path, or (undefined) its removal. */
export type Change = [at: Path, value: unknown];

/** How long an edit waits for another process's edit of the same file before refusing. */
const EDIT_WAIT_MS = 10_000;

/**
 * Sets one value of the settings file (`['notify', 'channels', 'soc']`), or removes it when
 * `value` is undefined: see editIntegrations.
 */
export async function setIntegration(file: string, at: Path, value: unknown): Promise<Integrations> {
  return editIntegrations(file, () => [[at, value]]);
}

/**
 * Changes the settings file, keeping every comment and the layout of the rest: the writer the
 * commands that add connections, channels, mappings and routes use. `edit` is given the settings
 * as they are and returns the changes (or throws, and nothing is written); it runs under a lock
 * beside the file, so two processes editing at once take turns instead of one losing the
 * other's change (a holder still running after a few seconds is named in the refusal). The
 * result is checked before it is written (nothing is written when it is not valid), then
 * replaces the file atomically, 0600.
 */
export async function editIntegrations(
  file: string,
  edit: (current: Integrations) => Change[] | Promise<Change[]>,
  options: {
    command?: string | undefined;
    waitMs?: number | undefined;
    /** false: only check that the changes would make a valid file (before asking for a secret, say). */
    write?: boolean | undefined;
  } = {},
): Promise<Integrations> {
  ensurePrivateDir(path.dirname(file), 'integration settings');
  return holdingLock(
    `${file}.lock`,
    {
      what: `the integration settings ${file}`,
      command: options.command ?? 'safeweb',
      waitMs: options.waitMs ?? EDIT_WAIT_MS,
      consequence: '; nothing was written',
    },
    async () => {
      const text = readText(file);
      const { doc } = await parse(file, text ?? '');
      const { $schema: _schema, ...current } = (doc.toJS() ?? {}) as Integrations & { $schema?: string };
      for (const [at, value] of await edit(current)) {
        if (value === undefined) {
          if (doc.hasIn(at)) doc.deleteIn(at); // removing what is not there is done already
        } else doc.setIn(at, doc.createNode(value));
      }
      const result: unknown = doc.toJS() ?? {};
      const found = await integrationProblems(result);
      if (found.length) throw invalid(file, found, () => '', '; nothing was written');
      if (options.write === false) return result as Integrations;
      replaceFile(file, doc.toString({ lineWidth: 0 }), { kind: 'integration settings', mayReplace: true });
      return result as Integrations;
    },
  );
}
