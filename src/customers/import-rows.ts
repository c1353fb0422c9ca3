/**
 * The rows of a `customer import` file: CSV (a header row) or NDJSON, with `customerReference`,
 * `customerId` and optionally `companyName` and `status`. Every row is checked before anything
 * is sent: its shape, references and IDs repeated in the file, and clashes with what the local
 * record already holds. Every problem is listed with its row number.
 */
import { textProblem } from './fields.js';
import type { RecordEntry } from './local-record.js';
import { UsageError, ValidationError } from '../errors.js';
import { restoreCsvCell } from '../output/csv-cell.js';
import { CsvError, parseCsv } from '../bulk/csv.js';

export interface ImportRow {
  /** 1-based data row (CSV: the header is not counted; NDJSON: the line number). */
  row: number;
  customerReference: string;
  customerId: string;
  companyName: string;
  status: RecordEntry['status'];
  /** The record already holds exactly this reference and ID: nothing to verify or record. */
  known: boolean;
}

const COLUMNS = ['customerReference', 'customerId', 'companyName', 'status'] as const;

/**
 * The columns of `customer list --csv` (and --json), so its export imports back as it is:
 * `reference` and `id` name the same fields; `onboardedAt` and `updatedAt` are the record's own.
 */
const LIST_ALIASES: Record<string, (typeof COLUMNS)[number] | null> = {
  reference: 'customerReference',
  id: 'customerId',
  onboardedAt: null,
  updatedAt: null,
};

/** A row's fields under the import's names: the list's aliases renamed, its own dates dropped. */
function importFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const alias = Object.hasOwn(LIST_ALIASES, key) ? LIST_ALIASES[key] : key;
    if (alias !== null && alias !== undefined) out[alias] = value;
  }
  return out;
}
const STATUSES = ['active', 'offboarded'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Raw = { row: number; fields: Record<string, unknown> };

/** NDJSON when the file says so by name or by its first character; CSV otherwise. */
function importFormat(file: string, text: string): 'csv' | 'ndjson' {
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  if (/\.csv$/i.test(file)) return 'csv';
  return text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

async function rawRows(text: string, format: 'csv' | 'ndjson', problems: string[]): Promise<Raw[]> {
  if (format === 'ndjson') {
    const rows: Raw[] = [];
    let row = 0;
    text.split(/\r?\n/).forEach((line) => {
      if (!line.trim()) return;
      row++;
      try {
        const value = JSON.parse(line) as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value))
          rows.push({ row, fields: value as Record<string, unknown> });
        else problems.push(`row ${row}: not a JSON object`);
      } catch {
        problems.push(`row ${row}: not valid JSON`);
      }
    });
    return rows;
  }
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    problems.push(`not valid CSV: ${error.problem}`);
    return [];
  }
  const [header = [], ...data] = records;
  const names = header.map((h) => h.trim());
  const rows: Raw[] = [];
  data.forEach((cells, i) => {
    if (cells.length !== names.length)
      problems.push(`row ${i + 1}: has ${cells.length} cells; the header has ${names.length}`);
    // A `'` that --csv put before a formula-like cell (output/csv-cell.ts) comes off again, so a
    // `customer list --csv` export imports back exactly.
    else rows.push({ row: i + 1, fields: Object.fromEntries(names.map((n, j) => [n, restoreCsvCell(cells[j]!)])) });
  });
  return rows;
}

/** Data rows are counted from 1 (a CSV header is not a row; NDJSON blank lines are skipped). */
function where(row: number): string {
  return `row ${row}`;
}

function checkRow(raw: Raw, problems: string[]): Omit<ImportRow, 'known'> | undefined {
  const at = where(raw.row);
  const before = problems.length;
  const fields = importFields(raw.fields);
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string).trim() : fields[key]);
  const unknown = Object.keys(fields).filter((k) => !(COLUMNS as readonly string[]).includes(k));
  if (unknown.length)
    problems.push(`${at}: unknown field ${unknown.map((u) => `"${u}"`).join(', ')} (fields: ${COLUMNS.join(', ')})`);
  const reference = text('customerReference');
  const id = text('customerId');
  const company = text('companyName') ?? '';
  const status = text('status') || 'active';
  if (typeof reference !== 'string' || !reference) problems.push(`${at}: customerReference is required`);
  // The same limits as onboarding: no control characters, no undecodable bytes, at most TEXT_MAX characters.
  else if (textProblem(reference)) problems.push(`${at}: customerReference ${textProblem(reference)}`);
  if (typeof company === 'string' && textProblem(company)) problems.push(`${at}: companyName ${textProblem(company)}`);
  if (typeof id !== 'string' || !UUID_RE.test(id))
    problems.push(`${at}: customerId must be a UUID, got ${JSON.stringify(id ?? '')}`);
  if (typeof company !== 'string') problems.push(`${at}: companyName must be text`);
  if (typeof status !== 'string' || !STATUSES.includes(status))
    problems.push(`${at}: status must be active or offboarded, got ${JSON.stringify(status)}`);
  if (problems.length > before) return undefined;
  return {
    row: raw.row,
    customerReference: reference as string,
    customerId: (id as string).toLowerCase(),
    companyName: company as string,
    status: status as RecordEntry['status'],
  };
}

/** Checks the whole file against itself and the record; exit 2 listing every problem, nothing sent. */
export async function checkImportFile(
  file: string,
  text: string,
  recorded: RecordEntry[],
): Promise<{ rows: ImportRow[]; format: 'csv' | 'ndjson' }> {
  const format = importFormat(file, text);
  const problems: string[] = [];
  if (text.trimStart().startsWith('['))
    throw new UsageError(
      `${file} is a JSON array; customer import reads CSV or NDJSON`,
      "Write one object per line (NDJSON), e.g. jq -c '.[]' FILE > customers.ndjson.",
    );
  const raws = await rawRows(text, format, problems);
  const rows: ImportRow[] = [];
  const byReference = new Map<string, number>();
  const byId = new Map<string, number>();
  const given = (raw: Raw, key: string) => {
    const value = raw.fields[key];
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  for (const raw of raws) {
    const row = checkRow(raw, problems);
    // Repeats are found even on rows with other problems.
    const at = where(raw.row);
    const reference = given(raw, 'customerReference');
    const id = given(raw, 'customerId')?.toLowerCase();
    const sameRef = reference === undefined ? undefined : byReference.get(reference);
    if (sameRef !== undefined) problems.push(`${at}: customerReference ${reference} is also on ${where(sameRef)}`);
    const sameId = id === undefined ? undefined : byId.get(id);
    if (sameId !== undefined) problems.push(`${at}: customerId ${id} is also on ${where(sameId)}`);
    if (reference !== undefined && sameRef === undefined) byReference.set(reference, raw.row);
    if (id !== undefined && sameId === undefined) byId.set(id, raw.row);
    if (!row) continue;
    const entry = recorded.find((e) => e.reference === row.customerReference);
    const owner = recorded.find((e) => e.id?.toLowerCase() === row.customerId);
    if (entry?.id && entry.id.toLowerCase() !== row.customerId)
      problems.push(`${at}: ${row.customerReference} is already recorded for another customer ID (${entry.id})`);
    else if (owner && owner.reference !== row.customerReference)
      problems.push(`${at}: customer ${row.customerId} is already recorded as ${owner.reference}`);
    rows.push({ ...row, known: entry?.id?.toLowerCase() === row.customerId });
  }
  if (raws.length === 0 && problems.length === 0) problems.push('no rows: the file has no customers in it');
  if (problems.length)
    throw new ValidationError(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}; nothing was sent or recorded:`,
      problems,
      `Fields: customerReference, customerId (a UUID), and optionally companyName, status (active or offboarded).`,
    );
  return { rows, format };
}
