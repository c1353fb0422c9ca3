/** `psa plan` and `psa sync`: their flags, help and examples (registered by the noun's index). */
import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { PLAN_COLUMNS } from '../../psa/plan-summary.js';
import { examples } from '../examples.js';
import { collect, parseDay, parseNonNegativeInt, parsePositiveInt, waitOption } from '../parse.js';
import { runPsaPlan } from './plan.js';
import { runPsaSync } from './sync.js';

function planOptions(cmd: Command): Command {
  return cmd
    .argument('[connection]', 'the PSA connection (else psa.default, else the only one)')
    .option('--customers <refs>', 'only these customers (references or IDs; comma-separated, repeatable)', collect)
    .option('--file <manifest>', "a book kept as code: its psa: block and each customer's psa: mapping")
    .addOption(
      new Option(
        '--include-existing',
        'ticket findings that existed before the first sync too (no baseline)',
      ).conflicts('since'),
    )
    .addOption(
      new Option(
        '--since <date>',
        'on the first sync, ticket the findings of breaches dated on or after DATE',
      ).argParser(parseDay),
    )
    .addOption(
      new Option('--max-creates <n>', 'at most N tickets created in one run; the rest wait for the next')
        .default(50)
        .argParser(parseNonNegativeInt(1_000_000)),
    )
    .addOption(
      new Option('--concurrency <n>', 'requests in flight (1 to 64; Autotask: at most 3)')
        .default(8)
        .argParser(parsePositiveInt(64)),
    )
    .addOption(
      new Option(
        '--max-per-hour <n>',
        'Autotask: at most N requests in any rolling hour, shared by consecutive runs (default 3000, or maxPerHour)',
      ).argParser(parsePositiveInt(10_000)),
    );
}

type Raw = Record<string, unknown>;
function toPlanOptions(connection: string | undefined, opts: Raw) {
  return {
    connection,
    file: opts['file'] as string | undefined,
    customers: opts['customers'] as string[] | undefined,
    concurrency: opts['concurrency'] as number,
    includeExisting: Boolean(opts['includeExisting']),
    since: opts['since'] as string | undefined,
    maxCreates: opts['maxCreates'] as number,
    maxPerHour: opts['maxPerHour'] as number | undefined,
  };
}

export function registerPsaSyncVerbs(psa: Command, ctx: Context): void {
  planOptions(
    psa
      .command('plan')
      .summary('what psa sync would do: create, note, close, reopen tickets; resolve or unresolve in SafeWeb')
      .description(
        'Reads the findings of the book and the tickets this tool owns in the PSA (one paged query by its ' +
          'integrator tag) and shows, per customer, what `psa sync` would do: create, note, close or reopen a ' +
          'ticket, and resolve or unresolve a breach in SafeWeb because a technician closed or reopened its ' +
          'ticket. Conflicts (both sides changed) are shown; the newest change wins. Sends nothing. ' +
          '--exit-status: 8 when there is something to do. See docs/psa.md.',
      ),
  )
    .option('--exit-status', 'exit 8 when there is something to do (0 when none)')
    .addHelpText(
      'after',
      fieldsHelp(
        PLAN_COLUMNS,
        '  tells      Tells (only when a route names ticket.created or ticket.closed: the channels told)\n' +
          '  (--json: an object: actions, counts, conflicts, baseline, held, unmapped, messages)',
      ),
    )
    .addHelpText(
      'after',
      examples(
        'safeweb psa plan',
        'safeweb psa plan cw --json | jq .counts',
        'safeweb psa plan --exit-status || echo "tickets to sync"',
      ),
    )
    .action(async (connection: string | undefined, opts: Raw) => {
      ctx.done(await runPsaPlan(toPlanOptions(connection, opts), ctx));
    });

  planOptions(
    psa
      .command('sync')
      .summary('carry the plan out: tickets created, noted, closed and reopened; breaches resolved both ways')
      .description(
        'Does what `psa plan` shows. Each ticket carries its key (externalXRef) and the integrator tag; a create ' +
          'is preceded by a lookup of its key, and every note by its marker, so a sync killed at any moment and ' +
          'run again never makes a second ticket or note. The first sync of a customer takes a baseline: its ' +
          'existing findings get no ticket (--include-existing, --since). At most --max-creates tickets are ' +
          'created a run. Each ticket created or closed is kept in the outbox as a ticket.created or ' +
          'ticket.closed event for the notification routes that name them (`notify send` sends them; see ' +
          'docs/notify.md). Waits up to 60 s for another sync of the same connection (--wait changes it). ' +
          'Asks on a terminal; --yes elsewhere.',
      ),
  )
    .option('-y, --yes', 'sync without asking')
    .addOption(waitOption())
    .addHelpText(
      'after',
      examples(
        'safeweb psa sync',
        'safeweb psa sync --yes --json',
        'safeweb psa sync --include-existing --max-creates 500 --yes',
        '*/15 * * * *  safeweb psa sync --yes --no-input >> /var/log/safeweb-psa.log 2>&1',
      ),
    )
    .action(async (connection: string | undefined, opts: Raw) => {
      ctx.done(
        await runPsaSync(
          {
            ...toPlanOptions(connection, opts),
            yes: Boolean(opts['yes']),
            wait: opts['wait'] as number | boolean | undefined,
          },
          ctx,
        ),
      );
    });
}
