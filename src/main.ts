/**
 * run(argv, init) -> exit code. The only place errors become exit codes and messages.
 * `--version` is answered before anything else is loaded: it is the cheapest command, so this
 * file imports nothing at the top (each module is a measurable part of a Node start).
 */
import type { ContextInit } from './context.js';

export async function run(argv: string[], init: ContextInit): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const { version } = await import('./version.js');
    init.stdout.write(`${version()}\n`);
    return 0; // ExitCode.Ok
  }
  const { Context } = await import('./context.js');
  const ctx = new Context(init);
  try {
    const { buildProgram } = await import('./program.js');
    const program = buildProgram(ctx);
    await program.parseAsync(argv, { from: 'user' });
    const outcome = ctx.outcome;
    if (outcome) {
      const { render } = await import('./output/render.js');
      await render(outcome, ctx.out, { csv: ctx.globals.csv, fields: ctx.globals.fields });
    }
    const { exitCodeFor } = await import('./report.js');
    return exitCodeFor(outcome, ctx.globals.findingAsked);
  } catch (error) {
    const { reportError } = await import('./report.js');
    await ctx.prepareErrorOutput();
    return reportError(error, ctx);
  }
}
