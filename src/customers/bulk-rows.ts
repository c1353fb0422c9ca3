/**
 * A file of onboarding rows (CSV, NDJSON, JSON array): `check` finds every problem of every row
 * (with the flags over it) before anything is sent, `rows` gives them for sending, each row with
 * its body, or why it is skipped, or what the local record says of a row an interrupted run
 * finished. A short file is read once (KEPT_ROWS); a longer one twice, so memory stays flat
 * however long it is.
 */
import { memoryKeeper } from '../bulk/memory.js';
import type { ResumeState } from '../bulk/results.js';
import { readRows, type Row, type RowFormat } from '../bulk/sources.js';
import { UsageError, ValidationError } from '../errors.js';
import type { Note } from '../outcome.js';
import { csvRecordToDoc, FIELDS, type OnboardingRequest } from './fields.js';
import { normalizeOnboarding, onboardingChecker, type OnboardingChecker } from './onboarding.js';
import type { RecordedReferences } from './recorded.js';

export interface RowsInput {
  path: string;
  format: RowFormat;
  /** How messages name the file: its path, or stdin. */
  source: string;
  /** The document the flags make: it overrides every row. */
  flags: Record<string, unknown>;
}

export interface CheckOptions {
  allowUnknown: boolean;
  /** The clock: read once for the checking pass, and per row when sending (`now+5m` counts from the send). */
  now: () => Date;
  /** The run being resumed: its ok rows are done; rows the record holds were finished by it. */
  resume: ResumeState | undefined;
  /** The local record as it was before this run: a reference in it is not onboarded again. */
  recorded: RecordedReferences;
  /** Invalid rows are skipped (and said) rather than refused. */
  skipInvalid: boolean;
  /** Files up to this many rows are read once (default KEPT_ROWS; tests make it small). */
  keepRows?: number | undefined;
  say: (note: Note) => void;
}

/** A row for sending: its body, or why it is skipped, or the record's customer; the reference as far as it is known. */
export interface CheckedRow {
  row: number;
  reference?: string | undefined;
  body?: OnboardingRequest | undefined;
  skip?: string | undefined;
  /** Finished by the interrupted run (the record holds it; the results file does not): settled ok, not sent. */
  recorded?: { customerId: string | null } | undefined;
}

/** What one row is: its problems, or its body and what becomes of it. */
interface Inspected {
  reference?: string | undefined;
  body?: OnboardingRequest | undefined;
  problems: string[];
  /** 'done': ok in the results file being resumed; 'recorded': in the local record only. */
  fate: 'send' | 'done' | 'recorded';
  /** A billing date within the clock skew: sent, with a warning. */
  warned?: boolean;
  /** One of the problems is a reference the record already holds. */
  inRecord?: boolean;
}

const MAX_LISTED = 50;

/**
 * Files up to this many rows are read once: the checking pass keeps what it read, and the
 * sending pass goes over that, not the file (a 5000-row file's second parse and fingerprints
 * were a measurable share of a bulk run's CPU). Longer files are read again, so memory stays flat.
 */
const KEPT_ROWS = 10_000;

/** A row as the checking pass left it: its value (valid) or its problems. */
interface KeptRow {
  row: number;
  value?: Record<string, unknown> | undefined;
  reference?: string | undefined;
  problems?: string[] | undefined;
}

export class OnboardingRows {
  total = 0;
  invalid = 0;
  /** Valid rows that will be sent: not done by the run being resumed, nor in the record. */
  toSend = 0;
  /** The row on which each reference first appears: later ones are duplicates. */
  readonly #firstRow = new Map<string, number>();
  /** A fingerprint of each valid row: an unchanged row is not validated again (zod is most of a row's CPU). */
  readonly #fingerprints: number[] = [];
  /** The rows as checked, while the file is short enough (KEPT_ROWS); undefined: read it again. */
  #kept: KeptRow[] | undefined = [];
  readonly #noFlags: boolean;

  private constructor(
    readonly input: RowsInput,
    readonly options: CheckOptions,
    private readonly checker: OnboardingChecker,
  ) {
    this.#noFlags = Object.keys(input.flags).length === 0;
  }

  /** A CSV file's header, checked once before its rows (onboardingHeader). */
  readonly #header = (header: string[]) => onboardingHeader(header, this.input.source, this.options.allowUnknown);

  /** Pass 1: every row checked; nothing is sent while any is wrong (unless skipInvalid). */
  static async check(input: RowsInput, options: CheckOptions): Promise<OnboardingRows> {
    const rows = new OnboardingRows(input, options, await onboardingChecker());
    await rows.#checkAll();
    return rows;
  }

  /**
   * Pass 2: the rows again, as checked in pass 1: kept from it (KEPT_ROWS), or read again, and
   * then only rows pass 1 found valid, unchanged since, are sent. Once: kept rows are given up.
   */
  async *rows(): AsyncGenerator<CheckedRow> {
    if (this.#kept) {
      // Taken, and let go of row by row: a long run's heap (which its collections go over) shrinks as it sends.
      const kept = this.#kept;
      this.#kept = [];
      for (let next = kept.shift(); next; next = kept.shift()) {
        const { row, value, reference, problems } = next;
        const seen: Inspected = value
          ? this.#inspectValid(value, this.options.now())
          : { reference, problems: problems ?? [], fate: 'send' };
        yield this.#checked(row, seen);
      }
      return;
    }
    for await (const batch of readRows(this.input.path, this.input.format, csvRecordToDoc, this.#header)) {
      for (const raw of batch) {
        const now = this.options.now();
        const seen =
          raw.value !== undefined && this.#fingerprints[raw.row] === fingerprint(raw.value)
            ? this.#inspectValid(raw.value, now)
            : this.#whyNot(raw, now);
        yield this.#checked(raw.row, seen);
      }
    }
  }

  #checked(row: number, seen: Inspected): CheckedRow {
    const { reference } = seen;
    if (seen.problems.length) return { row, reference, skip: seen.problems.join('; ') };
    if (seen.fate === 'recorded') {
      const customerId = this.options.recorded.entry(reference!)?.id ?? null;
      return { row, reference, recorded: { customerId } };
    }
    return { row, reference, body: seen.body };
  }

  /** Keeps a checked row for the sending pass, until the file proves too long to keep. */
  #keep(row: KeptRow): void {
    if (!this.#kept) return;
    if (this.total <= (this.options.keepRows ?? KEPT_ROWS)) {
      this.#kept.push(row);
      return;
    }
    // Too long: the sending pass reads the file again, and knows the rows kept so far by their fingerprints.
    for (const kept of this.#kept) if (kept.value) this.#fingerprints[kept.row] = fingerprint(kept.value);
    this.#kept = undefined;
  }

  async #checkAll(): Promise<void> {
    const listed: string[] = [];
    let skewed = 0;
    let inRecord = 0;
    const keepMemoryFlat = memoryKeeper();
    const now = this.options.now();
    for await (const batch of readRows(this.input.path, this.input.format, csvRecordToDoc, this.#header)) {
      for (const raw of batch) {
        this.total++;
        keepMemoryFlat();
        const seen = this.#inspect(raw, now);
        const { reference } = seen;
        if (reference !== undefined) {
          const first = this.#firstRow.get(reference);
          if (first !== undefined) seen.problems.push(duplicate(reference, first));
          else this.#firstRow.set(reference, raw.row);
        }
        if (seen.problems.length) {
          this.invalid++;
          if (seen.inRecord) inRecord++;
          if (listed.length < MAX_LISTED)
            listed.push(`row ${raw.row}${reference ? ` (${reference})` : ''}: ${seen.problems.join('; ')}`);
          this.#keep({ row: raw.row, reference, problems: seen.problems });
          continue;
        }
        this.#keep({ row: raw.row, value: raw.value });
        if (!this.#kept) this.#fingerprints[raw.row] = fingerprint(raw.value);
        if (seen.fate === 'send') {
          this.toSend++;
          if (seen.warned) skewed++;
        }
      }
    }
    this.#conclude(listed, skewed, inRecord);
  }

  #conclude(listed: string[], skewed: number, inRecord: number): void {
    const { source } = this.input;
    const { invalid, total } = this;
    if (total === 0) throw new UsageError(`${source} holds no rows`);
    if (invalid > listed.length) listed.push(`… and ${invalid - listed.length} more`);
    const recordHint = inRecord
      ? ' A reference already in the local record was onboarded before: take its row out, ' +
        'or finish the run that onboarded it with --resume RESULTS.'
      : '';
    if (invalid && !this.options.skipInvalid)
      throw new ValidationError(
        `${invalid} of ${total} rows in ${source} are invalid; nothing was sent:`,
        listed,
        `Fix them, or pass --skip-invalid to send the valid rows and record the others as skipped.${recordHint}`,
      );
    const say = (text: string) => this.options.say({ tone: 'warn', text });
    if (invalid)
      say(
        `${invalid} invalid row${invalid === 1 ? '' : 's'} will be skipped (--skip-invalid):\n  ${listed.join('\n  ')}`,
      );
    if (skewed)
      say(
        `${skewed} row${skewed === 1 ? ' has' : 's have'} a billing date that is not in the future but within ` +
          '5 minutes of now: sent, as clocks differ, though the API rejects past dates ' +
          '(--billed-from now+5m sets a later one for every row).',
      );
  }

  /** Which of the resumed run's rows are settled without sending, by their reference. */
  #fateOf(reference: string | undefined): Inspected['fate'] {
    const { resume, recorded } = this.options;
    if (!resume || reference === undefined) return 'send';
    if (resume.ok.has(reference)) return 'done';
    // Recorded but with no ok line: the run was stopped between the record and the results line.
    return recorded.entry(reference) ? 'recorded' : 'send';
  }

  /** Pass 2, a row pass 1 did not find valid: its problems again, to record why it is skipped. */
  #whyNot(raw: Row, now: Date): Inspected {
    const seen = this.#inspect(raw, now);
    const first = seen.reference === undefined ? undefined : this.#firstRow.get(seen.reference);
    if (first !== undefined && first !== raw.row) seen.problems.push(duplicate(seen.reference!, first));
    // Valid now, so the file changed between the passes: what was not checked is not sent.
    if (!seen.problems.length) seen.problems.push('the row changed after the file was checked; run again to send it');
    return seen;
  }

  /** A row that passed pass 1 and has not changed since: its body without validating it again. */
  #inspectValid(value: Record<string, unknown>, now: Date): Inspected {
    const body = normalizeOnboarding(this.#withFlags(value), now);
    return { reference: body.customerReference, body, problems: [], fate: this.#fateOf(body.customerReference) };
  }

  /** A row's document with the flags over it (the row itself when no flag is given: it is not changed). */
  #withFlags(value: Record<string, unknown>): Record<string, unknown> {
    return this.#noFlags ? value : { ...value, ...this.input.flags };
  }

  /** Every problem of one row (with the flags over it) but duplicates, which depend on the pass. */
  #inspect(row: Row, now: Date): Inspected {
    if (row.error) return { problems: [row.error], fate: 'send' };
    const doc = this.#withFlags(row.value!);
    const given = doc['customerReference'];
    const reference = typeof given === 'string' && given !== '' ? given : undefined;
    const fate = this.#fateOf(reference);
    let inRecord = false;
    try {
      const { warnings } = this.checker(doc, {
        allowUnknown: this.options.allowUnknown,
        now,
        source: `row ${row.row}`,
        // Resuming, a reference in the record is the interrupted run's own row, settled from the record.
        reference: this.options.resume
          ? undefined
          : (ref) => {
              const problem = this.options.recorded.problem(ref);
              inRecord = problem !== undefined;
              return problem;
            },
        // A row that is not sent again is history: its billing date may have passed since.
        checkDates: fate === 'send',
      });
      return { reference, problems: [], fate, warned: warnings.length > 0 };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { reference, problems: error.problems.length ? error.lines : [error.message], fate, inRecord };
    }
  }
}

/** A column name as a person may write it: "Company Name", "company_name" and "companyName" are one. */
const loose = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');
const FIELD_BY_LOOSE = new Map(FIELDS.map((f) => [loose(f.key), f.key]));

/**
 * The field names a CSV header stands for, checked once, before any row: columns are matched to
 * the onboarding fields ignoring case, spaces, `_` and `-` (a spreadsheet's "Company Name" is
 * companyName: no two fields differ by those alone, so the match is never a guess). A column that
 * matches none is refused, with every expected name, rather than failing the same way on each row;
 * with --allow-unknown-fields it is passed on as it is. Two columns for one field are refused.
 */
function onboardingHeader(header: string[], source: string, allowUnknown: boolean): string[] {
  const keys = header.map((name) => FIELD_BY_LOOSE.get(loose(name)) ?? name);
  const unknown = header.filter((name, i) => name === keys[i] && !FIELD_BY_LOOSE.has(loose(name)));
  const expected = `Expected header names: ${FIELDS.map((f) => f.key).join(', ')} (case and spaces do not matter).`;
  if (unknown.length && !allowUnknown)
    throw new UsageError(
      `${source}: no onboarding field is named by the header's ${unknown.map((u) => `"${u}"`).join(', ')}; ` +
        'nothing was sent',
      `${expected} Rename the column(s), or pass --allow-unknown-fields to send them as they are.`,
    );
  const twice = keys.find((key, i) => keys.indexOf(key) !== i);
  if (twice !== undefined) {
    const named = header.filter((_, i) => keys[i] === twice).map((h) => `"${h}"`);
    throw new UsageError(
      `${source}: the header names ${twice} twice (${named.join(', ')}); nothing was sent`,
      expected,
    );
  }
  return keys;
}

function duplicate(reference: string, first: number): string {
  return `customerReference ${reference} is also on row ${first}`;
}

/** 32-bit FNV-1a of a row as read: a cheap fingerprint, not a security measure. */
function fingerprint(value: Record<string, unknown> | undefined): number {
  const text = JSON.stringify(value ?? null);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
