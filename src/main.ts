/**
 * run(argv, init) -> exit code. `--version` and the root help are answered here, before anything
 * else is loaded: they are the cheapest commands, so this file imports nothing at the top but the
 * root help's layout (the build makes it a file of its own, dist/main.js). Every other run is
 * app.ts's: the one place errors become exit codes and messages.
 */
import type { ContextInit } from './context.js';
import { builtRootHelp, formatRootHelp } from './help/root.js';

declare const __SAFEWEB_VERSION__: string | undefined;

/** `safeweb version` is `--version` too, as people type it. */
const VERSION_WORDS = ['--version', '-V', 'version'];
/** The root help, asked for in any of its forms (no arguments at all is one). */
const HELP_WORDS = ['--help', '-h', 'help'];

export async function run(argv: string[], init: ContextInit): Promise<number> {
  if (argv.length === 1 && VERSION_WORDS.includes(argv[0]!)) {
    // Built, the version is a constant (version.ts reads package.json when running from source).
    const version =
      typeof __SAFEWEB_VERSION__ === 'string' ? () => __SAFEWEB_VERSION__ : (await import('./version.js')).version;
    // A person gets the runtime too; a script gets the bare version it can compare.
    init.stdout.write(init.stdout.isTTY ? `safeweb ${version()} (node ${init.nodeVersion})\n` : `${version()}\n`);
    return 0; // ExitCode.Ok
  }
  // The root help is laid out from parts the build took from the tree, so it costs about what
  // --version costs instead of loading and building every command (test/help/root.test.ts: the same text).
  const rootHelp =
    argv.length === 0 || (argv.length === 1 && HELP_WORDS.includes(argv[0]!)) ? builtRootHelp() : undefined;
  if (rootHelp) {
    init.stdout.write(formatRootHelp(rootHelp, init.stdout.isTTY ? init.stdout.columns : undefined));
    return 0; // ExitCode.Ok
  }
  // No arguments at all: the help is the answer (stdout, exit 0), not a usage error.
  const args = argv.length === 0 ? ['--help'] : argv;
  const json = errorsAsJson(args, init.stderr.isTTY === true);
  const { runCommand } = await import('./app.js');
  return runCommand(args, init, { json, jq: asksForJq(args) });
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
