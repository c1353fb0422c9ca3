import type { Context } from '../../context.js';
import { parseJsonText } from '../../customers/json.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { readInput } from '../../io/read-input.js';
import { info, styled, success, type Outcome } from '../../outcome.js';
import { deliver, SAFEWEB_POLICY, type Attempt } from '../../webhooks/deliver.js';
import { envelope, sampleData, V1_EVENTS, type EventType } from '../../webhooks/events.js';
import { readSecrets } from '../../webhooks/options.js';
import { sampleV1Data, V1_GUESSES, v1Envelope } from '../../webhooks/v1.js';
import { isHttpUrl } from '../parse.js';

export interface WebhookTriggerOptions {
  event: string;
  url: string;
  secretFile?: string | undefined;
  data?: string | undefined;
}

/** What --json prints: the delivery and every attempt, delivered or not. */
export interface TriggerResult {
  event: string;
  url: string;
  delivered: boolean;
  attempts: Attempt[];
  body: unknown;
}

/** One stderr line per attempt as it ends, with the wait before the next. */
function describeAttempt(a: Attempt): string {
  const what =
    a.status !== undefined ? `${a.status}${a.error ? ` but not accepted: ${a.error}` : ''}` : `failed: ${a.error}`;
  const next =
    !a.ok && a.attempt <= SAFEWEB_POLICY.retries
      ? `; retrying in ${(SAFEWEB_POLICY.backoffBaseMs * 2 ** (a.attempt - 1)) / 1000} s`
      : '';
  return `attempt ${a.attempt}: ${what} in ${a.ms} ms${next}`;
}

export async function runWebhookTrigger(opts: WebhookTriggerOptions, ctx: Context): Promise<Outcome<TriggerResult>> {
  // Commander checks --url too; this stays for callers that skip it (tests, scripts).
  if (!isHttpUrl(opts.url)) throw new UsageError(`--url "${opts.url}" is not an http(s) URL`);
  const url = new URL(opts.url);
  const [secret] = await readSecrets(opts.secretFile ? [opts.secretFile] : [], ctx.streams.stdin, (t) =>
    ctx.out.warn(t),
  );
  const now = ctx.now();
  const v1 = (V1_EVENTS as readonly string[]).includes(opts.event);
  let data = v1 ? sampleV1Data() : sampleData(opts.event as EventType, now);
  if (opts.data) {
    const overrides = await parseJsonText(await readInput(opts.data, ctx.streams.stdin), opts.data);
    if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides))
      throw new UsageError(`${opts.data} must hold a JSON object of data fields`);
    data = { ...data, ...(overrides as Record<string, unknown>) };
  }
  const body = JSON.stringify(v1 ? v1Envelope(opts.event, data, now) : envelope(opts.event as EventType, data, now));
  const attempts = await deliver(
    { url: url.href, secret: secret!, event: opts.event, body, v1 },
    v1 ? V1_GUESSES.policy : SAFEWEB_POLICY,
    (a) => ctx.sink.note(info(describeAttempt(a))),
  );
  const delivered = attempts.at(-1)?.ok === true;
  const result: TriggerResult = { event: opts.event, url: url.href, delivered, attempts, body: JSON.parse(body) };
  if (delivered)
    return { data: result, notes: [success(`Delivered ${opts.event} to ${url.href} on attempt ${attempts.length}.`)] };
  // Not thrown: with --json the attempts are still the document on stdout.
  return {
    data: result,
    notes: [
      info([
        styled('bad', 'error:'),
        ` ${url.href} did not accept the ${opts.event} delivery after ${attempts.length} attempts `,
        styled(
          'dim',
          v1
            ? '— A v1 receiver must answer 2xx within 2 seconds with X-Signature: hex HMAC-SHA256 of the X-Token.'
            : '— A receiver must answer 2xx within 2 seconds.',
        ),
      ]),
    ],
    failures: [ExitCode.Unavailable],
  };
}
