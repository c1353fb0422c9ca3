import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { FIELDS, UPDATABLE, type FieldSpec } from '../../customers/fields.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { ASSET_COLUMNS, CUSTOMER_BREACH_COLUMNS, CUSTOMER_LIST_COLUMNS, THREAT_COLUMNS } from './columns.js';
import { collect, parseLocale, parsePositiveInt, parsePositiveNumber, parseUuid, waitOption } from '../parse.js';
import { runCustomerOnboard } from './onboard.js';
import { runCustomerList } from './list.js';
import { runCustomerLink } from './link.js';
import { runCustomerImport } from './import.js';
import { runCustomerOffboard } from './offboard.js';
import { runCustomerReactivate } from './reactivate.js';
import { runCustomerUpdate } from './update.js';
import { runCustomerAssets } from './assets.js';
import { runCustomerBreaches } from './breaches.js';
import { runCustomerThreatScore } from './threat-score.js';
import { runCustomerMagicLink } from './magic-link.js';

/** The flags that set onboarding fields, from the field table: choices for enums, repeatable lists. */
export function fieldOptions(fields: readonly FieldSpec[] = FIELDS): Option[] {
  return fields.flatMap((field) => {
    if (field.kind === 'boolean')
      return [new Option(field.flag, field.description), new Option(`--no-${field.flag.slice(2)}`, field.negated)];
    const option = new Option(`${field.flag} <${field.arg}>`, field.description);
    if (field.choices) option.choices(field.choices);
    if (field.kind === 'domains' || field.kind === 'emails') option.argParser(collect);
    return [option];
  });
}

export function registerCustomer(program: Command, ctx: Context): void {
  const customer = program
    .command('customer')
    .summary('onboard, offboard and manage customers')
    .description(
      'Onboard customers and manage their monitoring. Every command that takes a customer accepts its ID ' +
        'or the reference you gave it (from the local record, see `customer list`).',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb customer onboard --file acme.json',
        'safeweb customer onboard            # the wizard, on a terminal',
        'safeweb customer list',
        'safeweb customer breaches ACME-001',
        'safeweb customer assets ACME-001 --add-email cfo@acme.co',
      ),
    );

  const onboard = customer
    .command('onboard')
    .summary('create a customer from a JSON file, flags, or the wizard')
    .description(
      'Create a customer. Input comes from --file (JSON; - for stdin), from flags (which override the file), ' +
        'or from the interactive wizard (on a terminal with no file, or with --interactive). Everything is ' +
        'validated locally first; nothing is sent while any field is wrong.\n\n' +
        'Bulk: with a CSV (headers = field names, any case and spacing; list cells separated by ;), NDJSON or ' +
        'JSON-array file, every row is checked first, then onboarded with bounded concurrency and pace, with a ' +
        'progress bar on a terminal; --results records each row, --resume continues a run without losing or ' +
        'doubling a row.',
    )
    .option('-f, --file <file>', 'onboarding request as JSON (- for stdin)');
  for (const option of fieldOptions()) onboard.addOption(option);
  onboard
    .option('--allow-unknown-fields', 'send fields this tool does not know (e.g. planId)')
    .option('--dry-run', 'validate and print the request body; send nothing')
    .option('-i, --interactive', 'ask for every field, even with a file or flags')
    .addOption(
      new Option('--format <format>', 'file format when the name does not say').choices(['csv', 'ndjson', 'json']),
    )
    .addOption(
      new Option('--concurrency <n>', 'bulk: requests in flight at once').default(8).argParser(parsePositiveInt(64)),
    )
    .addOption(
      new Option('--max-rps <n>', 'bulk: at most this many requests started per second').argParser(parsePositiveNumber),
    )
    .option('--results <file>', 'bulk: write one NDJSON line per row (row, reference, status, customer ID or error)')
    .option('--resume <file>', 'bulk: skip rows already ok in this results file, settle unknown ones, append to it')
    .option('--skip-invalid', 'bulk: send the valid rows and record invalid ones as skipped')
    .option('--force', 'bulk: replace an existing --results file instead of refusing it')
    .addOption(waitOption())
    .addHelpText(
      'after',
      examples(
        'safeweb customer onboard --file examples/acme.json',
        'safeweb customer onboard --file acme.json --reference ACME-002 --billed-from now+5m',
        'safeweb customer onboard --company-name "Acme" --reference ACME-1 --domain acme.co ' +
          '--alert-recipient it@acme.co --price 49.99 --currency USD --billed-from now+5m',
        'safeweb customer onboard --file acme.json --dry-run --json | jq .',
        'safeweb customer onboard                 # the wizard',
        'safeweb customer onboard --file customers.csv --results run.ndjson --concurrency 16',
        'safeweb customer onboard --file customers.csv --resume run.ndjson   # after a stop or a crash',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      ctx.done(await runCustomerOnboard(opts, ctx));
    });

  customer
    .command('list')
    .summary('customers this tool onboarded (the local record)')
    .description(
      'Show the local record of customers onboarded with this tool for the current partner account: ' +
        'reference, ID, company, date and status. The API itself cannot list customers.',
    )
    .addOption(new Option('--status <status>', 'only active or offboarded customers').choices(['active', 'offboarded']))
    .addHelpText('after', fieldsHelp(CUSTOMER_LIST_COLUMNS))
    .addHelpText(
      'after',
      examples('safeweb customer list', 'safeweb customer list --status active --jq ".[].reference"'),
    )
    .action(async (opts: { status?: 'active' | 'offboarded' }) => {
      ctx.done(await runCustomerList({ status: opts.status }, ctx));
    });

  customer
    .command('link')
    .argument('<reference>', 'the reference to record the customer under')
    .summary('join a customer ID to a reference in the local record')
    .description(
      'Record which customer a reference names: for a customer the record knows without its ID (a resumed ' +
        'bulk run found it already onboarded), or one onboarded elsewhere. The ID is checked with a read of ' +
        "the customer's assets first; only the local record changes.",
    )
    .requiredOption('--id <uuid>', 'the customer ID (a UUID)', parseUuid)
    .option('--company-name <name>', 'the company, for a reference the record does not know yet')
    .addHelpText('after', examples('safeweb customer link ACME-001 --id 550e8400-e29b-41d4-a716-446655440000'))
    .action(async (reference: string, opts: { id: string; companyName?: string }) => {
      ctx.done(await runCustomerLink({ reference, id: opts.id, companyName: opts.companyName }, ctx));
    });

  customer
    .command('import')
    .summary('add customers onboarded elsewhere to the local record (CSV or NDJSON)')
    .description(
      'The file form of `customer link`: customers onboarded elsewhere (the portal, another integration) join ' +
        'the local record, so `customer list`, `portfolio` and every command that takes a customer know their ' +
        'reference. Columns: customerReference, customerId (a UUID), optionally companyName and status ' +
        '(active or offboarded; default active). The whole file is checked first (exit 2, nothing sent); then ' +
        "each new row is verified with a read of the customer's assets. Rows that verify are recorded; unknown " +
        'or foreign IDs are listed with their row numbers and not recorded (exit 3). Nothing changes at SafeWeb.',
    )
    .requiredOption('-f, --file <file>', 'CSV (header row) or NDJSON; - for stdin')
    .addOption(
      new Option('--concurrency <n>', 'rows verified at once (1 to 64)').default(8).argParser(parsePositiveInt(64)),
    )
    .addOption(waitOption())
    .addHelpText(
      'after',
      examples(
        'safeweb customer import --file portal-export.csv',
        "printf 'customerReference,customerId\\nACME-9,550e8400-e29b-41d4-a716-446655440000\\n' | " +
          'safeweb customer import --file -',
      ),
    )
    .action(async (opts: { file: string; concurrency: number; wait?: boolean | number }) => {
      ctx.done(await runCustomerImport(opts, ctx));
    });

  customer
    .command('offboard')
    .argument('<customer>', 'customer ID or reference')
    .summary('deactivate a customer and stop its monitoring')
    .description('Deactivate a customer. Asks you to type the reference to confirm, unless --yes.')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--force', 'send it even when the local record says the customer is offboarded already')
    .addHelpText(
      'after',
      examples(
        'safeweb customer offboard ACME-001',
        'safeweb customer offboard 550e8400-e29b-41d4-a716-446655440000 --yes',
      ),
    )
    .action(async (customerArg: string, opts: { yes?: boolean; force?: boolean }) => {
      ctx.done(
        await runCustomerOffboard({ customer: customerArg, yes: Boolean(opts.yes), force: Boolean(opts.force) }, ctx),
      );
    });

  customer
    .command('reactivate')
    .argument('<customer>', 'customer ID or reference')
    .summary('reactivate an offboarded customer')
    .option('--force', 'send it even when the local record says the customer is active already')
    .addHelpText('after', examples('safeweb customer reactivate ACME-001'))
    .action(async (customerArg: string, opts: { force?: boolean }) => {
      ctx.done(await runCustomerReactivate({ customer: customerArg, force: Boolean(opts.force) }, ctx));
    });

  const update = customer
    .command('update')
    .argument('<customer>', 'customer ID or reference')
    .summary(`change ${UPDATABLE.map((f) => f.update!.replace(/^new |,.*$/g, '')).join(', ')}`);
  // The updatable fields of the table, with the same flags as onboarding.
  for (const option of fieldOptions(UPDATABLE.map((f) => ({ ...f, description: f.update! })))) update.addOption(option);
  update
    .addHelpText(
      'after',
      examples(
        'safeweb customer update ACME-001 --plan safeweb-plus --price 79',
        'safeweb customer update ACME-001 --contact-email it@acme.co',
      ),
    )
    .action(async (customerArg: string, opts: Record<string, unknown>) => {
      ctx.done(await runCustomerUpdate({ ...opts, customer: customerArg }, ctx));
    });

  customer
    .command('assets')
    .argument('<customer>', 'customer ID or reference')
    .summary('show or change the monitored domains and emails')
    .description(
      'Show the monitored domains and emails; with --add-*, --remove-* or --set-*, change them (the API ' +
        'replaces whole lists, so this reads, changes and writes them back) and show what changed. A customer ' +
        'is never left with nothing to monitor.',
    )
    .option('--add-domain <domain>', 'start monitoring a domain (repeatable)', collect)
    .option('--remove-domain <domain>', 'stop monitoring a domain (repeatable)', collect)
    .option('--add-email <email>', 'start monitoring an email (repeatable)', collect)
    .option('--remove-email <email>', 'stop monitoring an email (repeatable)', collect)
    .addOption(
      new Option('--set-domains <domains>', 'replace all domains (comma-separated; "" for none)').conflicts([
        'addDomain',
        'removeDomain',
      ]),
    )
    .addOption(
      new Option('--set-emails <emails>', 'replace all emails (comma-separated; "" for none)').conflicts([
        'addEmail',
        'removeEmail',
      ]),
    )
    .addHelpText('after', fieldsHelp(ASSET_COLUMNS, '  (when showing; a change prints +/- lines)'))
    .addHelpText(
      'after',
      examples(
        'safeweb customer assets ACME-001',
        'safeweb customer assets ACME-001 --add-email cfo@acme.co --remove-email old@acme.co',
        'safeweb customer assets ACME-001 --set-domains acme.co,acme.io',
      ),
    )
    .action(async (customerArg: string, opts: Record<string, unknown>) => {
      ctx.done(await runCustomerAssets({ customer: customerArg, ...opts }, ctx));
    });

  customer
    .command('breaches')
    .argument('<customer>', 'customer ID or reference')
    .summary("the customer's breaches: name, date, emails, categories, resolved")
    .addOption(
      new Option(
        '--locale <code>',
        'language of titles and descriptions (en-GB, da-DK, sv-SE, nb-NO, fi-FI)',
      ).argParser(parseLocale),
    )
    .option('--unresolved', 'only breaches not yet marked resolved')
    .addHelpText('after', fieldsHelp(CUSTOMER_BREACH_COLUMNS))
    .addHelpText(
      'after',
      examples(
        'safeweb customer breaches ACME-001',
        'safeweb customer breaches ACME-001 --unresolved --locale da-DK',
        'safeweb customer breaches ACME-001 --jq ".[].uuid"',
      ),
    )
    .action(async (customerArg: string, opts: { locale?: string; unresolved?: boolean }) => {
      ctx.done(
        await runCustomerBreaches(
          { customer: customerArg, locale: opts.locale, unresolved: Boolean(opts.unresolved) },
          ctx,
        ),
      );
    });

  customer
    .command('threat-score')
    .argument('<customer>', 'customer ID or reference')
    .summary('the dark-web threat score, 0 to 97')
    .addHelpText('after', fieldsHelp(THREAT_COLUMNS, '  (piped and --csv; a terminal gets a sentence)'))
    .addHelpText(
      'after',
      examples('safeweb customer threat-score ACME-001', 'safeweb customer threat-score ACME-001 --jq .band'),
    )
    .action(async (customerArg: string) => {
      ctx.done(await runCustomerThreatScore({ customer: customerArg }, ctx));
    });

  customer
    .command('magic-link')
    .argument('<customer>', 'customer ID or reference')
    .summary('a one-time login URL for the customer portal')
    .description(
      'Create a one-time login URL for the customer. It works once and expires after an hour. Treat it like a password.',
    )
    .addHelpText(
      'after',
      examples('safeweb customer magic-link ACME-001', 'safeweb customer magic-link ACME-001 --json | jq -r .url'),
    )
    .action(async (customerArg: string) => {
      ctx.done(await runCustomerMagicLink({ customer: customerArg }, ctx));
    });
}
