/**
 * A run past `--version` and the root help (main.ts answers those without loading this): the
 * context, the commander tree, rendering, and the one place errors become exit codes and messages.
 * The build loads every noun and subsystem it imports lazily together with this module's own
 * imports (scripts/build.js), so these stay static: one chunk, whichever command runs.
 */
import { Context, type ContextInit } from './context.js';
import { render } from './output/render.js';
import { buildProgram } from './program.js';
import { exitCodeFor, reportError } from './report.js';

export async function runCommand(
  args: string[],
  init: ContextInit,
  { json, jq }: { json: boolean; jq: boolean },
): Promise<number> {
  if (jq) {
    // jq's child process takes about a Node start to be ready: it starts while the tree is built.
    const { startJq } = await import('./output/jq.js');
    startJq(init.env);
  }
  const ctx = new Context(init);
  ctx.argv = args;
  try {
    const program = await buildProgram(ctx, { json, argv: args });
    await program.parseAsync(args, { from: 'user' });
    const outcome = ctx.outcome;
    if (outcome)
      await render(outcome, ctx.out, {
        csv: ctx.globals.csv,
        fields: ctx.globals.fields,
        streamed: ctx.globals.ndjson,
      });
    return exitCodeFor(outcome, ctx.globals.findingAsked);
  } catch (error) {
    await ctx.prepareErrorOutput();
    return reportError(error, ctx, json);
  }
}
