/**
 * Whether addresses appear in known breaches, one request each, through the bulk runner
 * (bounded concurrency, optional rate, 429 slow-down, results as they happen, resume, a clean
 * stop on Ctrl+C): `breach check` and MCP's breach_check. A failure for one address is said
 * and the rest go on; an authentication failure stops the run.
 */
import { checkBreach } from '../api/breaches.js';
import { runBulk, type BulkRow, type BulkRun, type RowDone } from '../bulk/runner.js';
import { emailProblem } from '../customers/field-checks.js';
import { AuthError, CliError, problem, UsageError, ValidationError } from '../errors.js';
import { info, warn, type Note, type Outcome } from '../outcome.js';
import { readResume } from '../bulk/results.js';

/** An address to check, and where it came from (for messages): `argument 2`, `staff.txt line 7`. */
export interface Address {
  email: string;
  where: string;
}

export interface BreachCheckJob {
  addresses: Address[];
  /** Count only breaches marked resolved (true) or not (false); undefined: all. */
  resolved?: boolean | undefined;
  /** 1 to 64. */
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
  key: string;
}

/** Addresses given one by one (arguments, a tool's list), named by their position. */
export function addressesOf(emails: string[]): Address[] {
  return emails.map((email, i) => ({ email: email.trim(), where: `argument ${i + 1}` }));
}

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * Checks every address (none is sent while any is invalid). The data is the results in input
 * order, or undefined when the run was interrupted; each result also goes to the sink as it is
 * made (Sink.item: a JSON line when the run streams).
 */
export async function checkAddresses(run: BulkRun, job: BreachCheckJob): Promise<Outcome<CheckResult[] | undefined>> {
  if (job.addresses.length === 0)
    throw new UsageError('no addresses to check', 'Give them as arguments, or --file FILE (one per line).');
  const problems = job.addresses
    .filter((a) => emailProblem(a.email))
    .map((a) => problem(a.where, emailProblem(a.email)!));
  if (problems.length)
    throw new ValidationError(
      `${problems.length} invalid address${problems.length === 1 ? '' : 'es'}; nothing was sent:`,
      problems,
    );

  const targets: Target[] = job.addresses.map((a, i) => ({ row: i + 1, key: a.email }));
  const resume = job.resume ? await readResume(job.resume, (r) => r['email']) : undefined;
  const toCheck = targets.filter((t) => !resume?.ok.has(t.key)).length;
  const results: CheckResult[] = [];
  const report = await runBulk(run, {
    label: 'Checking',
    noun: 'addresses',
    rows: iterate(targets),
    total: toCheck > 1 ? toCheck : 0,
    concurrency: job.concurrency,
    maxRps: job.maxRps,
    results: job.results ?? job.resume,
    resume,
    force: job.force,
    work: async (t, api): Promise<RowDone> => {
      let result: CheckResult;
      let failure: CliError | undefined;
      try {
        const res = await checkBreach(api, t.key, job.resolved);
        result = { email: t.key, breached: Boolean(res.breach) };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        // An authentication failure stops the run and is its one message; the others are per address.
        if (!(error instanceof AuthError)) run.sink.note(warn(`${t.key}: ${error.message}`));
        failure = error;
        result = { email: t.key, breached: null, error: { message: error.message, exitCode: error.exitCode } };
      }
      results[t.row - 1] = result;
      run.sink.item(result);
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
  return { data: checked, notes, finding: breached ? `${breached} breached` : undefined, failures: report.failures };
}
