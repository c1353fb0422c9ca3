import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type ReceivedDelivery, type Receiver } from '../../src/webhooks/receiver.js';

// Deliveries made here with node:crypto; answers checked the same way, outside the code under test.
const active = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';
const fallback = '11111111-2222-4333-8444-555555555555';
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

function event(idempotencyToken: string): string {
  return JSON.stringify({
    idempotencyToken,
    type: 'customer.breach.found',
    data: {
      customer: { uuid: randomUUID(), name: 'Acme Ltd', reference: 'ACME-001' },
      breaches: [{ uuid: randomUUID(), name: 'LinkedIn-2024', emails: ['user@acme.example'] }],
    },
    timestamp: 1715601234567,
  });
}

async function send(url: string, body: string, key: string, token: string | null = randomUUID()) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-signature': hmac(key, body) };
  if (token !== null) headers['x-token'] = token;
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.text();
  return { status: res.status, signature: res.headers.get('x-signature'), token };
}

let app: http.Server;
const forwarded: http.IncomingHttpHeaders[] = [];
let receiver: Receiver;
const seen: ReceivedDelivery[] = [];
beforeAll(async () => {
  // The app behind the listener fails: the answer SafeWeb gets must not change.
  app = http.createServer((req, res) => {
    forwarded.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(500).end('boom'));
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  receiver = await startReceiver({
    port: 0,
    secrets: [active, fallback],
    forwardTo: `http://127.0.0.1:${(app.address() as AddressInfo).port}/hook`,
    onDelivery: (d) => seen.push(d),
  });
});
afterAll(async () => {
  await receiver.close();
  await new Promise((resolve) => app.close(resolve));
});

const until = async (n: number) => {
  for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
};

describe('webhook listen, v1 deliveries', () => {
  it('answers 200 signed with the X-Token keyed by the secret that verified, whatever the app says', async () => {
    const body = event(randomUUID());
    const first = await send(receiver.url, body, active);
    expect(first.status).toBe(200);
    expect(first.signature).toBe(hmac(active, first.token!));
    const rotated = await send(receiver.url, event(randomUUID()), fallback);
    expect(rotated.status).toBe(200);
    expect(rotated.signature).toBe(hmac(fallback, rotated.token!));
    await until(2);
    expect(seen[0]).toMatchObject({
      protocol: 'v1',
      event: 'customer.breach.found',
      verified: true,
      secret: 1,
      duplicate: false,
      forward: { status: 500 },
    });
    expect(seen[1]).toMatchObject({ protocol: 'v1', verified: true, secret: 2 });
    // Forwarded with v1's headers intact, so the app can check them itself.
    expect(forwarded[0]!['x-signature']).toBe(hmac(active, body));
    expect(forwarded[0]!['x-token']).toBe(first.token);
  });

  it('answers 401 without a signature when the request does not verify', async () => {
    const wrong = await send(receiver.url, event(randomUUID()), 'not-our-secret-0000');
    expect(wrong).toMatchObject({ status: 401, signature: null });
    const noToken = await send(receiver.url, event(randomUUID()), active, null);
    expect(noToken).toMatchObject({ status: 401, signature: null });
    expect(seen.at(-1)).toMatchObject({ protocol: 'v1', verified: false, reason: expect.stringContaining('X-Token') });
  });

  it('shows a retried event once more marked as a repeat, by its idempotencyToken', async () => {
    seen.length = 0;
    const id = randomUUID();
    // A retry is a new body (new timestamp) with the same idempotencyToken and a fresh X-Token.
    const a = await send(receiver.url, event(id), active);
    const b = await send(receiver.url, event(id), active);
    expect(a.token).not.toBe(b.token);
    expect(b.signature).toBe(hmac(active, b.token!));
    await until(2);
    expect(seen.map((d) => d.duplicate)).toEqual([false, true]);
  });
});
