/**
 * run(argv, init) -> exit code. The only place errors become exit codes and messages.
 * `--version` is answered before anything else is loaded: it is the cheapest command, so this
 * file imports nothing at the top but the root help's layout (each module is a measurable part
 * of a Node start), and the root help is answered the same way.
 */
import type { ContextInit } from './context.js';
import { builtRootHelp, formatRootHelp } from './help/root.js';

/** `safeweb version` is `--version` too, as people type it. */
const VERSION_WORDS = ['--version', '-V', 'version'];
/** The root help, asked for in any of its forms (no arguments at all is one). */
const HELP_WORDS = ['--help', '-h', 'help'];

export async function run(argv: string[], init: ContextInit): Promise<number> {
  if (argv.length === 1 && VERSION_WORDS.includes(argv[0]!)) {
    const { version } = await import('./version.js');
    // A person gets the runtime too; a script gets the bare version it can compare.
    init.stdout.write(init.stdout.isTTY ? `safeweb ${version()} (node ${init.nodeVersion})\n` : `${version()}\n`);
    return 0; // ExitCode.Ok
  }
  // The root help is laid out from parts the build took from the tree, so it costs about what
  // --version costs instead of building ~60 commands (test/help/root.test.ts: the same text).
  const rootHelp =
    argv.length === 0 || (argv.length === 1 && HELP_WORDS.includes(argv[0]!)) ? builtRootHelp() : undefined;
  if (rootHelp) {
    init.stdout.write(formatRootHelp(rootHelp, init.stdout.isTTY ? init.stdout.columns : undefined));
    return 0; // ExitCode.Ok
  }
  // No arguments at all: the help is the answer (stdout, exit 0), not a usage error.
  const args = argv.length === 0 ? ['--help'] : argv;
  const json = errorsAsJson(args, init.stderr.isTTY === true);
  const { Context } = await import('./context.js');
  if (asksForJq(args)) {
    // jq's child process takes about a Node start to be ready: it starts while the tree is built.
    const { startJq } = await import('./output/jq.js');
    startJq(init.env);
  }
  const ctx = new Context(init);
  ctx.argv = args;
  try {
    const { buildProgram } = await import('./program.js');
    const program = await buildProgram(ctx, { json, argv: args });
    await program.parseAsync(args, { from: 'user' });
    const outcome = ctx.outcome;
    if (outcome) {
      const { render } = await import('./output/render.js');
      await render(outcome, ctx.out, {
        csv: ctx.globals.csv,
        fields: ctx.globals.fields,
        streamed: ctx.globals.ndjson,
      });
    }
    const { exitCodeFor } = await import('./report.js');
    return exitCodeFor(outcome, ctx.globals.findingAsked);
  } catch (error) {
    const { reportError } = await import('./report.js');
    await ctx.prepareErrorOutput();
    return reportError(error, ctx, json);
  }
}

/**
 * Whether a failure is said as JSON: with --json, or --jq when stderr is not a terminal; known
 * before parsing, so that even a usage error commander finds is said that way. --jq is typed by
 * people too: on a terminal its failures are the one line for people, not an object.
 */
function errorsAsJson(argv: string[], stderrIsTerminal: boolean): boolean {
  const flags = flagsOf(argv);
  return flags.includes('--json') || (!stderrIsTerminal && asksForJq(flags));
}

function asksForJq(argv: string[]): boolean {
  return flagsOf(argv).some((a) => a === '--jq' || a.startsWith('--jq='));
}

/** The arguments before any `--`: after it, `--json` is an argument, not our flag. */
function flagsOf(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}
