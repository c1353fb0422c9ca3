/**
 * Validation of onboarding documents against the contract: every violation at once, each with
 * its field path. The rules come from the field table (fields.ts); zod is loaded only here, and
 * only by the commands that validate.
 */
import { ValidationError } from '../errors.js';
import { isoTime, remembered } from '../remember.js';
import { AT_LEAST_ONE, FIELDS, SCHEMA_KEY, type FieldSpec, type OnboardingRequest } from './fields.js';

const KNOWN = new Set(FIELDS.map((f) => f.key));

const EMAIL_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const DOMAIN_RE = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function emailProblem(value: string): string | undefined {
  // The longest address SMTP carries; longer ones are not quoted back (they may be a whole file).
  if (value.length > 254) return `is not a valid email address (${value.length} characters; at most 254)`;
  return EMAIL_RE.test(value) ? undefined : `"${value}" is not a valid email address`;
}

export function domainProblem(value: string): string | undefined {
  if (value.length > 253) return `is not a valid domain name (${value.length} characters; at most 253)`;
  if (/^[a-z]+:\/\//i.test(value) || value.includes('/'))
    return `"${value}" is not a domain name (give the host only, e.g. acme.co)`;
  return DOMAIN_RE.test(value) ? undefined : `"${value}" is not a valid domain name`;
}

/**
 * An ISO 8601 date-time, a date (midnight UTC), or `now`, `now+5m`, `now+2h`, `now+1d`;
 * returned as a full ISO string, or undefined when it is none of those.
 */
export function parseDateInput(value: string, now: Date): string | undefined {
  const offset = relativeOffset(value);
  return offset === undefined ? absoluteDate(value) : isoTime(now.getTime() + offset);
}

/** Whether `value` is a date parseDateInput reads (at any clock). */
export function isDateInput(value: string): boolean {
  return relativeOffset(value) !== undefined || absoluteDate(value) !== undefined;
}

/** Absolute dates by text: a bulk file gives most rows the same one. */
const absolutes = remembered<string | undefined>();

function absoluteDate(value: string): string | undefined {
  return absolutes(value, () => {
    const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
    const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
    if (!parts) return undefined;
    // Date.parse rolls 2026-02-30 over to March 2 and 24:00 to the next day: a day the month has, an hour the day has.
    const [year, month, day, hour] = parts.slice(1, 5).map(Number) as [number, number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate() || hour > 23)
      return undefined;
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : isoTime(t);
  });
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Half the range of a Date: now plus this is always a date. */
const MAX_OFFSET_MS = 4.32e15;
/** Offsets by text: a bulk file gives every row the same relative date. */
const offsets = remembered<number | undefined>();

/** `now+5m` → 300 000 ms; undefined for anything that is not a relative date. */
function relativeOffset(value: string): number | undefined {
  return offsets(value, () => {
    const rel = /^now(?:\+(\d+)([mhd]))?$/i.exec(value.trim());
    if (!rel) return undefined;
    const offset = Number(rel[1] ?? 0) * UNIT_MS[(rel[2] ?? 'm').toLowerCase() as keyof typeof UNIT_MS];
    // Past what a date can hold (±8.64e15 ms) it is no date at all, not a crash when it is formatted.
    return offset <= MAX_OFFSET_MS ? offset : undefined;
  });
}

/** The onboarding schema, loaded: what it finds wrong with a document. */
interface Schema {
  issues(doc: Record<string, unknown>): readonly { path: PropertyKey[]; message: string }[];
}
let schemaPromise: Promise<Schema> | undefined;

/** The zod schema, built once per process: a bulk run validates every row with it, twice. */
function onboardingSchema(): Promise<Schema> {
  return (schemaPromise ??= import('./onboarding-schema.js').then((m) => ({ issues: m.schemaChecker() })));
}

/**
 * The request body for a document that has passed validateOnboarding: dates as full ISO
 * strings. Bulk runs use it on the second pass, for rows unchanged since the first.
 */
export function normalizeOnboarding(doc: Record<string, unknown>, now: Date): OnboardingRequest {
  const body: Record<string, unknown> = { ...doc };
  delete body[SCHEMA_KEY];
  for (const field of FIELDS) {
    const value = body[field.key];
    if (field.kind === 'date' && typeof value === 'string' && value) body[field.key] = parseDateInput(value, now)!;
  }
  return body as OnboardingRequest;
}

export interface ValidationResult {
  body: OnboardingRequest;
  warnings: string[];
}

export interface ValidationOptions {
  allowUnknown: boolean;
  now: Date;
  source: string;
  /** Why the reference cannot be onboarded (already in the local record: recorded.ts), or undefined. */
  reference?: ((reference: string) => string | undefined) | undefined;
  /** False for a row that will not be sent (done by an earlier run): its dates are history, not a request. */
  checkDates?: boolean | undefined;
}

/** Clocks differ: a date that must be in the future may be this far in the past, with a warning. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * For a field that must be in the future (the table's `future`): 'past' when the date is more
 * than five minutes ago (refused: the API would reject it), 'skew' when it is not in the future
 * but within those five minutes (warned about and sent: the two clocks may disagree), else
 * undefined. The one rule for flags, files, rows and the wizard.
 */
export function pastDate(field: FieldSpec, iso: string, now: Date): 'past' | 'skew' | undefined {
  const t = Date.parse(iso);
  if (!field.future || Number.isNaN(t) || t > now.getTime()) return undefined;
  return t < now.getTime() - CLOCK_SKEW_MS ? 'past' : 'skew';
}

/** `assetsEmails[1]` from a zod path. */
function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  );
}

/** The past-date problems (refused) and warnings (within the clock skew) of a document's dates. */
function dateChecks(doc: Record<string, unknown>, now: Date): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const field of FIELDS) {
    // Only a date that must lie ahead can be past (a bulk run checks thousands of rows).
    if (!field.future) continue;
    const given = doc[field.key];
    const iso = typeof given === 'string' ? parseDateInput(given, now) : undefined;
    const past = iso && pastDate(field, iso, now);
    const fix = `${field.flag} now+5m`;
    if (past === 'past')
      problems.push(
        `${field.key}: ${iso} is in the past; the API rejects past ${field.future} (give a later one, e.g. ${fix})`,
      );
    else if (past === 'skew')
      warnings.push(
        `${field.key} ${iso} is not in the future; sent, as it is within 5 minutes of now and clocks differ, ` +
          `but the API rejects past ${field.future} (try ${fix})`,
      );
  }
  return { problems, warnings };
}

/**
 * Checks an onboarding document against CONTRACT.md's rules. Throws a ValidationError listing
 * every violation; returns the normalised body (dates as full ISO strings) and warnings.
 */
export async function validateOnboarding(input: unknown, options: ValidationOptions): Promise<ValidationResult> {
  const { warnings } = (await onboardingChecker())(input, options);
  return { body: normalizeOnboarding(input as Record<string, unknown>, options.now), warnings };
}

/**
 * validateOnboarding's checks, once zod's schema is loaded: synchronous, and without making the
 * body (a bulk file's checking pass keeps the rows; the sending pass makes each body when it sends).
 */
export type OnboardingChecker = (input: unknown, options: ValidationOptions) => { warnings: string[] };

export async function onboardingChecker(): Promise<OnboardingChecker> {
  const schema = await onboardingSchema();
  return (input, options) => check(schema, input, options);
}

function check(schema: Schema, input: unknown, options: ValidationOptions): { warnings: string[] } {
  const problems: string[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(
      `${options.source} must be a JSON object with the onboarding fields`,
      [],
      'See examples/acme.json.',
    );
  }
  let doc = input as Record<string, unknown>;
  if (SCHEMA_KEY in doc) {
    doc = { ...doc };
    delete doc[SCHEMA_KEY];
  }
  if (!options.allowUnknown) {
    for (const key of Object.keys(doc)) {
      if (!KNOWN.has(key))
        problems.push(`${key}: unknown field${suggest(key)} (--allow-unknown-fields sends it anyway)`);
    }
  }

  for (const issue of schema.issues(doc)) problems.push(`${fieldPath(issue.path) || '(document)'}: ${issue.message}`);
  if (AT_LEAST_ONE.every((key) => !Array.isArray(doc[key]) || doc[key].length === 0))
    problems.push(`${AT_LEAST_ONE.join(' / ')}: give at least one domain or email to monitor`);
  const dates = options.checkDates === false ? { problems: [], warnings: [] } : dateChecks(doc, options.now);
  problems.push(...dates.problems);
  const reference = doc['customerReference'];
  const taken = typeof reference === 'string' && reference ? options.reference?.(reference) : undefined;
  if (taken) problems.push(`customerReference: ${taken}`);

  if (problems.length) {
    throw new ValidationError(
      `${options.source} is not a valid onboarding request ` +
        `(${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was sent:`,
      problems,
      taken
        ? 'Choose a new reference with --reference (`safeweb customer list` shows the ones this tool knows); ' +
            '--dry-run checks without sending.'
        : 'Fix them and run it again; --dry-run checks without sending.',
    );
  }
  return { warnings: dates.warnings };
}

/** " (did you mean companyName?)" for a near-miss of a known field. */
function suggest(key: string): string {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const match = [...KNOWN].find((k) => {
    const known = k.toLowerCase();
    return known === lower || distance(known, lower) <= 2;
  });
  return match ? ` (did you mean ${match}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = next;
    }
  }
  return row[b.length]!;
}
