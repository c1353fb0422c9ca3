/**
 * The onboarding fields, written once. Everything else is read from this table: the flags of
 * `customer onboard` (commands/customer/index.ts), the flags -> document mapping and the
 * missing-field hints (here), the wizard's questions, in this order (commands/customer/wizard.ts),
 * the command printed after the wizard (here), the CSV cells (bulk/sources.ts; a header is the
 * key), the zod validation (onboarding.ts), the published JSON Schema (json-schema.ts) and the
 * request type. Adding a field is one entry. This module imports nothing, so `--help` and
 * `safeweb schema` stay cheap.
 */

/** A list kind is a JSON array, a repeatable flag and a `;`-separated CSV cell. */
type FieldKind = 'string' | 'email' | 'domains' | 'emails' | 'number' | 'date' | 'enum' | 'boolean';

/** How the wizard asks for a field. Fields without one are left to flags and files. */
interface Question {
  message: string;
  /** Said when an answer that is needed is empty or not acceptable. */
  needed?: string;
  /** The suggestion when flags, file and remembered answers give none (a date may be `now+5m`). */
  suggest?: string;
  /** Suggest the answer already given to this field (alert recipients: the contact email). */
  suggestFrom?: string;
  /** Remembered per profile and suggested next time. */
  remember?: boolean;
  /** The wizard's stricter check of a free-text answer (the API takes any non-empty string). */
  check?: 'locale';
}

export interface FieldSpec {
  /** The name in JSON documents and the API, and the CSV header. */
  key: string;
  flag: `--${string}`;
  /** The flag's value in --help; a boolean has none, and a `--no-` twin instead. */
  arg?: string;
  description: string;
  /** --help of a boolean's `--no-` flag. */
  negated?: string;
  required: boolean;
  kind: FieldKind;
  choices?: readonly string[];
  /** What the server assumes when the field is left out. */
  default?: string | boolean;
  /** A number's least value. */
  minimum?: number;
  /** A string's most characters (default TEXT_MAX): no real customer reaches it; a pasted file does. */
  maxLength?: number;
  /** A list's least length. */
  minItems?: number;
  /**
   * The date must not be past (the API refuses it): more than 5 minutes past is refused locally,
   * within 5 minutes warned about and sent (onboarding.ts pastDate). "billing dates" names them.
   */
  future?: string;
  /**
   * The field can be changed on an existing customer (PATCH info): `customer update`'s flag says
   * this, and `plan` compares it and sends a change. Fields without it are set once, at onboarding.
   */
  update?: string;
  ask?: Question;
}

/** The longest free text (names, references) a field takes; control characters are refused too. */
export const TEXT_MAX = 200;

const CURRENCIES = ['AUD', 'GBP', 'USD'] as const;
const PLAN_TYPES = ['safeweb-basic', 'safeweb-plus', 'safeweb-pro'] as const;
const ENROL_TYPES = ['opt-in', 'opt-out'] as const;

const TABLE = [
  {
    key: 'companyName',
    flag: '--company-name',
    arg: 'name',
    description: 'company name',
    update: 'new company name',
    required: true,
    kind: 'string',
    ask: { message: 'Company name', needed: 'The company name is needed.' },
  },
  {
    key: 'customerReference',
    flag: '--reference',
    arg: 'ref',
    description: 'your own unique reference for the customer',
    required: true,
    kind: 'string',
    ask: {
      message: 'Your reference for this customer',
      needed: 'A reference is needed; it must be unique among your customers.',
    },
  },
  {
    key: 'contactEmail',
    flag: '--contact-email',
    arg: 'email',
    description: 'primary contact (also monitored)',
    update: 'new contact email',
    required: false,
    kind: 'email',
    ask: { message: 'Contact email (optional)' },
  },
  {
    key: 'assetsDomains',
    flag: '--domain',
    arg: 'domain',
    description: 'domain to monitor (repeatable)',
    required: false,
    kind: 'domains',
    ask: { message: 'Domains to monitor (comma-separated)' },
  },
  {
    key: 'assetsEmails',
    flag: '--email',
    arg: 'email',
    description: 'email address to monitor (repeatable)',
    required: false,
    kind: 'emails',
    ask: { message: 'Email addresses to monitor (comma-separated)' },
  },
  {
    key: 'alertRecipients',
    flag: '--alert-recipient',
    arg: 'email',
    description: 'who receives alerts (repeatable)',
    required: true,
    kind: 'emails',
    minItems: 1,
    ask: {
      message: 'Alert recipients (comma-separated)',
      needed: 'At least one is needed.',
      suggestFrom: 'contactEmail',
    },
  },
  {
    key: 'planType',
    flag: '--plan',
    arg: 'plan',
    description: 'plan type',
    update: 'new plan type',
    required: false,
    kind: 'enum',
    choices: PLAN_TYPES,
    default: 'safeweb-basic',
    ask: { message: 'Plan' },
  },
  {
    key: 'price',
    flag: '--price',
    arg: 'amount',
    description: 'price, 0 or more',
    update: 'new price, 0 or more',
    required: true,
    kind: 'number',
    minimum: 0,
    ask: { message: 'Price', needed: 'A number, 0 or more (e.g. 49.99).' },
  },
  {
    key: 'currencyCode',
    flag: '--currency',
    arg: 'code',
    description: 'billing currency',
    required: true,
    kind: 'enum',
    choices: CURRENCIES,
    ask: { message: 'Currency', suggest: 'USD', remember: true },
  },
  {
    key: 'billedFromDate',
    flag: '--billed-from',
    arg: 'date',
    description: 'billing start: ISO date-time, date, or now+5m / now+1d',
    required: true,
    kind: 'date',
    future: 'billing dates',
    ask: { message: 'Billed from (ISO date-time, or now+5m)', suggest: 'now+5m' },
  },
  {
    key: 'enrolType',
    flag: '--enrol',
    arg: 'type',
    description: 'enrolment type',
    required: false,
    kind: 'enum',
    choices: ENROL_TYPES,
    default: 'opt-out',
    ask: { message: 'Enrolment' },
  },
  {
    key: 'sendMonthlyReport',
    flag: '--monthly-report',
    description: 'send monthly security reports',
    negated: 'do not send monthly security reports',
    required: false,
    kind: 'boolean',
    default: false,
    ask: { message: 'Send monthly security reports?' },
  },
  {
    key: 'localeCode',
    flag: '--locale',
    arg: 'code',
    description: 'locale for customer communications, e.g. en-GB',
    required: false,
    kind: 'string',
    default: 'en-GB',
    maxLength: 35,
    ask: { message: 'Locale', needed: 'A locale such as en-GB or da-DK.', remember: true, check: 'locale' },
  },
  {
    key: 'insuranceActiveFromDate',
    flag: '--insurance-from',
    arg: 'date',
    description: 'insurance start date',
    required: false,
    kind: 'date',
  },
] as const satisfies readonly FieldSpec[];

/** Every field of the contract, in the order the wizard asks and --help lists them. */
export const FIELDS: readonly FieldSpec[] = TABLE;

/** The fields an existing customer's info update may change, in table order. */
export const UPDATABLE: readonly FieldSpec[] = FIELDS.filter((f) => f.update !== undefined);

/** At least one of these lists must be non-empty: a customer with nothing to monitor is refused. */
export const AT_LEAST_ONE = ['assetsDomains', 'assetsEmails'] as const;

/** A top-level member that names the document's JSON Schema: accepted, and never sent. */
export const SCHEMA_KEY = '$schema';

type Entry = (typeof TABLE)[number];
type ValueOf<F extends Entry> = F['kind'] extends 'number'
  ? number
  : F['kind'] extends 'boolean'
    ? boolean
    : F['kind'] extends 'domains' | 'emails'
      ? string[]
      : F extends { choices: readonly (infer C)[] }
        ? C
        : string;

/** The body of an info update (PATCH info): the updatable fields, each optional. */
export type InfoUpdate = {
  [F in Entry as F extends { update: string } ? F['key'] : never]?: ValueOf<F>;
};

/** The request body, typed from the table; undocumented fields pass with --allow-unknown-fields. */
export type OnboardingRequest = { [F in Entry as F['required'] extends true ? F['key'] : never]: ValueOf<F> } & {
  [F in Entry as F['required'] extends true ? never : F['key']]?: ValueOf<F>;
} & { [extra: string]: unknown };

const isList = (field: FieldSpec) => field.kind === 'domains' || field.kind === 'emails';

/** The name commander gives a flag's value: `--billed-from` -> billedFrom. */
export function optionName(field: FieldSpec): string {
  return field.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Flag values as document fields; a number that does not parse stays a string for the validator to name. */
export function flagsToDoc(
  opts: Record<string, unknown>,
  fields: readonly FieldSpec[] = FIELDS,
): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const field of fields) {
    const value = opts[optionName(field)];
    if (value === undefined) continue;
    doc[field.key] =
      field.kind === 'number' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? Number(value)
        : value;
  }
  return doc;
}

/** Required fields (and the asset rule) that a document does not supply yet, with their flags. */
export function missingFields(doc: Record<string, unknown>): string[] {
  const empty = (key: string) => doc[key] === undefined || (Array.isArray(doc[key]) && doc[key].length === 0);
  const missing = FIELDS.filter((f) => f.required && empty(f.key)).map((f) => `${f.key} (${f.flag})`);
  if (AT_LEAST_ONE.every(empty)) {
    const flags = AT_LEAST_ONE.map((key) => FIELDS.find((f) => f.key === key)!.flag);
    missing.push(`${AT_LEAST_ONE.join(' or ')} (${flags.join(' / ')})`);
  }
  return missing;
}

/**
 * Why a free-text value cannot be sent (control characters, over-long), or undefined. Never
 * quotes the value: it may be 100 KB of something pasted by mistake.
 */
export function textProblem(value: string, max: number = TEXT_MAX): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters (line breaks, tabs …)';
  // What a decoder put where the bytes were not UTF-8: sent, it would be the replacement character.
  if (value.includes('\uFFFD')) return 'holds bytes that are not valid UTF-8 (save the file as UTF-8)';
  if (value.length > max) return `must be at most ${max} characters (got ${value.length})`;
  return undefined;
}

/** A CSV cell as a field's value: lists split on `;`, numbers and booleans coerced when they parse. */
export function fromCell(field: FieldSpec | undefined, cell: string): unknown {
  if (!field) return cell;
  if (isList(field)) {
    if (!cell.includes(';')) {
      // Most list cells hold one value (a bulk file's thousands of rows).
      const value = cell.trim();
      return value ? [value] : [];
    }
    return cell
      .split(';')
      .map((v) => v.trim())
      .filter(Boolean);
  }
  if (field.kind === 'number') return /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
  if (field.kind === 'boolean')
    return /^(true|yes|1)$/i.test(cell) ? true : /^(false|no|0)$/i.test(cell) ? false : cell;
  return cell;
}

const BY_KEY = new Map(FIELDS.map((f) => [f.key, f]));

/**
 * One CSV record as an onboarding document: the headers are the fields' keys; empty cells are
 * left out, list cells split on `;`, numbers and booleans coerced (fromCell).
 */
export function csvRecordToDoc(header: string[], cells: string[]): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const cell = (cells[i] ?? '').trim();
    if (cell !== '') doc[header[i]!] = fromCell(BY_KEY.get(header[i]!), cell);
  }
  return doc;
}

/** Quotes for POSIX shells only when needed. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The non-interactive command equivalent to a set of onboarding answers. */
export function onboardCommand(body: Record<string, unknown>, fields: readonly FieldSpec[] = FIELDS): string {
  const parts = ['safeweb', 'customer', 'onboard'];
  for (const field of fields) {
    const value = body[field.key];
    if (value === undefined) continue;
    if (field.kind === 'boolean') parts.push(value ? field.flag : `--no-${field.flag.slice(2)}`);
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(field.flag, shellQuote(String(v)));
  }
  return parts.join(' ');
}
