/** Turns any thrown value into one line on stderr and an exit code. */
import { CliError, ValidationError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import type { Context } from './context.js';
import { redactText } from './api/redact.js';

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
    if (ctx.globals.debug && error.stack) ctx.debug(error.stack);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.info(
    `${red('error:')} unexpected: ${redactText(message)} — this is a bug in safeweb; please report it with the output of the same command run with --debug.`,
  );
  if (ctx.globals.debug && error instanceof Error && error.stack) ctx.debug(error.stack);
  return ExitCode.Unexpected;
}
