import { styled, type Outcome, type Styled, type Text } from '../../outcome.js';
import type { Context } from '../../context.js';
import { UnavailableError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { readSecrets } from '../../webhooks/options.js';
import { startReceiver, type ReceivedDelivery } from '../../webhooks/receiver.js';
import { isHttpUrl } from '../parse.js';

export interface WebhookListenOptions {
  port: number;
  path?: string | undefined;
  secretFiles: string[];
  forwardTo?: string | undefined;
}

/** One readable line (plus a summary of the data) per delivery. */
function describe(d: ReceivedDelivery): Text {
  const time = d.receivedAt.slice(11, 19);
  if (!d.verified)
    return [`${time}  `, styled('bad', '✗ rejected'), `  ${d.event ?? '(no event header)'}  ${d.reason} → ${d.status}`];
  const data = (d.body as { data?: Record<string, unknown> } | null)?.data ?? {};
  const summary = [
    ...v1Summary(d, data),
    data['customer_uuid'] ? `customer ${String(data['customer_uuid'])}` : '',
    Array.isArray(data['new_breach_names']) ? `new breaches: ${(data['new_breach_names'] as string[]).join(', ')}` : '',
    data['breach_name'] ? `breach ${String(data['breach_name'])}` : '',
    Array.isArray(data['emails']) ? `emails: ${(data['emails'] as string[]).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('  ');
  const repeat = d.protocol === 'v1' ? ' (repeat: idempotencyToken already seen)' : ' (duplicate)';
  return [
    `${time}  `,
    styled('good', '✓'),
    ' ',
    styled('strong', d.event ?? '?'),
    ...(d.duplicate ? [styled('caution', repeat)] : []),
    `  ${summary}`,
    ...forwarded(d),
    ...(d.reason ? ['  ', styled('caution', d.reason)] : []),
  ];
}

/** v1's customer.breach.found: the customer and the breaches' names. */
function v1Summary(d: ReceivedDelivery, data: Record<string, unknown>): string[] {
  if (d.protocol !== 'v1') return [];
  const customer = data['customer'] as { reference?: unknown; name?: unknown } | undefined;
  const breaches = Array.isArray(data['breaches']) ? (data['breaches'] as Array<{ name?: unknown }>) : [];
  return [
    'v1',
    customer ? `customer ${String(customer.reference ?? customer.name ?? '?')}` : '',
    breaches.length ? `breaches: ${breaches.map((b) => String(b.name)).join(', ')}` : '',
  ];
}

/** How forwarding went: the app's 2xx, or why it failed (a non-2xx, refused, TLS, timeout). */
function forwarded(d: ReceivedDelivery): Array<string | Styled> {
  const f = d.forward;
  if (!f) return [];
  if (f.status !== undefined && f.status >= 200 && f.status < 300) return [`  → forwarded: ${f.status}`];
  return [
    '  ',
    styled('bad', `→ forward failed: ${f.status !== undefined ? `the app answered ${f.status}` : f.error}`),
  ];
}

/** Serves until Ctrl+C (exit 130) or SIGTERM (exit 0); each delivery is an event of the sink. */
export async function runWebhookListen(opts: WebhookListenOptions, ctx: Context): Promise<Outcome> {
  if (opts.path !== undefined && !opts.path.startsWith('/'))
    throw new UsageError(`--path must start with / (got "${opts.path}")`);
  // Commander checks --forward-to too; this stays for callers that skip it (tests, scripts).
  if (opts.forwardTo !== undefined && !isHttpUrl(opts.forwardTo))
    throw new UsageError(`--forward-to "${opts.forwardTo}" is not an http(s) URL`);
  const secrets = await readSecrets(opts.secretFiles, ctx.streams.stdin, (t) => ctx.out.warn(t));
  const stopped = ctx.waitForSignal();
  const onDelivery = (d: ReceivedDelivery) => ctx.sink.event(d, describe(d));
  let receiver;
  try {
    receiver = await startReceiver({
      port: opts.port,
      path: opts.path,
      secrets,
      forwardTo: opts.forwardTo,
      onDelivery,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UnavailableError(
        `port ${opts.port} on 127.0.0.1 is already in use`,
        undefined,
        'Pick another with --port, or --port 0 for any free port.',
      );
    throw error;
  }
  const keys = `${secrets.length} secret${secrets.length === 1 ? '' : 's'}`;
  const forwarding = opts.forwardTo ? `, forwarding to ${opts.forwardTo}` : '';
  ctx.out.info(`Listening for SafeWeb deliveries on ${receiver.url} (${keys})${forwarding}. Ctrl+C to stop.`);
  const signal = await stopped;
  // Said at once: closing drops open connections (keep-alive ones too) rather than waiting them out.
  ctx.out.info('Stopping the listener…');
  await receiver.close();
  return { data: undefined, failures: signal === 'SIGINT' ? [ExitCode.Cancelled] : [] };
}
