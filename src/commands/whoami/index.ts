import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { SETTING_COLUMNS } from '../setting-columns.js';
import { runWhoami } from './whoami.js';

export function registerWhoami(program: Command, ctx: Context): void {
  program
    .command('whoami')
    .summary('the profile, partner and API this command line would use, and why')
    .description(
      'Show the profile in effect and why (--profile, SAFEWEB_PROFILE or the active profile), the partner ID, ' +
        'the environment and base URL, and where the API key comes from — never the key itself. Sends ' +
        'nothing. Exit 4 when there are no credentials.',
    )
    .addHelpText('after', fieldsHelp(SETTING_COLUMNS))
    .addHelpText(
      'after',
      examples(
        'safeweb whoami',
        'safeweb whoami --profile staging',
        'safeweb whoami --json   # in a cron log, before a write',
      ),
    )
    .action(async () => {
      ctx.done(await runWhoami({}, ctx));
    });
}
