import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runIntegrationsShow } from './show.js';
import { runIntegrationsCheck } from './check.js';

export function registerIntegrations(program: Command, ctx: Context): void {
  const integrations = program
    .command('integrations')
    .summary('the integration settings: PSA connections, channels, routes, customer tags and mappings')
    .description(
      'The settings tickets and notifications use, one file per profile (or, without a profile, per partner ' +
        'account) in the config directory: integrations/<profile>.yaml, mode 0600. `psa add` and `set`, `psa map --write` and ' +
        '`notify add` write it; routes you write by hand (comments are kept), then run `integrations check`. It ' +
        'never holds a secret: `secret:` names an entry of the secret store. A manifest may carry the same ' +
        '`psa:` and `notify:` blocks, and `tags:` and `psa:` on each customer: with --file, those are used.',
    );

  integrations
    .command('show')
    .summary('print the integration settings (of the profile, or of a manifest with --file)')
    .option('--file <manifest>', "the settings kept in a manifest (its psa, notify, and customers' tags and psa)")
    .addHelpText(
      'after',
      examples(
        'safeweb integrations show',
        'safeweb integrations show --json | jq ".settings.notify.routes"',
        'safeweb integrations show --file book.yaml',
      ),
    )
    .action(async (opts: { file?: string }) => {
      ctx.done(await runIntegrationsShow(opts, ctx));
    });

  integrations
    .command('check')
    .summary('validate the integration settings; exit 2 listing every problem with its line')
    .option('--file <manifest>', 'check the settings kept in a manifest instead (with the rest of the manifest)')
    .addHelpText(
      'after',
      examples(
        'safeweb integrations check',
        'safeweb integrations check --file book.yaml',
        'safeweb schema integrations',
      ),
    )
    .action(async (opts: { file?: string }) => {
      ctx.done(await runIntegrationsCheck(opts, ctx));
    });
}
