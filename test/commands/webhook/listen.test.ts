import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();

/**
 * `safeweb webhook listen --json` as a child process; its NDJSON lines collected (with
 * `json: false`, its lines for people, each as `{ text }`).
 */
function listen(args: string[], options: { env?: Record<string, string>; json?: boolean } = {}) {
  const json = options.json ?? true;
  const child = spawn(
    process.execPath,
    [BIN, 'webhook', 'listen', '--port', '0', ...(json ? ['--json'] : []), ...args],
    {
      env: cleanEnv(options.env) as NodeJS.ProcessEnv,
    },
  );
  let stderr = '';
  let stdout = '';
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const parts = stdout.split('\n');
    stdout = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(json ? JSON.parse(p) : { text: p });
    waiters.forEach((w) => w());
  });
  const ready = new Promise<string>((resolve) =>
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const url = /on (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(stderr)?.[1];
      if (url) resolve(url);
    }),
  );
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => lines.length >= n && resolve();
      waiters.push(check);
      check();
    });
  return { child, ready, exit, lines, until, stderr: () => stderr };
}

function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const SECRET_DIR = tempDir().dir;
let listener: ReturnType<typeof listen>;
let url: string;
let secret: string;
let app: http.Server;
const appSaw: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  app = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      appSaw.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/app`;
  // Register an endpoint with a secret file, then listen with that file.
  const secretFile = path.join(SECRET_DIR, 'hook.secret');
  const placeholder = 'http://127.0.0.1:1/pending';
  const created = await runInProcess(
    ['webhook', 'create', '--url', placeholder, '--event', 'all', '--secret-file', secretFile, '--json'],
    { env: fx().env },
  );
  expect(created.code).toBe(0);
  const id = JSON.parse(created.stdout).id;
  secret = (await import('node:fs')).readFileSync(secretFile, 'utf8').trim();
  listener = listen(['--path', '/hook', '--secret-file', secretFile, '--forward-to', appUrl]);
  url = await listener.ready;
  expect((await runInProcess(['webhook', 'update', String(id), '--url', url], { env: fx().env })).code).toBe(0);
});

afterAll(async () => {
  listener.child.kill('SIGINT');
  expect(await listener.exit).toBe(130);
  app.closeAllConnections();
  await new Promise((resolve) => app.close(resolve));
});

describe('webhook listen', () => {
  it('receives real deliveries from the sandbox, verifies them, and forwards them intact', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    expect(
      (await runInProcess(['customer', 'onboard', '--file', path.join(ROOT, 'examples/acme.json')], { env })).code,
    ).toBe(0);
    await fx().sandbox.deliveriesIdle();
    await listener.until(1);
    const first = listener.lines[0]!;
    expect(first).toMatchObject({
      event: 'breach.new',
      verified: true,
      secret: 1,
      duplicate: false,
      status: 200,
      forward: { status: 202 },
    });
    expect((first['body'] as { data: { new_breach_names: string[] } }).data.new_breach_names.length).toBeGreaterThan(0);
    // The app got the exact bytes and the SafeWeb headers, so it can verify them itself.
    const got = appSaw[0]!;
    expect(got.headers['x-safeweb-event']).toBe('breach.new');
    expect(got.headers['x-safeweb-signature']).toBe(
      `sha256=${createHmac('sha256', secret).update(got.body).digest('hex')}`,
    );
    const delivered = fx().sandbox.state.deliveries!.find((d) => d.event === 'breach.new')!;
    expect(delivered).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, status: 200, ok: true }] });
  });

  it('rejects a one-byte change and a wrong secret with 401, flags duplicates', async () => {
    const before = listener.lines.length;
    const body = JSON.stringify({
      event: 'email.added',
      data: { customer_uuid: 'c', emails: ['x@y.co'], timestamp: 't' },
      created_at: 't',
    });
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    expect((await post(url, body, { 'x-safeweb-event': 'email.added', 'x-safeweb-signature': signature })).status).toBe(
      200,
    );
    expect((await post(url, body, { 'x-safeweb-event': 'email.added', 'x-safeweb-signature': signature })).status).toBe(
      200,
    );
    expect(
      (
        await post(url, body.replace('x@y.co', 'x@y.cp'), {
          'x-safeweb-event': 'email.added',
          'x-safeweb-signature': signature,
        })
      ).status,
    ).toBe(401);
    const wrong = `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`;
    expect((await post(url, body, { 'x-safeweb-event': 'email.added', 'x-safeweb-signature': wrong })).status).toBe(
      401,
    );
    expect((await post(url, body, { 'x-safeweb-event': 'email.added' })).status).toBe(401);
    await listener.until(before + 5);
    const mine = listener.lines.slice(before);
    expect(
      mine
        .filter((l) => l['verified'] === true)
        .map((l) => l['duplicate'])
        .sort(),
    ).toEqual([false, true]);
    expect(mine.filter((l) => l['verified'] === false).map((l) => l['status'])).toEqual([401, 401, 401]);
  });

  it('survives garbage, wrong methods, other paths and oversized bodies', async () => {
    expect((await post(url, 'not json at all', { 'x-safeweb-signature': 'sha256=00' })).status).toBe(401);
    expect((await post(url.replace('/hook', '/other'), '{}', {})).status).toBe(404);
    expect((await post(url, Buffer.alloc(1_200_000, 120), {})).status).toBe(413);
    // Ten times the limit: still read (and thrown away) so the sender hears the 413, not a reset.
    const huge = await post(url, Buffer.alloc(10_000_000, 120), {});
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('body over 1000000 bytes');
    const get = await new Promise<number>((resolve) =>
      http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))),
    );
    expect(get).toBe(405);
    // Still alive and verifying afterwards.
    const body = '{"event":"email.removed","data":{},"created_at":"t2"}';
    expect(
      (
        await post(url, body, {
          'x-safeweb-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        })
      ).status,
    ).toBe(200);
  });
});

describe('webhook listen and slow clients', () => {
  it('drops a client that never finishes its headers, and keeps serving others', { timeout: 20_000 }, async () => {
    const net = await import('node:net');
    const { port, pathname } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
    const started = Date.now();
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Cut off after the 5 s header deadline (checked every second), not left hanging.
    expect(Date.now() - started).toBeLessThan(15_000);
    const body = '{"event":"email.added","data":{},"created_at":"slow"}';
    expect(
      (
        await post(url, body, {
          'x-safeweb-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        })
      ).status,
    ).toBe(200);
  });
});

describe('webhook listen --forward-to https://', () => {
  const TLS = path.join(ROOT, 'test/fixtures/tls');
  const tlsSecret = 'forward-secret-0000';
  const signed = (body: string) => ({
    'x-safeweb-event': 'email.added',
    'x-safeweb-signature': `sha256=${createHmac('sha256', tlsSecret).update(body).digest('hex')}`,
  });
  let app: https.Server;
  let appUrl: string;
  const appSaw: string[] = [];
  let secretFile: string;

  beforeAll(async () => {
    // An app served over TLS with a self-signed certificate (test/fixtures/tls).
    const tls = {
      key: readFileSync(path.join(TLS, 'self-signed-key.pem')),
      cert: readFileSync(path.join(TLS, 'self-signed-cert.pem')),
    };
    app = https.createServer(tls, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => (appSaw.push(body), res.writeHead(202).end()));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `https://127.0.0.1:${(app.address() as AddressInfo).port}/app`;
    secretFile = path.join(SECRET_DIR, 'forward.secret');
    writeFileSync(secretFile, `${tlsSecret}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
  });

  it('reports an untrusted certificate as a forward failure and keeps serving', { timeout: 20_000 }, async () => {
    const l = listen(['--secret-file', secretFile, '--forward-to', appUrl], { json: false });
    const at = await l.ready;
    try {
      const first = '{"event":"email.added","data":{"emails":["a@b.co"]},"created_at":"tls-1"}';
      expect((await post(at, first, signed(first))).status).toBe(200);
      await l.until(1);
      const line = String(l.lines[0]!['text']);
      expect(line).toMatch(/✓ email\.added {2}emails: a@b\.co {2}→ forward failed: /);
      expect(line).toMatch(
        /the TLS certificate of 127\.0\.0\.1:\d+ was not trusted \(self-signed certificate\); NODE_EXTRA_CA_CERTS can add its CA$/,
      );
      // The listener is still there, still verifying, and still answering at once.
      const second = '{"event":"email.added","data":{"emails":["c@d.co"]},"created_at":"tls-2"}';
      expect((await post(at, second, signed(second))).status).toBe(200);
      expect((await post(at, second, { 'x-safeweb-signature': 'sha256=00' })).status).toBe(401);
      await l.until(3);
      // Each line is printed when its delivery is done (after forwarding): find them by content.
      const texts = l.lines.map((x) => String(x['text']));
      expect(texts.find((t) => t.includes('c@d.co'))).toMatch(/→ forward failed: the TLS certificate/);
      expect(texts.filter((t) => /✗ rejected/.test(t))).toHaveLength(1);
      expect(appSaw).toEqual([]);
    } finally {
      l.child.kill('SIGINT');
      expect(await l.exit).toBe(130);
    }
  });

  it('forwards over https when the certificate is trusted (NODE_EXTRA_CA_CERTS)', { timeout: 20_000 }, async () => {
    const l = listen(['--secret-file', secretFile, '--forward-to', appUrl], {
      env: { NODE_EXTRA_CA_CERTS: path.join(TLS, 'self-signed-cert.pem') },
    });
    const at = await l.ready;
    try {
      const body = '{"event":"email.added","data":{"emails":["e@f.co"]},"created_at":"tls-3"}';
      expect((await post(at, body, signed(body))).status).toBe(200);
      await l.until(1);
      expect(l.lines[0]).toMatchObject({ verified: true, forward: { url: appUrl, status: 202 } });
      expect(l.lines[0]!['forward']).not.toHaveProperty('error');
      expect(appSaw).toEqual([body]);
    } finally {
      l.child.kill('SIGINT');
      expect(await l.exit).toBe(130);
    }
  });
});

describe('stopping webhook listen', () => {
  it('Ctrl+C says it is stopping, and a connection left open does not hold it', async () => {
    const l = listen(['--secret-file', path.join(SECRET_DIR, 'hook.secret')], { json: false });
    const at = new URL(await l.ready);
    // A client that connected and sent nothing (a browser's preconnect): server.close alone would wait for it.
    const idle = net.connect(Number(at.port), at.hostname);
    await new Promise<void>((resolve) => idle.once('connect', () => resolve()));
    const dropped = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    idle.on('error', () => undefined);
    l.child.kill('SIGINT');
    expect(await l.exit).toBe(130);
    await dropped;
    expect(l.stderr()).toContain('Stopping the listener…');
  });
});

describe('webhook trigger', () => {
  it('reports every attempt: a receiver failing twice then succeeding takes 3', async () => {
    let calls = 0;
    const seen: string[] = [];
    const flaky = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls++;
        const expected = `sha256=${createHmac('sha256', 'trigger-secret').update(body).digest('hex')}`;
        seen.push(`${req.headers['x-safeweb-event']} ${req.headers['x-safeweb-signature'] === expected}`);
        res.writeHead(calls <= 2 ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const secretFile = path.join(SECRET_DIR, 'trigger.secret');
    writeFileSync(secretFile, 'trigger-secret\n', { mode: 0o600 });
    const target = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/`;
    const r = await runInProcess([
      'webhook',
      'trigger',
      'breach.unresolved',
      '--url',
      target,
      '--secret-file',
      secretFile,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /attempt 1: 500 in \d+ ms; retrying in 0.5 s\nattempt 2: 500 in \d+ ms; retrying in 1 s\nattempt 3: 204 in \d+ ms\n/,
    );
    expect(r.stderr).toContain('Delivered breach.unresolved to');
    expect(seen).toEqual(['breach.unresolved true', 'breach.unresolved true', 'breach.unresolved true']);
    flaky.closeAllConnections();
    await new Promise((resolve) => flaky.close(resolve));
  });

  it('sends the sample shape of seed 002, with --data overrides', async () => {
    let received: Record<string, unknown> | undefined;
    const ok = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => ((received = JSON.parse(body)), res.writeHead(200).end()));
    });
    await new Promise<void>((resolve) => ok.listen(0, '127.0.0.1', resolve));
    const secretFile = path.join(SECRET_DIR, 'trigger.secret');
    const dataFile = path.join(SECRET_DIR, 'data.json');
    writeFileSync(dataFile, '{"emails": ["cfo@acme.co"]}');
    const r = await runInProcess([
      'webhook',
      'trigger',
      'email.added',
      '--url',
      `http://127.0.0.1:${(ok.address() as AddressInfo).port}/`,
      '--secret-file',
      secretFile,
      '--data',
      dataFile,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(received).toEqual({
      event: 'email.added',
      data: { customer_uuid: expect.any(String), emails: ['cfo@acme.co'], timestamp: expect.any(String) },
      created_at: expect.any(String),
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: true, attempts: [{ attempt: 1, status: 200, ok: true }] });
    ok.closeAllConnections();
    await new Promise((resolve) => ok.close(resolve));
  });
});
