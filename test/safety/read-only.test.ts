/**
 * Read-only profiles: every change refused before anything is sent (the sandbox sees no
 * request), exit 2, one line naming the profile and how to switch; reads work as usual.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';
import { scriptedPrompter } from '../helpers/prompter.js';

let sandbox: Sandbox;
const seen: string[] = [];
let dir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, log: (line) => seen.push(line) });
  dir = tempDir().dir;
  env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const add = (name: string, extra: string[]) =>
    runInProcess(
      [
        'profile',
        'add',
        name,
        '--base-url',
        sandbox.url,
        '--partner-id',
        sandbox.partnerId,
        '--api-key-stdin',
        ...extra,
      ],
      { env, stdin: sandbox.apiKey },
    );
  expect((await add('rw', [])).code).toBe(0);
  // A customer to offboard, made while writes are allowed.
  const made = await runInProcess(
    ['customer', 'onboard', '--company-name', 'Ro Co', '--reference', 'RO-1', '--domain', 'ro.example'].concat([
      '--alert-recipient',
      'a@ro.example',
      '--price',
      '1',
      '--currency',
      'USD',
      '--billed-from',
      'now+1d',
    ]),
    { env },
  );
  expect(made.code, made.stderr).toBe(0);
  expect((await add('reports', ['--read-only', '--use'])).code).toBe(0);
});
afterAll(() => sandbox.close());

/** Runs the command and returns what reached the sandbox meanwhile. */
async function sent(argv: string[], extraEnv: Record<string, string> = {}) {
  const before = seen.length;
  const r = await runInProcess(argv, { env: { ...env, ...extraEnv } });
  return { ...r, requests: seen.slice(before).filter((l) => !l.startsWith('webhook')) };
}

describe('a read-only profile', () => {
  it.each([
    [['customer', 'offboard', 'RO-1', '--yes']],
    // Without --yes it is refused before the question, not asked and then refused.
    [['customer', 'offboard', 'RO-1']],
    [['customer', 'reactivate', 'RO-1', '--force']],
    [['customer', 'magic-link', 'RO-1']],
    [['webhook', 'create', '--url', 'https://example.com/h', '--event', 'breach.new']],
    [['webhook', 'delete', '1', '--yes']],
    [['api', 'POST', '/api/v1/integrations/customer/offboard', '--data', '{"customerId":"x"}']],
    [['api', 'DELETE', '/api/v1/something/unknown']],
  ])('refuses %j before sending: exit 2, one line naming the profile and the switch', async (argv) => {
    const r = await sent(argv);
    expect(r.requests).toEqual([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: profile "reports" is read-only; .+ was not sent — switch with `safeweb profile set reports --read-write`/,
    );
  });

  it.each([
    [['customer', 'update', 'RO-1', '--contact-email', 'it@ro.example'], 'the update of Ro Co (RO-1)'],
    [['customer', 'assets', 'RO-1', '--add-email', 'cfo@ro.example'], 'the asset change of Ro Co (RO-1)'],
  ])('refuses %j naming the customer, not an API path', async (argv, what) => {
    const r = await sent(argv);
    expect(r.requests).toEqual([]);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`error: profile "reports" is read-only; ${what} was not sent`), r.stderr).toBe(true);
    expect(r.stderr).not.toContain('/api/');
  });

  it('refuses the onboarding wizard before its first question', async () => {
    const prompter = scriptedPrompter([]);
    const before = seen.length;
    const r = await runInProcess(['customer', 'onboard', '--interactive'], { env, tty: true, prompter });
    expect(r.code).toBe(2);
    expect(prompter.asked).toEqual([]);
    expect(seen.slice(before)).toEqual([]);
    expect(r.stderr).toMatch(/profile "reports" is read-only; onboarding a customer was not sent/);
  });

  it('stops a bulk run at the first row, sending nothing', async () => {
    const file = path.join(dir, 'rows.csv');
    writeFileSync(
      file,
      'companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n' +
        'A,RO-B1,b1.example,a@b1.example,1,USD,now+1d\nB,RO-B2,b2.example,a@b2.example,1,USD,now+1d\n',
    );
    const r = await sent(['customer', 'onboard', '--file', file]);
    expect(r.requests).toEqual([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/profile "reports" is read-only/);
  });

  it('reads work as usual, POST reads included', async () => {
    const analytics = await sent(['partner', 'analytics', '--json']);
    expect(analytics.code).toBe(0);
    expect(analytics.requests).toHaveLength(1);
    const check = await sent(['breach', 'check', 'someone@example.com', '--json']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.requests[0]).toMatch(/^POST \/api\/v1\/integrations\/breach\/check/);
    expect((await sent(['api', 'GET', '/api/v1/health'])).code).toBe(0);
  });

  it('profile list and show say the mode; the refusals are in the audit log', async () => {
    const list = JSON.parse((await runInProcess(['profile', 'list', '--json'], { env })).stdout) as Array<{
      name: string;
      mode: string;
    }>;
    expect(list.map((p) => [p.name, p.mode])).toEqual([
      ['reports', 'read-only'],
      ['rw', 'read-write'],
    ]);
    const show = await runInProcess(['profile', 'show'], { env });
    expect(show.stdout).toMatch(/Mode\tread-only/);
    const folder = path.join(dir, 'audit');
    const log = readFileSync(path.join(folder, readdirSync(folder)[0]!), 'utf8')
      .split('\n')
      .filter(Boolean);
    const refused = log
      .map((l) => JSON.parse(l) as { outcome: string; profile: string })
      .filter((e) => e.outcome === 'refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.profile === 'reports')).toBe(true);
  });

  it('SAFEWEB_READ_ONLY makes any run read-only; --read-write lets changes through again', async () => {
    const viaEnv = await sent(['--profile', 'rw', 'customer', 'reactivate', 'RO-1', '--force'], {
      SAFEWEB_READ_ONLY: '1',
    });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.requests).toEqual([]);
    expect(viaEnv.stderr).toMatch(/this run is read-only \(SAFEWEB_READ_ONLY is set\)/);

    const set = await runInProcess(['profile', 'set', 'reports', '--read-write'], { env });
    expect(set.code, set.stderr).toBe(0);
    const now = await sent(['customer', 'offboard', 'RO-1', '--yes']);
    expect(now.code, now.stderr).toBe(0);
    expect(now.requests).toHaveLength(1);
    expect((await runInProcess(['profile', 'set', 'reports', '--read-only'], { env })).code).toBe(0);
  });
});
