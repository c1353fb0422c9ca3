import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { parseBreachRef } from '../../breaches/breach-ref.js';
import { examples } from '../examples.js';
import { CATALOGUE_FIELDS, CATEGORY_COLUMNS, CHECK_COLUMNS, CHECK_ERROR_COLUMN, RETRIEVE_COLUMNS } from './columns.js';
import { exactlyOne, isUuid, parseLocale, parsePositiveInt, parsePositiveNumber, usageError } from '../parse.js';
import { runBreachCheck } from './check.js';
import { runBreachRetrieve } from './retrieve.js';
import { runBreachSetStatus } from './status.js';
import { runBreachGet } from './get.js';
import { runBreachCategories } from './categories.js';

const CATALOGUE_LOCALES = ['en-GB', 'da-DK', 'sv-SE', 'nb-NO', 'fi-FI'] as const;

export function registerBreach(program: Command, ctx: Context): void {
  const breach = program
    .command('breach')
    .summary('check emails, read breach details, resolve breaches, the catalogue')
    .description(
      'Breach intelligence: check addresses for known breaches, read the details, mark customer ' +
        'breaches resolved or not, and look up the global breach catalogue.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb breach check a@b.co',
        'safeweb breach check --file emails.txt --exit-status',
        'safeweb breach retrieve a@b.co --locale da-DK',
        'safeweb breach resolve 7c9e6679-7425-40de-944b-e07fc1f90ae7',
        'safeweb breach get --name Adobe',
      ),
    );

  breach
    .command('check')
    .argument('[email...]', 'addresses to check')
    .summary('whether addresses appear in known breaches')
    .description(
      'Check each address for known breaches (one request each). With --file, many addresses are ' +
        'checked concurrently; a failure for one address is reported and the rest go on. Exit status: ' +
        'the worst failure (4 auth, 5 unavailable, 3 rejected), else 8 with --exit-status when any ' +
        'address is breached, else 0.',
    )
    .option('-f, --file <file>', 'addresses, one per line (- for stdin; blank lines and # comments skipped)')
    .addOption(new Option('--resolved', 'only count breaches marked resolved').conflicts('unresolved'))
    .option('--unresolved', 'only count breaches not marked resolved')
    .option('--exit-status', 'exit 8 when any address is breached (0 when none)')
    .option('--ndjson', 'print one JSON object per address as each finishes')
    .addOption(new Option('--concurrency <n>', 'requests in flight at once').default(8).argParser(parsePositiveInt(64)))
    .addOption(
      new Option('--max-rps <n>', 'at most this many requests started per second').argParser(parsePositiveNumber),
    )
    .option('--results <file>', 'write one NDJSON line per address as it is checked')
    .option('--resume <file>', 'skip addresses already checked in this results file, and append to it')
    .option('--force', 'replace an existing --results file instead of refusing it')
    .addHelpText('after', fieldsHelp([...CHECK_COLUMNS, CHECK_ERROR_COLUMN], '  (error only when an address failed)'))
    .addHelpText(
      'after',
      examples(
        'safeweb breach check a@b.co c@d.co',
        'safeweb breach check --file emails.txt --jq ".[] | select(.breached) | .email"',
        'cut -f2 users.tsv | safeweb breach check --file - --ndjson',
        'safeweb breach check ceo@acme.co --exit-status || echo "breached (8) or failed"',
        'safeweb breach check --file staff.txt --results checks.ndjson   # then, after Ctrl+C: --resume checks.ndjson',
      ),
    )
    .action(
      async (
        emails: string[],
        opts: {
          file?: string;
          resolved?: boolean;
          unresolved?: boolean;
          exitStatus?: boolean;
          concurrency: number;
          maxRps?: number;
          results?: string;
          resume?: string;
          force?: boolean;
        },
      ) => {
        ctx.done(
          await runBreachCheck(
            {
              emails,
              file: opts.file,
              resolved: opts.resolved,
              unresolved: opts.unresolved,
              exitStatus: Boolean(opts.exitStatus),
              concurrency: opts.concurrency,
              maxRps: opts.maxRps,
              results: opts.results,
              resume: opts.resume,
              force: Boolean(opts.force),
            },
            ctx,
          ),
        );
      },
    );

  breach
    .command('retrieve')
    .argument('<email>', 'address to look up')
    .summary('the full details of every breach an address appears in')
    .addOption(
      new Option('--locale <code>', 'language of titles (en-GB, da-DK, sv-SE, nb-NO, fi-FI)').argParser(parseLocale),
    )
    .addHelpText('after', fieldsHelp(RETRIEVE_COLUMNS, '  (piped and --csv; a terminal gets each breach laid out)'))
    .addHelpText(
      'after',
      examples('safeweb breach retrieve ceo@acme.co', 'safeweb breach retrieve ceo@acme.co --jq ".[].title"'),
    )
    .action(async (email: string, opts: { locale?: string }) => {
      ctx.done(await runBreachRetrieve({ email, locale: opts.locale }, ctx));
    });

  for (const [verb, resolved] of [
    ['resolve', true],
    ['unresolve', false],
  ] as const) {
    breach
      .command(verb)
      .addArgument(
        new Argument(
          '<breachId>',
          "the breach instance's uuid (the Breach ID column of `customer breaches`), or the id its --json also shows",
        ).argParser(parseBreachId),
      )
      .summary(resolved ? 'mark a customer breach resolved' : 'mark a customer breach not resolved again')
      .option(
        '--customer <ref>',
        'the customer the breach belongs to (reference or ID): checked by one read, and named in the audit log (an id names it itself)',
      )
      .addHelpText(
        'after',
        examples(
          `safeweb breach ${verb} 7c9e6679-7425-40de-944b-e07fc1f90ae7 --customer ACME-001`,
          `safeweb customer breaches ACME-001 --unresolved --jq ".[].uuid" | xargs -n1 safeweb breach ${verb} --customer ACME-001`,
        ),
      )
      .action(async (breachId: string, opts: { customer?: string }) => {
        ctx.done(await runBreachSetStatus({ breachId, resolved, customer: opts.customer }, ctx));
      });
  }

  const get = breach
    .command('get')
    .summary('one breach from the global catalogue, by name or UUID')
    .option('--name <name>', 'breach name, e.g. Adobe')
    .option('--uuid <uuid>', 'catalogue UUID')
    .addOption(new Option('--locale <code>', 'language of the title').choices(CATALOGUE_LOCALES))
    .addHelpText('after', fieldsHelp(CATALOGUE_FIELDS, '  (piped and --csv; a terminal gets the entry laid out)'))
    .addHelpText(
      'after',
      examples(
        'safeweb breach get --name Adobe',
        'safeweb breach get --uuid a1b2c3d4-e5f6-7890-abcd-ef1234567890 --locale sv-SE',
      ),
    )
    .action(async (opts: { name?: string; uuid?: string; locale?: string }) => {
      exactlyOne(get, '--name', '--uuid');
      if (opts.uuid !== undefined && !isUuid(opts.uuid)) usageError(get, `--uuid "${opts.uuid}" is not a UUID`);
      if (opts.name?.trim() === '') usageError(get, '--name must not be empty');
      ctx.done(await runBreachGet(opts, ctx));
    });

  breach
    .command('categories')
    .summary('the categories of data a breach can expose')
    .addHelpText('after', fieldsHelp(CATEGORY_COLUMNS))
    .addHelpText('after', examples('safeweb breach categories', 'safeweb breach categories --jq ".[].name"'))
    .action(async () => {
      ctx.done(await runBreachCategories({}, ctx));
    });
}

function parseBreachId(value: string): string {
  if (!parseBreachRef(value))
    throw new InvalidArgumentError(
      'must be a breach UUID: the Breach ID column of `safeweb customer breaches <customer>` (.[].uuid with ' +
        '--json), or the id its --json also shows.',
    );
  return value;
}
