/**
 * The commander tree. Global options live here; each noun registers itself and lazily imports
 * its verbs, so `--help` loads nothing heavy.
 */
import { Command, Option, type Argument } from 'commander';
import type { Context, GlobalOptions } from './context.js';
import { exitCodeHelp } from './exit-codes.js';
import { parseDuration, parseNonNegativeInt } from './commands/parse.js';
import { registerApi } from './commands/api/index.js';
import { registerApply } from './commands/apply/index.js';
import { registerAudit } from './commands/audit/index.js';
import { registerBreach } from './commands/breach/index.js';
import { registerCompletion } from './commands/completion/index.js';
import { registerCustomer } from './commands/customer/index.js';
import { registerDoctor } from './commands/doctor/index.js';
import { registerExport } from './commands/export/index.js';
import { registerHealth } from './commands/health/index.js';
import { registerLogin } from './commands/login/index.js';
import { registerMcp } from './commands/mcp/index.js';
import { registerPartner } from './commands/partner/index.js';
import { registerPlan } from './commands/plan/index.js';
import { registerPortfolio } from './commands/portfolio/index.js';
import { registerProfile } from './commands/profile/index.js';
import { registerSandbox } from './commands/sandbox/index.js';
import { registerSchema } from './commands/schema/index.js';
import { registerWebhook } from './commands/webhook/index.js';
import { registerWhoami } from './commands/whoami/index.js';
import { lines } from './outcome.js';
import { version } from './version.js';

export interface ProgramOptions {
  /** The run asked for --json (or --jq): main says a usage error as JSON, so commander keeps quiet. */
  json?: boolean | undefined;
}

export function buildProgram(ctx: Context, options: ProgramOptions = {}): Command {
  const program = new Command('safeweb');
  program
    .description('Run your SafeWeb partner business from a terminal or a script.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .option('--json', 'print one JSON document on stdout (for scripts and jq)')
    .addOption(
      new Option('--jq <expression>', 'filter the --json document with jq; one result a line, strings raw').conflicts([
        'csv',
        'fields',
      ]),
    )
    .option('--csv', 'tables as CSV: a header row of field names, RFC 4180 quoting')
    .addOption(
      new Option('--fields <names>', 'only these columns, in this order (comma-separated field names)').argParser(
        (value: string) =>
          value
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean),
      ),
    )
    .option('--verbose', 'say more on stderr (where files live, what was skipped)')
    .option('--profile <name>', 'use this stored profile (else SAFEWEB_PROFILE, else the active one)')
    .option('--partner-id <id>', 'partner ID (else SAFEWEB_PARTNER_ID, else the profile)')
    .option('--base-url <url>', 'API base URL (else SAFEWEB_BASE_URL, else the profile)')
    .addOption(
      new Option('--timeout <duration>', 'per-request timeout: 30, 30s, 500ms, 2m')
        .default(30_000, '30s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option('--retries <n>', 'retries for requests that are safe to repeat')
        .default(3)
        .argParser(parseNonNegativeInt(10)),
    )
    .option('--debug', 'trace every request and response on stderr (secrets redacted)')
    .option('--mask-pii', 'mask personal data (e-mail addresses, names) in everything shown; files stay exact')
    .option('--no-mask-pii', 'show personal data for this command even if the profile masks it')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--no-input', 'never prompt; fail with a usage error instead (also CI=1)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.streams.stdout.write(text),
      writeErr: (text) => ctx.out.stderr.write(text), // masked with --mask-pii
      outputError: (text, write) => {
        if (!options.json) write(usageErrorText(text));
      },
    });

  program.hook('preAction', async (_root, action) => {
    const opts = action.optsWithGlobals();
    await ctx.setGlobals(toGlobals(opts));
    // A bad expression is found before the command runs (and sends anything).
    if (typeof opts['jq'] === 'string') {
      const { compileJq } = await import('./output/jq.js');
      ctx.out.filterWith(await compileJq(opts['jq']));
    }
  });

  registerHealth(program, ctx);
  registerCustomer(program, ctx);
  registerBreach(program, ctx);
  registerWebhook(program, ctx);
  registerPartner(program, ctx);
  registerPortfolio(program, ctx);
  registerApi(program, ctx);
  registerPlan(program, ctx);
  registerApply(program, ctx);
  registerExport(program, ctx);
  registerLogin(program, ctx);
  registerDoctor(program, ctx);
  registerProfile(program, ctx);
  registerSandbox(program, ctx);
  registerSchema(program, ctx);
  registerCompletion(program, ctx);
  registerWhoami(program, ctx);
  registerMcp(program, ctx);
  registerAudit(program, ctx);
  // `safeweb version` alone is answered by main before this tree exists; with flags it lands here.
  program
    .command('version', { hidden: true })
    .description('print the version')
    .action(() =>
      ctx.done({
        data: { version: version(), node: ctx.nodeVersion },
        view: lines(`safeweb ${version()} (node ${ctx.nodeVersion})`),
        piped: lines(version()),
      }),
    );

  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
    command.showSuggestionAfterError(true);
  }

  // The root help lists the whole tree (noun + verb) rather than the nouns alone; a mistyped
  // noun is still matched against the nouns for a suggestion.
  let suggesting = false;
  program.configureHelp({
    visibleCommands: (cmd) =>
      cmd === program && !suggesting
        ? []
        : cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden),
  });
  const root = program as unknown as { unknownCommand(): never };
  const unknownCommand = root.unknownCommand.bind(program);
  root.unknownCommand = () => {
    suggesting = true;
    try {
      return unknownCommand();
    } finally {
      suggesting = false;
    }
  };
  program.addHelpText('after', () =>
    [
      '',
      'Commands:',
      commandTree(program),
      '',
      'Examples:',
      '  $ safeweb sandbox start --save-profile        # a local API to try everything against',
      '  $ safeweb login                               # store real credentials in a profile',
      '  $ safeweb partner analytics',
      '  $ safeweb partner analytics --jq .totalCustomers',
      '  $ safeweb whoami                              # which profile and account this shell uses',
      '  $ safeweb api GET /api/v1/health',
      '',
      "Run `safeweb <command> --help` for a command's flags and examples.",
      '',
      'Exit codes:',
      exitCodeHelp(),
      '',
    ].join('\n'),
  );
  return program;
}

/**
 * Commander's usage error as one line naming --help, with a suggestion laid out as gh does:
 * "Did you mean this?" on its own line, the suggestion indented under it.
 */
function usageErrorText(text: string): string {
  const [first = '', ...rest] = text
    .replace(/^error: /, '')
    .trimEnd()
    .split('\n');
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim());
  const head = `error: ${first} (see --help)\n`;
  if (suggestion) return `${head}\nDid you mean this?\n  ${suggestion[1]}\n`;
  return rest.length ? `${head}${rest.join('\n')}\n` : head;
}

function allCommands(root: Command): Command[] {
  return root.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function commandTree(program: Command): string {
  const rows: Array<[string, string]> = [];
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      if ((sub as unknown as { _hidden?: boolean })._hidden || sub.name() === 'help') continue;
      const name = `${prefix}${sub.name()}`;
      if (sub.commands.length) walk(sub, `${name} `);
      else rows.push([`${name}${sub.registeredArguments.map(usage).join('')}`, sub.summary() || sub.description()]);
    }
  };
  walk(program, '');
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  return rows.map(([n, d]) => `  ${n.padEnd(width)}${d}`).join('\n');
}

/** ` <name>`, ` [name]`, ` <name...>`: an argument as the root help shows it. */
function usage(argument: Argument): string {
  const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
  return argument.required ? ` <${name}>` : ` [${name}]`;
}

function toGlobals(opts: Record<string, unknown>): GlobalOptions {
  return {
    json: Boolean(opts['json']) || typeof opts['jq'] === 'string',
    csv: Boolean(opts['csv']),
    fields: opts['fields'] as string[] | undefined,
    verbose: Boolean(opts['verbose']),
    debug: Boolean(opts['debug']),
    color: opts['color'] === false ? false : undefined,
    input: opts['input'] !== false,
    profile: opts['profile'] as string | undefined,
    partnerId: opts['partnerId'] as string | undefined,
    baseUrl: opts['baseUrl'] as string | undefined,
    timeout: (opts['timeout'] as number | undefined) ?? 30_000,
    retries: (opts['retries'] as number | undefined) ?? 3,
    ndjson: Boolean(opts['ndjson']),
    findingAsked: Boolean(opts['exitStatus']) || opts['failOn'] !== undefined,
    maskPii: typeof opts['maskPii'] === 'boolean' ? opts['maskPii'] : undefined,
  };
}
