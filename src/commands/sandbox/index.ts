import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { examples } from '../examples.js';
import { parseNonNegativeInt, parsePort, parseShare } from '../parse.js';
import { runSandboxStart, type FaultFlags, type PsaEmulatorName, type PsaEmulatorOptions } from './start.js';
import { runSandboxDeliveries } from './deliveries.js';
import { runSandboxExec } from './exec.js';

interface FaultOpts {
  latency?: number;
  errorRate?: number;
  rateLimit?: number;
  seed?: number;
  psa?: PsaEmulatorName[];
  psaLatency?: number;
  psaErrorRate?: number;
  psa429Rate?: number;
}

/** Kept here as well as in start.ts so that --help loads no verb module. */
const PSA_CHOICES: readonly PsaEmulatorName[] = ['connectwise', 'autotask', 'halo'];

/** `connectwise`, `autotask`, `halo`, or several: `connectwise,halo`. */
function parsePsaNames(value: string): PsaEmulatorName[] {
  const names = value.split(',').map((n) => n.trim().toLowerCase());
  for (const n of names)
    if (!(PSA_CHOICES as readonly string[]).includes(n))
      throw new InvalidArgumentError(`Allowed choices are ${PSA_CHOICES.join(', ')} (several: connectwise,autotask).`);
  return [...new Set(names)] as PsaEmulatorName[];
}

/** The fault knobs, on `start` and on `exec`: a slow, flaky, throttled API on demand. */
function addFaultOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--latency <ms>', 'add this delay to every API answer').argParser(parseNonNegativeInt(60_000)),
    )
    .addOption(
      new Option('--error-rate <p>', 'answer this share of API requests (0 to 1) with 503').argParser(parseShare),
    )
    .addOption(
      new Option('--rate-limit <n>', 'API requests per second; beyond, 429 with Retry-After').argParser(
        parseNonNegativeInt(100_000),
      ),
    )
    .addOption(
      new Option('--seed <n>', 'draw the --error-rate failures from this seed, the same ones each run').argParser(
        parseNonNegativeInt(4_294_967_295),
      ),
    )
    .addOption(
      new Option(
        '--psa <names>',
        `also run a PSA emulator on a port of its own: ${PSA_CHOICES.join(', ')}, or several (comma-separated)`,
      ).argParser(parsePsaNames),
    )
    .addOption(
      new Option('--psa-latency <ms>', 'add this delay to every PSA emulator answer').argParser(
        parseNonNegativeInt(60_000),
      ),
    )
    .addOption(
      new Option('--psa-error-rate <p>', 'answer this share of PSA requests (0 to 1) with 503').argParser(parseShare),
    )
    .addOption(
      new Option('--psa-429-rate <p>', 'answer this share of PSA requests (0 to 1) with 429 and Retry-After').argParser(
        parseShare,
      ),
    );
}

function psaFrom(opts: FaultOpts): PsaEmulatorOptions | undefined {
  if (!opts.psa) {
    if (opts.psaLatency !== undefined || opts.psaErrorRate !== undefined || opts.psa429Rate !== undefined)
      throw new UsageError('--psa-latency, --psa-error-rate and --psa-429-rate need --psa', 'Add --psa connectwise.');
    return undefined;
  }
  return {
    names: opts.psa,
    faults: { latencyMs: opts.psaLatency, errorRate: opts.psaErrorRate, throttleRate: opts.psa429Rate },
  };
}

function faultsFrom(opts: FaultOpts): FaultFlags {
  return { latencyMs: opts.latency, errorRate: opts.errorRate, rateLimit: opts.rateLimit, seed: opts.seed };
}

export function registerSandbox(program: Command, ctx: Context): void {
  const sandbox = program
    .command('sandbox')
    .summary('a local emulator of the SafeWeb API, for trying and testing')
    .description(
      'Run a local emulator of the SafeWeb Partner API on 127.0.0.1 with realistic seed data. No network and no real credentials needed.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb sandbox start --save-profile',
        'safeweb sandbox start --port 4010 --state ./sandbox.json',
        'safeweb sandbox exec -- ./my-script.sh',
      ),
    );

  const start = sandbox
    .command('start')
    .summary('run the sandbox until Ctrl+C')
    .description(
      'Start the sandbox on 127.0.0.1 and print its URL, partner ID and API key. With --save-profile ' +
        'it also stores a profile pointing at it.',
    )
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').default(4010).argParser(parsePort))
    .option('--state <file>', 'keep the data in this JSON file across restarts')
    .addOption(
      new Option('--save-profile [name]', 'store a profile for it (default name "sandbox") and make it active').preset(
        'sandbox',
      ),
    )
    .option('--quiet', 'do not log each request');
  addFaultOptions(start)
    .addHelpText(
      'after',
      examples(
        'safeweb sandbox start --save-profile',
        'safeweb sandbox start --port 0 --json   # prints {url, partnerId, apiKey} first',
        'safeweb sandbox start --latency 200 --error-rate 0.05 --rate-limit 20   # a slow, flaky, throttled API',
        'safeweb sandbox start --error-rate 0.2 --seed 42   # the same failures on every run',
        'safeweb sandbox start --psa connectwise --psa-latency 100   # plus a ConnectWise PSA emulator',
        'safeweb sandbox start --psa connectwise,autotask   # both PSA emulators, each on its own port',
        'safeweb sandbox start --psa halo   # a HaloPSA emulator, its OAuth2 token endpoint included',
      ),
    )
    .action(async (opts: FaultOpts & { port: number; state?: string; saveProfile?: string; quiet?: boolean }) => {
      ctx.done(
        await runSandboxStart(
          {
            port: opts.port,
            state: opts.state,
            saveProfile: opts.saveProfile,
            quiet: Boolean(opts.quiet),
            faults: faultsFrom(opts),
            psa: psaFrom(opts),
          },
          ctx,
        ),
      );
    });

  sandbox
    .command('deliveries')
    .summary("the sandbox's log of webhook delivery attempts")
    .description(
      'Show every webhook delivery the running sandbox made for your endpoints, with each attempt. ' +
        'Uses the active profile, which must point at the sandbox.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb sandbox deliveries',
        `safeweb sandbox deliveries --jq '.[] | select(.status == "failed") | .id'`,
      ),
    )
    .action(async () => {
      ctx.done(await runSandboxDeliveries({}, ctx));
    });

  const exec = sandbox
    .command('exec')
    .argument('<command...>', 'the command to run, after --')
    .summary('run one command against a fresh sandbox, then stop it')
    .description(
      'Start a sandbox on a free port, run the command with SAFEWEB_BASE_URL, SAFEWEB_PARTNER_ID and ' +
        "SAFEWEB_API_KEY pointing at it, stop the sandbox, and exit with the command's exit code. With --psa " +
        'connectwise, SAFEWEB_TEST_CW_URL, _API_BASE, _COMPANY_ID, _PUBLIC_KEY, _PRIVATE_KEY and _CLIENT_ID name the PSA emulator; ' +
        'with --psa halo, SAFEWEB_TEST_HALO_URL, _API_BASE, _CLIENT_ID and _CLIENT_SECRET.',
    )
    .option('--state <file>', 'use (and keep) the data in this JSON file');
  addFaultOptions(exec)
    .addHelpText(
      'after',
      examples(
        'safeweb sandbox exec -- safeweb partner analytics',
        "safeweb sandbox exec -- bash -c 'safeweb partner plans --json | jq length'",
        'safeweb sandbox exec --error-rate 0.3 --seed 7 -- ./retry-test.sh   # repeatable failures',
        'safeweb sandbox exec --psa connectwise -- ./psa-test.sh   # SAFEWEB_TEST_CW_* name the emulator',
        'safeweb sandbox exec --psa autotask -- ./psa-test.sh   # SAFEWEB_TEST_AT_* name the emulator',
        'safeweb sandbox exec --psa halo -- ./psa-test.sh   # SAFEWEB_TEST_HALO_* name the emulator',
      ),
    )
    .action(async (command: string[], opts: FaultOpts & { state?: string }) => {
      ctx.done(await runSandboxExec({ command, state: opts.state, faults: faultsFrom(opts), psa: psaFrom(opts) }, ctx));
    });
}
