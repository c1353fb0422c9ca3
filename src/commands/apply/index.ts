import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { parsePositiveInt, waitOption } from '../parse.js';
import { runApply } from './apply.js';

export function registerApply(program: Command, ctx: Context): void {
  program
    .command('apply')
    .summary('make the book match a manifest: onboard, update, offboard, webhooks')
    .description(
      'Recompute the plan (as `safeweb plan`), show it, ask to confirm (on a terminal; elsewhere --yes is needed), ' +
        'then carry it out with bounded concurrency and pace, a progress bar, and a line per change. Ctrl+C ' +
        'finishes the changes in flight. Running it again after a failure or an interruption does only what is ' +
        'left, and settles creates whose outcome was unknown without doubling them. Signing secrets of new ' +
        'webhook endpoints go to --secret-dir, never to the screen.',
    )
    .requiredOption('-f, --file <file>', 'the manifest (YAML or JSON)')
    .option('--prune', 'offboard customers the state knows but the manifest no longer lists; delete unlisted webhooks')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--secret-dir <dir>', 'where each new webhook endpoint’s signing secret is written (0700 dir, 0600 files)')
    .option('--state <file>', 'use and update this state file (JSON) instead of the local record alone')
    .addOption(new Option('--concurrency <n>', 'requests in flight at once').default(8).argParser(parsePositiveInt(64)))
    .addOption(
      new Option('--results <file>', 'write one NDJSON line per change (status, IDs, error)').conflicts('resume'),
    )
    .option('--resume <file>', 'continue this results file: settle changes whose outcome was unknown')
    .option('--force', 'replace an existing --results file instead of refusing it')
    .option(
      '--recreate-lost-secrets',
      'delete and recreate each endpoint whose signing secret was lost (plan names them)',
    )
    .addOption(waitOption())
    .addHelpText(
      'after',
      examples(
        'safeweb apply --file book.yaml',
        'safeweb apply --file book.yaml --yes --secret-dir secrets/   # in CI, on merge',
        'safeweb apply --file book.yaml --prune --state book.state.json --yes',
        'safeweb apply --file book.yaml --yes --results run.ndjson',
        'safeweb apply --file book.yaml --yes --resume run.ndjson      # after a stop or a crash',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      ctx.done(
        await runApply(
          {
            file: opts['file'] as string,
            prune: Boolean(opts['prune']),
            yes: Boolean(opts['yes']),
            secretDir: opts['secretDir'] as string | undefined,
            state: opts['state'] as string | undefined,
            concurrency: opts['concurrency'] as number,
            results: opts['results'] as string | undefined,
            resume: opts['resume'] as string | undefined,
            wait: opts['wait'] as boolean | number | undefined,
            recreateLostSecrets: Boolean(opts['recreateLostSecrets']),
            force: Boolean(opts['force']),
          },
          ctx,
        ),
      );
    });
}
