import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { parsePositiveInt } from '../parse.js';
import { FINDING_COLUMNS } from './columns.js';
import { runFindings } from './list.js';

export function registerFindings(program: Command, ctx: Context): void {
  program
    .command('findings')
    .summary("the book's current findings (unresolved breaches) with their stable keys")
    .description(
      'Read every active customer of the local record (or the ones named) and list each unresolved breach as a ' +
        'finding, with its key: made from SafeWeb identities only (partner, customer ID, breach uuid), the same ' +
        'on every machine and every run, and the key tickets and notifications join on. `safeweb schema event` ' +
        'describes the events that change them.',
    )
    .addOption(new Option('--customers <refs...>', 'only these customers (references or IDs; also comma-separated)'))
    .addOption(
      new Option('--concurrency <n>', 'customers read at once (1 to 64)').default(8).argParser(parsePositiveInt(64)),
    )
    .addHelpText(
      'after',
      fieldsHelp(FINDING_COLUMNS, '  (--json: a list; each also has partnerId, customerId, companyName, breachName)'),
    )
    .addHelpText(
      'after',
      examples(
        'safeweb findings',
        'safeweb findings --customers ACME-001 --json | jq -r ".[].key"',
        'safeweb findings --csv > findings.csv',
      ),
    )
    .action(async (opts: { customers?: string[]; concurrency: number }) => {
      ctx.done(await runFindings(opts, ctx));
    });
}
