import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { SECRET_COLUMNS } from './columns.js';
import { runSecretSet } from './set.js';
import { runSecretList } from './list.js';
import { runSecretDelete } from './delete.js';

/**
 * Flags someone may reach for to give the value on the command line. They are declared (hidden)
 * so that commander parses them instead of echoing `--value=…` back in an "unknown option" error,
 * and the verb refuses them without ever repeating the value.
 */
const VALUE_FLAGS = ['value', 'secret', 'password', 'token', 'key', 'url'] as const;

export function registerSecret(program: Command, ctx: Context): void {
  const secret = program
    .command('secret')
    .summary('integration secrets (PSA keys, channel URLs, passwords): set, list, delete')
    .description(
      'Secrets the integrations use, named KIND/NAME (psa/connectwise, notify/teams-ops), kept per profile like ' +
        'the API key: in the config directory (secrets.json, mode 0600) by default, or in the OS keychain ' +
        '(--store keyring). A service gives them headless instead: a file named by SAFEWEB_SECRET_<NAME>_FILE ' +
        '(psa/connectwise: SAFEWEB_SECRET_PSA_CONNECTWISE_FILE), or systemd LoadCredential= ' +
        '($CREDENTIALS_DIRECTORY/psa.connectwise). A read looks there first, then in the keychain, then the file. ' +
        'A value is never taken as a flag value, and never shown.',
    );

  const set = secret
    .command('set')
    .argument('<name>', 'KIND/NAME, e.g. psa/connectwise')
    .summary('store a secret for the profile in use: from stdin, a file, or a hidden prompt')
    .addOption(new Option('--value-stdin', 'read the value from stdin').conflicts('fromFile'))
    .option('--from-file <file>', 'read the value from a file (one line)')
    .addOption(
      new Option('--store <store>', 'the config file (default) or the OS keychain').choices(['file', 'keyring']),
    )
    .addHelpText(
      'after',
      examples(
        'safeweb secret set psa/connectwise                       # asks, input hidden',
        'pass show cw-key | safeweb secret set psa/connectwise --value-stdin --store keyring',
        'safeweb secret set notify/teams-ops --from-file ~/teams-webhook-url',
      ),
    );
  for (const flag of VALUE_FLAGS) set.addOption(new Option(`--${flag} <value>`).hideHelp());
  // A value typed as a second argument is refused in the verb, in the same words as a value flag.
  set.allowExcessArguments(true);
  set.action(async (name: string, opts: Record<string, unknown>) => {
    const given = VALUE_FLAGS.filter((flag) => opts[flag] !== undefined).map((flag) => `--${flag}`);
    if (set.args.length > 1) given.push('a second argument');
    ctx.done(
      await runSecretSet(
        {
          name,
          valueStdin: Boolean(opts['valueStdin']),
          fromFile: opts['fromFile'] as string | undefined,
          store: (opts['store'] as 'file' | 'keyring' | undefined) ?? 'file',
          valueGiven: given,
        },
        ctx,
      ),
    );
  });

  secret
    .command('list')
    .summary('the secrets the profile in use can see and where each lives; never a value')
    .addHelpText('after', fieldsHelp(SECRET_COLUMNS, '  (in effect: the source a read takes; the others are shadowed)'))
    .addHelpText('after', examples('safeweb secret list', 'safeweb secret list --json'))
    .action(async () => {
      ctx.done(await runSecretList(ctx));
    });

  secret
    .command('delete')
    .alias('rm')
    .argument('<name>', 'KIND/NAME')
    .summary("remove a secret from the profile's store (asks first unless --yes)")
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('safeweb secret delete notify/teams-ops --yes'))
    .action(async (name: string, opts: { yes?: boolean }) => {
      ctx.done(await runSecretDelete({ name, yes: Boolean(opts.yes) }, ctx));
    });
}
