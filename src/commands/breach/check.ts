import { checkBreach } from '../../api/breaches.js';
import type { BulkRow, RowDone } from '../../bulk/runner.js';
import type { Context } from '../../context.js';
import { emailProblem } from '../../customers/field-checks.js';
import { AuthError, CliError, problem, UsageError, ValidationError } from '../../errors.js';
import { info, table, type Note, type Outcome } from '../../outcome.js';
import { readInput } from '../../io/read-input.js';
import { CHECK_COLUMNS, CHECK_ERROR_COLUMN } from './columns.js';

export interface BreachCheckOptions {
  emails: string[];
  file?: string | undefined;
  /** At most one of the two (commander refuses both). */
  resolved?: boolean | undefined;
  unresolved?: boolean | undefined;
  exitStatus: boolean;
  /** One JSON line per address as it is checked, and no table or document at the end. */
  ndjson: boolean;
  /** 1 to 64 (commander's parsePositiveInt). */
  concurrency: number;
  maxRps?: number | undefined;
  /** NDJSON line per address as it is checked. */
  results?: string | undefined;
  /** Skip addresses already checked in this results file, and append to it. */
  resume?: string | undefined;
  /** Replace an existing results file that is not being resumed. */
  force?: boolean | undefined;
}

export interface CheckResult {
  email: string;
  breached: boolean | null;
  error?: { message: string; exitCode: number };
}

interface Target extends BulkRow {
  /** Where the address came from, for messages. */
  where: string;
  key: string;
}

async function gatherTargets(opts: BreachCheckOptions, ctx: Context): Promise<Target[]> {
  const targets: Target[] = opts.emails.map((email, i) => ({
    row: i + 1,
    key: email.trim(),
    where: `argument ${i + 1}`,
  }));
  if (opts.file !== undefined) {
    const source = opts.file === '-' ? 'stdin' : opts.file;
    const lines = (await readInput(opts.file, ctx.streams.stdin)).split(/\r?\n/);
    lines.forEach((line, i) => {
      const email = line.trim();
      if (email && !email.startsWith('#'))
        targets.push({ row: targets.length + 1, key: email, where: `${source} line ${i + 1}` });
    });
  }
  return targets;
}

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

export async function runBreachCheck(
  opts: BreachCheckOptions,
  ctx: Context,
): Promise<Outcome<CheckResult[] | undefined>> {
  const targets = await gatherTargets(opts, ctx);
  if (targets.length === 0)
    throw new UsageError('no addresses to check', 'Give them as arguments, or --file FILE (one per line).');
  const problems = targets.filter((t) => emailProblem(t.key)).map((t) => problem(t.where, emailProblem(t.key)!));
  if (problems.length)
    throw new ValidationError(
      `${problems.length} invalid address${problems.length === 1 ? '' : 'es'}; nothing was sent:`,
      problems,
    );

  // The bulk runner: bounded concurrency, optional rate, 429 slow-down, results as they happen,
  // resume, and a clean stop on Ctrl+C.
  const [{ readResume }, { runBulk }] = await Promise.all([
    import('../../bulk/results.js'),
    import('../../bulk/runner.js'),
  ]);
  const resume = opts.resume ? await readResume(opts.resume, (r) => r['email']) : undefined;
  const toCheck = targets.filter((t) => !resume?.ok.has(t.key)).length;
  const resolved = opts.resolved ? true : opts.unresolved ? false : undefined;
  const results: CheckResult[] = [];
  const report = await runBulk(ctx, {
    label: 'Checking',
    noun: 'addresses',
    rows: iterate(targets),
    total: toCheck > 1 ? toCheck : 0,
    concurrency: opts.concurrency,
    maxRps: opts.maxRps,
    results: opts.results ?? opts.resume,
    resume,
    force: opts.force,
    work: async (t, api): Promise<RowDone> => {
      let result: CheckResult;
      let failure: CliError | undefined;
      try {
        const res = await checkBreach(api, t.key, resolved);
        result = { email: t.key, breached: Boolean(res.breach) };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        // An authentication failure stops the run and is its one message; the others are per address.
        if (!(error instanceof AuthError)) ctx.out.warn(`${t.key}: ${error.message}`);
        failure = error;
        result = { email: t.key, breached: null, error: { message: error.message, exitCode: error.exitCode } };
      }
      results[t.row - 1] = result;
      if (opts.ndjson) ctx.sink.event(result, () => JSON.stringify(result));
      const line = { row: t.row, email: t.key, status: failure ? 'failed' : 'ok', breached: result.breached } as const;
      return { line: { ...line, error: failure?.message }, error: failure };
    },
  });

  const checked = results.filter((r) => r !== undefined);
  const where = report.results ? ` Results in ${report.results}.` : '';
  if (report.interrupted) {
    const resumeHint = report.results ? ` Resume with --resume ${report.results}.` : '';
    return {
      data: undefined,
      notes: [info(`Interrupted after ${checked.length} of ${toCheck} addresses.${resumeHint}`)],
      failures: report.failures,
    };
  }
  const breached = checked.filter((r) => r.breached).length;
  const failed = checked.filter((r) => r.error).length;
  const notes: Note[] = [];
  if (toCheck > 1 || failed || report.counts.alreadyDone) {
    const n = checked.length;
    const already = report.counts.alreadyDone ? `; ${report.counts.alreadyDone} already checked` : '';
    notes.push(
      info(
        `Checked ${n} address${n === 1 ? '' : 'es'}: ${breached} breached, ${n - breached - failed} clean` +
          `${failed ? `, ${failed} failed` : ''}${already}.${where}`,
      ),
    );
  }
  // --ndjson already printed each result; it wins over --json so stdout stays one format.
  // The Error column only when an address failed: no empty column on a terminal or in a pipe.
  const view = table(
    failed ? [...CHECK_COLUMNS, CHECK_ERROR_COLUMN] : CHECK_COLUMNS,
    checked.map((r) => {
      const row = [r.email, r.error ? 'error' : r.breached ? 'yes' : 'no'];
      return failed ? [...row, r.error?.message ?? ''] : row;
    }),
    'Nothing to show.',
  );
  return {
    data: opts.ndjson ? undefined : checked,
    view: opts.ndjson ? undefined : view,
    notes,
    finding: breached ? `${breached} breached` : undefined,
    failures: report.failures,
  };
}
