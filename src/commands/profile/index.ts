import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { SETTING_COLUMNS } from '../setting-columns.js';
import { PROFILE_COLUMNS } from './columns.js';
import { usageError } from '../parse.js';
import { runProfileAdd } from './add.js';
import { runProfileList } from './list.js';
import { runProfileUse } from './use.js';
import { runProfileShow } from './show.js';
import { runProfileSet } from './set.js';
import { runProfileRemove } from './remove.js';

export function registerProfile(program: Command, ctx: Context): void {
  const profile = program
    .command('profile')
    .summary('stored credentials: add, list, use, show, remove')
    .description(
      'Manage stored profiles. A profile is a partner ID, an API key and a base URL. Stored in the ' +
        'config directory (SAFEWEB_CONFIG_DIR overrides it), mode 0600.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb profile add prod --partner-id P123 --api-key-file ~/.safeweb-key',
        'safeweb profile list',
        'safeweb profile use staging',
        'safeweb profile show',
      ),
    );

  const add = profile
    .command('add')
    .argument('<name>', 'profile name')
    .summary('store a profile without prompts (for scripts)')
    .description(
      'Store a profile non-interactively. The API key comes from stdin or a file, never from a flag ' +
        'value. Uses the global --partner-id and --base-url.',
    )
    .addOption(new Option('--api-key-stdin', 'read the API key from stdin').conflicts('apiKeyFile'))
    .option('--api-key-file <file>', 'read the API key from a file')
    .addOption(
      new Option('--env <environment>', 'production or staging (instead of --base-url)').choices([
        'production',
        'staging',
      ]),
    )
    .option('--use', 'make it the active profile (the first profile always is)')
    .option('--force', 'replace a profile of the same name')
    .option('--verify', 'check the credentials with a real request before saving')
    .addOption(storeOption('where to keep the API key: the config file (default) or the OS keychain'))
    .option('--read-only', 'refuse every command that would change something (for reporting jobs)')
    .addHelpText(
      'after',
      examples(
        'safeweb profile add prod --partner-id P123 --api-key-file ~/.safeweb-key',
        'pass show safeweb | safeweb profile add staging --env staging --partner-id P123 --api-key-stdin',
        'safeweb profile add local --base-url http://127.0.0.1:4010 --partner-id sandbox-partner --api-key-stdin < key.txt',
        'safeweb profile add reports --partner-id P123 --api-key-stdin --store keyring --read-only --mask-pii',
      ),
    )
    .action(
      async (
        name: string,
        opts: {
          apiKeyStdin?: boolean;
          apiKeyFile?: string;
          env?: 'production' | 'staging';
          use?: boolean;
          force?: boolean;
          verify?: boolean;
          store?: 'file' | 'keyring';
          readOnly?: boolean;
        },
      ) => {
        // --base-url is a global flag, which commander's .conflicts() cannot pair with this one.
        if (opts.env && add.optsWithGlobals()['baseUrl'] !== undefined)
          usageError(add, '--env and --base-url cannot be used together; give one of them');
        ctx.done(
          await runProfileAdd(
            {
              name,
              apiKeyStdin: Boolean(opts.apiKeyStdin),
              apiKeyFile: opts.apiKeyFile,
              env: opts.env,
              use: Boolean(opts.use),
              force: Boolean(opts.force),
              verify: Boolean(opts.verify),
              store: opts.store ?? 'file',
              readOnly: Boolean(opts.readOnly),
            },
            ctx,
          ),
        );
      },
    );

  profile
    .command('list')
    .summary('stored profiles, the active one marked, keys masked')
    .option('--names', 'print only the names, one per line (for completion scripts)')
    .addHelpText('after', fieldsHelp(PROFILE_COLUMNS, '  (active: * marks the active profile)'))
    .addHelpText('after', examples('safeweb profile list', 'safeweb profile list --jq ".[].name"'))
    .action(async (opts: { names?: boolean }) => {
      ctx.done(await runProfileList({ names: Boolean(opts.names) }, ctx));
    });

  profile
    .command('use')
    .argument('<name>', 'profile name')
    .summary('make a profile the active one')
    .addHelpText('after', examples('safeweb profile use staging'))
    .action(async (name: string) => {
      ctx.done(await runProfileUse({ name }, ctx));
    });

  profile
    .command('show')
    .argument('[name]', 'profile name (default: what this command would use now)')
    .summary('each setting in effect and where it came from')
    .description(
      'Show the partner ID, API key (masked), base URL and profile in effect, and where each came ' +
        'from: flag, environment or stored profile.',
    )
    .option('--reveal-key', 'print the API key in full')
    .addHelpText('after', fieldsHelp(SETTING_COLUMNS))
    .addHelpText(
      'after',
      examples(
        'safeweb profile show',
        'SAFEWEB_BASE_URL=http://127.0.0.1:4010 safeweb profile show',
        'safeweb profile show prod --json',
      ),
    )
    .action(async (name: string | undefined, opts: { revealKey?: boolean }) => {
      ctx.done(await runProfileShow({ name, revealKey: Boolean(opts.revealKey) }, ctx));
    });

  const set = profile
    .command('set')
    .argument('<name>', 'profile name')
    .summary('make a profile read-only, mask personal data, or move its key to the keychain')
    .description(
      'Change how a stored profile behaves. --read-only refuses every command that would change something, ' +
        'before anything is sent (exit 2); --mask-pii masks e-mail addresses and names in everything shown ' +
        '(--no-mask-pii turns it off); --store moves the API key between the config file and the OS keychain ' +
        '(the old copy is removed only after the new one reads back).',
    )
    .addOption(new Option('--read-only', 'refuse commands that would change something').conflicts('readWrite'))
    .option('--read-write', 'allow changes again')
    .addOption(storeOption('move the API key into the OS keychain, or back into the config file'))
    .option('--display-name <name>', 'the partner’s name as its reports show it ("" removes it)')
    .addHelpText(
      'after',
      examples(
        'safeweb profile set reports --read-only',
        'safeweb profile set prod --display-name "Contoso IT"',
        'safeweb profile set prod --store keyring',
        'safeweb profile set demo --mask-pii          # for screen sharing',
      ),
    )
    .action(
      async (
        name: string,
        opts: { readOnly?: boolean; readWrite?: boolean; store?: 'file' | 'keyring'; displayName?: string },
      ) => {
        // --mask-pii / --no-mask-pii are the global flags (commander reads them anywhere): here they set the profile.
        const mask = set.optsWithGlobals()['maskPii'] as boolean | undefined;
        const readOnly = opts.readOnly ? true : opts.readWrite ? false : undefined;
        const { store, displayName } = opts;
        ctx.done(await runProfileSet({ name, readOnly, maskPii: mask, store, displayName }, ctx));
      },
    );

  profile
    .command('remove')
    .alias('rm')
    .argument('<name>', 'profile name')
    .summary('delete a stored profile and its keychain entry (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('safeweb profile remove old', 'safeweb profile remove old --yes'))
    .action(async (name: string, opts: { yes?: boolean }) => {
      ctx.done(await runProfileRemove({ name, yes: Boolean(opts.yes) }, ctx));
    });
}

function storeOption(description: string): Option {
  return new Option('--store <store>', description).choices(['file', 'keyring']);
}
