import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runCompletion } from './print.js';
import { runCompleteCustomers } from './customers.js';

export function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .summary('print a shell completion script (bash, zsh, fish)')
    .description(
      'Print a completion script generated from the live command tree: commands, flags, flag values and your profile names.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb completion bash > ~/.local/share/bash-completion/completions/safeweb',
        'safeweb completion zsh > "${fpath[1]}/_safeweb"',
        'safeweb completion fish > ~/.config/fish/completions/safeweb.fish',
      ),
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      ctx.done(await runCompletion({ shell }, ctx, program));
    });

  // For the completion scripts only: the customer references of the local record.
  program
    .command('__complete', { hidden: true })
    .addArgument(new Argument('<what>').choices(['customers']))
    .addOption(new Option('--status <status>').choices(['active', 'offboarded']))
    .action(async (_what: string, opts: { status?: 'active' | 'offboarded' }) => {
      ctx.done(await runCompleteCustomers({ status: opts.status }, ctx));
    });

  // For scripts/gen-docs.js only: the command reference (docs/commands.md) from the live tree.
  // Deliberately not among this noun's names in program.ts: a word that names no noun builds the
  // whole tree, which the reference must list.
  program.command('__docs', { hidden: true }).action(async () => {
    const { runCommandReference } = await import('./print.js');
    ctx.done(runCommandReference(program));
  });
}
