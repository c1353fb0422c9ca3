import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { EVENTS, V1_EVENTS } from '../../webhooks/events.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { CREATED_FIELDS, WEBHOOK_COLUMNS } from './columns.js';
import {
  collect,
  exactlyOne,
  parseHttpUrl,
  parsePort,
  parsePositiveInt,
  parseUrlPath,
  parseWebhookUrl,
} from '../parse.js';
import { runWebhookCreate } from './create.js';
import { runWebhookList } from './list.js';
import { runWebhookUpdate } from './update.js';
import { runWebhookDelete } from './delete.js';
import { runWebhookVerify } from './verify.js';
import { runWebhookListen } from './listen.js';
import { runWebhookTrigger } from './trigger.js';
import { runWebhookSecretIssue, runWebhookSecretDeactivate } from './secret.js';

const TRIGGER_EVENTS: readonly string[] = [...EVENTS, ...V1_EVENTS];

/** Endpoint IDs are whole numbers from 1 (see `safeweb webhook list`). */
const parseWebhookId = parsePositiveInt(Number.MAX_SAFE_INTEGER);

export function registerWebhook(program: Command, ctx: Context): void {
  const webhook = program
    .command('webhook')
    .summary('manage endpoints, verify signatures, receive and send test deliveries')
    .description(
      `Webhook endpoints receive signed events: ${EVENTS.join(', ')}; and v1's ${V1_EVENTS.join(', ')}, ` +
        "signed with the organisation's secret (webhook secret).",
    )
    .addHelpText(
      'after',
      examples(
        'safeweb webhook create --url https://hooks.example.com/safeweb --event all --secret-file safeweb.secret',
        'safeweb webhook listen --secret-file safeweb.secret --forward-to http://127.0.0.1:3000/hook',
        'safeweb webhook trigger breach.new --url http://127.0.0.1:4020/ --secret-file safeweb.secret',
        'safeweb webhook verify --secret-file safeweb.secret --headers headers.txt --payload body.json',
      ),
    );

  webhook
    .command('create')
    .summary('register an endpoint; its signing secret is shown once')
    .addOption(
      new Option('--url <url>', 'HTTPS URL of your receiver (http:// only for 127.0.0.1/localhost)')
        .makeOptionMandatory()
        .argParser(parseWebhookUrl),
    )
    .option(
      '--event <event>',
      `event to send (repeatable): ${EVENTS.join(', ')}, or all; or v1's ${V1_EVENTS.join(', ')}`,
      collect,
    )
    .option('--inactive', 'create it switched off')
    .option('--secret-file <file>', 'write the secret to this new file (mode 0600) instead of printing it')
    .addHelpText('after', fieldsHelp(CREATED_FIELDS, '  (secret only without --secret-file)'))
    .addHelpText(
      'after',
      examples(
        'safeweb webhook create --url https://hooks.example.com/safeweb --event all',
        'safeweb webhook create --url https://hooks.example.com/x --event breach.new --event breach.resolved --secret-file x.secret',
      ),
    )
    .action(async (opts: { url: string; event?: string[]; inactive?: boolean; secretFile?: string }) => {
      ctx.done(
        await runWebhookCreate(
          { url: opts.url, events: opts.event ?? [], inactive: Boolean(opts.inactive), secretFile: opts.secretFile },
          ctx,
        ),
      );
    });

  webhook
    .command('list')
    .summary('your endpoints (secrets are never shown)')
    .addHelpText('after', fieldsHelp(WEBHOOK_COLUMNS))
    .addHelpText('after', examples('safeweb webhook list', 'safeweb webhook list --jq ".[] | select(.active) | .url"'))
    .action(async () => {
      ctx.done(await runWebhookList({}, ctx));
    });

  webhook
    .command('update')
    .addArgument(new Argument('<id>', 'endpoint ID (from webhook list)').argParser(parseWebhookId))
    .summary('change an endpoint: URL, events, on or off')
    .addOption(new Option('--url <url>', 'new receiver URL').argParser(parseWebhookUrl))
    .option('--event <event>', 'new event list (repeatable; replaces the old list), or all', collect)
    .addOption(new Option('--active', 'switch it on').conflicts('inactive'))
    .option('--inactive', 'switch it off')
    .addHelpText(
      'after',
      examples(
        'safeweb webhook update 3 --inactive',
        'safeweb webhook update 3 --event breach.new --event email.added',
      ),
    )
    .action(async (id: number, opts: { url?: string; event?: string[]; active?: boolean; inactive?: boolean }) => {
      ctx.done(
        await runWebhookUpdate(
          { id, url: opts.url, events: opts.event, active: opts.active, inactive: opts.inactive },
          ctx,
        ),
      );
    });

  webhook
    .command('delete')
    .addArgument(new Argument('<id>', 'endpoint ID').argParser(parseWebhookId))
    .summary('remove an endpoint and its delivery log (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('safeweb webhook delete 3', 'safeweb webhook delete 3 --yes'))
    .action(async (id: number, opts: { yes?: boolean }) => {
      ctx.done(await runWebhookDelete({ id, yes: Boolean(opts.yes) }, ctx));
    });

  registerSecret(webhook, ctx);

  const verify = webhook
    .command('verify')
    .summary('check the signature of a captured delivery (exit 0 valid, 6 not)')
    .description(
      "Verify a delivery's HMAC-SHA256 over the raw body bytes with a constant-time comparison, in either " +
        'protocol: the older X-SafeWeb-Signature ("sha256=<hex>", endpoint secret) or v1\'s X-Signature ' +
        '(bare hex, organisation secret, either case). --headers tells them apart by header name, ' +
        '--signature by form. Give several --secret-file during a rotation; the output says which one matched.',
    )
    .option('--secret-file <file>', 'file holding the endpoint secret (repeatable; - for stdin)', collect)
    .option('--signature <value>', "the X-SafeWeb-Signature value ('sha256=…') or v1's X-Signature (bare hex)")
    .option('--token <value>', "v1: the request's X-Token, to print the answer signature the receiver must send")
    .option('--headers <file>', 'the captured request headers ("Name: value" lines, or a JSON object)')
    .option('--payload <file>', 'the raw body (- for stdin)', '-')
    .addHelpText(
      'after',
      examples(
        "safeweb webhook verify --secret-file s.secret --signature 'sha256=5d41…' --payload body.json",
        'safeweb webhook verify --secret-file new.secret --secret-file old.secret --headers h.txt < body.json',
        'safeweb webhook verify --secret-file org.secret --signature 5D41… --token 0f9e… --payload body.json',
      ),
    )
    .action(
      async (opts: {
        secretFile?: string[];
        signature?: string;
        token?: string;
        headers?: string;
        payload: string;
      }) => {
        exactlyOne(verify, '--signature', '--headers');
        ctx.done(
          await runWebhookVerify(
            {
              secretFiles: opts.secretFile ?? [],
              signature: opts.signature,
              headers: opts.headers,
              token: opts.token,
              payload: opts.payload,
            },
            ctx,
          ),
        );
      },
    );

  webhook
    .command('listen')
    .summary('a local receiver that verifies and prints every delivery')
    .description(
      'Receive deliveries on 127.0.0.1: verify each signature, answer 200 (valid) or 401 (invalid) at ' +
        'once, print the event, flag duplicates, and optionally forward verified deliveries, raw body ' +
        'and SafeWeb headers intact, to your own app. Runs until Ctrl+C. Both protocols: v1 deliveries ' +
        '(X-Signature, X-Token) get a signed answer (X-Signature over the X-Token, keyed by the secret ' +
        'that verified) whatever the app answers, and repeats are spotted by their idempotencyToken.',
    )
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').default(4020).argParser(parsePort))
    .addOption(
      new Option('--path <path>', 'accept deliveries only on this path (default: any)').argParser(parseUrlPath),
    )
    .option(
      '--secret-file <file>',
      'file holding the endpoint or organisation secret (repeatable for a rotation)',
      collect,
    )
    .addOption(new Option('--forward-to <url>', 'forward verified deliveries to this URL').argParser(parseHttpUrl))
    .addHelpText(
      'after',
      examples(
        'safeweb webhook listen --secret-file s.secret',
        'safeweb webhook listen --port 0 --secret-file s.secret --json | jq .event',
        'safeweb webhook listen --secret-file s.secret --forward-to http://127.0.0.1:3000/webhooks',
      ),
    )
    .action(async (opts: { port: number; path?: string; secretFile?: string[]; forwardTo?: string }) => {
      ctx.done(
        await runWebhookListen(
          { port: opts.port, path: opts.path, secretFiles: opts.secretFile ?? [], forwardTo: opts.forwardTo },
          ctx,
        ),
      );
    });

  webhook
    .command('trigger')
    .addArgument(
      new Argument('<event>', 'the event to send; customer.breach.found is sent in the v1 protocol').choices(
        TRIGGER_EVENTS,
      ),
    )
    .summary("send a signed sample event to a receiver, with SafeWeb's retries")
    .addOption(new Option('--url <url>', 'the receiver to test').makeOptionMandatory().argParser(parseHttpUrl))
    .option('--secret-file <file>', 'file holding the secret to sign with')
    .option('--data <file>', 'JSON object whose fields replace those of the sample data')
    .addHelpText(
      'after',
      examples(
        'safeweb webhook trigger breach.new --url http://127.0.0.1:4020/ --secret-file s.secret',
        'safeweb webhook trigger email.added --url https://staging.example.com/hook --secret-file s.secret --data emails.json',
        'safeweb webhook trigger customer.breach.found --url http://127.0.0.1:4020/ --secret-file org.secret',
      ),
    )
    .action(async (event: string, opts: { url: string; secretFile?: string; data?: string }) => {
      ctx.done(await runWebhookTrigger({ event, url: opts.url, secretFile: opts.secretFile, data: opts.data }, ctx));
    });
}

/** v1 organisation signing secrets (CONTRACT.md "Current event delivery"). */
function registerSecret(webhook: Command, ctx: Context): void {
  const secret = webhook
    .command('secret')
    .summary("the organisation's signing secret for v1 deliveries: create, cycle, deactivate")
    .description(
      'v1 deliveries (X-Signature, X-Token) are signed with one organisation-level secret. Rotate it with ' +
        'cycle (the old one becomes the fallback), deploy both, then deactivate the fallback.',
    );
  const fileHelp = 'write the token to this new file (mode 0600) instead of printing it';
  for (const cycle of [false, true]) {
    secret
      .command(cycle ? 'cycle' : 'create')
      .summary(
        cycle
          ? 'issue a new active secret; the old one becomes the fallback (token shown once)'
          : 'create the first signing secret (token shown once)',
      )
      .option('--secret-file <file>', fileHelp)
      .addHelpText(
        'after',
        examples(`safeweb webhook secret ${cycle ? 'cycle' : 'create'} --secret-file ${cycle ? 'new' : 'org'}.secret`),
      )
      .action(async (opts: { secretFile?: string }) => {
        ctx.done(await runWebhookSecretIssue({ cycle, secretFile: opts.secretFile }, ctx));
      });
  }
  secret
    .command('deactivate')
    .argument('<id>', 'secret ID (from create or cycle)')
    .summary('deactivate the active or the fallback secret (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('safeweb webhook secret deactivate 3f2a…-… --yes'))
    .action(async (id: string, opts: { yes?: boolean }) => {
      ctx.done(await runWebhookSecretDeactivate({ id, yes: Boolean(opts.yes) }, ctx));
    });
}
