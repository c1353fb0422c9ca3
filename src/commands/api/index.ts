import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { collect } from '../parse.js';
import { examples } from '../examples.js';

export function registerApi(program: Command, ctx: Context): void {
  program
    .command('api')
    .argument('<method>', 'GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS')
    .argument('<path>', 'path after the host, e.g. /api/v1/integrations/partner/analytics')
    .summary('call any API endpoint with your credentials (the escape hatch)')
    .description(
      'Send one request to any path of the API, with the same auth, retries, timeouts, debug tracing and exit codes as every other command. Prints the response body.',
    )
    .option('--data <json>', 'request body as a JSON string')
    .option('--input <file>', 'request body from a JSON file, or - for stdin')
    .option('--query <key=value>', 'query parameter (repeatable)', collect)
    .option('--idempotent', 'allow retries of a POST or PATCH (it is safe to send twice)')
    .option('-i, --include', 'print the status line and response headers on stderr')
    .addHelpText(
      'after',
      examples(
        'safeweb api GET /api/v1/health',
        'safeweb api GET /api/v1/integrations/breach --query name=Adobe --query localeCode=da-DK',
        'safeweb api POST /api/v1/integrations/breach/check --data \'{"email":"a@b.co"}\'',
        'safeweb api PATCH /api/v1/integrations/customer/$ID/assets --input assets.json',
        'echo \'{"customerId":"..."}\' | safeweb api POST /api/integrations/customer/reactivate --input -',
      ),
    )
    .action(
      async (
        method: string,
        path: string,
        opts: { data?: string; input?: string; query?: string[]; idempotent?: boolean; include?: boolean },
      ) => {
        const { runApi } = await import('./request.js');
        ctx.done(
          await runApi(
            {
              method,
              path,
              data: opts.data,
              input: opts.input,
              query: opts.query ?? [],
              idempotent: Boolean(opts.idempotent),
              include: Boolean(opts.include),
            },
            ctx,
          ),
        );
      },
    );
}
