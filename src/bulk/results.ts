/**
 * The results file of a bulk run: NDJSON, one line per row as it finishes. Beside it, a journal
 * (`<file>.inflight`) names each row just before its request is sent, so after a hard kill a
 * resumed run knows which rows may or may not have reached the server ("unknown") and settles
 * them instead of sending them blindly again.
 */
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { appendRecord } from '../io/append-log.js';
import { openForAppend } from '../io/safe-write.js';

/** Why `file` is not a results file (its first line is not a row's JSON line), or undefined. */
function notResultsFile(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(4096);
  const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
  fs.closeSync(fd);
  const first = buffer.subarray(0, read).toString('utf8').split('\n')[0]!.trim();
  if (!first) return undefined;
  try {
    const line = JSON.parse(first) as Record<string, unknown>;
    if (typeof line['row'] === 'number' && typeof line['status'] === 'string') return undefined;
  } catch {
    /* not JSON */
  }
  return 'its first line is not a row of a bulk run';
}

export type RowStatus = 'ok' | 'failed' | 'skipped' | 'unknown';

/** One row's line in the results file: its position and fate, and what its verb records beside them. */
export interface ResultLine {
  row: number;
  status: RowStatus;
  [field: string]: unknown;
}

export interface ResumeState {
  /** Keys (references, addresses) already done, with their last line. */
  ok: Map<string, Record<string, unknown>>;
  /** Whose fate an earlier run could not know: sent, but no answer. */
  unknown: Set<string>;
}

export class ResultsWriter {
  readonly #fd: number;
  readonly #journal: number;
  readonly #journalPath: string;

  /**
   * `resuming`: the file may already exist and is continued (it must be a results file);
   * otherwise an existing file is refused unless `force` (then it is emptied). Never through a
   * symbolic link (io/safe-write.ts).
   */
  constructor(
    readonly file: string,
    options: { resuming: boolean; force: boolean },
  ) {
    this.#fd = openForAppend(file, {
      kind: 'results file',
      mayContinue: options.resuming,
      mayReplace: options.force,
      allowedBy: `--resume ${file} (to continue it) or --force (to replace it)`,
      isOwnKind: notResultsFile,
    });
    this.#journalPath = `${file}.inflight`;
    // The journal is ours whatever the flags: a resumed run continues it, a new one had none.
    this.#journal = openForAppend(this.#journalPath, {
      kind: 'in-flight journal',
      mayContinue: true,
      mayReplace: false,
      allowedBy: '--resume',
    });
  }

  /** Called just before a row's request goes out. */
  sending(row: number, key: string): void {
    appendRecord(this.#journal, `${JSON.stringify({ row, key })}\n`, this.#journalPath);
  }

  /** One line per row (or address) as it finishes: one O_APPEND write each (io/append-log.ts). */
  write(result: ResultLine): void {
    appendRecord(this.#fd, `${JSON.stringify(result)}\n`, this.file);
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
  const last = new Map<string, Record<string, unknown>>();
  if (fs.existsSync(file)) {
    for await (const line of createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        const key = keyOf(r);
        if (typeof key === 'string') last.set(key, r);
      } catch {
        /* a torn last line from a kill: that row counts as in flight below */
      }
    }
  }
  const state: ResumeState = { ok: new Map(), unknown: new Set() };
  for (const [key, line] of last) {
    if (line['status'] === 'ok') state.ok.set(key, line);
    if (line['status'] === 'unknown') state.unknown.add(key);
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
