import type { Outcome } from '../../outcome.js';
import type { Context } from '../../context.js';
import { UnavailableError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { readSecrets } from '../../webhooks/options.js';
import { startReceiver, type ReceivedDelivery } from '../../webhooks/receiver.js';

export interface WebhookListenOptions {
  port: number;
  path?: string | undefined;
  secretFiles: string[];
  forwardTo?: string | undefined;
}

/** One readable line (plus a summary of the data) per delivery. */
function describe(d: ReceivedDelivery, ctx: Context): string {
  const c = ctx.out.color;
  const time = d.receivedAt.slice(11, 19);
  if (!d.verified)
    return `${time}  ${c.red('✗ rejected')}  ${d.event ?? '(no event header)'}  ${d.reason} → ${d.status}`;
  const data = (d.body as { data?: Record<string, unknown> } | null)?.data ?? {};
  const summary = [
    data['customer_uuid'] ? `customer ${String(data['customer_uuid'])}` : '',
    Array.isArray(data['new_breach_names']) ? `new breaches: ${(data['new_breach_names'] as string[]).join(', ')}` : '',
    data['breach_name'] ? `breach ${String(data['breach_name'])}` : '',
    Array.isArray(data['emails']) ? `emails: ${(data['emails'] as string[]).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('  ');
  const forward = d.forward
    ? `  → forwarded: ${d.forward.status !== undefined ? d.forward.status : `failed (${d.forward.error})`}`
    : '';
  return `${time}  ${c.green('✓')} ${c.bold(d.event ?? '?')}${d.duplicate ? c.yellow(' (duplicate)') : ''}  ${summary}${forward}${d.reason ? `  ${c.yellow(d.reason)}` : ''}`;
}

export async function runWebhookListen(opts: WebhookListenOptions, ctx: Context): Promise<Outcome | void> {
  if (opts.path !== undefined && !opts.path.startsWith('/'))
    throw new UsageError(`--path must start with / (got "${opts.path}")`);
  if (opts.forwardTo !== undefined) {
    try {
      if (!/^https?:$/.test(new URL(opts.forwardTo).protocol)) throw new Error('not http');
    } catch {
      throw new UsageError(`--forward-to "${opts.forwardTo}" is not an http(s) URL`);
    }
  }
  const secrets = await readSecrets(opts.secretFiles, ctx.streams.stdin, (t) => ctx.out.warn(t));
  const stopped = ctx.waitForSignal();
  const onDelivery = (d: ReceivedDelivery) =>
    ctx.globals.json ? ctx.out.line(JSON.stringify(d)) : ctx.out.line(describe(d, ctx));
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
  ctx.out.info(
    `Listening for SafeWeb deliveries on ${receiver.url} (${secrets.length} secret${secrets.length === 1 ? '' : 's'})${opts.forwardTo ? `, forwarding to ${opts.forwardTo}` : ''}. Ctrl+C to stop.`,
  );
  const signal = await stopped;
  await receiver.close();
  return { data: undefined, failures: signal === 'SIGINT' ? [ExitCode.Cancelled] : [] };
}
