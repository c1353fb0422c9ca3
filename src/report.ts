/**
 * Exit codes, decided here and nowhere else: from a verb's outcome (exitCodeFor) or from what
 * it threw (reportError, which also says why on stderr).
 */
import { CliError, ValidationError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { Context } from './context.js';
import type { Outcome } from './outcome.js';
import { redactText } from './api/redact.js';

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

export function reportError(error: unknown, ctx: Context): number {
  const out = ctx.out;
  const red = (text: string) => out.errColor.red(text);
  if (isCommanderError(error)) {
    // Commander has already printed its message (help, version, or the usage error).
    if (error.exitCode === 0) return ExitCode.Ok;
    return ExitCode.Usage;
  }
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
    out.info('Cancelled.');
    return ExitCode.Cancelled;
  }
  if (error instanceof CliError) {
    const secrets = [ctx.env['SAFEWEB_API_KEY'] ?? ''].filter(Boolean);
    const message = redactText(error.message, secrets);
    out.info(`${red('error:')} ${message}${error.hint ? ` ${out.errColor.dim(`— ${error.hint}`)}` : ''}`);
    if (error instanceof ValidationError)
      for (const problem of error.problems) out.info(`  - ${redactText(problem, secrets)}`);
    // An expected failure: --debug has traced the requests already; a stack would only be noise.
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  const secrets = [ctx.env['SAFEWEB_API_KEY'] ?? '', ...ctx.secretsInUse].filter(Boolean);
  out.info(
    `${red('error:')} unexpected: ${redactText(message, secrets)} — this is a bug in safeweb; ` +
      'please report it with the output of the same command run with --debug.',
  );
  if (ctx.globals.debug && error instanceof Error && error.stack) ctx.debug(redactText(error.stack, secrets));
  return ExitCode.Unexpected;
}
