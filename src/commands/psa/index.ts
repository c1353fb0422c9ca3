import { Argument, Option, type Command } from 'commander';
import type { SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { collect, parseNonNegativeInt, parsePositiveInt } from '../parse.js';
import { PSA_COLUMNS } from './columns.js';
import { PSA_MAP_COLUMNS } from './map-columns.js';
import { registerPsaSyncVerbs } from './sync-verbs.js';
import { KEY_FLAGS, keyFlagsGiven, type PolicyFlags } from './settings.js';
import { runPsaAdd } from './add.js';
import { runPsaList } from './list.js';
import { runPsaShow } from './show.js';
import { runPsaSet } from './set.js';
import { runPsaRemove } from './remove.js';
import { runPsaTest } from './test.js';
import { runPsaMap } from './map.js';

const PSA_KINDS = ['connectwise', 'autotask', 'halo'] as const;

/** The ticket-policy flags of `psa add` and `psa set`. */
function policyOptions(command: Command): Command {
  return command
    .option('--board <name-or-id>', 'ConnectWise: the service board tickets go to')
    .option('--queue <name-or-id>', 'Autotask: the queue tickets go to')
    .option('--new-status <name-or-id>', 'the status of a new (or reopened) ticket (Autotask default: New)')
    .option('--closed-status <name-or-id>', 'the status that closes a ticket (Autotask default: Complete)')
    .addOption(
      new Option(
        '--priority <band=priority>',
        'the priority per threat band (critical, high, moderate, low); repeat',
      ).argParser(collect),
    )
    .option('--source <id>', 'the ticket source (ConnectWise ID)')
    .option('--type <id>', 'the ticket type (ConnectWise ID)')
    .option(
      '--ticket-type <name-or-id>',
      'Autotask: the ticket type (picklist value); HaloPSA: the ticket type tickets go to',
    )
    .option('--fallback-company <id-or-identifier>', 'where an unmapped customer’s tickets go')
    .addOption(
      new Option('--grouping <grouping>', 'a ticket per customer and breach, or one per customer').choices([
        'per-breach',
        'per-customer',
      ]),
    )
    .addOption(
      new Option('--reopen-days <n>', 'a finding back within this many days reopens its ticket (default 30)').argParser(
        parseNonNegativeInt(3650),
      ),
    )
    .option('--resolve-on-close', 'a technician closing a ticket resolves its breaches in SafeWeb (default)')
    .option('--no-resolve-on-close', 'closing a ticket changes nothing in SafeWeb')
    .addOption(
      new Option('--offboard <action>', 'what offboarding does to open tickets (default close)').choices([
        'close',
        'leave',
      ]),
    )
    .option('--mask', 'mask addresses in ticket text (default: unmasked, technicians need them)')
    .option('--no-mask', 'show addresses in ticket text')
    .option('--default', 'make it the connection used when none is named')
    .option('--private-key-stdin', 'read the private key from stdin')
    .option('--private-key-file <file>', 'read the private key from a file (one line)')
    .option('--secret-stdin', 'Autotask: read the API user’s secret from stdin; HaloPSA: the client secret')
    .option(
      '--secret-file <file>',
      'Autotask: read the API user’s secret from a file (one line); HaloPSA: the client secret',
    )
    .option('--integration-code-stdin', 'Autotask: read the integration code (API tracking identifier) from stdin')
    .option('--integration-code-file <file>', 'Autotask: read the integration code from a file (one line)')
    .addOption(
      new Option(
        '--max-per-hour <n>',
        'Autotask: at most N requests in any rolling hour (default 3000; 10 000 a database is the limit)',
      ).argParser(parsePositiveInt(10_000)),
    )
    .addOption(
      new Option('--store <store>', 'keep the private key in the config file (default) or the OS keychain').choices([
        'file',
        'keyring',
      ]),
    );
}

/** Declared so commander parses them (instead of echoing a value back), then refused by the verb. */
function keyFlags(command: Command): Command {
  for (const flag of KEY_FLAGS) command.addOption(new Option(`--${flag} <value>`).hideHelp());
  return command;
}

type Raw = PolicyFlags & Record<string, unknown>;

const keyOptions = (opts: Raw) => ({
  privateKeyStdin: Boolean(opts['privateKeyStdin']),
  privateKeyFile: opts['privateKeyFile'] as string | undefined,
  secretStdin: Boolean(opts['secretStdin']),
  secretFile: opts['secretFile'] as string | undefined,
  integrationCodeStdin: Boolean(opts['integrationCodeStdin']),
  integrationCodeFile: opts['integrationCodeFile'] as string | undefined,
  keyGiven: keyFlagsGiven(opts),
  store: (opts['store'] as SecretStore | undefined) ?? 'file',
  makeDefault: Boolean(opts['default']),
});

export function registerPsa(program: Command, ctx: Context): void {
  const psa = program
    .command('psa')
    .summary('PSA connections for tickets (ConnectWise, Autotask, HaloPSA): add, list, show, set, remove, test')
    .description(
      'Findings become tickets in your PSA. A connection is kept in the integration settings of the profile ' +
        '(psa.connections.<name>, see `safeweb integrations show`); its private key in the secret store (psa/<name>: ' +
        'secrets.json of the config directory, or the OS keychain with --store keyring; a service may give it in ' +
        'SAFEWEB_SECRET_PSA_<NAME>_FILE). The key is taken from a hidden prompt, stdin or a file: never a flag value.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb psa add connectwise cw --site na.myconnectwise.net --company acme --public-key KEY --client-id ID',
        'safeweb psa add autotask at --username api@msp.example --secret-file s.txt --integration-code-file c.txt',
        'safeweb psa add halo halo --tenant msp.halopsa.com --client-id ID --secret-file halo-secret.txt',
        'safeweb psa list',
        'safeweb psa show cw',
        'safeweb psa set cw --board Security --priority critical="Priority 1 - Emergency Response"',
        'safeweb psa test cw ACME-001',
      ),
    );

  const add = policyOptions(
    psa
      .command('add')
      .addArgument(new Argument('<kind>', 'the PSA').choices(PSA_KINDS))
      .argument('<name>', 'the connection’s name (cw, connectwise-eu, at)')
      .summary(
        'connect a PSA: checks the credentials, then offers the board (queue, ticket type), statuses and priorities',
      )
      .description(
        'Adds a PSA connection. The credentials are checked with a harmless read (ConnectWise /system/info, Autotask ' +
          'the Ticket entity’s information) before anything is saved: bad credentials exit 4 naming what to check, an ' +
          'unreachable site exit 5. On a terminal it then offers the board (Autotask: queue), the new and closed ' +
          'statuses and a priority per threat band from the live lists; elsewhere give them as flags (or later with ' +
          '`psa set`). ConnectWise: --site, --company, --public-key, --client-id; the private key is asked for (input ' +
          'hidden), or read from stdin or a file, and stored as psa/<name>. Autotask: --username; the zone is looked ' +
          'up from it (at --zone-url, Autotask’s own by default) unless --zone gives it; the secret and the ' +
          'integration code are asked for, or read from files or stdin (one of them), and stored as psa/<name> and ' +
          'psa/<name>-code. HaloPSA: --tenant and the API application’s --client-id; the client secret is asked for, ' +
          'or read from stdin or a file, and stored as psa/<name>; checked with a token and a read of the statuses. ' +
          'Its ticket type (--ticket-type) is the board, and priorities are Halo’s IDs (--priority critical=1).',
      )
      .option('--site <host-or-url>', 'ConnectWise: the site: na.myconnectwise.net, or https://host[:port]')
      .option('--company <id>', 'ConnectWise: the company ID you log in with')
      .option('--public-key <key>', 'ConnectWise: the API member’s public key')
      .option(
        '--client-id <id>',
        'ConnectWise: your integrator clientId (developer.connectwise.com); HaloPSA: the API application’s client ID',
      )
      .option('--username <user>', 'Autotask: the API user’s user name')
      .option('--zone-url <url>', 'Autotask: where the zone is looked up (default Autotask’s zoneInformation)')
      .option('--zone <url>', 'Autotask: the zone’s REST base, without a lookup')
      .option('--tenant <host-or-url>', 'HaloPSA: the tenant, msp.halopsa.com (the API below /api)'),
  ).addHelpText(
    'after',
    examples(
      'safeweb psa add connectwise cw --site na.myconnectwise.net --company acme --public-key pk --client-id ID',
      'pass cw-key | safeweb psa add connectwise cw --site api-eu.myconnectwise.net --company acme \\',
      '#     --public-key pk --client-id ID --private-key-stdin --board Security --new-status New \\',
      '#     --closed-status Completed --priority critical=1 --priority high=2 --fallback-company ContosoMSP',
      'safeweb psa add autotask at --username api@msp.example --secret-file at-secret \\',
      '#     --integration-code-file at-code --queue Security --priority critical=Critical',
      'safeweb psa add halo halo --tenant msp.halopsa.com --client-id 5afe… --secret-file halo-secret \\',
      '#     --ticket-type "Security Alert" --new-status New --closed-status Closed --priority critical=1',
    ),
  );
  keyFlags(add).action(async (kind: (typeof PSA_KINDS)[number], name: string, opts: Raw) => {
    ctx.done(await runPsaAdd({ ...opts, ...keyOptions(opts), kind, name }, ctx));
  });

  psa
    .command('list')
    .alias('ls')
    .summary('the PSA connections of the profile')
    .addHelpText('after', fieldsHelp(PSA_COLUMNS))
    .addHelpText('after', examples('safeweb psa list', 'safeweb psa list --json'))
    .action(async () => {
      ctx.done(await runPsaList(ctx));
    });

  psa
    .command('show')
    .argument('[name]', 'the connection (default: psa.default, or the only one)')
    .summary('one connection’s settings and policy, and where its private key lives (never the key)')
    .addHelpText('after', examples('safeweb psa show cw', 'safeweb psa show --json | jq .policy'))
    .action(async (name: string | undefined) => {
      ctx.done(await runPsaShow({ name }, ctx));
    });

  const set = policyOptions(
    psa
      .command('set')
      .argument('<name>', 'the connection')
      .argument('[key=value...]', 'settings by their key in the settings file; key= removes an optional one')
      .summary('change a connection: settings as key=value or flags, checked against the PSA first')
      .description(
        'Changes a connection. A board (Autotask: queue), status, priority or fallback company is checked against the ' +
          'PSA’s live lists first (an unknown name exits 2 listing the valid ones); a changed address or credential, ' +
          'or a new secret (--private-key-stdin, --secret-file, --integration-code-file …), with a harmless read. ' +
          'ConnectWise keys: site, company, publicKey, clientId, secret, board, statuses.new, statuses.closed, ' +
          'priorities.<band>, source, type, grouping, reopenDays, resolveOnClose, offboard, fallbackCompany, mask. ' +
          'Autotask keys: username, zone, secret, integrationCode, queue, ticketType, maxPerHour and the same policy keys. ' +
          'HaloPSA keys: tenant, clientId, secret, ticketType and the same policy keys (no type).',
      )
      .option('--site <host-or-url>', 'the ConnectWise site')
      .option('--company <id>', 'the company ID you log in with')
      .option('--public-key <key>', 'the API member’s public key')
      .option('--client-id <id>', 'your integrator clientId')
      .option('--username <user>', 'Autotask: the API user’s user name')
      .option('--tenant <host-or-url>', 'HaloPSA: the tenant'),
  ).addHelpText(
    'after',
    examples(
      'safeweb psa set cw --board Security --new-status New --closed-status Completed',
      'safeweb psa set cw priorities.critical="Priority 1 - Emergency Response" reopenDays=14',
      'safeweb psa set cw fallbackCompany=     # removes it',
      'pass cw-key-2 | safeweb psa set cw --private-key-stdin',
    ),
  );
  keyFlags(set).action(async (name: string, pairs: string[], opts: Raw) => {
    ctx.done(await runPsaSet({ ...opts, ...keyOptions(opts), name, pairs }, ctx));
  });

  psa
    .command('remove')
    .alias('rm')
    .argument('<name>', 'the connection')
    .summary('remove a connection and its private key (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('safeweb psa remove cw', 'safeweb psa remove cw --yes'))
    .action(async (name: string, opts: { yes?: boolean }) => {
      ctx.done(await runPsaRemove({ name, yes: Boolean(opts.yes) }, ctx));
    });

  psa
    .command('test')
    .argument('[name]', 'the connection (default: psa.default, or the only one)')
    .argument('[customer]', 'a customer (reference or ID): its mapped company, else the fallback company')
    .summary('make one labelled test ticket with the settings, and close it; prints its ID')
    .description(
      'Makes one ticket titled "[safeweb test] …" with the connection’s board, new status and priority on the ' +
        'customer’s mapped company (or the fallback company), then closes it with the closed status, and prints its ' +
        'ID. It carries the integrator tag safeweb-test, never the sync’s own. A read-only profile refuses it before ' +
        'anything is sent.',
    )
    .addHelpText('after', examples('safeweb psa test cw', 'safeweb psa test cw ACME-001'))
    .action(async (name: string | undefined, customer: string | undefined) => {
      ctx.done(await runPsaTest({ name, customer }, ctx));
    });

  psa
    .command('map')
    .argument('[connection]', 'the PSA connection (else psa.default, else the only one)')
    .summary('each customer with its PSA company: by identifier, name, or your table; --write keeps them')
    .description(
      'Lists every customer of the book (the local record, or the manifest with --file) with its company at the ' +
        'PSA and how it was found: mapped (already in the settings or manifest), identifier (a company ' +
        'identifier equal to the customer reference), exact (the same name), normalised (the same name once ' +
        'case, punctuation, spacing, accents, "&"/"and", a leading "The" and legal suffixes such as Ltd, Inc, ' +
        'GmbH or Pty Ltd are set aside), ambiguous (several companies fit, or another customer has the same ' +
        'one) or unmapped. --write saves the identifier, exact and normalised matches (never an ambiguous ' +
        'one) in one write. An unmapped customer is never dropped: its findings go to the connection\u2019s ' +
        'fallbackCompany, and `psa plan` lists them.',
    )
    .option('--suggest', 'list the candidates of ambiguous customers, and similar names for unmapped ones')
    .option('--write', 'save the matches found (and the --from-csv rows) as customers.<ref>.psa')
    .option('--from-csv <file>', 'map from a table: columns reference,company (an ID or identifier); checked first')
    .option('--file <manifest>', "the book and mappings of a manifest: --write sets each customer's psa: there")
    .option('--customers <refs>', 'only these references (comma-separated, repeatable)', collect)
    .addHelpText('after', fieldsHelp(PSA_MAP_COLUMNS))
    .addHelpText(
      'after',
      examples(
        'safeweb psa map',
        'safeweb psa map --suggest',
        'safeweb psa map --write',
        'safeweb psa map --from-csv companies.csv --write',
        'safeweb psa map cw --file book.yaml --write',
        'safeweb psa map --json | jq \'.[] | select(.match == "unmapped") | .reference\'',
      ),
    )
    .action(async (connection: string | undefined, opts: Record<string, unknown>) => {
      ctx.done(
        await runPsaMap(
          {
            connection,
            suggest: Boolean(opts['suggest']),
            write: Boolean(opts['write']),
            fromCsv: opts['fromCsv'] as string | undefined,
            file: opts['file'] as string | undefined,
            customers: opts['customers'] as string[] | undefined,
          },
          ctx,
        ),
      );
    });

  registerPsaSyncVerbs(psa, ctx);
}
