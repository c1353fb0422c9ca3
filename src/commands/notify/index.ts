import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { collect, parseDay, parseNonNegativeInt, parsePort, parsePositiveInt, waitOption } from '../parse.js';
import { CHANNEL_COLUMNS, MESSAGE_COLUMNS } from './columns.js';
import { runNotifyAdd, type NotifyAddOptions } from './add.js';
import { runNotifyList } from './list.js';
import { runNotifyShow } from './show.js';
import { runNotifyRemove } from './remove.js';
import { runNotifyTest } from './test.js';
import { runNotifyPlan } from './plan.js';
import { runNotifySend } from './send.js';

type Kind = NotifyAddOptions['kind'];

/**
 * Flags someone may reach for to give a secret on the command line. Declared (hidden) so that
 * commander parses them instead of echoing `--password=…` back in an "unknown option" error, and
 * the verb refuses them without ever repeating the value.
 */
const VALUE_FLAGS = ['secret', 'password', 'token', 'key', 'routing-key', 'webhook-url', 'value'] as const;

const KINDS: Array<{ kind: Kind; summary: string; secret: string; examples: string[] }> = [
  {
    kind: 'teams',
    summary: 'a Microsoft Teams channel, through a Workflow ("When a Teams webhook request is received")',
    secret: 'the Workflow URL (it carries its own signature)',
    examples: ['safeweb notify add teams soc --secret-file ~/teams-workflow-url'],
  },
  {
    kind: 'slack',
    summary: 'a Slack channel, through an incoming webhook',
    secret: 'the incoming-webhook URL',
    examples: ['pass show slack-hook | safeweb notify add slack sec-alerts --secret-stdin'],
  },
  {
    kind: 'pagerduty',
    summary: 'a PagerDuty service, through Events API v2 (incidents close when breaches are resolved)',
    secret: 'the integration (routing) key',
    examples: ['safeweb notify add pagerduty oncall --region eu --secret-stdin < routing-key.txt'],
  },
  {
    kind: 'webhook',
    summary: 'your own receiver: the event as JSON, signed as Standard Webhooks says',
    secret: 'the signing secret (whsec_ and base64; --unsigned for none)',
    examples: ['safeweb notify add webhook siem --url https://siem.msp.example/in --secret-file ~/whsec.txt'],
  },
  {
    kind: 'email',
    summary: 'email over SMTP (STARTTLS required unless --insecure-smtp)',
    secret: 'the SMTP password (with --username)',
    examples: [
      'safeweb notify add email soc-mail --host smtp.msp.example --username alerts --from alerts@msp.example --to soc@msp.example --secret-stdin',
    ],
  },
];

export function registerNotify(program: Command, ctx: Context): void {
  const notify = program
    .command('notify')
    .summary('notification channels: Teams, Slack, PagerDuty, signed webhooks, email')
    .description(
      'Channels findings are sent to, kept in the profile\u2019s integration settings ' +
        '(integrations/<profile>.yaml) with their secrets in the secret store (never a flag value). Every ' +
        'message carries the finding\u2019s key, the same in a chat card, a page, a webhook, an email header and ' +
        'a PSA ticket. Chat, pages and email mask customers\u2019 addresses unless a channel says --no-mask.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb notify add teams soc --secret-file ~/teams-workflow-url',
        'safeweb notify list',
        'safeweb notify test soc',
      ),
    );

  const add = notify
    .command('add')
    .summary('add a channel: teams, slack, pagerduty, webhook or email')
    .description(
      'Add a channel (or replace one with --force). Its secret is read from stdin, a file or a hidden prompt.',
    );
  for (const spec of KINDS) addKind(add, spec, ctx);

  notify
    .command('list')
    .summary('the channels of the profile and where each sends; never a secret')
    .addHelpText('after', fieldsHelp(CHANNEL_COLUMNS))
    .addHelpText('after', examples('safeweb notify list', 'safeweb notify list --json'))
    .action(async () => {
      ctx.done(await runNotifyList(ctx));
    });

  notify
    .command('show')
    .argument('<name>', 'the channel')
    .summary('one channel\u2019s settings and where its secret lives; never the secret')
    .addHelpText('after', examples('safeweb notify show soc'))
    .action(async (name: string) => {
      ctx.done(await runNotifyShow({ name }, ctx));
    });

  notify
    .command('remove')
    .alias('rm')
    .argument('<name>', 'the channel')
    .summary('remove a channel and its stored secret (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--keep-secret', 'leave its secret in the secret store')
    .addHelpText('after', examples('safeweb notify remove soc --yes'))
    .action(async (name: string, opts: { yes?: boolean; keepSecret?: boolean }) => {
      ctx.done(await runNotifyRemove({ name, yes: Boolean(opts.yes), keepSecret: Boolean(opts.keepSecret) }, ctx));
    });

  notify
    .command('test')
    .argument('<name>', 'the channel')
    .summary('send one sample message, labelled as a test, and print the channel\u2019s answer')
    .option(
      '--redirect-to <address>',
      'email: send the sample to this address instead of the channel\u2019s recipients',
    )
    .option('--dry-run', 'print the rendered sample (exactly what would be sent, less the secret) and send nothing')
    .addHelpText(
      'after',
      examples(
        'safeweb notify test soc',
        'safeweb notify test soc --dry-run --json | jq .payload',
        'safeweb notify test soc-mail --redirect-to me@msp.example',
      ),
    )
    .action(async (name: string, opts: { redirectTo?: string; dryRun?: boolean }) => {
      ctx.done(await runNotifyTest({ name, redirectTo: opts.redirectTo, dryRun: Boolean(opts.dryRun) }, ctx));
    });

  registerSendVerbs(notify, ctx);
}

/** The flags `notify plan` and `notify send` share: where the routes are, the first run, the cap. */
function sendOptions(cmd: Command): Command {
  return cmd
    .option('--file <manifest>', 'a book kept as code: its notify: block (channels and routes)')
    .addOption(
      new Option(
        '--include-existing',
        'on the first run, send what the book holds already too (no baseline)',
      ).conflicts('since'),
    )
    .addOption(
      new Option('--since <date>', 'on the first run, send the breaches dated on or after DATE').argParser(parseDay),
    )
    .addOption(
      new Option('--max-creates <n>', 'at most N messages a run; the rest wait for the next')
        .default(50)
        .argParser(parseNonNegativeInt(1_000_000)),
    )
    .option('--flush', 'send what a digest\u2019s window or quiet hours hold, now')
    .addOption(
      new Option('--concurrency <n>', 'customers read at once (1 to 64)').default(8).argParser(parsePositiveInt(64)),
    );
}

type SendRaw = Record<string, unknown>;
const sendFlags = (opts: SendRaw) => ({
  file: opts['file'] as string | undefined,
  includeExisting: Boolean(opts['includeExisting']),
  since: opts['since'] as string | undefined,
  maxCreates: opts['maxCreates'] as number,
  flush: Boolean(opts['flush']),
  concurrency: opts['concurrency'] as number,
});

function registerSendVerbs(notify: Command, ctx: Context): void {
  sendOptions(
    notify
      .command('plan')
      .summary('which messages notify send would send, where and when; customers skipped')
      .description(
        'Compares the book with the notification state (as notify send does, keeping nothing) and plans what ' +
          'the outbox holds for the channels: each message with its channel, route, recipients, digest window and ' +
          'when it goes (now, or when its window or quiet hours end), the customers a `to: contact` route skips ' +
          '(no known contact, or opted out), and what --max-creates leaves for the next run. Sends nothing. ' +
          '--exit-status: 8 when a message would go now.',
      ),
  )
    .option('--exit-status', 'exit 8 when a message would go now (0 when none)')
    .addHelpText(
      'after',
      fieldsHelp(MESSAGE_COLUMNS, '  (--json: an object: messages, counts, skipped, baseline, found, gone)'),
    )
    .addHelpText('after', examples('safeweb notify plan', 'safeweb notify plan --json | jq .counts'))
    .action(async (opts: SendRaw) => {
      ctx.done(await runNotifyPlan(sendFlags(opts), ctx));
    });

  sendOptions(
    notify
      .command('send')
      .summary('send what changed in the book to the channels the routes name (for cron)')
      .description(
        'Compares the book with the notification state (its first run records a baseline and sends nothing: ' +
          '--include-existing, --since), keeps what changed in the outbox routed to channels, then sends ' +
          'everything due: one message per event, or a digest per route, window and recipients after its window ' +
          'ends; quiet hours hold all but critical. At most --max-creates messages a run, paced to each far ' +
          'side\u2019s limits. Run it at least as often as the shortest digest. Waits up to 60 s for another ' +
          'notify send (--wait changes it). See docs/notify.md.',
      ),
  )
    .option('--dry-run', 'print each message as it would be sent (less the secret); keep and send nothing')
    .addOption(waitOption())
    .addHelpText(
      'after',
      examples(
        'safeweb notify send',
        'safeweb notify send --dry-run',
        'safeweb notify send --include-existing --max-creates 200',
        '*/15 * * * *  safeweb notify send --no-input >> /var/log/safeweb-notify.log 2>&1',
      ),
    )
    .action(async (opts: SendRaw) => {
      ctx.done(
        await runNotifySend(
          { ...sendFlags(opts), dryRun: Boolean(opts['dryRun']), wait: opts['wait'] as number | boolean | undefined },
          ctx,
        ),
      );
    });
}

function addKind(add: Command, spec: (typeof KINDS)[number], ctx: Context): void {
  const cmd = add
    .command(spec.kind)
    .argument('<name>', 'the channel\u2019s name, as routes name it (lower case, digits, "-", "_")')
    .summary(spec.summary)
    .description(`${spec.summary}. Its secret is ${spec.secret}, kept in the secret store as notify/<name>.`)
    .addOption(new Option('--secret-stdin', `read ${spec.secret} from stdin`).conflicts('secretFile'))
    .option('--secret-file <file>', `read ${spec.secret} from a file (one line)`)
    .option(
      '--secret-name <name>',
      'the secret store entry (default notify/<name>); one already stored is used as it is',
    )
    .addOption(
      new Option('--store <store>', 'keep the secret in the config file (default) or the OS keychain').choices([
        'file',
        'keyring',
      ]),
    )
    .option('--no-mask', 'send customers\u2019 addresses unmasked (masked by default)')
    .option('--force', 'replace a channel of the same name');
  if (spec.kind === 'pagerduty')
    cmd
      .addOption(new Option('--region <region>', 'us (default) or eu: which events host').choices(['us', 'eu']))
      .option('--url <url>', 'the events URL instead of the region\u2019s (a relay)');
  if (spec.kind === 'webhook')
    cmd
      .requiredOption('--url <url>', 'where the events are posted (https://; http:// only to this machine)')
      .addOption(
        new Option('--unsigned', 'send without a signature (no secret)').conflicts(['secretStdin', 'secretFile']),
      );
  if (spec.kind === 'email')
    cmd
      .requiredOption('--host <host>', 'the SMTP server')
      .option('--port <port>', 'the SMTP port (default 587; 465 is TLS from the start)', parsePort)
      .option('--username <user>', 'log in as this user (its password is the secret)')
      .requiredOption('--from <address>', 'the sender address')
      .option('--to <address>', 'a recipient (repeat for more)', collect)
      .option('--insecure-smtp', 'send without STARTTLS: only for a relay on this machine or a private network')
      .option(
        '--templates <dir>',
        'a directory with subject.txt, body.txt and/or body.html replacing the built-in message',
      );
  const refused: readonly string[] =
    spec.kind === 'teams' || spec.kind === 'slack' ? [...VALUE_FLAGS, 'url'] : VALUE_FLAGS;
  for (const flag of refused) cmd.addOption(new Option(`--${flag} <value>`).hideHelp());
  cmd.allowExcessArguments(true);
  cmd.addHelpText('after', examples(...spec.examples));
  cmd.action(async (name: string, opts: Record<string, unknown>) => {
    const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const given = refused.filter((flag) => opts[camel(flag)] !== undefined).map((flag) => `--${flag}`);
    if (cmd.args.length > 1) given.push('a second argument');
    ctx.done(
      await runNotifyAdd(
        {
          kind: spec.kind,
          name,
          secretStdin: Boolean(opts['secretStdin']),
          secretFile: opts['secretFile'] as string | undefined,
          secretName: opts['secretName'] as string | undefined,
          store: (opts['store'] as 'file' | 'keyring' | undefined) ?? 'file',
          url: spec.kind === 'teams' || spec.kind === 'slack' ? undefined : (opts['url'] as string | undefined),
          region: opts['region'] as 'us' | 'eu' | undefined,
          unsigned: Boolean(opts['unsigned']),
          host: opts['host'] as string | undefined,
          port: opts['port'] as number | undefined,
          username: opts['username'] as string | undefined,
          from: opts['from'] as string | undefined,
          to: opts['to'] as string[] | undefined,
          insecureSmtp: Boolean(opts['insecureSmtp']),
          templates: opts['templates'] as string | undefined,
          mask: opts['mask'] !== false,
          force: Boolean(opts['force']),
          valueGiven: given,
        },
        ctx,
      ),
    );
  });
}
