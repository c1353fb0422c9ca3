/**
 * The results file of a bulk run: NDJSON, one line per row as it finishes. Beside it, a journal
 * (`<file>.inflight`) names each row just before its request is sent, so after a hard kill a
 * resumed run knows which rows may or may not have reached the server ("unknown") and settles
 * them instead of sending them blindly again.
 */
import fs from 'node:fs';
import { createInterface } from 'node:readline';

export type RowStatus = 'ok' | 'failed' | 'skipped' | 'unknown';

/** One row's line in the results file: its position and fate, and what its verb records beside them. */
export interface ResultLine {
  row: number;
  status: RowStatus;
  [field: string]: unknown;
}

export interface ResumeState {
  /** Keys (references, addresses) already done. */
  ok: Set<string>;
  /** Whose fate an earlier run could not know: sent, but no answer. */
  unknown: Set<string>;
}

export class ResultsWriter {
  readonly #fd: number;
  readonly #journal: number;
  readonly #journalPath: string;

  constructor(readonly file: string) {
    this.#fd = fs.openSync(file, 'a', 0o600);
    this.#journalPath = `${file}.inflight`;
    this.#journal = fs.openSync(this.#journalPath, 'a', 0o600);
  }

  /** Called just before a row's request goes out. */
  sending(row: number, key: string): void {
    fs.writeSync(this.#journal, `${JSON.stringify({ row, key })}\n`);
  }

  /** One line per row (or address) as it finishes. */
  write(result: ResultLine): void {
    fs.writeSync(this.#fd, `${JSON.stringify(result)}\n`);
  }

  /** A run that ended with nothing in flight leaves no journal behind. */
  close(clean: boolean): void {
    fs.closeSync(this.#fd);
    fs.closeSync(this.#journal);
    if (clean) fs.rmSync(this.#journalPath, { force: true });
  }
}

/** What earlier runs recorded: the last word on each key (reference, or e-mail) wins. */
export async function readResume(
  file: string,
  keyOf: (line: Record<string, unknown>) => unknown = (r) => r['reference'],
): Promise<ResumeState> {
  const last = new Map<string, RowStatus>();
  if (fs.existsSync(file)) {
    for await (const line of createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        const key = keyOf(r);
        if (typeof key === 'string') last.set(key, r['status'] as RowStatus);
      } catch {
        /* a torn last line from a kill: that row counts as in flight below */
      }
    }
  }
  const state: ResumeState = { ok: new Set(), unknown: new Set() };
  for (const [key, status] of last) {
    if (status === 'ok') state.ok.add(key);
    if (status === 'unknown') state.unknown.add(key);
  }
  const journal = `${file}.inflight`;
  if (fs.existsSync(journal)) {
    for await (const line of createInterface({ input: fs.createReadStream(journal), crlfDelay: Infinity })) {
      try {
        const { key } = JSON.parse(line) as { key: string };
        if (!last.has(key)) state.unknown.add(key);
      } catch {
        /* torn line */
      }
    }
  }
  return state;
}
