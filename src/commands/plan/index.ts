import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runPlan } from './plan.js';

export function registerPlan(program: Command, ctx: Context): void {
  program
    .command('plan')
    .summary('show what apply would change to make the book match a manifest')
    .description(
      'Check a manifest of the whole book (YAML or JSON: customers, defaults, webhooks; see `safeweb schema ' +
        'manifest`), then compare it with the book: existence, status and info fields from the local record ' +
        '(or --state FILE), assets and webhook endpoints read live. Prints each change, Terraform-style: + create, ' +
        '~ update (old → new), - offboard or delete, ↺ reactivate. Sends nothing but reads.',
    )
    .requiredOption('-f, --file <file>', 'the manifest (YAML or JSON)')
    .option('--prune', 'offboard customers the state knows but the manifest no longer lists; delete unlisted webhooks')
    .option('--state <file>', 'compare with this state file (JSON) instead of the local record')
    .option('--exit-status', 'exit 8 when there are changes, 0 when none')
    .option('--recreate-lost-secrets', 'show each endpoint whose signing secret was lost as delete + create')
    .addHelpText(
      'after',
      examples(
        'safeweb plan --file book.yaml',
        'safeweb plan --file book.yaml --state book.state.json --exit-status   # in CI',
        'safeweb plan --file book.yaml --json | jq .summary',
      ),
    )
    .action(
      async (opts: {
        file: string;
        prune?: boolean;
        state?: string;
        exitStatus?: boolean;
        recreateLostSecrets?: boolean;
      }) => {
        ctx.done(
          await runPlan(
            {
              file: opts.file,
              prune: Boolean(opts.prune),
              state: opts.state,
              exitStatus: opts.exitStatus,
              recreateLostSecrets: opts.recreateLostSecrets,
            },
            ctx,
          ),
        );
      },
    );
}
