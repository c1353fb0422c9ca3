import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { DeliveryPolicy } from '../../src/webhooks/deliver.js';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';

// SafeWeb's rules (3 retries, backoff), scaled down so the test takes well under a second.
const POLICY: DeliveryPolicy = { timeoutMs: 500, retries: 3, backoffBaseMs: 10 };
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

interface Hit {
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A partner's receiver written here: checks with node:crypto, signs its answer when told to. */
const receiver = { key: '', signs: true, hits: [] as Hit[] };
let server: http.Server;
let sandbox: Sandbox;
const log: string[] = [];
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookPolicy: POLICY, log: (line) => log.push(line) });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      receiver.hits.push({ body, headers: req.headers });
      const valid = req.headers['x-signature'] === hmac(receiver.key, body);
      const answer =
        valid && receiver.signs ? { 'x-signature': hmac(receiver.key, String(req.headers['x-token'])) } : {};
      res.writeHead(valid ? 200 : 401, answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = tempDir().dir;
  env = cleanEnv({
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
    SAFEWEB_CONFIG_DIR: path.join(dir, 'config'),
  });
});
afterAll(async () => {
  await sandbox.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function onboard(reference: string): Promise<Hit[]> {
  receiver.hits = [];
  const r = await runInProcess(['customer', 'onboard', '--file', 'examples/acme.json', '--reference', reference], {
    env,
  });
  expect(r.code, r.stderr).toBe(0);
  await sandbox.deliveriesIdle();
  return receiver.hits;
}

async function issue(verb: 'create' | 'cycle', name: string): Promise<string> {
  const file = path.join(dir, name);
  expect((await runInProcess(['webhook', 'secret', verb, '--secret-file', file], { env })).code).toBe(0);
  return readFileSync(file, 'utf8').trim();
}

describe('the sandbox delivers v1 events', () => {
  it('signs with the active secret, counts only signed answers, retries, and follows a rotation', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const created = await runInProcess(['webhook', 'create', '--url', url, '--event', 'customer.breach.found'], {
      env,
    });
    expect(created.code, created.stderr).toBe(0);

    // No secret yet: nothing is sent, and the console says why.
    expect(await onboard('V1-A')).toEqual([]);
    expect(log.join('\n')).toContain('customer.breach.found not sent to 1 endpoint(s): the organisation has no active');

    const first = await issue('create', 'first.secret');
    receiver.key = first;
    const [hit, ...more] = await onboard('V1-B');
    expect(more).toEqual([]);
    expect(hit!.headers['x-signature']).toBe(hmac(first, hit!.body));
    expect(hit!.headers['x-token']).toMatch(/^[0-9a-f-]{36}$/);
    expect(hit!.headers['content-type']).toBe('application/json');
    const event = JSON.parse(hit!.body);
    expect(event).toMatchObject({ type: 'customer.breach.found', data: { customer: { reference: 'V1-B' } } });
    expect(event.data.breaches.length).toBeGreaterThan(0);
    expect(event.data.breaches[0]).toEqual({
      uuid: expect.any(String),
      name: expect.any(String),
      emails: ['admin@acme.co'],
    });

    // A 2xx without the answer signature is a failed attempt: 3 retries, the same event each time.
    receiver.signs = false;
    const unsigned = await onboard('V1-C');
    expect(unsigned).toHaveLength(4);
    expect(new Set(unsigned.map((h) => JSON.parse(h.body).idempotencyToken)).size).toBe(1);
    expect(new Set(unsigned.map((h) => h.headers['x-token'])).size).toBe(4);

    // After a cycle, deliveries are signed with the new secret.
    receiver.signs = true;
    const second = await issue('cycle', 'second.secret');
    receiver.key = second;
    const [rotated] = await onboard('V1-D');
    expect(rotated!.headers['x-signature']).toBe(hmac(second, rotated!.body));

    const list = JSON.parse((await runInProcess(['sandbox', 'deliveries', '--json'], { env })).stdout) as Array<{
      event: string;
      status: string;
      attempts: Array<{ status?: number; ok: boolean; error?: string }>;
    }>;
    const v1 = list.filter((d) => d.event === 'customer.breach.found');
    expect(v1.map((d) => [d.status, d.attempts.length])).toEqual([
      ['delivered', 1],
      ['failed', 4],
      ['delivered', 1],
    ]);
    expect(v1[1]!.attempts[0]).toMatchObject({
      status: 200,
      ok: false,
      error: expect.stringContaining('answer signature'),
    });
    const people = await runInProcess(['sandbox', 'deliveries'], { env });
    expect(people.stdout).toContain('200 (not accepted)');
    for (const out of [JSON.stringify(list), people.stdout, people.stderr, log.join('\n')])
      for (const secret of [first, second]) expect(out).not.toContain(secret);
  });
});
