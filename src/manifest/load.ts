/**
 * Reading a manifest: YAML or JSON text (the `yaml` library: a syntax error is named by line and
 * column), or an object already parsed (the MCP server passes one). Every problem of the whole
 * manifest is collected at once, each with its path (`customers[1].assetsEmails[0]`) and, for
 * text, its line and column; nothing is sent while any remains. The fields of each customer are
 * checked by the onboarding rules (customers/onboarding.ts), `defaults` merged in first.
 */
import { FIELDS, type OnboardingRequest } from '../customers/fields.js';
import { pastDate } from '../customers/field-checks.js';
import { normalizeOnboarding, validateOnboarding } from '../customers/onboarding.js';
import { problemText, ValidationError, type Problem as Found } from '../errors.js';
import { checkWebhookUrl } from '../api/webhook-url.js';
import {
  manifestIntegrationProblems,
  type CustomerLocal,
  type CustomerPsa,
  type Integrations,
  type NotifySettings,
  type PsaSettings,
} from '../config/integrations.js';
import {
  checkManifestText,
  MANIFEST_SIZE_CAP,
  moreProblems,
  parseText,
  readManifestFile,
  SHOWN_PROBLEMS,
  type Parsed,
  type Path,
} from './parse.js';
import { NOTE_KEY, STATUSES, WEBHOOK_EVENTS } from './schema.js';

export interface CustomerSpec {
  /** Position in `customers`, for paths. */
  index: number;
  reference: string;
  status: 'active' | 'offboarded';
  /** The fields with `defaults` merged in, dates as full ISO strings. */
  body: OnboardingRequest;
  /** Dates given as `now+…`: they mean "at creation", so they are not compared afterwards. */
  relative: Set<string>;
  /**
   * Problems that matter only if the customer is created (a required field missing, a past billing
   * date): where, and what; `createProblem` words one.
   */
  createOnly: Array<{ path: Path; message: string }>;
  /** Warnings for a create (a billing date within the clock skew). */
  createWarnings: string[];
  /** Its `tags` and `psa`: local only, never part of `body` nor of any request. */
  local: CustomerLocal;
}

export interface WebhookSpec {
  index: number;
  url: string;
  events: string[];
  active: boolean;
}

export interface Manifest {
  source: string;
  customers: CustomerSpec[];
  /** Undefined when the manifest has no `webhooks` key: endpoints are then left alone. */
  webhooks: WebhookSpec[] | undefined;
  /** The `psa:` and `notify:` blocks (integration settings kept with the book): local only. */
  psa: PsaSettings | undefined;
  notify: NotifySettings | undefined;
  /** " (line 3, column 5)" for a path, when the manifest was text: worked out when asked. */
  where: (path: Path) => string;
}

/** A manifest file, or the manifest itself (YAML or JSON text, or an object). */
export type ManifestInput = { file: string } | { manifest: string | object };

const TOP_KEYS = ['$schema', NOTE_KEY, 'defaults', 'customers', 'webhooks', 'psa', 'notify'];

const WEBHOOK_KEYS = ['url', 'events', 'active', NOTE_KEY];

/** `customers[1].assetsEmails[0]` */
function pathText(path: Path): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  );
}

/** `assetsEmails[0]` -> ['assetsEmails', 0] */
function parsePath(text: string): Path {
  return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

async function parseInput(input: ManifestInput, cap: number): Promise<Parsed & { source: string }> {
  if ('file' in input) {
    const text = readManifestFile(input.file, cap);
    const kind = /\.json$/i.test(input.file) ? 'JSON' : 'YAML';
    return { ...(await parseText(text, input.file, kind)), source: input.file };
  }
  if (typeof input.manifest === 'string') {
    checkManifestText(input.manifest, 'the manifest', cap);
    const kind = input.manifest.trimStart().startsWith('{') ? 'JSON' : 'YAML';
    return { ...(await parseText(input.manifest, 'the manifest', kind)), source: 'the manifest' };
  }
  return { value: input.manifest, where: () => '', source: 'the manifest' };
}

/**
 * The problems found, each once, in order. Only the first SHOWN_PROBLEMS are kept and located
 * (line and column); the rest are counted.
 */
class Problems {
  readonly shown: Found[] = [];
  #seen = new Set<string>();
  constructor(readonly where: (path: Path) => string) {}

  add(path: Path, message: string): void {
    const at = pathText(path) || '(manifest)';
    const key = `${at}\n${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.shown.length < SHOWN_PROBLEMS)
      this.shown.push({ path: at, message: `${message}${this.where(path)}`, code: 'invalid' });
  }

  get count(): number {
    return this.#seen.size;
  }
}

/**
 * Reads and checks a manifest; throws a ValidationError naming its problems (the first
 * SHOWN_PROBLEMS, and how many more). `sizeCap`: the most bytes of text it reads.
 */
export async function loadManifest(input: ManifestInput, now: Date, sizeCap = MANIFEST_SIZE_CAP): Promise<Manifest> {
  const { value, where, source } = await parseInput(input, sizeCap);
  const problems = new Problems(where);
  const problem = (path: Path, message: string) => problems.add(path, message);
  if (!isObject(value)) {
    problem([], 'must be a mapping with customers (and optionally defaults, webhooks)');
    throw invalid(source, problems);
  }
  for (const key of Object.keys(value))
    if (!TOP_KEYS.includes(key))
      problem([key], 'unknown key (a manifest has defaults, customers, webhooks, psa and notify)');

  const defaults = value['defaults'] ?? {};
  if (!isObject(defaults)) problem(['defaults'], 'must be a mapping of onboarding fields');
  else if ('customerReference' in defaults)
    problem(['defaults', 'customerReference'], 'a reference is unique per customer; it cannot be a default');
  const list = value['customers'] ?? [];
  if (!Array.isArray(list)) problem(['customers'], 'must be a list of customers');
  const customers: CustomerSpec[] = [];
  const seen = new Map<string, number>();
  if (Array.isArray(list) && isObject(defaults)) {
    for (const [index, item] of list.entries()) {
      const raw = isObject(item) ? item['customerReference'] : undefined;
      const reference = typeof raw === 'string' ? raw.trim() : '';
      const first = seen.get(reference);
      if (first !== undefined)
        problem(['customers', index, 'customerReference'], `"${reference}" is customers[${first}]'s reference too`);
      else if (reference) seen.set(reference, index);
      const spec = await checkCustomer(index, item, defaults, now, problem);
      if (spec) customers.push(spec);
    }
  }
  const webhooks = value['webhooks'] === undefined ? undefined : checkWebhooks(value['webhooks'], problem);
  const blocks = { psa: value['psa'], notify: value['notify'] };
  const locals = customers
    .filter((c) => c.local.tags !== undefined || c.local.psa !== undefined)
    .map((c): [Path, CustomerLocal] => [['customers', c.index], c.local]);
  if (blocks.psa !== undefined || blocks.notify !== undefined || locals.length)
    for (const found of await manifestIntegrationProblems(blocks, locals)) problem(found.path, found.message);
  if (problems.count) throw invalid(source, problems);
  return {
    source,
    customers,
    webhooks,
    psa: blocks.psa as PsaSettings | undefined,
    notify: blocks.notify as NotifySettings | undefined,
    where,
  };
}

/** A create-only problem as a line: `customers[2].price: is required to create a customer (line 9, column 5)`. */
export function createProblem(manifest: Manifest, found: CustomerSpec['createOnly'][number]): string {
  return `${pathText(found.path)}: ${found.message}${manifest.where(found.path)}`;
}

function invalid(source: string, problems: Problems): ValidationError {
  const n = problems.count;
  const listed: Array<Found | string> = [...problems.shown];
  if (n > problems.shown.length) listed.push(moreProblems(n - problems.shown.length));
  return new ValidationError(
    `${source} is not a valid manifest (${n.toLocaleString('en-US')} problem${n === 1 ? '' : 's'}); nothing was sent:`,
    listed,
    'Fix them and run it again (`safeweb schema manifest` prints the schema, for editors).',
  );
}

type Problem = (path: Path, message: string) => void;

async function checkCustomer(
  index: number,
  item: unknown,
  defaults: Record<string, unknown>,
  now: Date,
  problem: Problem,
): Promise<CustomerSpec | undefined> {
  const at: Path = ['customers', index];
  if (!isObject(item)) {
    problem(at, 'must be a mapping of onboarding fields');
    return undefined;
  }
  const { status = 'active', [NOTE_KEY]: _note, tags, psa, ...own } = item;
  // Checked with the manifest's psa/notify blocks (config/integrations.ts); kept out of the body.
  const local: CustomerLocal = {};
  if (tags !== undefined) local.tags = tags as string[];
  if (psa !== undefined) local.psa = psa as CustomerPsa;
  const { [NOTE_KEY]: _defaultsNote, ...inherited } = defaults;
  if (!(STATUSES as readonly unknown[]).includes(status))
    problem([...at, 'status'], `must be one of ${STATUSES.join(', ')} (got ${JSON.stringify(status)})`);
  const doc: Record<string, unknown> = { ...inherited, ...own };
  // Where a field's value comes from: the customer's own, else the defaults.
  const origin = (field: string): Path => (field in own || !(field in inherited) ? at : ['defaults']);
  const createOnly: CustomerSpec['createOnly'] = [];
  let fine = true;
  try {
    await validateOnboarding(doc, { allowUnknown: false, now, source: 'customer', checkDates: false });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const found of error.problems) {
      // No list of assets at all: an existing customer's are not managed; a create needs one.
      if (found.code === 'at_least_one' && doc['assetsDomains'] === undefined && doc['assetsEmails'] === undefined) {
        createOnly.push({ path: at, message: `${problemText(found)} to create a customer` });
        continue;
      }
      // Nothing to monitor (or anything not about one field) is the customer's problem as a whole.
      if (found.code === 'at_least_one' || !found.path) {
        problem(at, problemText(found));
        fine = false;
        continue;
      }
      const path = parsePath(found.path);
      const full = [...origin(String(path[0])), ...path];
      // A missing field matters only for a create: an existing customer is known by its reference and name.
      const required = found.code === 'required' && found.path !== 'customerReference' && found.path !== 'companyName';
      if (required) createOnly.push({ path: full, message: 'is required to create a customer' });
      else {
        problem(full, found.message);
        fine = false;
      }
    }
  }
  const reference = typeof doc['customerReference'] === 'string' ? doc['customerReference'].trim() : '';
  if (!fine || !reference) return undefined;
  const body = normalizeOnboarding(doc, now);
  const relative = new Set(
    FIELDS.filter((f) => f.kind === 'date' && typeof doc[f.key] === 'string' && /^now/i.test(doc[f.key] as string)).map(
      (f) => f.key,
    ),
  );
  const createWarnings: string[] = [];
  for (const field of FIELDS) {
    const iso = body[field.key];
    if (!field.future || typeof iso !== 'string') continue;
    const past = pastDate(field, iso, now);
    const full = [...origin(field.key), field.key];
    if (past === 'past')
      createOnly.push({
        path: full,
        message: `${iso} is in the past; the API rejects past ${field.future} for a new customer`,
      });
    else if (past === 'skew') createWarnings.push(`${pathText(full)}: ${iso} is not in the future (within 5 minutes)`);
  }
  return {
    index,
    reference,
    status: status as CustomerSpec['status'],
    body,
    relative,
    createOnly,
    createWarnings,
    local,
  };
}

function checkWebhooks(value: unknown, problem: Problem): WebhookSpec[] {
  if (!Array.isArray(value)) {
    problem(['webhooks'], 'must be a list of endpoints');
    return [];
  }
  const out: WebhookSpec[] = [];
  const seen = new Map<string, number>();
  for (const [index, item] of value.entries()) {
    const at: Path = ['webhooks', index];
    if (!isObject(item)) {
      problem(at, 'must be a mapping with url and events');
      continue;
    }
    let ok = true;
    for (const key of Object.keys(item))
      if (!WEBHOOK_KEYS.includes(key)) {
        problem([...at, key], 'unknown key (an endpoint has url, events, active)');
        ok = false;
      }
    let url = '';
    if (typeof item['url'] !== 'string') {
      problem([...at, 'url'], item['url'] === undefined ? 'is required' : 'must be a string');
      ok = false;
    } else {
      const checked = checkWebhookUrl(item['url']);
      if ('problem' in checked) {
        problem([...at, 'url'], `"${item['url']}" ${checked.problem.replace(/\.$/, '')}`);
        ok = false;
      } else url = checked.url;
    }
    const events = item['events'];
    if (!Array.isArray(events) || events.length === 0) {
      problem([...at, 'events'], 'must be a list of at least one event');
      ok = false;
    } else
      events.forEach((e, i) => {
        if (typeof e !== 'string' || !WEBHOOK_EVENTS.includes(e)) {
          problem([...at, 'events', i], `unknown event ${JSON.stringify(e)} (one of ${WEBHOOK_EVENTS.join(', ')})`);
          ok = false;
        }
      });
    const active = item['active'] ?? true;
    if (typeof active !== 'boolean') {
      problem([...at, 'active'], `must be true or false (got ${JSON.stringify(active)})`);
      ok = false;
    }
    if (!ok) continue;
    const first = seen.get(url);
    if (first !== undefined) problem([...at, 'url'], `webhooks[${first}] has this URL too`);
    seen.set(url, index);
    out.push({ index, url, events: [...new Set(events as string[])], active: active as boolean });
  }
  return out;
}

/**
 * The integration settings a manifest carries, in the settings file's shape: what `--file
 * book.yaml` uses in place of the profile's file (its psa and notify blocks, and each customer's
 * tags and psa by reference).
 */
export function manifestIntegrations(manifest: Manifest): Integrations {
  const customers = Object.fromEntries(
    manifest.customers.filter((c) => Object.keys(c.local).length).map((c) => [c.reference, c.local]),
  );
  return {
    ...(manifest.psa ? { psa: manifest.psa } : {}),
    ...(manifest.notify ? { notify: manifest.notify } : {}),
    ...(Object.keys(customers).length ? { customers } : {}),
  };
}
