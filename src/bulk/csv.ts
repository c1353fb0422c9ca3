/**
 * CSV read with csv-parse, the one CSV reader: a bulk file streamed in batches of records
 * (whatever the parser has ready at once, so a file of thousands of rows is not a promise per
 * row, and memory stays flat however long it is), or a short text at once. Strict RFC 4180
 * quoting: a quote that opens mid-field, text after a closing quote or an unclosed quote makes
 * the file unreadable (CsvError, with its line), as a reference with stray quotes must not reach
 * the API. Records end at \n, \r\n or \r, mixed or not; a byte-order mark (UTF-8 or UTF-16LE) is
 * read; empty lines are skipped; every record is returned as it is (cells untrimmed, however
 * many): the callers compare it with the header and say which row is short.
 *
 * csv-parse is imported statically, so the build puts it in the chunk of the commands that read
 * CSV: a bulk file is checked whole before its first request, so its load and parse are on a
 * bulk run's critical path.
 */
import { createReadStream } from 'node:fs';
import { CsvError as ParseError, parse, type Options } from 'csv-parse';
import { parse as parseText } from 'csv-parse/sync';

export class CsvError extends Error {
  constructor(
    readonly problem: string,
    /** The line of the file the fault is on, when known. */
    readonly line: number | undefined,
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
  }
}

const CHUNK = 16384;
const OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  skip_empty_lines: true,
  trim: false,
  record_delimiter: ['\r\n', '\n', '\r'],
};

/** csv-parse's error as ours (its line, when it gives one); anything else as it is. */
function csvError(error: unknown): unknown {
  if (!(error instanceof ParseError)) return error;
  const lines = (error as { lines?: unknown }).lines;
  return new CsvError(error.message, typeof lines === 'number' ? lines : undefined);
}

/** Every record of a short CSV text (the header first). Throws CsvError. */
export function parseCsv(text: string): string[][] {
  try {
    return parseText(text, OPTIONS) as string[][];
  } catch (error) {
    throw csvError(error);
  }
}

/**
 * The records of a CSV file (the header first), in batches, read as they are asked for.
 * Throws CsvError. `chunk`: how much is read at a time, in bytes (tests make it small).
 */
export async function* csvRecords(file: string, chunk = CHUNK): AsyncGenerator<string[][]> {
  const source = createReadStream(file, { highWaterMark: chunk });
  const parser = source.pipe(parse(OPTIONS));
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: unknown) => {
    failure ??= csvError(error);
    wakeUp();
  };
  source.on('error', fail);
  parser.on('error', fail);
  parser.on('readable', wakeUp);
  parser.on('end', () => {
    ended = true;
    wakeUp();
  });
  try {
    for (;;) {
      const batch: string[][] = [];
      for (let record = parser.read() as string[] | null; record; record = parser.read() as string[] | null)
        batch.push(record);
      if (batch.length) {
        yield batch;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    parser.destroy();
    source.destroy();
  }
}
