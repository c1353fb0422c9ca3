import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { HTTP_METHODS, parseMethod } from '../parse.js';
import { examples } from '../examples.js';
import { runApi } from './request.js';

/** Only a path: the host comes from the profile or --base-url, so the key never goes elsewhere. */
function parsePath(value: string): string {
  if (!value.startsWith('/'))
    throw new InvalidArgumentError(
      'the path must start with /; give only the path, the host comes from the profile or --base-url.',
    );
  return value;
}

/** Repeatable `--query key=value`, kept in order. */
function collectQuery(value: string, previous: Array<[string, string]> = []): Array<[string, string]> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('write it as --query name=value.');
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function registerApi(program: Command, ctx: Context): void {
  program
    .command('api')
    .addArgument(new Argument('<method>', 'HTTP method, in any case').choices(HTTP_METHODS).argParser(parseMethod))
    .addArgument(
      new Argument('<path>', 'path after the host, e.g. /api/v1/integrations/partner/analytics').argParser(parsePath),
    )
    .summary('call any API endpoint with your credentials (the escape hatch)')
    .description(
      'Send one request to any path of the API, with the same auth, retries, timeouts, debug tracing ' +
        'and exit codes as every other command. Prints the response body.',
    )
    .addOption(new Option('--data <json>', 'request body as a JSON string').conflicts('input'))
    .option('--input <file>', 'request body from a JSON file, or - for stdin')
    .option('--query <key=value>', 'query parameter (repeatable)', collectQuery)
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
        opts: {
          data?: string;
          input?: string;
          query?: Array<[string, string]>;
          idempotent?: boolean;
          include?: boolean;
        },
      ) => {
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
