import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runLogin } from './login.js';

export function registerLogin(program: Command, ctx: Context): void {
  program
    .command('login')
    .summary('store your credentials in a profile, interactively')
    .description(
      'A short wizard: profile name, environment (production, staging or a custom URL), partner ID and ' +
        'API key (masked). The credentials are checked with a real request before anything is saved. For ' +
        'scripts, use `safeweb profile add`.',
    )
    .option('--no-verify', 'save without checking the credentials against the API')
    .addOption(
      new Option('--store <store>', 'where to keep the API key: the config file (default) or the OS keychain').choices([
        'file',
        'keyring',
      ]),
    )
    .addHelpText(
      'after',
      examples(
        'safeweb login',
        'safeweb login --profile staging   # preset the profile name',
        'safeweb login --store keyring     # the key in the OS keychain, not in a file',
      ),
    )
    .action(async (opts: { verify?: boolean; store?: 'file' | 'keyring' }) => {
      ctx.done(await runLogin({ verify: opts.verify !== false, store: opts.store ?? 'file' }, ctx));
    });
}
