import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';

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
    .addHelpText('after', examples('safeweb login', 'safeweb login --profile staging   # preset the profile name'))
    .action(async (opts: { verify?: boolean }) => {
      const { runLogin } = await import('./login.js');
      ctx.done(await runLogin({ verify: opts.verify !== false }, ctx));
    });
}
