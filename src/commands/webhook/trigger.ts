import type { Context } from '../../context.js';
import { parseJsonText } from '../../customers/json.js';
import { UnavailableError, UsageError } from '../../errors.js';
import { readInput } from '../../io/read-input.js';
import { deliver, SAFEWEB_POLICY, type Attempt } from '../../webhooks/deliver.js';
import { envelope, sampleData, type EventType } from '../../webhooks/events.js';
import { readSecrets } from '../../webhooks/options.js';

export interface WebhookTriggerOptions {
  event: string;
  url: string;
  secretFile?: string | undefined;
  data?: string | undefined;
}

export async function runWebhookTrigger(opts: WebhookTriggerOptions, ctx: Context): Promise<void> {
  let url: URL;
  try {
    url = new URL(opts.url);
    if (!/^https?:$/.test(url.protocol)) throw new Error('scheme');
  } catch {
    throw new UsageError(`--url "${opts.url}" is not an http(s) URL`);
  }
  const [secret] = await readSecrets(opts.secretFile ? [opts.secretFile] : [], ctx.streams.stdin, (t) =>
    ctx.out.warn(t),
  );
  const now = ctx.now();
  let data = sampleData(opts.event as EventType, now);
  if (opts.data) {
    const overrides = await parseJsonText(await readInput(opts.data, ctx.streams.stdin), opts.data);
    if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides))
      throw new UsageError(`${opts.data} must hold a JSON object of data fields`);
    data = { ...data, ...(overrides as Record<string, unknown>) };
  }
  const body = JSON.stringify(envelope(opts.event as EventType, data, now));
  const report = (a: Attempt) => {
    const what = a.status !== undefined ? `${a.status}` : `failed: ${a.error}`;
    const next =
      !a.ok && a.attempt <= SAFEWEB_POLICY.retries
        ? `; retrying in ${(SAFEWEB_POLICY.backoffBaseMs * 2 ** (a.attempt - 1)) / 1000} s`
        : '';
    ctx.out.info(`attempt ${a.attempt}: ${what} in ${a.ms} ms${next}`);
  };
  const attempts = await deliver(
    { url: url.href, secret: secret!, event: opts.event, body },
    SAFEWEB_POLICY,
    ctx.globals.json ? undefined : report,
  );
  const delivered = attempts.at(-1)?.ok === true;
  if (ctx.globals.json)
    ctx.out.printJson({ event: opts.event, url: url.href, delivered, attempts, body: JSON.parse(body) });
  if (!delivered)
    throw new UnavailableError(
      `${url.href} did not accept the ${opts.event} delivery after ${attempts.length} attempts`,
      undefined,
      'A receiver must answer 2xx within 2 seconds.',
    );
  if (!ctx.globals.json) ctx.out.success(`Delivered ${opts.event} to ${url.href} on attempt ${attempts.length}.`);
}
