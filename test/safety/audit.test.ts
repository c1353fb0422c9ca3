/**
 * The audit log, against a real sandbox: every change logged with who, what, where and how it
 * ended; reads never; never a secret, --debug included; two processes appending at once lose
 * no line; a log that cannot be written never fails the command.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { commandLine } from '../../src/safety/audit.js';
import { cleanEnv, runBinary, runInProcess, tempDir } from '../helpers/cli.js';

let sandbox: Sandbox;
const seen: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, log: (line) => seen.push(line) });
});
afterAll(() => sandbox.close());

/** A config dir with one stored profile "sb" for the sandbox, and the env that uses it. */
async function withProfile(extra: string[] = []): Promise<{ dir: string; env: Record<string, string | undefined> }> {
  const { dir } = tempDir();
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const r = await runInProcess(
    ['profile', 'add', 'sb', '--base-url', sandbox.url, '--partner-id', sandbox.partnerId, '--api-key-stdin', ...extra],
    { env, stdin: sandbox.apiKey },
  );
  expect(r.code, r.stderr).toBe(0);
  return { dir, env };
}

function auditLines(dir: string): string[] {
  const folder = path.join(dir, 'audit');
  const files = readdirSync(folder);
  expect(files).toHaveLength(1);
  return readFileSync(path.join(folder, files[0]!), 'utf8').split('\n').filter(Boolean);
}

const ONBOARD = (ref: string) => [
  'customer',
  'onboard',
  '--company-name',
  `Co ${ref}`,
  '--reference',
  ref,
  '--domain',
  `${ref.toLowerCase()}.example`,
  '--alert-recipient',
  `security@${ref.toLowerCase()}.example`,
  '--price',
  '10',
  '--currency',
  'USD',
  '--billed-from',
  'now+1d',
];
describe('the audit log', () => {
  it('logs each change with who, what, where and how it ended, and no read', async () => {
    const { dir, env } = await withProfile();
    expect((await runInProcess(ONBOARD('AUD-1'), { env })).code).toBe(0);
    expect((await runInProcess(['partner', 'analytics'], { env })).code).toBe(0);
    // POST, but a read: marked so in the path table.
    expect((await runInProcess(['breach', 'check', 'someone@example.com'], { env })).code).not.toBe(1);
    expect((await runInProcess(['api', 'GET', '/api/v1/health'], { env })).code).toBe(0);
    expect(
      (
        await runInProcess(['api', 'POST', '/api/v1/integrations/breach/retrieve', '--data', '{"email":"a@b.co"}'], {
          env,
        })
      ).code,
    ).toBe(0);
    expect((await runInProcess(['customer', 'offboard', 'AUD-1', '--yes'], { env })).code).toBe(0);
    // A write the table does not know, rejected by the API: logged as rejected.
    expect((await runInProcess(['api', 'POST', '/api/v1/nowhere'], { env })).code).toBe(3);

    const entries = auditLines(dir).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => [e['method'], e['path'], e['outcome']])).toEqual([
      ['POST', '/api/v1/integrations/customer/onboard', 'ok'],
      ['POST', '/api/v1/integrations/customer/offboard', 'ok'],
      ['POST', '/api/v1/nowhere', 'rejected'],
    ]);
    expect(entries[1]).toMatchObject({
      profile: 'sb',
      partnerId: sandbox.partnerId,
      via: 'cli',
      command: 'safeweb customer offboard AUD-1 --yes',
      customerRef: 'AUD-1',
      status: 200,
      outcome: 'ok',
    });
    expect(typeof entries[1]!['user']).toBe('string');
    expect(entries[1]!['durationMs']).toBeGreaterThanOrEqual(0);
    expect(Date.parse(entries[1]!['time'] as string)).not.toBeNaN();
    expect(entries[2]).toMatchObject({ status: 404, outcome: 'rejected' });

    const file = path.join(dir, 'audit', readdirSync(path.join(dir, 'audit'))[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    // `safeweb audit`: the same entries as JSON, filtered by customer and time.
    const all = await runInProcess(['audit', '--json'], { env });
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual(entries);
    const one = await runInProcess(['audit', '--customer', 'AUD-1', '--json'], { env });
    expect((JSON.parse(one.stdout) as unknown[]).length).toBe(2);
    const future = await runInProcess(['audit', '--since', '2999-01-01', '--json'], { env });
    expect(JSON.parse(future.stdout)).toEqual([]);
    const recent = await runInProcess(['audit', '--since', '1h'], { env });
    expect(recent.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    const bad = await runInProcess(['audit', '--since', 'yesterday'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since: "yesterday" is neither a duration nor a date/);
  });

  it('names the customer of every change to it, so audit --customer lists them all, by reference or ID', async () => {
    const { env } = await withProfile();
    const ok = async (argv: string[]) => {
      const r = await runInProcess(argv, { env });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await ok([...ONBOARD('AUD-9'), '--email', 'admin@aud-9.example']);
    await ok(ONBOARD('AUD-10'));
    const id = sandbox.state.customers.find((c) => c.customerReference === 'AUD-9')!.id;
    await ok(['customer', 'update', 'AUD-9', '--contact-email', 'it@aud-9.example']);
    await ok(['customer', 'assets', 'AUD-9', '--add-email', 'ceo@aud-9.example']);
    const [first] = JSON.parse(await ok(['customer', 'breaches', 'AUD-9', '--json'])) as { id: string; uuid: string }[];
    // By uuid with the customer named, and by the listing id that names it itself.
    await ok(['breach', 'resolve', first!.uuid, '--customer', 'AUD-9']);
    await ok(['breach', 'unresolve', first!.id]);
    // By its uuid alone: the request names no customer; audit --customer finds it by the customer's breaches.
    await ok(['breach', 'resolve', first!.uuid]);
    await ok(['customer', 'update', 'AUD-10', '--contact-email', 'it@aud-10.example']);

    const expected = ['customerOnboard', 'customerInfo', 'customerAssets', 'breachStatus', 'breachStatus'];
    for (const customer of ['AUD-9', id]) {
      const found = JSON.parse(await ok(['audit', '--customer', customer, '--json'])) as Record<string, unknown>[];
      expect(found.map((e) => e['operation'])).toEqual([...expected, 'breachStatus']);
      expect(found.slice(0, -1).map((e) => [e['customerRef'], e['customerId']])).toEqual(
        expected.map(() => ['AUD-9', id]),
      );
      expect(found.at(-1)).toMatchObject({ breachId: first!.uuid, customerRef: null, customerId: null });
    }
    // Not another customer's.
    const other = JSON.parse(await ok(['audit', '--customer', 'AUD-10', '--json'])) as Record<string, unknown>[];
    expect(other.map((e) => e['operation'])).toEqual(['customerOnboard', 'customerInfo']);
  });

  it('--since refuses a day the calendar lacks and a duration no date can be, in one line (exit 2)', async () => {
    const { env } = await withProfile();
    for (const since of ['2026-02-30', '2025-02-29', '2026-04-31T09:00:00Z', '99999999999d', '9007199254740993s']) {
      const r = await runInProcess(['audit', '--since', since], { env });
      expect(r.code, since).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^error: --since: "${since}" [^\\n]+\\n$`));
    }
    // The edges that exist still work: a leap day, a time of day, a long but real duration.
    for (const since of ['2024-02-29', '2026-01-31T23:59:59Z', '5000w']) {
      const r = await runInProcess(['audit', '--since', since, '--json'], { env });
      expect(r.code, `${since}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
    }
  });

  it('never holds a key, secret, token or magic-link URL, --debug included', async () => {
    const { dir, env } = await withProfile();
    const run = async (argv: string[]) => {
      const r = await runInProcess(['--debug', ...argv], { env });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    await run(ONBOARD('SEC-1'));
    const link = JSON.parse(await run(['customer', 'magic-link', 'SEC-1', '--json'])) as { url: string };
    const hook = JSON.parse(
      await run(['webhook', 'create', '--url', 'https://example.com/h', '--event', 'breach.new', '--json']),
    ) as {
      secret: string;
    };
    const org = JSON.parse(await run(['webhook', 'secret', 'create', '--json'])) as { token: string };
    await run([
      'api',
      'POST',
      '/api/v1/integrations/webhooks/secrets/cycle',
      '--data',
      '{"token":"tok_typed_by_hand_123"}',
    ]);

    const log = auditLines(dir).join('\n');
    expect(auditLines(dir)).toHaveLength(5);
    for (const secret of [
      sandbox.apiKey,
      link.url,
      new URL(link.url).search,
      hook.secret,
      org.token,
      'tok_typed_by_hand_123',
    ])
      expect(secret && log.includes(secret), secret).toBeFalsy();
    expect(log).toMatch(/\[REDACTED\]/);
  });

  it('two processes appending at once lose no line', async () => {
    const { dir, env } = await withProfile();
    const rows = (prefix: string) =>
      'companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n' +
      Array.from(
        { length: 60 },
        (_, i) =>
          `Co ${prefix}${i},${prefix}-${i},${prefix.toLowerCase()}${i}.example,a@${prefix.toLowerCase()}${i}.example,1,USD,now+1d`,
      ).join('\n') +
      '\n';
    writeFileSync(path.join(dir, 'a.csv'), rows('PA'));
    // Two bulk onboardings of one account exclude each other (one run of a kind at a time): the
    // second writer is an apply, a run of another kind, appending to the same log at the same time.
    const manifest = [
      'defaults: { currencyCode: USD, billedFromDate: "2030-01-01T00:00:00Z", alertRecipients: [a@pb.example] }',
      'customers:',
      ...Array.from(
        { length: 60 },
        (_, i) =>
          `  - { customerReference: PB-${i}, companyName: Co PB${i}, assetsDomains: [pb${i}.example], price: 1 }`,
      ),
    ].join('\n');
    writeFileSync(path.join(dir, 'b.yaml'), `${manifest}\n`);
    const [a, b] = await Promise.all([
      runBinary(['customer', 'onboard', '--file', path.join(dir, 'a.csv')], { env, timeoutMs: 60_000 }),
      runBinary(['apply', '--file', path.join(dir, 'b.yaml'), '--yes'], { env, timeoutMs: 60_000 }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const refs = auditLines(dir).map((l) => (JSON.parse(l) as { customerRef: string }).customerRef);
    expect(refs).toHaveLength(120);
    expect(new Set(refs).size).toBe(120);
  }, 90_000);

  it('a log that cannot be written warns and never fails the command', async () => {
    const { dir, env } = await withProfile();
    writeFileSync(path.join(dir, 'audit'), 'not a directory');
    const r = await runInProcess(ONBOARD('WARN-1'), { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the audit log could not be written \(.+\); the command went on/);
  });

  it('refuses a log file that is a symlink, and makes an existing file 0600', async () => {
    const { dir, env } = await withProfile();
    expect((await runInProcess(ONBOARD('MODE-1'), { env })).code).toBe(0);
    const file = path.join(dir, 'audit', readdirSync(path.join(dir, 'audit'))[0]!);
    chmodSync(file, 0o644);
    expect((await runInProcess(['customer', 'offboard', 'MODE-1', '--yes'], { env })).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(auditLines(dir)).toHaveLength(2);
    mkdirSync(path.join(dir, 'elsewhere'));
    const { symlinkSync, rmSync } = await import('node:fs');
    rmSync(file);
    symlinkSync(path.join(dir, 'elsewhere', 'x'), file);
    const r = await runInProcess(['customer', 'reactivate', 'MODE-1'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/audit log could not be written/);
  });
});

describe('the command line in the log', () => {
  it('keeps what was typed and removes every secret', () => {
    const key = 'swk_live_0123456789abcdef';
    expect(commandLine(['customer', 'offboard', 'ACME-001', '--yes'], [key])).toBe(
      'safeweb customer offboard ACME-001 --yes',
    );
    expect(commandLine(['api', 'POST', '/x', '--data', '{"token":"abc","email":"a@b.co"}'], [key])).toBe(
      `safeweb api POST /x --data '{"token":"[REDACTED]","email":"a@b.co"}'`,
    );
    expect(commandLine(['--api-key', key, '--secret=hunter22', '--secret-file', 'f.txt'], [])).toBe(
      'safeweb --api-key [REDACTED] --secret=[REDACTED] --secret-file f.txt',
    );
    expect(commandLine(['api', 'GET', `/x?token=t0ken&ok=1`, key], [key])).not.toMatch(/t0ken|0123456789abcdef/);
  });
});

describe('the origin of a change', () => {
  it('is the MCP tool when the server says so (guard.auditOrigin)', async () => {
    const { auditEntry } = await import('../../src/safety/audit.js');
    const entry = auditEntry(
      {
        configDir: '/nowhere',
        partnerId: 'P1',
        baseUrl: 'https://connect.safeweb.co',
        profile: 'prod',
        origin: { via: 'mcp', tool: 'customer_offboard' },
        argv: ['mcp', 'serve'],
        secrets: [],
        now: new Date('2026-01-31T10:00:00Z'),
      },
      {
        method: 'POST',
        path: '/api/v1/integrations/customer/offboard',
        operation: 'customerOffboard',
        customerId: 'c-1',
        customerRef: undefined,
        status: 200,
        outcome: 'ok',
        durationMs: 12,
      },
      'ACME-001',
    );
    expect(entry).toMatchObject({
      time: '2026-01-31T10:00:00.000Z',
      via: 'mcp',
      tool: 'customer_offboard',
      command: 'safeweb mcp serve',
      customerRef: 'ACME-001',
      customerId: 'c-1',
    });
  });
});
