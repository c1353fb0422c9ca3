/**
 * The plan: what would make the book match the manifest. Existence, status and the info fields
 * the API cannot read back come from the state (state.ts); assets and webhook endpoints are read
 * live, so a change made behind the manifest's back (drift) shows as an update. Only what the API
 * can change on an existing customer becomes an update; other differences are listed as "not
 * updatable" and change nothing.
 */
import type { ApiClient } from '../api/client.js';
import { getCustomerAssets, type CustomerInfoUpdate } from '../api/customers.js';
import { listWebhooks, type Webhook } from '../api/webhooks.js';
import { FIELDS, type OnboardingRequest } from '../customers/fields.js';
import type { RecordEntry } from '../customers/local-record.js';
import { ApiRejectedError, ValidationError } from '../errors.js';
import { createProblem, type CustomerSpec, type Manifest, type WebhookSpec } from './load.js';
import { moreProblems, SHOWN_PROBLEMS } from './parse.js';
import type { BookState } from './state.js';

type Action = 'create' | 'update' | 'offboard' | 'reactivate' | 'delete';

export interface FieldChange {
  name: string;
  /** null when there was none, or it is not known (the record never knew it). */
  from: unknown;
  to: unknown;
}

/** One change as `plan --json` shows it. */
export interface Change {
  action: Action;
  kind: 'customer' | 'webhook';
  reference?: string;
  url?: string;
  fields?: FieldChange[];
  /** A delete that makes way for a new endpoint at the same URL (its secret was lost). */
  replacedBy?: 'create';
}

/** A change with what carrying it out needs. */
export interface PlannedChange extends Change {
  /** Names the change across runs: `customer:REF`, `webhook:URL`. */
  key: string;
  entry?: RecordEntry | undefined;
  body?: OnboardingRequest | undefined;
  info?: CustomerInfoUpdate | undefined;
  assets?: { domains?: string[]; emails?: string[] } | undefined;
  webhookId?: number | undefined;
  webhook?: { url: string; events: string[]; active: boolean } | undefined;
  /** A create that replaces this endpoint (deleted first): its signing secret was lost. */
  replaces?: number | undefined;
}

/** Addresses a change stops monitoring: a list of the manifest that leaves out what is monitored now. */
interface StopsMonitoring {
  reference: string;
  domains: string[];
  emails: string[];
}

export interface Plan {
  changes: PlannedChange[];
  /** Endpoints whose signing secret was lost (a create killed before its secret reached disk). */
  lostSecrets: string[];
  /** Every address the plan stops monitoring, by customer: shown first, and counted. */
  stopsMonitoring: StopsMonitoring[];
  notUpdatable: Array<{ reference: string; fields: FieldChange[] }>;
  /** Said on stderr, and kept in the --json document. */
  warnings: string[];
}

const ASSET_KEYS = new Set(['customerReference', 'assetsDomains', 'assetsEmails']);
const INFO_FIELDS = FIELDS.filter((f) => !ASSET_KEYS.has(f.key));

const lower = (list: readonly string[]) => list.map((v) => v.toLowerCase()).sort();
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const [x, y] = [[...new Set(lower(a))], [...new Set(lower(b))]];
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

function sameValue(key: string, a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return sameSet(a as string[], b as string[]);
  if (FIELDS.find((f) => f.key === key)?.kind === 'date' && typeof a === 'string' && typeof b === 'string')
    return Date.parse(a) === Date.parse(b);
  return a === b;
}

/**
 * Problems only creates have: required fields missing, past billing dates. Throws them (the first
 * SHOWN_PROBLEMS, located, and how many more). Loops, not push(...spread): a book of 100 000 new
 * customers is more than a call can take as arguments.
 */
function checkCreates(manifest: Manifest, state: BookState): string[] {
  const problems: string[] = [];
  const warnings: string[] = [];
  let n = 0;
  for (const spec of manifest.customers) {
    if (state.entries.has(spec.reference) || spec.status === 'offboarded') continue;
    for (const found of spec.createOnly)
      if (n++ < SHOWN_PROBLEMS) problems.push(`${createProblem(manifest, found)} — ${spec.reference} is new`);
    for (const warning of spec.createWarnings) warnings.push(warning);
  }
  if (n) {
    if (n > problems.length) problems.push(moreProblems(n - problems.length));
    throw new ValidationError(
      `${manifest.source} cannot create its new customers (${n.toLocaleString('en-US')} problem${n === 1 ? '' : 's'}); nothing was sent:`,
      problems,
      `A customer ${state.name} does not know is created, and needs every onboarding field ` +
        '(`safeweb schema onboarding`). If they exist already, plan against the state they were applied with (--state).',
    );
  }
  return warnings;
}

/** Runs `work` over `items`, at most `limit` at once, results in order. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function computePlan(
  manifest: Manifest,
  state: BookState,
  api: ApiClient,
  options: {
    prune: boolean;
    /** URLs whose create never got its secret to disk (secret-journal.ts `unkept`). */
    unkept?: ReadonlySet<string> | undefined;
    /** Plan a lost secret's endpoint as delete + create. */
    recreateLost?: boolean | undefined;
  },
): Promise<Plan> {
  const plan: Plan = {
    changes: [],
    lostSecrets: [],
    stopsMonitoring: [],
    notUpdatable: [],
    warnings: checkCreates(manifest, state),
  };
  const known = manifest.customers.filter((s) => state.entries.has(s.reference));
  if (manifest.customers.length > 0 && known.length === 0)
    plan.warnings.push(
      `${state.name} knows none of the ${manifest.customers.length} customers in ${manifest.source}: every one is a ` +
        'create. If they exist already, plan against the state they were applied with: --state FILE ' +
        '(`safeweb export --state FILE` writes one).',
    );
  // Live reads, only for customers that are (or will be) active and whose ID is known.
  const toRead = known.filter((s) => s.status === 'active' && state.entries.get(s.reference)!.id);
  const assets = new Map<string, { domains: string[]; emails: string[] }>();
  const read = await pooled(toRead, 8, (s) => readAssets(api, s.reference, state.entries.get(s.reference)!.id!));
  toRead.forEach((s, i) => assets.set(s.reference, { domains: read[i]!.domains ?? [], emails: read[i]!.emails ?? [] }));
  for (const spec of manifest.customers) customerChange(spec, state.entries.get(spec.reference), assets, plan);

  const listed = new Set(manifest.customers.map((s) => s.reference));
  const left = [...state.entries.values()].filter((e) => !listed.has(e.reference) && e.status === 'active');
  if (options.prune) {
    for (const entry of left) {
      if (!entry.id) plan.warnings.push(unknownId(entry, 'offboarded'));
      else
        plan.changes.push({
          action: 'offboard',
          kind: 'customer',
          reference: entry.reference,
          key: key(entry.reference),
          entry,
        });
    }
  } else if (left.length)
    plan.warnings.push(
      `${left.length} active customer${left.length === 1 ? '' : 's'} in ${state.name} ${left.length === 1 ? 'is' : 'are'} ` +
        `not in the manifest (${left
          .slice(0, 5)
          .map((e) => e.reference)
          .join(', ')}${left.length > 5 ? ', …' : ''}); ` +
        'left alone (--prune offboards them).',
    );
  if (manifest.webhooks)
    webhookChanges(
      manifest.webhooks,
      (await listWebhooks(api)).webhooks,
      { ...options, unkept: options.unkept ?? new Set() },
      plan,
    );
  return plan;
}

/** A customer's assets; a refusal names the customer, since the plan reads many. */
async function readAssets(api: ApiClient, reference: string, id: string) {
  try {
    return await getCustomerAssets(api, id);
  } catch (error) {
    if (!(error instanceof ApiRejectedError)) throw error;
    throw new ApiRejectedError(
      `reading the assets of ${reference} (${id}): ${error.message}`,
      error.status,
      error.body,
      `Check the ID the state holds for ${reference} (\`safeweb customer link ${reference} --id UUID\` corrects it).`,
    );
  }
}

const key = (reference: string) => `customer:${reference}`;

function unknownId(entry: RecordEntry, what: string): string {
  return (
    `${entry.reference}: its customer ID is not known, so it cannot be read or ${what}; ` +
    `link it with \`safeweb customer link ${entry.reference} --id UUID\``
  );
}

function customerChange(
  spec: CustomerSpec,
  entry: RecordEntry | undefined,
  live: Map<string, { domains: string[]; emails: string[] }>,
  plan: Plan,
): void {
  const reference = spec.reference;
  if (!entry) {
    if (spec.status === 'offboarded') return; // nothing to create: it would be offboarded at once
    const fields = FIELDS.filter((f) => spec.body[f.key] !== undefined && f.key !== 'customerReference').map((f) => ({
      name: f.key,
      from: null,
      to: spec.body[f.key],
    }));
    plan.changes.push({ action: 'create', kind: 'customer', reference, fields, key: key(reference), body: spec.body });
    return;
  }
  if (spec.status === 'offboarded') {
    if (entry.status === 'active') {
      if (!entry.id) plan.warnings.push(unknownId(entry, 'offboarded'));
      else plan.changes.push({ action: 'offboard', kind: 'customer', reference, key: key(reference), entry });
    }
    return;
  }
  if (!entry.id) {
    plan.warnings.push(unknownId(entry, entry.status === 'offboarded' ? 'reactivated' : 'updated'));
    return;
  }
  const fields: FieldChange[] = [];
  const fixed: FieldChange[] = [];
  const info: CustomerInfoUpdate = {};
  for (const field of INFO_FIELDS) {
    const to = spec.body[field.key];
    if (to === undefined || spec.relative.has(field.key)) continue;
    const from = field.key === 'companyName' ? entry.companyName : entry.fields?.[field.key];
    if (from !== undefined && sameValue(field.key, from, to)) continue;
    if (field.update !== undefined) {
      fields.push({ name: field.key, from: from ?? null, to });
      (info as Record<string, unknown>)[field.key] = to;
    } else if (from !== undefined) fixed.push({ name: field.key, from, to });
  }
  const assets = assetChanges(spec.body, live.get(reference), fields);
  const stops = removedAssets(reference, live.get(reference), assets);
  if (stops) plan.stopsMonitoring.push(stops);
  if (fixed.length) plan.notUpdatable.push({ reference, fields: fixed });
  const action = entry.status === 'offboarded' ? 'reactivate' : fields.length ? 'update' : undefined;
  if (!action) return;
  plan.changes.push({
    action,
    kind: 'customer',
    reference,
    ...(fields.length ? { fields } : {}),
    key: key(reference),
    entry,
    info: Object.keys(info).length ? info : undefined,
    assets,
  });
}

/**
 * The asset lists to send (each replaces the stored one), or undefined when they match. A list
 * the manifest leaves out is not managed: it is neither compared nor sent. A list it gives is
 * managed exactly.
 */
function assetChanges(
  body: OnboardingRequest,
  live: { domains: string[]; emails: string[] } | undefined,
  fields: FieldChange[],
): PlannedChange['assets'] {
  if (!live) return undefined;
  const out: NonNullable<PlannedChange['assets']> = {};
  const domains = body.assetsDomains;
  if (domains && !sameSet(domains, live.domains)) {
    out.domains = domains;
    fields.push({ name: 'assetsDomains', from: live.domains, to: domains });
  }
  if (body.assetsEmails) {
    // The API monitors the contact email too (it adds it at onboarding): expected among the emails.
    const emails = [...body.assetsEmails];
    const contact = body.contactEmail;
    if (contact && !emails.some((e) => e.toLowerCase() === contact.toLowerCase())) emails.push(contact);
    if (!sameSet(emails, live.emails)) {
      out.emails = emails;
      fields.push({ name: 'assetsEmails', from: live.emails, to: emails });
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** What an asset change stops monitoring, or undefined when it removes nothing. */
function removedAssets(
  reference: string,
  live: { domains: string[]; emails: string[] } | undefined,
  assets: PlannedChange['assets'],
): StopsMonitoring | undefined {
  if (!live || !assets) return undefined;
  const gone = (now: string[], next: string[] | undefined) =>
    next ? now.filter((v) => !next.some((n) => n.toLowerCase() === v.toLowerCase())) : [];
  const domains = gone(live.domains, assets.domains);
  const emails = gone(live.emails, assets.emails);
  return domains.length + emails.length ? { reference, domains, emails } : undefined;
}

/** How many addresses the plan stops monitoring. */
function stoppedCount(plan: Pick<Plan, 'stopsMonitoring'>): number {
  return plan.stopsMonitoring.reduce((n, s) => n + s.domains.length + s.emails.length, 0);
}

function normalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

function webhookChanges(
  specs: WebhookSpec[],
  live: Webhook[],
  options: { prune: boolean; unkept: ReadonlySet<string>; recreateLost?: boolean | undefined },
  plan: Plan,
): void {
  const { prune } = options;
  const unmatched = [...live];
  for (const spec of specs) {
    const i = unmatched.findIndex((w) => normalUrl(w.url) === spec.url);
    const webhook = { url: spec.url, events: spec.events, active: spec.active };
    if (i === -1) {
      const fields = [
        { name: 'events', from: null, to: spec.events },
        { name: 'active', from: null, to: spec.active },
      ];
      plan.changes.push({
        action: 'create',
        kind: 'webhook',
        url: spec.url,
        fields,
        key: `webhook:${spec.url}`,
        webhook,
      });
      continue;
    }
    const [found] = unmatched.splice(i, 1);
    if (options.unkept.has(spec.url) || options.unkept.has(found!.url)) {
      plan.lostSecrets.push(spec.url);
      if (options.recreateLost) {
        plan.changes.push({
          action: 'create',
          kind: 'webhook',
          url: spec.url,
          fields: [
            { name: 'events', from: null, to: spec.events },
            { name: 'active', from: null, to: spec.active },
          ],
          key: `webhook:${spec.url}`,
          webhook,
          replaces: found!.id,
        });
        continue;
      }
      plan.warnings.push(
        `webhook ${spec.url}: its signing secret was lost (an apply was stopped after creating it, before the ` +
          'secret reached disk); `apply --recreate-lost-secrets` deletes and recreates it with a new one.',
      );
    }
    const fields: FieldChange[] = [];
    if (!sameSet(found!.events, spec.events)) fields.push({ name: 'events', from: found!.events, to: spec.events });
    if (found!.active !== spec.active) fields.push({ name: 'active', from: found!.active, to: spec.active });
    if (fields.length)
      plan.changes.push({
        action: 'update',
        kind: 'webhook',
        url: spec.url,
        fields,
        key: `webhook:${spec.url}`,
        webhookId: found!.id,
        webhook,
      });
  }
  if (prune)
    for (const w of unmatched)
      plan.changes.push({ action: 'delete', kind: 'webhook', url: w.url, key: `webhook:${w.id}`, webhookId: w.id });
  else if (unmatched.length)
    plan.warnings.push(
      `${unmatched.length} webhook endpoint${unmatched.length === 1 ? '' : 's'} not in the manifest ` +
        `(${unmatched.map((w) => w.url).join(', ')}): left alone (--prune deletes them).`,
    );
}

export interface PlanSummary {
  create: number;
  update: number;
  offboard: number;
  reactivate: number;
  delete: number;
  total: number;
  /** Customers with differences the API cannot change. */
  notUpdatable: number;
  /** Addresses (domains and emails) the plan stops monitoring. */
  stopsMonitoring: number;
}

/** What `plan --json` prints (and the MCP server returns). */
export interface PlanData {
  changes: Change[];
  summary: PlanSummary;
  /** By customer, every address the plan stops monitoring. */
  stopsMonitoring: StopsMonitoring[];
  /** Endpoints whose signing secret was lost. */
  lostSecrets: string[];
  notUpdatable: Array<{ reference: string; fields: FieldChange[] }>;
  warnings: string[];
}

export function publicChange(c: PlannedChange): Change {
  return {
    action: c.action,
    kind: c.kind,
    ...(c.reference !== undefined ? { reference: c.reference } : {}),
    ...(c.url !== undefined ? { url: c.url } : {}),
    ...(c.fields?.length ? { fields: c.fields } : {}),
  };
}

/** The changes as `plan --json` lists them: a create that replaces an endpoint is a delete, then a create. */
function publicChanges(plan: Plan): Change[] {
  return plan.changes.flatMap((c) =>
    c.replaces === undefined
      ? [publicChange(c)]
      : [{ action: 'delete' as const, kind: c.kind, url: c.url!, replacedBy: 'create' }, publicChange(c)],
  );
}

export function planData(plan: Plan): PlanData {
  const changes = publicChanges(plan);
  const count = (a: Action) => changes.filter((c) => c.action === a).length;
  return {
    changes,
    summary: {
      create: count('create'),
      update: count('update'),
      offboard: count('offboard'),
      reactivate: count('reactivate'),
      delete: count('delete'),
      total: changes.length,
      notUpdatable: plan.notUpdatable.length,
      stopsMonitoring: stoppedCount(plan),
    },
    stopsMonitoring: plan.stopsMonitoring,
    lostSecrets: plan.lostSecrets,
    notUpdatable: plan.notUpdatable,
    warnings: plan.warnings,
  };
}

/**
 * The plan --json document cut to about `budget` characters of JSON, for an answer that has a
 * size limit (an MCP client reads at most 10 MiB a message, and a model's context holds far less):
 * the lists keep their first items, the summary still counts everything, and `omitted` says how
 * many of each list were left out. Undefined `omitted` when nothing was.
 */
export function boundedPlanData(
  data: PlanData,
  budget: number,
): PlanData & { omitted?: { changes: number; stopsMonitoring: number; notUpdatable: number } } {
  let left = budget;
  const first = <T>(list: T[]): T[] => {
    const kept: T[] = [];
    for (const item of list) {
      const size = JSON.stringify(item).length + 1;
      if (size > left) break;
      left -= size;
      kept.push(item);
    }
    return kept;
  };
  const changes = first(data.changes);
  const stopsMonitoring = first(data.stopsMonitoring);
  const notUpdatable = first(data.notUpdatable);
  const omitted = {
    changes: data.changes.length - changes.length,
    stopsMonitoring: data.stopsMonitoring.length - stopsMonitoring.length,
    notUpdatable: data.notUpdatable.length - notUpdatable.length,
  };
  if (!omitted.changes && !omitted.stopsMonitoring && !omitted.notUpdatable) return data;
  return { ...data, changes, stopsMonitoring, notUpdatable, omitted };
}
