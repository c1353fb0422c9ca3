/**
 * The fault suite: every kind of command against connection resets, bursts of 5xx, 429 with
 * Retry-After, answers slower than the timeout, truncated or invalid JSON and HTML error pages.
 * Safe requests are retried; a create whose fate is unknown is never sent again; every failure
 * is one clear line with the right exit code and no stack trace.
 */
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { seededRandom } from '../src/commands/sandbox/random.js';
import { ROOT, cleanEnv, runInProcess, tempDir } from './helpers/cli.js';
import { failJson, okJson, stubServer, type Reply, type Stub } from './helpers/stub-server.js';

const ID = '550e8400-e29b-41d4-a716-446655440000';
const commands = {
  'partner analytics (GET)': {
    argv: ['partner', 'analytics'],
    safe: true,
    ok: okJson({ success: true, data: { totalCustomers: 1 } }),
  },
  'customer breaches (GET)': {
    argv: ['customer', 'breaches', ID],
    safe: true,
    ok: okJson({ success: true, breachStatus: false, count: 0, breaches: [] }),
  },
  'breach check (safe POST)': {
    argv: ['breach', 'check', 'a@acme.co'],
    safe: true,
    ok: okJson({ success: true, breach: false }),
  },
  'customer onboard (create)': {
    argv: ['customer', 'onboard', '--file', path.join(ROOT, 'examples/acme.json')],
    safe: false,
    ok: okJson({ success: true, customerId: ID }),
  },
  'webhook create (create)': {
    argv: ['webhook', 'create', '--url', 'https://hooks.example.com/x', '--event', 'all'],
    safe: false,
    ok: okJson({
      success: true,
      webhook: {
        id: 1,
        url: 'https://hooks.example.com/x',
        events: ['breach.new'],
        active: true,
        created_at: 't',
        secret: 's',
      },
    }),
  },
  'customer magic-link (create)': {
    argv: ['customer', 'magic-link', ID],
    safe: false,
    ok: okJson({ success: true, url: 'https://connect.safeweb.co/auth/confirm?token_hash=x&type=magiclink' }),
  },
};

const html: Reply = {
  status: 502,
  headers: { 'content-type': 'text/html' },
  body: '<html><head><title>502 Bad Gateway</title></head></html>',
};
const FLAGS = ['--retries', '3', '--timeout', '300ms'];

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function runAgainst(script: Reply[], argv: string[]) {
  stub = await stubServer(script);
  const env = cleanEnv({
    SAFEWEB_BASE_URL: stub.url,
    SAFEWEB_PARTNER_ID: 'P',
    SAFEWEB_API_KEY: 'swk_fault_suite_000',
    SAFEWEB_CONFIG_DIR: tempDir().dir,
  });
  const r = await runInProcess([...FLAGS, ...argv], { env });
  return { ...r, requests: stub.requests.length, unexpected: stub.unexpected.length };
}

/** One line says what failed (breach check reports per address, as a warning, then a count). */
function expectOneCleanLine(stderr: string) {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('Checked '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^(error: |warning: a@acme\.co: )/);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe.each(Object.entries(commands))('%s under faults', (_name, cmd) => {
  it('connection resets: safe requests are retried, creates are not; exit 5', async () => {
    const r = await runAgainst(Array(4).fill({ destroy: true }), cmd.argv);
    expect(r.code).toBe(5);
    expectOneCleanLine(r.stderr);
    expect(r.requests).toBe(cmd.safe ? 4 : 1);
  });

  it('a burst of 503s: safe requests succeed on retry; a create stops at once', async () => {
    const r = await runAgainst([failJson(503, 'busy'), failJson(503, 'busy'), cmd.ok], cmd.argv);
    expect(r.code).toBe(cmd.safe ? 0 : 5);
    expect(r.requests).toBe(cmd.safe ? 3 : 1);
    if (!cmd.safe) expectOneCleanLine(r.stderr);
  });

  it('429 with Retry-After: waited out and retried, even for a create', async () => {
    const r = await runAgainst([failJson(429, 'Too many requests', { 'retry-after': '0' }), cmd.ok], cmd.argv);
    expect(r.code).toBe(0);
    expect(r.requests).toBe(2);
  });

  it('slower than the timeout: safe requests are retried, a create is not; exit 5', async () => {
    const r = await runAgainst(Array(4).fill({ hang: true }), cmd.argv);
    expect(r.code).toBe(5);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('no answer from');
    expect(r.requests).toBe(cmd.safe ? 4 : 1);
  });

  it('a truncated answer: exit 5, a create not sent again', async () => {
    const r = await runAgainst(Array(4).fill({ truncate: '{"success":tr' }), cmd.argv);
    expect(r.code).toBe(5);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(
      /the connection (broke while reading the response|closed before the whole response arrived)/,
    );
    expect(r.requests).toBe(cmd.safe ? 4 : 1);
  });

  it('a 200 that is not JSON: exit 5, reported as such', async () => {
    const r = await runAgainst([{ status: 200, body: '{"success": tru' }], cmd.argv);
    expect(r.code).toBe(5);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('not JSON');
  });

  it('an HTML error page: exit 5, reported with its title', async () => {
    const r = await runAgainst(Array(4).fill(html), cmd.argv);
    expect(r.code).toBe(5);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('the server answered with an HTML page, not JSON ("502 Bad Gateway")');
    expect(r.requests).toBe(cmd.safe ? 4 : 1);
  });
});

describe('bulk runs under faults', () => {
  it('account for every row, whatever fails', async () => {
    const { startSandbox } = await import('../src/sandbox/server.js');
    // Seeded, so the same requests fail on every run; SAFEWEB_TEST_SEED=<n> tries another draw.
    const seed = Number(process.env['SAFEWEB_TEST_SEED'] ?? 4);
    const sandbox = await startSandbox({
      port: 0,
      faults: { errorRate: 0.4, rateLimit: 30, random: seededRandom(seed) },
    });
    onTestFailed(() => console.error(`fault draw seed ${seed}: rerun with SAFEWEB_TEST_SEED=${seed}`));
    const dir = tempDir().dir;
    const rows = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        companyName: `F${i}`,
        customerReference: `FAULT-${i}`,
        assetsDomains: [`f${i}.example`],
        alertRecipients: ['a@f.example'],
        price: 1,
        currencyCode: 'USD',
        billedFromDate: 'now+1d',
      }),
    );
    const file = path.join(dir, 'rows.ndjson');
    (await import('node:fs')).writeFileSync(file, rows.join('\n'));
    const results = path.join(dir, 'r.ndjson');
    const env = cleanEnv({
      SAFEWEB_BASE_URL: sandbox.url,
      SAFEWEB_PARTNER_ID: sandbox.partnerId,
      SAFEWEB_API_KEY: sandbox.apiKey,
      SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg'),
    });
    const r = await runInProcess(
      ['customer', 'onboard', '--file', file, '--results', results, '--concurrency', '8', '--json'],
      { env },
    );
    const summary = JSON.parse(r.stdout);
    expect(summary.ok + summary.failed + summary.unknown + summary.skipped).toBe(30);
    const lines = (await import('node:fs'))
      .readFileSync(results, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(lines.map((l: { reference: string }) => l.reference)).size).toBe(30);
    expect(r.code).toBe(summary.unknown || summary.failed ? 5 : 0);
    // Nothing onboarded twice, nothing claimed that did not happen.
    const created = sandbox.state.customers.filter((c) => c.customerReference.startsWith('FAULT-'));
    expect(created.length).toBe(summary.ok);
    await sandbox.close();
  });
});

describe('Ctrl+C anywhere', () => {
  it('a command waiting on the network exits 130 at once, with one clean line at most', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers/cli.js');
    stub = await stubServer([{ hang: true }]);
    const env = cleanEnv({
      SAFEWEB_BASE_URL: stub.url,
      SAFEWEB_PARTNER_ID: 'P',
      SAFEWEB_API_KEY: 'swk_sigint_0000000',
      SAFEWEB_CONFIG_DIR: tempDir().dir,
    });
    const child = spawn(process.execPath, [BIN, 'partner', 'analytics'], { env: env as NodeJS.ProcessEnv });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Interrupt once the request is in flight (the stub has it), not after a guessed delay.
    const deadline = Date.now() + 10_000;
    while (stub.requests.length === 0) {
      if (Date.now() > deadline) throw new Error(`the request never reached the stub; stderr:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
