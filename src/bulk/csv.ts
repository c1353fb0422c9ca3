/**
 * CSV read with papaparse, the one CSV reader: a bulk file streamed in batches of records (one
 * batch per chunk read, so memory stays flat however long the file is), or a short text at once.
 * The delimiter is always a comma and the line ending any of \n, \r\n and \r, mixed (neither is
 * guessed from the data: papaparse would guess the line ending once, from the first chunk, so
 * a file's lines are made \n-terminated before it parses them, quoted line breaks included). A
 * byte-order mark is dropped, empty lines are skipped, and every record is returned as it is
 * (cells untrimmed, however many): the callers compare it with the header and say which row is
 * short. A structural fault (an unclosed quote) makes the file unreadable: CsvError, with the
 * data row it is on.
 *
 * Why papaparse: a bulk file is checked whole before its first request, so its parse is on a
 * bulk run's critical path; papaparse reads a 5000-row file in ~25 ms where csv-parse took ~95.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import Papa, { type ParseError } from 'papaparse';

export class CsvError extends Error {
  constructor(
    readonly problem: string,
    /** The data row (1-based, the header not counted; 0: the header) the fault is on, when known. */
    readonly row: number | undefined,
  ) {
    super(row === undefined ? problem : `${row === 0 ? 'header' : `row ${row}`}: ${problem}`);
  }
}

const CHUNK = 16 * 1024;
const OPTIONS = { delimiter: ',', newline: '\n', skipEmptyLines: true } as const;

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
const LINE_ENDS = /\r\n?/g;

/** A file's text in chunks, every \r\n and \r made \n (a \r at a chunk's end waits for the next). */
async function* lfChunks(file: string, chunk: number): AsyncGenerator<string> {
  let carry = '';
  for await (const text of createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: chunk,
  }) as AsyncIterable<string>) {
    const joined = carry + text;
    const cut = joined.endsWith('\r') ? joined.length - 1 : joined.length;
    carry = joined.slice(cut);
    if (cut) yield joined.slice(0, cut).replace(LINE_ENDS, '\n');
  }
  if (carry) yield '\n';
}

/** `before`: how many records earlier batches held; papaparse numbers a batch's rows from 0. */
function csvError(error: ParseError, before: number): CsvError {
  return new CsvError(error.message, error.row === undefined ? undefined : before + error.row);
}

/** Every record of a short CSV text (the header first). Throws CsvError. */
export function parseCsv(text: string): string[][] {
  const result = Papa.parse<string[]>(stripBom(text).replace(LINE_ENDS, '\n'), OPTIONS);
  const bad = result.errors[0];
  if (bad) throw csvError(bad, 0);
  return result.data;
}

/**
 * The records of a CSV file (the header first), in batches, read as they are asked for: the
 * file is paused while two batches wait. Throws CsvError (after the batches before the fault).
 * `chunk`: how much is read at a time, in bytes (tests make it small).
 */
export async function* csvRecords(file: string, chunk = CHUNK): AsyncGenerator<string[][]> {
  const input = Readable.from(lfChunks(file, chunk));
  const ready: string[][][] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let before = 0;
  const wakeUp = () => {
    wake?.();
    wake = undefined;
  };
  Papa.parse<string[]>(input, {
    ...OPTIONS,
    beforeFirstChunk: stripBom,
    chunk: (result) => {
      const bad = result.errors[0];
      if (bad) {
        failure ??= csvError(bad, before);
        input.destroy();
      } else {
        ready.push(result.data);
        if (ready.length > 1) input.pause();
      }
      before += result.data.length;
      wakeUp();
    },
    complete: () => {
      ended = true;
      wakeUp();
    },
    error: (error: Error) => {
      failure ??= error;
      wakeUp();
    },
  });
  try {
    for (;;) {
      const batch = ready.shift();
      if (batch) {
        if (ready.length <= 1) input.resume();
        if (batch.length) yield batch;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    input.destroy();
  }
}
