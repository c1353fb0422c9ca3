/**
 * Signed webhooks: our signatures against the Standard Webhooks official test vectors, and every
 * message we send verified by the specification's own library (`standardwebhooks`), an
 * implementation independent of ours; the body is the `safeweb schema event` document; a receiver
 * that dedupes by webhook-id takes a retried message once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { eventJsonSchema } from '../../src/findings/schema.js';
import { notifyHttp } from '../../src/notify/http.js';
import { messageId } from '../../src/notify/message-id.js';
import { renderWebhook, sendWebhook, signWebhook, webhookSecretBytes } from '../../src/notify/webhook.js';
import { ROOT } from '../helpers/cli.js';
import { breachEvent, manyEvents, receiver, type Receiver } from '../helpers/notify.js';

interface Vector {
  name: string;
  valid: boolean;
  secret: string;
  id: string;
  timestamp: string;
  payload: string;
  expected_signature: string;
}
const VECTORS = (
  JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/notify/standard-webhooks-test-vectors.json'), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('signWebhook against the official vectors', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const ours = signWebhook(v.secret, v.id, v.timestamp, v.payload);
    if (v.valid) expect(ours).toBe(v.expected_signature);
    else expect(ours).not.toBe(v.expected_signature);
  });

  it('the vectors are all there, valid and invalid ones', () => {
    expect(VECTORS.filter((v) => v.valid)).toHaveLength(3);
    expect(VECTORS.filter((v) => !v.valid)).toHaveLength(2);
  });

  it('takes a secret of 24 to 64 bytes, with or without whsec_', () => {
    expect(webhookSecretBytes(SECRET)).toBeInstanceOf(Buffer);
    expect(webhookSecretBytes(SECRET.slice(6))).toBeInstanceOf(Buffer);
    expect(webhookSecretBytes('whsec_c2hvcnQ=')).toBe('is 5 bytes; the specification asks for 24 to 64');
    expect(webhookSecretBytes('whsec_not base64!')).toBe('is not whsec_ followed by base64');
    expect(() => signWebhook('no pe', 'msg_1', 1, '{}')).toThrow(/signing secret is not whsec_/);
  });
});

describe('renderWebhook', () => {
  it('is the event document (`safeweb schema event`), masked by default; a digest is an array of them', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const valid = ajv.compile(eventJsonSchema());
    const event = breachEvent();
    const body = JSON.parse(renderWebhook(event, {}).body) as Record<string, unknown>;
    expect(valid(body)).toBe(true);
    expect(body).toEqual({ ...event, emails: ['j***@northwind.example', 'o***@northwind.example'] });
    expect(JSON.parse(renderWebhook(event, { mask: false }).body)).toEqual(event);
    const digest = JSON.parse(renderWebhook(manyEvents(3), {}).body) as unknown[];
    expect(digest).toHaveLength(3);
    expect(digest.every((e) => valid(e))).toBe(true);
    expect(valid({ ...body, colour: 'red' })).toBe(false);
  });
});

describe('sendWebhook', () => {
  it('signs each message so the standardwebhooks library verifies it; a receiver deduping by webhook-id takes a retry once', async () => {
    const seen = new Set<string>();
    const taken: unknown[] = [];
    const verifier = new Webhook(SECRET);
    const r = await receiver((req) => {
      const headers = req.headers as Record<string, string>;
      try {
        const event = verifier.verify(req.body, headers);
        if (!seen.has(headers['webhook-id']!)) {
          seen.add(headers['webhook-id']!);
          taken.push(event);
        }
        return { status: 204 };
      } catch (error) {
        return { status: 401, body: (error as Error).message };
      }
    });
    receivers.push(r);
    const http = notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 });
    const event = breachEvent();
    const id = messageId({ key: event.finding!, route: 'soc', kind: event.type, occurrence: 1 });
    const payload = renderWebhook(event, {});
    const send = () => sendWebhook(http, { url: `${r.url}/in` }, SECRET, payload, { messageId: id, now: new Date() });
    expect(await send()).toEqual({ ok: true, ack: { status: 204, answer: '' } });
    expect(await send()).toMatchObject({ ok: true });
    expect(r.received.map((q) => q.headers['webhook-id'])).toEqual([id, id]);
    expect(taken).toEqual([JSON.parse(payload.body)]);
    expect(r.received[0]!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('a signature with the wrong secret is refused by the independent verifier', async () => {
    const verifier = new Webhook(SECRET);
    const r = await receiver((req) => {
      try {
        verifier.verify(req.body, req.headers as Record<string, string>);
        return { status: 204 };
      } catch (error) {
        return { status: 401, body: (error as Error).message };
      }
    });
    receivers.push(r);
    const outcome = await sendWebhook(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
      { url: `${r.url}/in` },
      'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
      renderWebhook(breachEvent(), {}),
      { messageId: 'msg_x', now: new Date() },
    );
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    if (!outcome.ok) expect(outcome.cause.exitCode).toBe(4);
    expect(outcome.ok || outcome.error).toMatch(/No matching signature found.*webhook answered 401/);
  });

  it('without a secret, sends unsigned (id and timestamp only)', async () => {
    const r = await receiver(() => ({ status: 200 }));
    receivers.push(r);
    await sendWebhook(
      notifyHttp({ env: {}, timeoutMs: 5000, retries: 0 }),
      { url: `${r.url}/in` },
      undefined,
      renderWebhook(breachEvent(), {}),
      { messageId: 'msg_y', now: new Date('2026-12-07T10:00:00Z') },
    );
    expect(r.received[0]!.headers).toMatchObject({ 'webhook-id': 'msg_y', 'webhook-timestamp': '1796637600' });
    expect(r.received[0]!.headers['webhook-signature']).toBeUndefined();
  });
});
