import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runDoctor } from './check.js';

export function registerDoctor(program: Command, ctx: Context): void {
  program
    .command('doctor')
    .summary('check the setup: config, credentials, network, proxy, clock, outbox, integrations, receiver')
    .description(
      'Check, one line each: the config file and its permissions, the profile in use and where its ' +
        'credentials come from, the base URL, proxy settings, that the API answers (and how fast), that ' +
        'the credentials are accepted, the clock against the server, the local record, the outbox ' +
        '(per sink: pending, retrying, dead-lettered, the last error; a dead-lettered item is a warning), ' +
        "each integration's reachability, and a receiver (safeweb serve) of this account: running, ready, what it " +
        'took. Exits non-zero when a check fails.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb doctor',
        'safeweb doctor --profile staging',
        'safeweb doctor --json | jq ".[] | select(.ok == false)"',
      ),
    )
    .action(async () => {
      ctx.done(await runDoctor({}, ctx));
    });
}
