/**
 * Validation of onboarding documents against the contract: every violation at once, each with
 * its field path. The rules come from the field table (fields.ts); the zod schema that checks
 * them is onboarding-schema.ts.
 */
import { problem, ValidationError, type Problem } from '../errors.js';
import { parseDateInput, pastDate } from './field-checks.js';
import { AT_LEAST_ONE, FIELDS, SCHEMA_KEY, UPDATABLE, type InfoUpdate, type OnboardingRequest } from './fields.js';
import { schemaChecker, updateChecker } from './onboarding-schema.js';

const KNOWN = new Set(FIELDS.map((f) => f.key));

/** The onboarding schema: what it finds wrong with a document. */
interface Schema {
  issues(doc: Record<string, unknown>): readonly { path: PropertyKey[]; message: string }[];
}
let schema: Schema | undefined;

/** The zod schema, built once per process: a bulk run validates every row with it, twice. */
function onboardingSchema(): Schema {
  return (schema ??= { issues: schemaChecker() });
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

/** `assetsEmails[1]` from a zod path. */
function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  );
}

/** The past-date problems (refused) and warnings (within the clock skew) of a document's dates. */
function dateChecks(doc: Record<string, unknown>, now: Date): { problems: Problem[]; warnings: string[] } {
  const problems: Problem[] = [];
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
        problem(
          field.key,
          `${iso} is in the past; the API rejects past ${field.future} (give a later one, e.g. ${fix})`,
          'past',
        ),
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
  const checker = onboardingSchema();
  return (input, options) => check(checker, input, options);
}

function check(schema: Schema, input: unknown, options: ValidationOptions): { warnings: string[] } {
  const problems: Problem[] = [];
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
      if (!KNOWN.has(key)) problems.push(problem(key, `unknown field${suggest(key)}`, 'unknown_field'));
    }
  }

  for (const issue of schema.issues(doc)) {
    const [top] = issue.path;
    // A required field that is absent, known by the document itself, not by zod's wording.
    const absent = issue.path.length === 1 && typeof top === 'string' && doc[top] === undefined;
    problems.push(problem(fieldPath(issue.path), issue.message, absent ? 'required' : 'invalid'));
  }
  if (AT_LEAST_ONE.every((key) => !Array.isArray(doc[key]) || doc[key].length === 0))
    problems.push(
      problem('', `${AT_LEAST_ONE.join(' / ')}: give at least one domain or email to monitor`, 'at_least_one'),
    );
  const dates = options.checkDates === false ? { problems: [], warnings: [] } : dateChecks(doc, options.now);
  problems.push(...dates.problems);
  const reference = doc['customerReference'];
  const taken = typeof reference === 'string' && reference ? options.reference?.(reference) : undefined;
  if (taken) problems.push(problem('customerReference', taken, 'taken'));

  if (problems.length) {
    const unknown = problems.some((p) => p.code === 'unknown_field');
    throw new ValidationError(
      `${options.source} is not a valid onboarding request ` +
        `(${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was sent:`,
      problems,
      (taken
        ? 'Choose a new reference with --reference (`safeweb customer list` shows the ones this tool knows); ' +
          '--dry-run checks without sending.'
        : 'Fix them and run it again; --dry-run checks without sending.') +
        (unknown ? ' --allow-unknown-fields sends unknown fields anyway.' : ''),
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

/**
 * Checks an info update (the updatable fields of the table, by the same rules as onboarding).
 * Throws a ValidationError listing every problem; returns the body to send.
 */
export async function validateUpdate(doc: Record<string, unknown>): Promise<InfoUpdate> {
  const problems = updateChecker()(doc).map((issue) => {
    const unknown = issue.path.length === 0 || !UPDATABLE.some((f) => f.key === issue.path[0]);
    return unknown && 'keys' in issue
      ? problem('', `not updatable: ${(issue.keys as string[]).join(', ')}`, 'unknown_field')
      : problem(fieldPath(issue.path), issue.message, 'invalid');
  });
  if (problems.length) throw new ValidationError('invalid update; nothing was sent:', problems);
  const body = { ...doc } as InfoUpdate & { companyName?: string };
  if (typeof body.companyName === 'string') body.companyName = body.companyName.trim();
  return body;
}
