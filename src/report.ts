/**
 * Exit codes, decided here and nowhere else: from a verb's outcome (exitCodeFor) or from what
 * it threw (reportError, which also says why on stderr).
 */
import { CliError, problemText, ValidationError, type Problem } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { Context } from './context.js';
import type { Outcome } from './outcome.js';
import { redactText } from './api/redact.js';
import { isPromptExit } from './prompt/prompter.js';
import { inertText } from './output/inert.js';

/**
 * When several outcomes meet (a bulk run, a portfolio, a plan), the worst wins, in one order
 * for every verb: cancelled, then authentication, unavailable, rejected, invalid input; a
 * finding (8) only when nothing failed. A bug (1) outranks them all; a bad signature (6) sits
 * with the input errors.
 */
const PRECEDENCE: readonly ExitCodeValue[] = [
  ExitCode.Unexpected,
  ExitCode.Cancelled,
  ExitCode.Auth,
  ExitCode.Unavailable,
  ExitCode.ApiRejected,
  ExitCode.Usage,
  ExitCode.SignatureInvalid,
  ExitCode.Finding,
];

/** The worst of several exit codes, by PRECEDENCE; 0 for none. */
function worstExitCode(codes: Iterable<number>): number {
  const met = new Set(codes);
  return PRECEDENCE.find((code) => met.has(code)) ?? ExitCode.Ok;
}

/** The exit code for a verb that returned: its failures, else its finding when one was asked for. */
export function exitCodeFor(outcome: Outcome | undefined, findingAsked: boolean): number {
  if (!outcome) return ExitCode.Ok;
  if (outcome.childExitCode !== undefined) return outcome.childExitCode;
  const codes: number[] = [...(outcome.failures ?? [])];
  if (outcome.finding !== undefined && findingAsked) codes.push(ExitCode.Finding);
  return worstExitCode(codes);
}

interface CommanderLike {
  code: string;
  exitCode: number;
}

function isCommanderError(error: unknown): error is Error & CommanderLike {
  return (
    error instanceof Error &&
    typeof (error as Partial<CommanderLike>).code === 'string' &&
    (error as Partial<CommanderLike>).code!.startsWith('commander.')
  );
}

/** Why a run failed, in the form `--json` prints it on stderr (and the text form is made from). */
interface Failure {
  message: string;
  hint?: string;
  exitCode: number;
  /** The HTTP status, when the API answered. */
  status?: number;
  /** Each problem of a ValidationError, as data: where, what, and its code. */
  problems?: Problem[];
}

/**
 * Says why the run failed on stderr and returns its exit code. With --json (`json`), the
 * saying is one JSON object, `{"error": {message, hint?, exitCode, status?, problems?}}`, so a
 * script can read it without parsing English; stdout stays empty either way.
 */
export function reportError(error: unknown, ctx: Context, json = false): number {
  const out = ctx.out;
  if (isCommanderError(error)) {
    // Help and version (exit 0) are printed already; so is a usage error, unless it is ours to say as JSON.
    if (error.exitCode === 0) return ExitCode.Ok;
    if (json) out.info(JSON.stringify({ error: fromCommander(error.message) }));
    return ExitCode.Usage;
  }
  const failure = describe(error, ctx);
  if (json) {
    out.info(JSON.stringify({ error: failure }));
  } else if (isPromptExit(error)) {
    out.info(failure.message);
  } else {
    sayFailure(failure, ctx);
  }
  // A bug's stack with --debug; an expected failure has had its requests traced already.
  if (failure.exitCode === ExitCode.Unexpected && ctx.globals.debug && error instanceof Error && error.stack)
    ctx.debug(redactText(error.stack, secretsOf(ctx)));
  return failure.exitCode;
}

function secretsOf(ctx: Context): string[] {
  return [ctx.env['SAFEWEB_API_KEY'] ?? '', ...ctx.clients.secretsInUse].filter(Boolean);
}

function describe(error: unknown, ctx: Context): Failure {
  if (isPromptExit(error)) return { message: 'Cancelled.', exitCode: ExitCode.Cancelled };
  const secrets = secretsOf(ctx);
  if (error instanceof CliError) {
    const status = (error as { status?: unknown }).status;
    return {
      message: redactText(error.message, secrets),
      ...(error.hint ? { hint: error.hint } : {}),
      exitCode: error.exitCode,
      ...(typeof status === 'number' ? { status } : {}),
      ...(error instanceof ValidationError
        ? { problems: error.problems.map((p) => ({ ...p, message: redactText(p.message, secrets) })) }
        : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `unexpected: ${redactText(message, secrets)}`,
    hint: 'this is a bug in safeweb; please report it with the output of the same command run with --debug.',
    exitCode: ExitCode.Unexpected,
  };
}

/**
 * One line, "error: what — what to do". A message that introduces a list ("…; nothing was
 * sent:") has the list under it, and then the hint on a line of its own.
 */
function sayFailure(failure: Failure, ctx: Context): void {
  const out = ctx.out;
  const dim = (text: string) => out.errColor.dim(text);
  const problems = failure.problems ?? [];
  const listed = problems.length > 0;
  // What the message quotes (a reference, a name, a server's words) is shown, never obeyed.
  const message = inertText(listed ? failure.message : failure.message.replace(/:\s*$/, ''));
  const hint = failure.hint === undefined ? undefined : inertText(failure.hint);
  const inline = hint && !listed ? ` ${dim(`— ${hint}`)}` : '';
  out.info(`${out.errColor.red('error:')} ${message}${inline}`);
  for (const problem of problems) out.info(`  - ${inertText(problemText(problem))}`);
  if (hint && listed) out.info(dim(hint));
}

/** Commander's "error: unknown option '--x'\n(Did you mean --y?)" as a message and a hint. */
function fromCommander(text: string): Failure {
  const [first = '', ...rest] = text
    .replace(/^error: /, '')
    .trim()
    .split('\n');
  const hint = rest
    .join(' ')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  return { message: first, ...(hint ? { hint } : {}), exitCode: ExitCode.Usage };
}
