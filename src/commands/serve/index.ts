import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import {
  collect,
  parseDay,
  parseDuration,
  parseHttpUrl,
  parseNonNegativeInt,
  parsePort,
  parseSize,
  parseUrlPath,
} from '../parse.js';
import { runServe } from './serve.js';
import { runServeCheck } from './check.js';

export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8787, path: '/safeweb/events' } as const;

export function registerServe(program: Command, ctx: Context): void {
  const serve = program
    .command('serve')
    .summary("the receiver for SafeWeb's event deliveries: verified, kept, then tickets and notifications")
    .description(
      'Receive SafeWeb deliveries (both protocols, on one path) behind your TLS proxy: each is verified against ' +
        'every secret held (--secret-file, apply’s --secret-dir, the stored webhook/* secrets; SIGHUP reads them ' +
        'again), its events put in the outbox on disk before the 2xx, then routed to the PSA ' +
        'connections and notification channels the routes name. A replay is answered the same and routed once. On start and every --reconcile, ' +
        'the watch comparison catches up on what was missed. /healthz, /readyz and /metrics (Prometheus) on the ' +
        'same port or --admin-port. One receiver per account. SIGTERM drains (exit 0), Ctrl+C exit 130. ' +
        'See docs/serve.md.',
    )
    .option('--host <host>', `address to listen on (default ${SERVE_DEFAULTS.host}: behind a proxy on this machine)`)
    .addOption(
      new Option('--port <port>', 'port to listen on (0 picks a free one)')
        .default(SERVE_DEFAULTS.port)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--path <path>', 'the path deliveries are POSTed to')
        .default(SERVE_DEFAULTS.path)
        .argParser(parseUrlPath),
    )
    .addOption(
      new Option('--admin-port <port>', '/healthz, /readyz and /metrics on this port instead').argParser(parsePort),
    )
    .option('--secret-file <file>', 'a file holding an endpoint or organisation secret (repeatable)', collect)
    .option('--secret-dir <dir>', 'the directory `apply --secret-dir` keeps endpoint secrets in (every *.secret)')
    .addOption(
      new Option('--max-body <size>', 'the largest delivery accepted')
        .default(1024 * 1024, '1MiB')
        .argParser(parseSize),
    )
    .addOption(
      new Option('--drain <duration>', 'on SIGTERM, how long to let work in flight finish')
        .default(30_000, '30s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option('--reconcile <duration>', 'how often to catch up with the watch comparison')
        .default(15 * 60_000, '15m')
        .argParser(parseDuration),
    )
    .addOption(
      new Option(
        '--catch-up-from <date>',
        'the first catch-up routes breaches dated from DATE instead of a baseline',
      ).argParser(parseDay),
    )
    .addOption(
      new Option('--max-creates <n>', 'tickets a catch-up pass may create per PSA sync (delivered events add theirs)')
        .default(50)
        .argParser(parseNonNegativeInt(1_000_000)),
    )
    .option('--state <file>', "the catch-up's state file (default: <config dir>/serve/<account>.state.json)")
    .addHelpText(
      'after',
      examples(
        'safeweb serve --secret-file org.secret',
        'safeweb serve --secret-dir ./secrets --admin-port 9464 --json >> deliveries.ndjson',
        'kill -HUP $(pgrep -f "safeweb serve")   # after webhook secret cycle',
        'safeweb serve check --url https://hooks.example.com/safeweb/events --secret-file org.secret',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      ctx.done(
        await runServe(
          {
            host: (opts['host'] as string | undefined) ?? SERVE_DEFAULTS.host,
            port: opts['port'] as number,
            path: opts['path'] as string,
            adminPort: opts['adminPort'] as number | undefined,
            secretFiles: (opts['secretFile'] as string[] | undefined) ?? [],
            secretDir: opts['secretDir'] as string | undefined,
            maxBodyBytes: opts['maxBody'] as number,
            drainMs: opts['drain'] as number,
            reconcileMs: opts['reconcile'] as number,
            catchUpFrom: opts['catchUpFrom'] as string | undefined,
            maxCreates: opts['maxCreates'] as number,
            state: opts['state'] as string | undefined,
          },
          ctx,
        ),
      );
    });

  serve
    .command('check')
    .summary('send a correctly signed test delivery through the public URL and report what came back')
    .description(
      'Sends one v1 test delivery (type safeweb.serve.check: verified and answered, nothing acted on) to the ' +
        'URL SafeWeb delivers to — through your proxy and TLS — signed with a secret the receiver holds, and ' +
        'checks the answer: a 2xx signed over its X-Token with the same secret, within --timeout. Exit 0 when it is; 5 when it is not.',
    )
    .addOption(
      new Option('--url <url>', 'the public URL of the receiver').makeOptionMandatory().argParser(parseHttpUrl),
    )
    .option('--secret-file <file>', 'the secret to sign with (else the stored webhook/* secret)')
    .addHelpText(
      'after',
      examples('safeweb serve check --url https://hooks.example.com/safeweb/events --secret-file org.secret'),
    )
    .action(async (opts: { url: string }, command: Command) => {
      // `serve` has a --secret-file of its own, and commander gives it the flag wherever it stands.
      const given = command.optsWithGlobals()['secretFile'] as string | string[] | undefined;
      const secretFile = Array.isArray(given) ? given.at(-1) : given;
      ctx.done(await runServeCheck({ url: opts.url, secretFile }, ctx));
    });
}
