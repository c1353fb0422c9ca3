/**
 * Reading a manifest: YAML or JSON text (the `yaml` library: a syntax error is named by line and
 * column), or an object already parsed (the MCP server passes one). Every problem of the whole
 * manifest is collected at once, each with its path (`customers[1].assetsEmails[0]`) and, for
 * text, its line and column; nothing is sent while any remains. The fields of each customer are
 * checked by the onboarding rules (customers/onboarding.ts), `defaults` merged in first.
 */
import fs from 'node:fs';
import type { Document, LineCounter } from 'yaml';
import { FIELDS, type OnboardingRequest } from '../customers/fields.js';
import { pastDate } from '../customers/field-checks.js';
import { normalizeOnboarding, validateOnboarding } from '../customers/onboarding.js';
import { problemText, UsageError, ValidationError, type Problem as Found } from '../errors.js';
import { checkWebhookUrl } from '../api/webhook-url.js';
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
  /** Problems that matter only if the customer is created (a required field missing, a past billing date). */
  createOnly: string[];
  /** Warnings for a create (a billing date within the clock skew). */
  createWarnings: string[];
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
}

/** A manifest file, or the manifest itself (YAML or JSON text, or an object). */
export type ManifestInput = { file: string } | { manifest: string | object };

const TOP_KEYS = ['$schema', NOTE_KEY, 'defaults', 'customers', 'webhooks'];
const WEBHOOK_KEYS = ['url', 'events', 'active', NOTE_KEY];
type Path = Array<string | number>;

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

interface Parsed {
  value: unknown;
  /** " (line 3, column 5)" for a path, when the manifest was text. */
  where: (path: Path) => string;
}

/** YAML reads JSON too, but forgives what JSON does not (a trailing comma): a .json file must be JSON. */
function strictJson(text: string, source: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      where = `line ${line}, column ${before.length - before.lastIndexOf('\n')}: `;
    }
    throw new ValidationError(
      `${source} is not valid JSON; nothing was sent:`,
      [`${where}${reason}`],
      'Fix the file and run it again.',
    );
  }
}

async function parseText(text: string, source: string, kind: 'YAML' | 'JSON'): Promise<Parsed> {
  if (kind === 'JSON') strictJson(text, source);
  const { LineCounter, parseDocument } = await import('yaml');
  const lineCounter: LineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return pos ? `line ${pos.line}, column ${pos.col}: ${message}` : message;
    });
    throw new ValidationError(
      `${source} is not valid ${kind}; nothing was sent:`,
      problems,
      'Fix the file and run it again.',
    );
  }
  const where = (path: Path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      const start = node?.range?.[0];
      if (start !== undefined) {
        const { line, col } = lineCounter.linePos(start);
        return ` (line ${line}, column ${col})`;
      }
    }
    return '';
  };
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, where };
}

async function parseInput(input: ManifestInput): Promise<Parsed & { source: string }> {
  if ('file' in input) {
    let text: string;
    try {
      text = fs.readFileSync(input.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the manifest ${input.file}: ${(error as Error).message}`);
    }
    const kind = /\.json$/i.test(input.file) ? 'JSON' : 'YAML';
    return { ...(await parseText(text, input.file, kind)), source: input.file };
  }
  if (typeof input.manifest === 'string') {
    const kind = input.manifest.trimStart().startsWith('{') ? 'JSON' : 'YAML';
    return { ...(await parseText(input.manifest, 'the manifest', kind)), source: 'the manifest' };
  }
  return { value: input.manifest, where: () => '', source: 'the manifest' };
}

/** Reads and checks a manifest; throws a ValidationError naming every problem. */
export async function loadManifest(input: ManifestInput, now: Date): Promise<Manifest> {
  const { value, where, source } = await parseInput(input);
  const problems: Found[] = [];
  const problem = (path: Path, message: string) => {
    const found: Found = { path: pathText(path) || '(manifest)', message: `${message}${where(path)}`, code: 'invalid' };
    if (!problems.some((p) => p.path === found.path && p.message === found.message)) problems.push(found);
  };
  if (!isObject(value)) {
    problem([], 'must be a mapping with customers (and optionally defaults, webhooks)');
    throw invalid(source, problems);
  }
  for (const key of Object.keys(value))
    if (!TOP_KEYS.includes(key)) problem([key], 'unknown key (a manifest has defaults, customers and webhooks)');

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
      const spec = await checkCustomer(index, item, defaults, now, problem, where);
      if (spec) customers.push(spec);
    }
  }
  const webhooks = value['webhooks'] === undefined ? undefined : checkWebhooks(value['webhooks'], problem);
  if (problems.length) throw invalid(source, problems);
  return { source, customers, webhooks };
}

function invalid(source: string, problems: Found[]): ValidationError {
  const n = problems.length;
  return new ValidationError(
    `${source} is not a valid manifest (${n} problem${n === 1 ? '' : 's'}); nothing was sent:`,
    problems,
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
  where: (path: Path) => string,
): Promise<CustomerSpec | undefined> {
  const at: Path = ['customers', index];
  if (!isObject(item)) {
    problem(at, 'must be a mapping of onboarding fields');
    return undefined;
  }
  const { status = 'active', [NOTE_KEY]: _note, ...own } = item;
  const { [NOTE_KEY]: _defaultsNote, ...inherited } = defaults;
  if (!(STATUSES as readonly unknown[]).includes(status))
    problem([...at, 'status'], `must be one of ${STATUSES.join(', ')} (got ${JSON.stringify(status)})`);
  const doc: Record<string, unknown> = { ...inherited, ...own };
  // Where a field's value comes from: the customer's own, else the defaults.
  const origin = (field: string): Path => (field in own || !(field in inherited) ? at : ['defaults']);
  const createOnly: string[] = [];
  let fine = true;
  try {
    await validateOnboarding(doc, { allowUnknown: false, now, source: 'customer', checkDates: false });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const found of error.problems) {
      // No list of assets at all: an existing customer's are not managed; a create needs one.
      if (found.code === 'at_least_one' && doc['assetsDomains'] === undefined && doc['assetsEmails'] === undefined) {
        createOnly.push(`${pathText(at)}: ${problemText(found)} to create a customer${where(at)}`);
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
      if (required) createOnly.push(`${pathText(full)}: is required to create a customer${where(full)}`);
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
      createOnly.push(
        `${pathText(full)}: ${iso} is in the past; the API rejects past ${field.future} for a new customer${where(full)}`,
      );
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
