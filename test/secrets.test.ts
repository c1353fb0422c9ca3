/**
 * The API key never appears in any output of any command, --debug included, except where
 * showing it is the command's purpose (`sandbox start`, `profile show --reveal-key`).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runBinary, runInPty } from './helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from './helpers/sandbox.js';

const RESULTS = path.join(os.tmpdir(), `safeweb-secrets-${process.pid}.ndjson`);
let fx: SandboxFixture;
let profileEnv: Record<string, string | undefined>;
beforeAll(async () => {
  fx = await sandboxFixture();
  // A second setup where the key lives only in a stored profile, not in the environment.
  profileEnv = cleanEnv({ SAFEWEB_CONFIG_DIR: path.join(fx.configDir, 'stored') });
  const add = await runBinary(
    [
      '--debug',
      'profile',
      'add',
      'sb',
      '--base-url',
      fx.sandbox.url,
      '--partner-id',
      fx.sandbox.partnerId,
      '--api-key-stdin',
      '--verify',
    ],
    { env: profileEnv, input: fx.sandbox.apiKey },
  );
  expect(add.code).toBe(0);
  expect(add.stdout + add.stderr).not.toContain(fx.sandbox.apiKey);
});
afterAll(async () => {
  await fx.close();
  rmSync(RESULTS, { force: true });
  rmSync(`${RESULTS}.inflight`, { force: true });
});

const commands: string[][] = [
  ['health'],
  ['partner', 'analytics'],
  ['partner', 'analytics', '--json'],
  ['partner', 'plans', '--all'],
  ['api', 'GET', '/api/v1/integrations/partner/analytics', '--include'],
  ['api', 'GET', '/api/v1/integrations/nope'],
  ['api', 'POST', '/api/v1/integrations/partner/plans', '--data', '{"apiKey":"x"}'],
  ['profile', 'list'],
  ['profile', 'list', '--json'],
  ['profile', 'show'],
  ['profile', 'show', '--json'],
  ['profile', 'use', 'sb'],
  ['customer', 'onboard', '--file', 'examples/acme.json', '--reference', 'SECRET-1', '--dry-run'],
  // --force: the same results file is written by both setups below.
  ['customer', 'onboard', '--file', 'examples/customers.csv', '--results', RESULTS, '--force'],
  ['customer', 'list'],
  ['customer', 'breaches', '00000000-0000-4000-8000-000000000000'],
  ['breach', 'check', 'admin@acme.co', 'error-500@acme.co'],
  ['breach', 'retrieve', 'admin@acme.co'],
  ['breach', 'get', '--name', 'Adobe'],
  ['webhook', 'list'],
  ['webhook', 'create', '--url', 'https://hooks.example.com/x', '--event', 'nope'],
  ['doctor'],
  ['completion', 'bash'],
  ['--help'],
  ['partner', 'analytics', '--partner-id', 'partner_sandbox_other'],
  ['partner', 'analytics', '--base-url', 'http://127.0.0.1:1', '--retries', '1'],
  ['sandbox', 'exec', '--', process.execPath, BIN, 'partner', 'analytics'],
];

describe('the API key stays secret', () => {
  it.each(commands.map((argv) => [argv.join(' ').replace(process.execPath, 'node'), argv] as const))(
    'with --debug: %s',
    async (_name, argv) => {
      for (const env of [fx.env, profileEnv]) {
        const r = await runBinary(['--debug', ...argv], { env });
        const all = r.stdout + r.stderr;
        expect(all).not.toContain(fx.sandbox.apiKey);
        if (argv[0] === 'partner' && argv.length === 2 && r.code === 0)
          expect(r.stderr).toContain('sw-api-key: [REDACTED]');
      }
    },
  );

  it('with --debug: the commands that act on a customer, a breach or a webhook', async () => {
    const seeded = fx.sandbox.state.customers.find((c) => c.customerReference === 'GLOBEX-7')!;
    const breach = fx.sandbox.state.breaches.find((b) => b.customerId === seeded.id)!;
    const hook = JSON.parse(
      (
        await runBinary(['webhook', 'create', '--url', 'https://hooks.example.com/d', '--event', 'all', '--json'], {
          env: fx.env,
        })
      ).stdout,
    );
    const argvs = [
      ['customer', 'assets', seeded.id, '--add-email', 'cfo@globex.example'],
      ['customer', 'update', seeded.id, '--price', '55'],
      ['customer', 'threat-score', seeded.id],
      ['customer', 'offboard', seeded.id, '--yes'],
      ['customer', 'reactivate', seeded.id],
      ['breach', 'resolve', breach.id],
      ['breach', 'unresolve', breach.id],
      ['breach', 'categories'],
      ['webhook', 'update', String(hook.id), '--inactive'],
      ['webhook', 'delete', String(hook.id), '--yes'],
      ['sandbox', 'deliveries'],
    ];
    for (const argv of argvs) {
      const r = await runBinary(['--debug', ...argv], { env: fx.env });
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(fx.sandbox.apiKey);
      expect(r.stdout + r.stderr).not.toContain(hook.secret);
    }
  });

  it("magic-link tokens appear only in the command's own output, never in the trace", async () => {
    const seeded = fx.sandbox.state.customers.find((c) => c.customerReference === 'NW-001')!;
    for (const env of [fx.env, profileEnv]) {
      const r = await runBinary(['--debug', 'customer', 'magic-link', seeded.id], { env });
      expect(r.code).toBe(0);
      const token = /token_hash=([0-9a-f]+)/.exec(r.stdout)![1]!;
      expect(r.stderr).not.toContain(token);
      expect(r.stderr).toContain('token_hash=[REDACTED]');
      expect(r.stdout + r.stderr).not.toContain(fx.sandbox.apiKey);
    }
  });

  it('webhook secrets appear only where create shows them, never in a trace', async () => {
    const r = await runBinary(
      ['--debug', 'webhook', 'create', '--url', 'https://hooks.example.com/s', '--event', 'all', '--json'],
      { env: fx.env },
    );
    const secret = JSON.parse(r.stdout).secret as string;
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).toContain('"secret":"[REDACTED]"');
    const list = await runBinary(['--debug', 'webhook', 'list', '--json'], { env: fx.env });
    expect(list.stdout + list.stderr).not.toContain(secret);
  });

  it('v1 signing tokens appear only where create or cycle shows them, never in a trace or other file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-v1-secret-'));
    try {
      const created = await runBinary(['--debug', 'webhook', 'secret', 'create', '--json'], { env: fx.env });
      expect(created.code).toBe(0);
      const first = JSON.parse(created.stdout) as { id: string; token: string };
      expect(created.stderr).not.toContain(first.token);
      expect(created.stderr).toContain('"secret":"[REDACTED]"');
      const file = path.join(dir, 'next.secret');
      const cycled = await runBinary(['--debug', 'webhook', 'secret', 'cycle', '--secret-file', file], { env: fx.env });
      expect(cycled.code).toBe(0);
      const second = readFileSync(file, 'utf8').trim();
      expect(readdirSync(dir)).toEqual(['next.secret']);
      for (const argv of [
        ['webhook', 'secret', 'deactivate', first.id, '--yes'],
        ['sandbox', 'deliveries'],
        ['sandbox', 'deliveries', '--json'],
      ]) {
        const r = await runBinary(['--debug', ...argv], { env: fx.env });
        expect(r.code, argv.join(' ')).toBe(0);
        for (const secret of [first.token, second, fx.sandbox.apiKey])
          expect(r.stdout + r.stderr).not.toContain(secret);
      }
      for (const secret of [first.token, fx.sandbox.apiKey])
        expect(cycled.stdout + cycled.stderr).not.toContain(secret);
      expect(cycled.stdout + cycled.stderr).not.toContain(second);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('v1 trigger and verify never print the organisation token, with --debug', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-v1-trigger-'));
    const token = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
    const file = path.join(dir, 'org.secret');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const hmac = (data: string) => createHmac('sha256', token).update(data).digest('hex');
    let body = '';
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        body = Buffer.concat(chunks).toString('utf8');
        res.writeHead(200, { 'x-signature': hmac(String(req.headers['x-token'])) }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const trigger = await runBinary(
        ['--debug', 'webhook', 'trigger', 'customer.breach.found', '--url', url, '--secret-file', file, '--json'],
        { env: fx.env },
      );
      expect(trigger.code).toBe(0);
      expect(trigger.stdout + trigger.stderr).not.toContain(token);
      writeFileSync(path.join(dir, 'body.json'), body);
      const verify = await runBinary(
        [
          '--debug',
          'webhook',
          'verify',
          '--secret-file',
          file,
          '--signature',
          hmac(body),
          '--payload',
          path.join(dir, 'body.json'),
        ],
        { env: fx.env },
      );
      expect(verify.code).toBe(0);
      expect(verify.stdout + verify.stderr).not.toContain(token);
      expect(readdirSync(dir).sort()).toEqual(['body.json', 'org.secret']);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in the login wizard, with --debug', async () => {
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: path.join(fx.configDir, 'login') });
    const pty = runInPty(['--debug', 'login'], { env });
    await pty.waitFor('Profile name');
    pty.write('x\r');
    await pty.waitFor('Environment');
    pty.write('\x1b[B\x1b[B\r');
    await pty.waitFor('Base URL');
    pty.write(`\x15${fx.sandbox.url}\r`);
    await pty.waitFor('Partner ID');
    pty.write(`${fx.sandbox.partnerId}\r`);
    await pty.waitFor('API key');
    pty.write(`${fx.sandbox.apiKey}\r`);
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain('sw-api-key: [REDACTED]');
    expect(pty.raw()).not.toContain(fx.sandbox.apiKey);
  });

  it('shows the key where that is the point: profile show --reveal-key', async () => {
    const r = await runBinary(['profile', 'show', '--reveal-key'], { env: profileEnv });
    expect(r.stdout).toContain(fx.sandbox.apiKey);
  });
});
