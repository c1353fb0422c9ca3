import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../../helpers/cli.js';

const secret = 'a7b6c5d4-e3f2-4a1b-8c9d-0e1f2a3b4c5d';
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

interface Seen {
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A receiver written here: checks each request with node:crypto, answers signed or not. */
async function receiver(signs: boolean) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ body, headers: req.headers });
      const token = String(req.headers['x-token']);
      res.writeHead(200, signs ? { 'x-signature': hmac(secret, token).toUpperCase() } : {});
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen };
}
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function secretFile(): string {
  const file = path.join(tempDir().dir, 'org.secret');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

describe('safeweb webhook trigger customer.breach.found (v1)', () => {
  it('is accepted only with a valid answer signature: exit 0 on the first signed answer', async () => {
    const r = await receiver(true);
    const out = await runInProcess(
      ['webhook', 'trigger', 'customer.breach.found', '--url', r.url, '--secret-file', secretFile(), '--json'],
      {},
    );
    expect(out.code).toBe(0);
    expect(r.seen).toHaveLength(1);
    const [{ body, headers }] = r.seen as [Seen];
    expect(headers['x-signature']).toBe(hmac(secret, body));
    expect(headers['x-safeweb-signature']).toBeUndefined();
    expect(headers['x-token']).toMatch(/^[0-9a-f-]{36}$/);
    const event = JSON.parse(body);
    expect(event).toMatchObject({
      idempotencyToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'customer.breach.found',
      data: { customer: { uuid: expect.any(String), name: expect.any(String), reference: expect.any(String) } },
      timestamp: expect.any(Number),
    });
    expect(event.data.breaches[0]).toEqual({
      uuid: expect.any(String),
      name: expect.any(String),
      emails: expect.any(Array),
    });
    expect(JSON.parse(out.stdout)).toMatchObject({
      delivered: true,
      attempts: [{ attempt: 1, ok: true, status: 200 }],
    });
  });

  it('counts an unsigned 2xx as a failure: 4 attempts, fresh X-Token each, same idempotencyToken, exit 5', async () => {
    const r = await receiver(false);
    const out = await runInProcess([
      'webhook',
      'trigger',
      'customer.breach.found',
      '--url',
      r.url,
      '--secret-file',
      secretFile(),
    ]);
    expect(out.code).toBe(5);
    expect(r.seen).toHaveLength(4);
    expect(new Set(r.seen.map((s) => s.headers['x-token'])).size).toBe(4);
    expect(new Set(r.seen.map((s) => JSON.parse(s.body).idempotencyToken)).size).toBe(1);
    for (const s of r.seen) expect(s.headers['x-signature']).toBe(hmac(secret, s.body));
    expect(out.stderr).toContain('attempt 1: 200 but not accepted: answered 2xx without the answer signature');
    expect(out.stderr).toContain('attempt 4: 200 but not accepted');
    expect(out.stderr).toContain('X-Signature: hex HMAC-SHA256 of the X-Token');
  }, 15_000);
});
