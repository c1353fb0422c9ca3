import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { OUTBOX_COLUMNS } from './columns.js';
import { runOutboxStatus } from './status.js';
import { runOutboxRetry } from './retry.js';
import { runOutboxDrop } from './drop.js';
import { runOutboxCompact } from './compact.js';

const DAY = 86_400_000;

/** A retention: whole days (90d), weeks (13w) or hours (36h). */
function parseRetain(value: string): number {
  const match = /^(\d+)(h|d|w)$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) throw new InvalidArgumentError('use a duration like 90d, 13w or 36h.');
  return Number(match[1]) * { h: 3_600_000, d: DAY, w: 7 * DAY }[match[2] as 'h' | 'd' | 'w'];
}

export function registerOutbox(program: Command, ctx: Context): void {
  const outbox = program
    .command('outbox')
    .summary('the durable queue between the events found and the sinks that act on them')
    .description(
      'Every event a source finds (portfolio watch, the receiver) is kept on disk, per partner account, in the ' +
        'config directory (outbox/*.ndjson, mode 0600) before any sink acts on it; each sink (PSA tickets, ' +
        'notifications) records what the far side acknowledged. Failures are retried with backoff, then ' +
        'dead-lettered. These commands show it and repair it; they send nothing.',
    );

  outbox
    .command('status')
    .summary('per sink: pending, held, retrying, dead-lettered, the last acknowledgement and the last error')
    .addHelpText('after', fieldsHelp(OUTBOX_COLUMNS, '  (--json: {account, journal, items, sinks: [...]})'))
    .addHelpText('after', examples('safeweb outbox status', 'safeweb outbox status --json | jq ".sinks[].dead"'))
    .action(async () => {
      ctx.done(await runOutboxStatus(ctx));
    });

  outbox
    .command('retry')
    .argument('[keys...]', 'the event keys to retry (all of them when none is given)')
    .summary('send retrying and dead-lettered items back to pending, to be tried at the next run')
    .addOption(new Option('--sink <name>', 'only for this sink'))
    .addHelpText(
      'after',
      examples('safeweb outbox retry --sink psa', 'safeweb outbox retry sw:breach.new:0f3c9e…', 'safeweb outbox retry'),
    )
    .action(async (keys: string[], opts: { sink?: string }) => {
      ctx.done(await runOutboxRetry({ keys, sink: opts.sink }, ctx));
    });

  outbox
    .command('drop')
    .argument('<keys...>', 'the event keys to remove')
    .summary('remove items from the outbox: no sink acts on them again (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('safeweb outbox drop sw:breach.new:0f3c9e… --yes'))
    .action(async (keys: string[], opts: { yes?: boolean }) => {
      ctx.done(await runOutboxDrop({ keys, yes: Boolean(opts.yes) }, ctx));
    });

  outbox
    .command('compact')
    .summary('rewrite the journal without items finished (acked or dead) longer ago than --retain')
    .addOption(
      new Option('--retain <duration>', 'keep finished items this long: 90d, 13w, 36h')
        .default(90 * DAY, '90d')
        .argParser(parseRetain),
    )
    .addHelpText('after', examples('safeweb outbox compact', 'safeweb outbox compact --retain 30d'))
    .action(async (opts: { retain: number }) => {
      ctx.done(await runOutboxCompact({ retainMs: opts.retain }, ctx));
    });
}
