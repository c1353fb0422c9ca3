/**
 * The one bulk runner: rows in, per-row work out. Around the verb's work it does what every
 * many-row command needs: bounded concurrency and pace (pacer.ts) with a slow-down on 429, the
 * results file and its in-flight journal (results.ts), resume (rows already ok are skipped, rows
 * an earlier run never heard back about are settled by the verb's hook), a progress bar and
 * per-row lines (through ctx.sink), a clean stop on Ctrl+C (no new rows; the ones in flight
 * finish), a stop on the first authentication failure, and the tally. It knows nothing of what
 * the rows are: `customer onboard --file` and `breach check` use it, and later many-row verbs can.
 */
import type { ApiClient } from '../api/client.js';
import { AuthError, ReadOnlyError, type CliError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { hint, info, type Cell, type Note, type Outcome } from '../outcome.js';
import type { Sink } from '../output/sink.js';
import { memoryKeeper } from './memory.js';
import { Pacer, runPaced } from './pacer.js';
import { ResultsWriter, type ResultLine, type ResumeState, type RowStatus } from './results.js';

export interface BulkRow {
  /** 1-based position in the input. */
  row: number;
  /** What names the row across runs (a reference, an address): resume matches on it. */
  key?: string | undefined;
  /** Decided before sending (an invalid row under --skip-invalid): recorded, never sent. */
  done?: RowDone | undefined;
}

/** What became of one row. */
export interface RowDone {
  /** Its line in the results file, in the verb's format; `status` is its fate. */
  line: ResultLine;
  /** Its tab-separated line on stdout when piped; none for verbs that show a table at the end. */
  cells?: Cell[] | undefined;
  /** Why it failed: its exit code is one of the run's failures; an AuthError stops the run. */
  error?: CliError | undefined;
}

export interface BulkJob<T extends BulkRow> {
  /** The progress bar's label: "Onboarding". */
  label: string;
  /** What the rows are, in the plural, for what is said on Ctrl+C: "rows", "addresses". */
  noun: string;
  rows: AsyncIterable<T>;
  /** How many rows will be sent: the progress bar's length (0: no bar). */
  total: number;
  concurrency: number;
  maxRps?: number | undefined;
  /** Where each row's line is appended (--results, or the file being resumed). */
  results?: string | undefined;
  /** What earlier runs recorded (readResume): ok rows are skipped, unknown ones settled. */
  resume?: ResumeState | undefined;
  /** --force: an existing results file that is not being resumed is replaced. */
  force?: boolean | undefined;
  /** Told of each row an earlier run finished, with its last results line (e.g. to repair a record). */
  alreadyDone?(row: T, line: Record<string, unknown>): void;
  /** The row's request; it returns what became of it and throws only on a bug. */
  work(row: T, api: ApiClient): Promise<RowDone>;
  /** For a row an earlier run sent without an answer: finish it without doing it twice (else `work`). */
  settle?(row: T, api: ApiClient): Promise<RowDone>;
}

interface BulkCounts {
  ok: number;
  failed: number;
  unknown: number;
  skipped: number;
  alreadyDone: number;
}

export interface BulkReport {
  counts: BulkCounts;
  interrupted: boolean;
  results: string | null;
  /** Exit codes met: each failure's, 130 when interrupted, 5 for unknown rows, 2 for skipped ones. */
  failures: ExitCodeValue[];
  /** "row 3 (ACME-3): failed: why", the first few. */
  firstFailures: string[];
  /** Failures beyond those listed. */
  moreFailures: number;
}

const LISTED = 10;

/** What the runner needs of the run (a Context has it): a client for many rows, the sink, Ctrl+C. */
export interface BulkRun {
  /** Built once per run, with the hook that slows the pace on every 429. */
  bulkApi(extra: { onRateLimited?: (retryAfterMs: number) => void }): Promise<ApiClient>;
  readonly sink: Sink;
  waitForSignal(): Promise<NodeJS.Signals>;
}

/** Runs `job.work` over every row; throws the first AuthError once the rows in flight have finished. */
export async function runBulk<T extends BulkRow>(ctx: BulkRun, job: BulkJob<T>): Promise<BulkReport> {
  const writer = job.results
    ? new ResultsWriter(job.results, { resuming: job.resume !== undefined, force: Boolean(job.force) })
    : undefined;
  const pacer = new Pacer({ concurrency: job.concurrency, maxRps: job.maxRps });
  const api = await ctx.bulkApi({ onRateLimited: (ms) => pacer.rateLimited(ms) });
  const tally = new Tally();
  let interrupted = false;
  let authFailure: AuthError | ReadOnlyError | undefined;
  const progress = await ctx.sink.progress(job.label, job.total);
  void ctx.waitForSignal().then(() => {
    interrupted = true;
    progress.stop();
    ctx.sink.note(info(`Stopping: no new ${job.noun} are sent; waiting for the ones in flight…`));
  });
  const keepMemoryFlat = memoryKeeper();

  const record = (row: T, done: RowDone) => {
    writer?.write(done.line);
    tally.add(row, done);
    if (done.cells) ctx.sink.row(done.cells);
    // Credentials will not start working for the next row, nor a read-only profile allow a write: stop sending.
    if (done.error instanceof AuthError || done.error instanceof ReadOnlyError) authFailure ??= done.error;
  };
  async function* toSend(): AsyncGenerator<T> {
    for await (const row of job.rows) {
      if (row.done) record(row, row.done);
      else if (row.key !== undefined && job.resume?.ok.has(row.key)) {
        tally.counts.alreadyDone++;
        job.alreadyDone?.(row, job.resume.ok.get(row.key)!);
      } else yield row;
    }
  }
  const send = async (row: T) => {
    writer?.sending(row.row, row.key ?? '');
    const settle = job.settle && row.key !== undefined && job.resume?.unknown.has(row.key);
    const done = settle ? await job.settle!(row, api) : await job.work(row, api);
    if (done.line.status === 'ok') pacer.succeeded();
    record(row, done);
    progress.tick(done.line.status !== 'ok');
    keepMemoryFlat();
  };

  try {
    await runPaced(toSend(), pacer, send, () => interrupted || authFailure !== undefined);
  } finally {
    progress.stop();
    writer?.close(true);
  }
  if (authFailure) throw authFailure;
  return tally.report(interrupted, job.results ?? null);
}

class Tally {
  readonly counts: BulkCounts = { ok: 0, failed: 0, unknown: 0, skipped: 0, alreadyDone: 0 };
  readonly #codes = new Set<ExitCodeValue>();
  readonly #listed: string[] = [];
  #more = 0;

  add(row: BulkRow, done: RowDone): void {
    const status: RowStatus = done.line.status;
    this.counts[status]++;
    if (done.error) this.#codes.add(done.error.exitCode);
    if (status === 'ok' || status === 'skipped') return;
    const why = done.error?.message ?? done.line['error'];
    if (this.#listed.length < LISTED) this.#listed.push(`row ${row.row} (${row.key}): ${status}: ${String(why)}`);
    else this.#more++;
  }

  report(interrupted: boolean, results: string | null): BulkReport {
    const failures = new Set(this.#codes);
    if (interrupted) failures.add(ExitCode.Cancelled);
    if (this.counts.unknown) failures.add(ExitCode.Unavailable);
    if (this.counts.skipped) failures.add(ExitCode.Usage);
    return {
      counts: { ...this.counts },
      interrupted,
      results,
      failures: [...failures],
      firstFailures: [...this.#listed],
      moreFailures: this.#more,
    };
  }
}

/** The --json summary of a run over the rows of a file. */
export interface BulkSummary extends BulkCounts {
  total: number;
  interrupted: boolean;
  results: string | null;
}

/**
 * A run's outcome for a verb whose result is the summary: the counts as data; on stderr the
 * summary line ("Onboarding x.csv: 40 rows — ok 38, …"), the first failures and, when some rows'
 * fate is unknown, how to settle them.
 */
export function summaryOutcome(report: BulkReport, title: string, total: number): Outcome<BulkSummary> {
  const { counts, interrupted, results } = report;
  const parts = [
    `ok ${counts.ok}`,
    `failed ${counts.failed}`,
    `unknown ${counts.unknown}`,
    `skipped ${counts.skipped}`,
    ...(counts.alreadyDone ? [`already done ${counts.alreadyDone}`] : []),
  ];
  const notes: Note[] = [
    info(
      `${interrupted ? 'Interrupted. ' : ''}${title}: ${total} rows — ${parts.join(', ')}.` +
        (results ? ` Results in ${results}.` : ''),
    ),
  ];
  if (report.firstFailures.length) {
    const more = report.moreFailures ? [`  … and ${report.moreFailures} more`] : [];
    notes.push(info([...report.firstFailures.map((f) => `  ${f}`), ...more].join('\n')));
  }
  const unknown = counts.unknown;
  if (unknown)
    notes.push(
      hint(
        `${unknown} row${unknown === 1 ? "'s" : "s'"} outcome is unknown (sent, no answer). ` +
          `Resume with --resume ${results ?? 'RESULTS'} to settle ${unknown === 1 ? 'it' : 'them'} without doubling.`,
      ),
    );
  return { data: { total, ...counts, interrupted, results }, notes, failures: report.failures };
}
