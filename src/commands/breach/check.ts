import { checkBreach } from '../../api/breaches.js';
import { Pacer, runPaced } from '../../bulk/pacer.js';
import { startProgress } from '../../bulk/progress.js';
import type { Context } from '../../context.js';
import { emailProblem } from '../../customers/onboarding.js';
import { AuthError, CliError, UsageError, ValidationError } from '../../errors.js';
import { ExitCode, type ExitCodeValue } from '../../exit-codes.js';
import { readInput } from '../../io/read-input.js';
import type { Outcome } from '../../outcome.js';

export interface BreachCheckOptions {
  emails: string[];
  file?: string | undefined;
  resolved?: boolean | undefined;
  unresolved?: boolean | undefined;
  exitStatus: boolean;
  ndjson: boolean;
  concurrency: number;
  maxRps?: number | undefined;
  /** NDJSON line per address as it is checked. */
  results?: string | undefined;
  /** Skip addresses already checked in this results file, and append to it. */
  resume?: string | undefined;
}

export interface CheckResult {
  email: string;
  breached: boolean | null;
  error?: { message: string; exitCode: number };
}

interface Target {
  index: number;
  email: string;
  where: string;
}

/** Failures, worst first: no credentials beats an unreachable API beats a rejected address. */
const SEVERITY: number[] = [ExitCode.Auth, ExitCode.Unavailable, ExitCode.ApiRejected];

export function worstExitCode(results: CheckResult[], exitStatus: boolean): ExitCodeValue {
  const failed = results.filter((r) => r.error).map((r) => r.error!.exitCode);
  for (const code of SEVERITY) if (failed.includes(code)) return code as ExitCodeValue;
  if (failed.length) return ExitCode.Unexpected;
  return exitStatus && results.some((r) => r.breached) ? ExitCode.Finding : ExitCode.Ok;
}

async function gatherTargets(opts: BreachCheckOptions, ctx: Context): Promise<Target[]> {
  const targets: Target[] = opts.emails.map((email, i) => ({
    index: i,
    email: email.trim(),
    where: `argument ${i + 1}`,
  }));
  if (opts.file !== undefined) {
    const source = opts.file === '-' ? 'stdin' : opts.file;
    const lines = (await readInput(opts.file, ctx.streams.stdin)).split(/\r?\n/);
    lines.forEach((line, i) => {
      const email = line.trim();
      if (email && !email.startsWith('#'))
        targets.push({ index: targets.length, email, where: `${source} line ${i + 1}` });
    });
  }
  return targets;
}

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

export async function runBreachCheck(opts: BreachCheckOptions, ctx: Context): Promise<Outcome | void> {
  if (opts.resolved && opts.unresolved) throw new UsageError('--resolved and --unresolved cannot be used together');
  if (opts.concurrency < 1) throw new UsageError('--concurrency must be at least 1');
  let targets = await gatherTargets(opts, ctx);
  if (targets.length === 0)
    throw new UsageError('no addresses to check', 'Give them as arguments, or --file FILE (one per line).');
  const problems = targets.filter((t) => emailProblem(t.email)).map((t) => `${t.where}: ${emailProblem(t.email)}`);
  if (problems.length)
    throw new ValidationError(
      `${problems.length} invalid address${problems.length === 1 ? '' : 'es'}; nothing was sent:`,
      problems,
    );

  // The bulk machinery of customer onboard: bounded concurrency, optional rate, 429 slow-down,
  // results as they happen, resume, and a clean stop on Ctrl+C.
  let alreadyDone = 0;
  if (opts.resume) {
    const { readResume } = await import('../../bulk/results.js');
    const done = (await readResume(opts.resume, (r) => r['email'])).ok;
    const before = targets.length;
    targets = targets.filter((t) => !done.has(t.email)).map((t, index) => ({ ...t, index }));
    alreadyDone = before - targets.length;
  }
  const resultsFile = opts.results ?? opts.resume;
  const writer = resultsFile ? new (await import('../../bulk/results.js')).ResultsWriter(resultsFile) : undefined;
  let interrupted = false;
  void ctx.waitForSignal().then(() => {
    interrupted = true;
    ctx.out.info('Stopping: no new addresses are sent; waiting for the ones in flight…');
  });
  const resolved = opts.resolved ? true : opts.unresolved ? false : undefined;
  const pacer = new Pacer({ concurrency: opts.concurrency, maxRps: opts.maxRps });
  const api = await ctx.bulkApi({ onRateLimited: (ms) => pacer.rateLimited(ms) });
  const progress = await startProgress(ctx.streams.stderr, 'Checking', targets.length > 1 ? targets.length : 0);
  const results: CheckResult[] = new Array(targets.length);
  let authFailure: AuthError | undefined;
  try {
    await runPaced(
      iterate(targets),
      pacer,
      async (t) => {
        let result: CheckResult;
        try {
          const res = await checkBreach(api, t.email, resolved);
          result = { email: t.email, breached: Boolean(res.breach) };
          pacer.succeeded();
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          // Credentials will not start working for the next address: stop sending.
          if (error instanceof AuthError) authFailure ??= error;
          else ctx.out.warn(`${t.email}: ${error.message}`);
          result = { email: t.email, breached: null, error: { message: error.message, exitCode: error.exitCode } };
        }
        results[t.index] = result;
        writer?.write({
          row: t.index + 1,
          email: t.email,
          status: result.error ? 'failed' : 'ok',
          breached: result.breached,
          error: result.error?.message,
        });
        progress.tick(Boolean(result.error));
        if (opts.ndjson) ctx.out.line(JSON.stringify(result));
      },
      () => authFailure !== undefined || interrupted,
    );
  } finally {
    progress.stop();
    writer?.close(true);
  }
  if (authFailure) throw authFailure;
  if (interrupted) {
    const checked = results.filter(Boolean).length;
    ctx.out.info(
      `Interrupted after ${checked} of ${targets.length} addresses.${resultsFile ? ` Resume with --resume ${resultsFile}.` : ''}`,
    );
    return { data: undefined, failures: [ExitCode.Cancelled] };
  }

  // --ndjson already printed each result; it wins over --json so stdout stays one format.
  if (opts.ndjson) {
    /* done */
  } else if (ctx.globals.json) ctx.out.printJson(results);
  else {
    await ctx.out.printRows(
      [{ header: 'Email' }, { header: 'Breached' }, { header: 'Error', wrap: true }],
      results.map((r) => [r.email, r.error ? 'error' : r.breached ? 'yes' : 'no', r.error?.message ?? '']),
    );
  }
  const breached = results.filter((r) => r.breached).length;
  const failed = results.filter((r) => r.error).length;
  if (targets.length > 1 || failed || alreadyDone)
    ctx.out.info(
      `Checked ${results.length} address${results.length === 1 ? '' : 'es'}: ${breached} breached, ${results.length - breached - failed} clean${failed ? `, ${failed} failed` : ''}${alreadyDone ? `; ${alreadyDone} already checked` : ''}.${resultsFile ? ` Results in ${resultsFile}.` : ''}`,
    );
  return {
    data: undefined,
    failures: results.flatMap((r) => (r.error ? [r.error.exitCode as ExitCodeValue] : [])),
    finding: breached ? `${breached} breached` : undefined,
  };
}
