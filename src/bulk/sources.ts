/**
 * Rows from a bulk file, streamed in batches so memory stays flat however large the file:
 * CSV (csv.ts; a header row names the fields, and the caller says how a record becomes a
 * document), NDJSON (one object per line), or a JSON array (stream-json).
 */
import { createReadStream } from 'node:fs';
import { UsageError } from '../errors.js';
import { CsvError, csvRecords } from './csv.js';

/** A CSV record as a document, given the header row (customers/fields.ts `csvRecordToDoc` for onboarding rows). */
export type CsvToDoc = (header: string[], cells: string[]) => Record<string, unknown>;

/**
 * Checks a CSV header once, before any row is read: the field names to use (a caller may map
 * friendly column names to its own), or a UsageError naming every column it does not know.
 */
export type CsvHeader = (header: string[]) => string[];

export type RowFormat = 'csv' | 'ndjson' | 'json';

export interface Row {
  /** 1-based position of the record in the file (CSV: not counting the header). */
  row: number;
  value?: Record<string, unknown>;
  /** Why the record could not be read at all. */
  error?: string;
}

export function formatFromName(file: string): RowFormat | undefined {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  if (/\.json$/i.test(file)) return 'json';
  return undefined;
}

/**
 * A header of one column holding `;` or tabs but no comma: a file saved with another separator
 * (a spreadsheet's regional "CSV"), whose every row would otherwise fail on the same header. Said
 * once, before any row; not read as such, because a cell that holds a list separates it with `;`.
 */
function separatorProblem(file: string, header: string[]): UsageError | undefined {
  const only = header.length === 1 ? header[0]! : '';
  const separator = only.includes('\t') ? 'tab' : only.includes(';') ? ';' : undefined;
  if (!separator) return undefined;
  return new UsageError(
    `${file} looks ${separator}-separated: its header line has ${separator === ';' ? '";"' : 'tabs'} and no ","`,
    'Save it as comma-separated CSV (a spreadsheet\'s "CSV UTF-8 (Comma delimited)"); ' +
      'a cell holding a list keeps ";" between its items. Nothing was sent.',
  );
}

async function* csvRows(file: string, toDoc: CsvToDoc, checkHeader: CsvHeader | undefined): AsyncGenerator<Row[]> {
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const records of csvRecords(file)) {
      const rows: Row[] = [];
      for (const record of records) {
        if (!header) {
          const given = record.map((h) => h.trim());
          const wrong = separatorProblem(file, given);
          if (wrong) throw wrong;
          header = checkHeader ? checkHeader(given) : given;
          continue;
        }
        row++;
        if (record.length !== header.length)
          rows.push({ row, error: `has ${record.length} cells; the header has ${header.length}` });
        else rows.push({ row, value: toDoc(header, record) });
      }
      if (rows.length) yield rows;
    }
  } catch (error) {
    // A structural fault (an unclosed quote, say) leaves the rest of the file unreadable.
    if (!(error instanceof CsvError)) throw error;
    const where = error.line === undefined ? '' : ` (line ${error.line})`;
    const problem = error.problem.replace(/^Invalid Record Length: /, '');
    throw new UsageError(`${file} is not valid CSV${where}: ${problem}`, 'Fix the file; nothing was sent.');
  }
  if (!header) throw new UsageError(`${file} is empty: a CSV needs a header row of field names`);
}

async function* ndjsonRows(file: string): AsyncGenerator<Row[]> {
  const { createInterface } = await import('node:readline');
  let row = 0;
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    row++;
    try {
      const value = JSON.parse(text) as unknown;
      if (!value || typeof value !== 'object' || Array.isArray(value))
        yield [{ row, error: `line ${line} is not a JSON object` }];
      else yield [{ row, value: value as Record<string, unknown> }];
    } catch (error) {
      yield [{ row, error: `line ${line} is not valid JSON (${(error as Error).message})` }];
    }
  }
}

async function* jsonArrayRows(file: string): AsyncGenerator<Row[]> {
  const [{ default: StreamArray }] = await Promise.all([import('stream-json/streamers/StreamArray.js')]);
  const pipeline = createReadStream(file).pipe(StreamArray.withParser());
  try {
    for await (const { key, value } of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
      const row = key + 1;
      if (!value || typeof value !== 'object' || Array.isArray(value)) yield [{ row, error: 'is not a JSON object' }];
      else yield [{ row, value: value as Record<string, unknown> }];
    }
  } catch (error) {
    throw new UsageError(
      `${file} is not a valid JSON array: ${(error as Error).message}`,
      'Fix the file; nothing was sent.',
    );
  }
}

/**
 * The rows of a bulk file, in batches (a CSV file's as it is read in chunks; one row at a time for
 * JSON). A CSV's header is checked once, before its rows (`csvHeader`, and its separator).
 */
export function readRows(
  file: string,
  format: RowFormat,
  csvToDoc: CsvToDoc,
  csvHeader?: CsvHeader,
): AsyncGenerator<Row[]> {
  if (format === 'csv') return csvRows(file, csvToDoc, csvHeader);
  return format === 'ndjson' ? ndjsonRows(file) : jsonArrayRows(file);
}
