/**
 * A file of onboarding rows (CSV, NDJSON, JSON array), read twice so memory stays flat however
 * long it is: `check` validates every row (with the flags over it) before anything is sent,
 * `rows` reads it again for sending, each row with its body or why it is skipped.
 */
import { memoryKeeper } from '../bulk/memory.js';
import type { ResumeState } from '../bulk/results.js';
import { readRows, type Row, type RowFormat } from '../bulk/sources.js';
import { UsageError, ValidationError } from '../errors.js';
import type { Note } from '../outcome.js';
import type { OnboardingRequest } from './fields.js';
import { normalizeOnboarding, validateOnboarding } from './onboarding.js';

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
  now: Date;
  /** Rows whose reference is ok here are not counted as to be sent. */
  resume: ResumeState;
  /** Invalid rows are skipped (and said) rather than refused. */
  skipInvalid: boolean;
  say: (note: Note) => void;
}

/** A row for sending: its body, or why it is skipped; the reference as far as it is known. */
export interface CheckedRow {
  row: number;
  reference?: string | undefined;
  body?: OnboardingRequest | undefined;
  skip?: string | undefined;
}

interface Checked {
  body?: OnboardingRequest;
  problems?: string[];
  warned?: boolean;
}

const MAX_LISTED = 50;

export class OnboardingRows {
  total = 0;
  invalid = 0;
  /** Valid rows not already done by the run being resumed. */
  toSend = 0;
  /** The row on which each valid reference first appears: later ones are duplicates. */
  readonly #firstRow = new Map<string, number>();
  /** A fingerprint of each valid row: an unchanged row is not validated again (zod is most of a row's CPU). */
  readonly #fingerprints: number[] = [];

  private constructor(
    readonly input: RowsInput,
    readonly options: CheckOptions,
  ) {}

  /** Pass 1: every row checked; nothing is sent while any is wrong (unless skipInvalid). */
  static async check(input: RowsInput, options: CheckOptions): Promise<OnboardingRows> {
    const rows = new OnboardingRows(input, options);
    await rows.#checkAll();
    return rows;
  }

  /** Pass 2: the rows again, as checked in pass 1. */
  async *rows(): AsyncGenerator<CheckedRow> {
    const { input, options } = this;
    for await (const raw of readRows(input.path, input.format)) {
      const unchanged = raw.value !== undefined && this.#fingerprints[raw.row] === fingerprint(raw.value);
      const checked = unchanged
        ? { body: normalizeOnboarding({ ...raw.value, ...input.flags }, options.now) }
        : await this.#check(raw);
      const reference = checked.body?.customerReference;
      if (checked.body && this.#firstRow.get(checked.body.customerReference) === raw.row)
        yield { row: raw.row, reference, body: checked.body };
      else
        yield {
          row: raw.row,
          reference: reference ?? (raw.value?.['customerReference'] as string | undefined),
          skip: checked.problems?.join('; ') ?? 'duplicate reference in the file',
        };
    }
  }

  async #checkAll(): Promise<void> {
    const listed: string[] = [];
    let pastDates = 0;
    const keepMemoryFlat = memoryKeeper();
    for await (const raw of readRows(this.input.path, this.input.format)) {
      this.total++;
      keepMemoryFlat();
      const checked = await this.#check(raw);
      const reference = checked.body?.customerReference;
      if (reference !== undefined) {
        const first = this.#firstRow.get(reference);
        if (first !== undefined) checked.problems = [`customerReference ${reference} is also on row ${first}`];
        else this.#firstRow.set(reference, raw.row);
      }
      if (checked.problems) {
        this.invalid++;
        const given = raw.value?.['customerReference'];
        const label = reference ?? (typeof given === 'string' ? given : undefined);
        if (listed.length < MAX_LISTED)
          listed.push(`row ${raw.row}${label ? ` (${label})` : ''}: ${checked.problems.join('; ')}`);
        continue;
      }
      this.#fingerprints[raw.row] = fingerprint(raw.value);
      if (checked.warned) pastDates++;
      if (!this.options.resume.ok.has(reference!)) this.toSend++;
    }
    this.#conclude(listed, pastDates);
  }

  #conclude(listed: string[], pastDates: number): void {
    const { source } = this.input;
    const { invalid, total } = this;
    if (total === 0) throw new UsageError(`${source} holds no rows`);
    if (invalid > listed.length) listed.push(`… and ${invalid - listed.length} more`);
    if (invalid && !this.options.skipInvalid)
      throw new ValidationError(
        `${invalid} of ${total} rows in ${source} are invalid; nothing was sent:`,
        listed,
        'Fix them, or pass --skip-invalid to send the valid rows and record the others as skipped.',
      );
    const say = (text: string) => this.options.say({ tone: 'warn', text });
    if (invalid)
      say(
        `${invalid} invalid row${invalid === 1 ? '' : 's'} will be skipped (--skip-invalid):\n  ${listed.join('\n  ')}`,
      );
    if (pastDates)
      say(
        `${pastDates} row${pastDates === 1 ? ' has' : 's have'} a billing date that is not in the future; ` +
          'the API rejects those.',
      );
  }

  /** One row (with the flags over it); its problems are returned, not thrown. */
  async #check(row: Row): Promise<Checked> {
    if (row.error) return { problems: [row.error] };
    try {
      const { body, warnings } = await validateOnboarding(
        { ...row.value, ...this.input.flags },
        { allowUnknown: this.options.allowUnknown, now: this.options.now, source: `row ${row.row}` },
      );
      return { body, warned: warnings.length > 0 };
    } catch (error) {
      if (error instanceof ValidationError)
        return { problems: error.problems.length ? error.problems : [error.message] };
      throw error;
    }
  }
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
