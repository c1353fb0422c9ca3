/**
 * A webhook of the MSP's own (a SIEM, an automation): the event as JSON, exactly the
 * `safeweb schema event` document (a digest: an array of them), signed as the Standard Webhooks
 * specification says, so its receivers verify it with that specification's libraries:
 *
 *   webhook-id:        the message's ID (message-id.ts), the same on every retry: receivers dedupe by it
 *   webhook-timestamp: seconds since the epoch, when it was sent
 *   webhook-signature: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's bytes
 *                      (`whsec_` + base64, 24 to 64 bytes)
 *
 * The body is data for a program, not text for a person: it is sent exact (masked when the channel
 * masks), JSON escaping what JSON escapes.
 */
import { createHmac } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { BookEvent } from '../findings/event.js';
import { maskPii } from '../safety/mask.js';
import { channelUrl, post, type NotifyHttp, type SendOutcome } from './http.js';
import { masks, type MaskSetting, type RenderOptions } from './notice.js';

const PREFIX = 'whsec_';

/** The rendered body: the event (or the events of a digest), as sent and signed. */
export interface WebhookPayload {
  body: string;
}

/**
 * The body for one event (the event itself) or a digest (an array of events). A sample from
 * `notify test` is the same document; its sender marks it with `x-safeweb-test: 1`.
 */
export function renderWebhook(
  events: BookEvent | readonly BookEvent[],
  settings: MaskSetting,
  _options: RenderOptions = {},
): WebhookPayload {
  const shown = masks(settings) ? maskPii(events) : events;
  return { body: inertJson(JSON.stringify(shown)) };
}

/**
 * JSON whose bytes are inert too: JSON escapes C0 controls but not DEL, the C1 controls (a CSI
 * a terminal obeys), the bidirectional overrides or the line separators; as `\uXXXX` escapes they
 * parse back to the same value.
 */
function inertJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The key bytes of a Standard Webhooks secret (`whsec_` + base64; the prefix optional), or a reason why not. */
export function webhookSecretBytes(secret: string): Buffer | string {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return 'is not whsec_ followed by base64';
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 24 || bytes.length > 64) return `is ${bytes.length} bytes; the specification asks for 24 to 64`;
  return bytes;
}

/** The `webhook-signature` value for a message: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. */
export function signWebhook(secret: string, id: string, timestamp: number | string, body: string): string {
  const key = webhookSecretBytes(secret);
  if (typeof key === 'string') throw new UsageError(`the webhook signing secret ${key}`);
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The Standard Webhooks headers of a message (unsigned: no `webhook-signature`). */
function webhookHeaders(id: string, body: string, secret: string | undefined, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    ...(secret === undefined ? {} : { 'webhook-signature': signWebhook(secret, id, timestamp, body) }),
  };
}

/** Posts a rendered body, signed when there is a secret. Receivers dedupe by webhook-id: any failure may be retried. */
export async function sendWebhook(
  http: NotifyHttp,
  settings: { url: string },
  secret: string | undefined,
  payload: WebhookPayload,
  options: { messageId: string; now: Date; test?: boolean | undefined; signal?: AbortSignal | undefined },
): Promise<SendOutcome> {
  const url = channelUrl(settings.url, 'the webhook URL');
  const headers = {
    ...webhookHeaders(options.messageId, payload.body, secret, options.now),
    ...(options.test ? { 'x-safeweb-test': '1' } : {}),
  };
  return post(http, {
    url,
    shownUrl: url,
    body: payload.body,
    headers,
    farSide: 'webhook',
    dedupes: true,
    signal: options.signal,
  });
}
