/**
 * The commander tree. Global options live here; each noun registers itself. A noun, with its
 * verbs, is imported when a run names it (the build makes each a file of its own), and a run
 * builds the noun it names and no other (the whole tree is about 60 commands, a measurable part of
 * a start): only help that lists everything, completion and what names no noun build them all.
 */
import { Command, Option, type Argument } from 'commander';
import type { Context } from './context.js';
import type { GlobalOptions } from './globals.js';
import { exitCodeHelp } from './exit-codes.js';
import { parseDuration, parseNonNegativeInt, parseSize } from './commands/parse.js';
import { lines } from './outcome.js';
import { version } from './version.js';

export interface ProgramOptions {
  /** The run asked for --json (or --jq): main says a usage error as JSON, so commander keeps quiet. */
  json?: boolean | undefined;
  /** The run's arguments: only the noun they name is built. Without them, the whole tree. */
  argv?: readonly string[] | undefined;
}

type Register = (program: Command, ctx: Context) => void;

interface Noun {
  /** The top-level commands it registers. */
  names: readonly string[];
  load: () => Promise<Register>;
}

/** The nouns, in the order the tree lists them. */
const NOUNS: readonly Noun[] = [
  { names: ['health'], load: async () => (await import('./commands/health/index.js')).registerHealth },
  { names: ['customer'], load: async () => (await import('./commands/customer/index.js')).registerCustomer },
  { names: ['breach'], load: async () => (await import('./commands/breach/index.js')).registerBreach },
  { names: ['webhook'], load: async () => (await import('./commands/webhook/index.js')).registerWebhook },
  { names: ['partner'], load: async () => (await import('./commands/partner/index.js')).registerPartner },
  { names: ['portfolio'], load: async () => (await import('./commands/portfolio/index.js')).registerPortfolio },
  { names: ['findings'], load: async () => (await import('./commands/findings/index.js')).registerFindings },
  { names: ['outbox'], load: async () => (await import('./commands/outbox/index.js')).registerOutbox },
  { names: ['api'], load: async () => (await import('./commands/api/index.js')).registerApi },
  { names: ['plan'], load: async () => (await import('./commands/plan/index.js')).registerPlan },
  { names: ['apply'], load: async () => (await import('./commands/apply/index.js')).registerApply },
  { names: ['export'], load: async () => (await import('./commands/export/index.js')).registerExport },
  {
    names: ['integrations'],
    load: async () => (await import('./commands/integrations/index.js')).registerIntegrations,
  },
  { names: ['psa'], load: async () => (await import('./commands/psa/index.js')).registerPsa },
  { names: ['notify'], load: async () => (await import('./commands/notify/index.js')).registerNotify },
  { names: ['serve'], load: async () => (await import('./commands/serve/index.js')).registerServe },
  { names: ['login'], load: async () => (await import('./commands/login/index.js')).registerLogin },
  { names: ['doctor'], load: async () => (await import('./commands/doctor/index.js')).registerDoctor },
  { names: ['profile'], load: async () => (await import('./commands/profile/index.js')).registerProfile },
  { names: ['secret'], load: async () => (await import('./commands/secret/index.js')).registerSecret },
  { names: ['sandbox'], load: async () => (await import('./commands/sandbox/index.js')).registerSandbox },
  { names: ['schema'], load: async () => (await import('./commands/schema/index.js')).registerSchema },
  {
    names: ['completion', '__complete'],
    load: async () => (await import('./commands/completion/index.js')).registerCompletion,
  },
  { names: ['whoami'], load: async () => (await import('./commands/whoami/index.js')).registerWhoami },
  { names: ['mcp'], load: async () => (await import('./commands/mcp/index.js')).registerMcp },
  { names: ['audit'], load: async () => (await import('./commands/audit/index.js')).registerAudit },
];

/** Commands that read the whole tree: `completion <shell>` writes a script from it. */
const WHOLE_TREE = new Set(['completion']);

export async function buildProgram(ctx: Context, options: ProgramOptions = {}): Promise<Command> {
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
      new Option(
        '--max-response-size <size>',
        'the largest answer read, e.g. 16MiB (else SAFEWEB_MAX_RESPONSE_SIZE, else 16MiB)',
      ).argParser(parseSize),
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
      ctx.out.filterWith(await compileJq(opts['jq'], ctx.env));
    }
  });

  const registers = await Promise.all(nounsFor(program, options.argv).map((noun) => noun.load()));
  for (const register of registers) register(program, ctx);
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
 * The nouns a run builds: the one argv names, read as commander will read it (the root's own
 * options, and the values of those that take one, skipped; then the first word); none for
 * `version`, which is the root's; all of them without argv, when the word is no noun, when
 * `help` asks for the root, or at anything this cannot be sure of (an option the root does not
 * know, `--`): commander then says what is wrong, with every command.
 */
function nounsFor(program: Command, argv: readonly string[] | undefined): readonly Noun[] {
  for (let i = 0; argv && i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return NOUNS;
    if (arg.startsWith('-') && arg !== '-') {
      const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
      const flag = equals === -1 ? arg : arg.slice(0, equals);
      const option = program.options.find((o) => o.long === flag || o.short === flag);
      if (!option || option.optional) return NOUNS;
      if (option.required && equals === -1) i++;
      continue;
    }
    if (arg === 'version') return [];
    // `help <noun>` is that noun's help.
    const word = arg === 'help' ? argv[i + 1] : arg;
    const noun = word === undefined || WHOLE_TREE.has(word) ? undefined : NOUNS.find((n) => n.names.includes(word));
    return noun ? [noun] : NOUNS;
  }
  return NOUNS;
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
    maxResponseSize: opts['maxResponseSize'] as number | undefined,
    ndjson: Boolean(opts['ndjson']),
    findingAsked: Boolean(opts['exitStatus']) || opts['failOn'] !== undefined,
    maskPii: typeof opts['maskPii'] === 'boolean' ? opts['maskPii'] : undefined,
  };
}
