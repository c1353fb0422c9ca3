import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runHealth } from './check.js';

export function registerHealth(program: Command, ctx: Context): void {
  program
    .command('health')
    .summary('check that the API answers, and how fast')
    .description(
      'Call the health endpoint of the configured API. Works without credentials; sends them when a profile has some.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb health',
        'safeweb health --json',
        'safeweb health --base-url https://staging-connect.safeweb.co',
      ),
    )
    .action(async () => {
      ctx.done(await runHealth({}, ctx));
    });
}
