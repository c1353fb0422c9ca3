/**
 * `safeweb serve` (issue 31) as a process, over loopback: the sandbox's real deliveries in both
 * protocols, one finding each (the keys of v1, of the older protocol and of `portfolio watch`
 * agree), replays, refusals, rotation with SIGHUP, the outbox written before the answer (a full
 * disk is a 503), health and metrics, the instance lock, SIGTERM and Ctrl+C.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsFile, setIntegration } from '../../../src/config/integrations.js';
import { Outbox } from '../../../src/findings/outbox.js';
import { accountKey } from '../../../src/io/account-files.js';
import { ROOT, runBinary, runInProcess, tempDir, until } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { breachFound, request, sendLegacy, sendV1, startServe, type ServeChild } from './serve-child.js';

const fx = useSandbox();
const { dir: SECRETS } = tempDir('serve-secrets-');
const ORG = path.join(SECRETS, 'org.secret');
const HOOK = path.join(SECRETS, 'hook.secret');
let serve: ServeChild;
let channel: http.Server | undefined;
const sent: string[] = [];
let env: Record<string, string | undefined>;
let account: string;
let acme: { uuid: string; reference: string };

const cli = async (argv: string[]) => {
  const r = await runInProcess(argv, { env });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};
const secret = (file: string) => fs.readFileSync(file, 'utf8').trim();
const outbox = () => new Outbox({ configDir: env['SAFEWEB_CONFIG_DIR']!, account });
const items = () => [...outbox().read().values()];

beforeAll(async () => {
  env = fx().env;
  account = accountKey(fx().sandbox.partnerId, fx().sandbox.url);
  await cli(['customer', 'onboard', '--file', path.join(ROOT, 'examples/acme.json')]);
  acme = { uuid: JSON.parse(await cli(['customer', 'list', '--json']))[0].id, reference: 'ACME-001' };
  // A notification route for every event, to a webhook channel on loopback: the receiver sends there.
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      sent.push(body);
      res.writeHead(204).end();
    });
  });
  channel = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const settings = integrationsFile(env['SAFEWEB_CONFIG_DIR']!, account);
  await setIntegration(settings, ['notify', 'channels', 'ops'], {
    kind: 'webhook',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
  });
  await setIntegration(settings, ['notify', 'routes'], [{ channels: ['ops'] }]);
  await cli(['webhook', 'secret', 'create', '--secret-file', ORG]);
  const created = JSON.parse(
    await cli([
      'webhook',
      'create',
      '--url',
      'http://127.0.0.1:1/pending',
      '--event',
      'all',
      '--event',
      'customer.breach.found',
      '--secret-file',
      HOOK,
      '--json',
    ]),
  ) as { id: number };
  serve = await startServe(['--secret-file', ORG, '--secret-file', HOOK], env);
  await cli(['webhook', 'update', String(created.id), '--url', serve.url]);
});

afterAll(async () => {
  if (serve.child.exitCode === null) expect(await serve.stop('SIGTERM')).toBe(0);
  await new Promise((resolve) => channel?.close(resolve));
});

describe('safeweb serve', () => {
  it('takes the sandbox’s deliveries of both protocols: one finding, keyed as watch keys it, in the outbox', async () => {
    const state = path.join(env['SAFEWEB_CONFIG_DIR']!, 'watch.json');
    await cli(['portfolio', 'watch', '--state', state, '--baseline']);
    const before = serve.lines.length;
    await cli(['customer', 'assets', 'ACME-001', '--add-email', 'pwned1@acme.co']);
    await fx().sandbox.deliveriesIdle();
    // breach.new and email.added (the older protocol), customer.breach.found (v1): each answered and counted.
    const deliveries = JSON.parse(await cli(['sandbox', 'deliveries', '--json'])) as Array<{ status: string }>;
    expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 'delivered'));
    await serve.reported(before + 3);
    const got = serve.lines.slice(before);
    const byType = (t: string) => got.find((l) => l['type'] === t)!;
    expect(got.map((l) => [l['type'], l['status']]).sort()).toEqual([
      ['breach.new', 200],
      ['customer.breach.found', 200],
      ['email.added', 200],
    ]);
    const v1 = byType('customer.breach.found')['events'] as string[];
    expect(v1.length).toBeGreaterThan(0);
    expect([...(byType('breach.new')['events'] as string[])].sort()).toEqual([...v1].sort());
    // watch, comparing the book, names the same events.
    const watched = (await cli(['portfolio', 'watch', '--state', state, '--json']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; key: string })
      .filter((e) => e.type === 'breach.new');
    expect(watched.map((e) => e.key).sort()).toEqual([...v1].sort());
    // In the outbox once per event, for the route's channel, whichever protocol came first
    // (watch, run beside it here, keeps its own occurrence, `@<state>`, as it always has).
    const kept = items().filter((i) => v1.includes(i.event.key) && i.key.includes('@d:'));
    expect(kept).toHaveLength(v1.length);
    for (const item of kept) expect([...item.sinks.keys()]).toEqual(['notify:ops']);
    // The receiver routes them to the channel: one message per event, whichever protocol brought it.
    await until(() => v1.every((key) => sent.some((b) => b.includes(key))), 'the messages at the channel');
  });

  it('answers a replay as before and keeps it once: v1 by idempotencyToken, the older protocol by body', async () => {
    const breach = { uuid: '0b4c1e0e-4d4b-4f6e-9f57-3c2f6d1b9a01', name: 'Replayed-2024' };
    const body = breachFound(acme, [breach]);
    const first = await sendV1(serve.url, secret(ORG), body);
    const again = await sendV1(serve.url, secret(ORG), body);
    for (const a of [first, again]) expect(a).toMatchObject({ status: 200, body: '{"received":true}', signed: true });
    const legacy = JSON.stringify({
      event: 'email.removed',
      data: { customer_uuid: acme.uuid, emails: ['gone@acme.co'], timestamp: new Date().toISOString() },
      created_at: new Date().toISOString(),
    });
    for (let i = 0; i < 3; i++)
      expect(await sendLegacy(serve.url, secret(HOOK), 'email.removed', legacy)).toMatchObject({ status: 200 });
    await until(() => serve.lines.filter((l) => l['duplicate'] === true).length >= 3, 'the replays reported');
    const v1Items = items().filter((i) => i.event.breachId === breach.uuid);
    expect(v1Items).toHaveLength(1);
    expect(items().filter((i) => i.event.type === 'email.removed')).toHaveLength(1);
  });

  it('refuses what it must, keeps none of it, and stays up', async () => {
    const count = items().length;
    const body = breachFound(acme, [{ uuid: '0b4c1e0e-4d4b-4f6e-9f57-3c2f6d1b9a02', name: 'Refused-2024' }]);
    const json = { 'content-type': 'application/json' };
    expect((await request(serve.url, { headers: json, body })).status).toBe(401);
    expect((await sendV1(serve.url, 'not-the-secret', body)).status).toBe(401);
    expect((await request(serve.url, { method: 'GET' })).status).toBe(405);
    expect((await request(serve.url, { method: 'PUT', body })).headers['allow']).toBe('POST');
    expect((await sendV1(serve.url.replace('/safeweb/events', '/other'), secret(ORG), body)).status).toBe(404);
    // Traversal is not resolved: the path is compared as sent.
    expect((await sendV1(serve.url, secret(ORG), body, '/x/../safeweb/events')).status).toBe(404);
    expect((await sendV1(serve.url, secret(ORG), body, '/safeweb/%65vents')).status).toBe(404);
    expect((await sendV1(serve.url, secret(ORG), `{"x":"${'a'.repeat(1024 * 1024)}"}`)).status).toBe(413);
    expect((await sendV1(serve.url, secret(ORG), '{not json')).status).toBe(400);
    // Signed, but not the shape its type promises.
    expect((await sendV1(serve.url, secret(ORG), '{"type":"customer.breach.found","data":{}}')).status).toBe(400);
    // A flood of unsigned requests: every one refused, nothing kept, the process answers after it.
    const flood = await Promise.all(Array.from({ length: 200 }, () => request(serve.url, { headers: json, body })));
    expect(new Set(flood.map((a) => a.status))).toEqual(new Set([401]));
    expect(items()).toHaveLength(count);
    expect((await request(`${serve.admin}/healthz`, { method: 'GET' })).status).toBe(200);
    expect(serve.stderr()).not.toContain(secret(ORG));
  });

  it('cuts off slow clients and refuses huge headers', async () => {
    const { port } = new URL(serve.url);
    const net = await import('node:net');
    const closedAfter = (send: (s: import('node:net').Socket) => void) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => send(socket));
        let got = '';
        socket.on('data', (c) => (got += c.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', () => undefined);
      });
    const [slowHeaders, slowBody] = await Promise.all([
      closedAfter((s) => s.write('POST /safeweb/events HTTP/1.1\r\nHost: x\r\n')),
      closedAfter((s) =>
        s.write('POST /safeweb/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"idempotencyToken":'),
      ),
    ]);
    // Both connections ended by the server (a 408, or closed), never answered as deliveries.
    for (const got of [slowHeaders, slowBody]) expect(got).not.toMatch(/HTTP\/1\.1 (200|401)/);
    const huge = await request(serve.url, { headers: { 'x-filler': 'a'.repeat(32 * 1024) }, body: '{}' }).catch(
      (e: Error) => ({ status: 0, body: e.message }),
    );
    expect([431, 0]).toContain(huge.status);
    expect((await request(`${serve.admin}/healthz`, { method: 'GET' })).status).toBe(200);
  }, 30_000);

  it('holds both secrets of a rotation, and reads a cycled one on SIGHUP', async () => {
    const current = path.join(SECRETS, 'current.secret');
    fs.copyFileSync(ORG, current);
    const rotating = await startServe(['--port', '0'], {
      ...env,
      SAFEWEB_CONFIG_DIR: tempDir().dir,
      SAFEWEB_SECRET_WEBHOOK_ORG_FILE: current,
      SAFEWEB_SECRET_WEBHOOK_OLD_FILE: ORG,
    }).catch((e) => {
      throw e;
    });
    try {
      const NEW = path.join(SECRETS, 'new.secret');
      await cli(['webhook', 'secret', 'cycle', '--secret-file', NEW]);
      const body = () => JSON.stringify({ idempotencyToken: crypto.randomUUID(), type: 'customer.other', data: {} });
      expect((await sendV1(rotating.url, secret(NEW), body())).status).toBe(401);
      fs.copyFileSync(NEW, current);
      rotating.child.kill('SIGHUP');
      await until(() => rotating.stderr().includes('SIGHUP: secrets read again (2'), 'the reload');
      expect(await sendV1(rotating.url, secret(NEW), body())).toMatchObject({ status: 200, signed: true });
      expect(await sendV1(rotating.url, secret(ORG), body())).toMatchObject({ status: 200, signed: true });
      expect(rotating.stderr()).not.toContain(secret(NEW));
    } finally {
      expect(await rotating.stop('SIGINT')).toBe(130);
    }
  });

  it('health, readiness and Prometheus metrics; one receiver per account', async () => {
    expect(JSON.parse((await request(`${serve.admin}/readyz`, { method: 'GET' })).body)).toMatchObject({
      ready: true,
      lock: 'held',
    });
    const metrics = await request(`${serve.admin}/metrics`, { method: 'GET' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/safeweb_serve_deliveries_received_total\{protocol="v1",duplicate="true"\} [1-9]/);
    expect(metrics.body).toMatch(/safeweb_serve_deliveries_refused_total\{reason="unsigned"\} \d+/);
    expect(metrics.body).toMatch(/safeweb_serve_routed_total\{sink="notify:ops"\} [1-9]/);
    expect(metrics.body).toContain('safeweb_serve_ack_seconds_bucket');
    const second = await runBinary(['serve', '--port', '0'], { env });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/in use by another `safeweb serve \(receiver\)` \(PID \d+/);
  });

  it('serve check: a signed test delivery through the URL, and what came back', async () => {
    const ok = await runBinary(['serve', 'check', '--url', serve.url, '--secret-file', ORG, '--json'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, status: 200, secret: 'file org.secret' });
    const wrong = path.join(SECRETS, 'wrong.secret');
    fs.writeFileSync(wrong, 'not-the-secret\n');
    const bad = await runBinary(['serve', 'check', '--url', serve.url, '--secret-file', wrong], { env });
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('did not accept the test delivery');
    expect(bad.stderr).toContain('does not hold this secret');
  });

  it('doctor reports the running receiver', async () => {
    const r = await runInProcess(['doctor', '--json'], { env });
    const line = (JSON.parse(r.stdout) as Array<{ check: string; ok: boolean; detail: string }>).find(
      (c) => c.check === 'serve',
    );
    expect(line).toMatchObject({ ok: true, detail: expect.stringMatching(/running \(PID \d+\).*ready/) });
  });

  it('SIGTERM drains and exits 0; the status says it stopped', async () => {
    const code = await serve.stop('SIGTERM');
    expect(code).toBe(0);
    expect(serve.stderr()).toContain('SIGTERM: no new deliveries');
    const r = await runInProcess(['doctor', '--json'], { env });
    const line = (JSON.parse(r.stdout) as Array<{ check: string; detail: string }>).find((c) => c.check === 'serve');
    expect(line?.detail).toMatch(/not running/);
  });
});

// A real full disk: a small tmpfs as the outbox directory (root and a machine that allows mounts).
function mountWorks(): boolean {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  const { dir, cleanup } = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    cleanup();
  }
}

describe.skipIf(!mountWorks())('serve on a full disk', () => {
  it('answers 503 (SafeWeb retries) and is not ready until its events can be kept; then takes the retry', async () => {
    const configDir = tempDir().dir;
    const full = { ...env, SAFEWEB_CONFIG_DIR: configDir };
    // The same book and routes in this config dir.
    fs.cpSync(env['SAFEWEB_CONFIG_DIR']!, configDir, {
      recursive: true,
      filter: (f) => !f.includes('/outbox') && !f.includes('/serve') && !f.includes('/locks'),
    });
    const dir = path.join(configDir, 'outbox');
    fs.mkdirSync(dir, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
    let receiver: ServeChild | undefined;
    try {
      const filler = path.join(dir, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(60 * 1024));
      receiver = await startServe(['--secret-file', ORG], full);
      const big = Array.from({ length: 8 }, (_, i) => ({
        uuid: `0b4c1e0e-4d4b-4f6e-9f57-3c2f6d1b9b0${i}`,
        name: `Full-${i}`,
        emails: [`${'x'.repeat(2000)}@acme.co`],
      }));
      const body = breachFound(acme, big);
      expect((await sendV1(receiver.url, secret(ORG), body)).status).toBe(503);
      expect((await request(`${receiver.admin}/readyz`, { method: 'GET' })).status).toBe(503);
      fs.rmSync(filler);
      expect(await sendV1(receiver.url, secret(ORG), body)).toMatchObject({ status: 200, signed: true });
      expect((await request(`${receiver.admin}/readyz`, { method: 'GET' })).status).toBe(200);
      const kept = [...new Outbox({ configDir, account }).read().values()];
      expect(kept.filter((i) => i.event.breachName?.startsWith('Full-'))).toHaveLength(8);
    } finally {
      if (receiver) expect(await receiver.stop()).toBe(0);
      execFileSync('umount', [dir]);
    }
  });
});
