import { chmodSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bookEvent } from '../../../src/findings/event.js';
import { Outbox } from '../../../src/findings/outbox.js';
import { accountKey } from '../../../src/io/account-files.js';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { stubServer, type Stub } from '../../helpers/stub-server.js';

const fx = useSandbox();
let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

type Line = { check: string; ok: boolean; detail: string };
const checks = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as Line[]).map((l) => [l.check, l]));

/** A fresh config dir holding one profile "sb" for the sandbox, and the environment that uses it. */
async function storedProfile() {
  const dir = path.join(tempDir().dir, 'cfg');
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const sb = fx().sandbox;
  const argv = ['profile', 'add', 'sb', '--base-url', sb.url, '--partner-id', sb.partnerId, '--api-key-stdin'];
  await runInProcess(argv, { env, stdin: sb.apiKey });
  return { dir, env };
}

describe('safeweb doctor', () => {
  it('passes every check against a healthy sandbox with a stored profile', async () => {
    const { env } = await storedProfile();
    const r = await runInProcess(['doctor', '--json'], { env });
    expect(r.code).toBe(0);
    const c = checks(r.stdout);
    expect(Object.keys(c)).toEqual([
      'config',
      'credentials',
      'key store',
      'base URL',
      'proxy',
      'reachable',
      'clock',
      'authenticated',
      'local record',
      'outbox',
      'integrations',
    ]);
    expect(Object.values(c).every((l) => l.ok)).toBe(true);
    expect(c['local record']).toMatchObject({ ok: true, warning: false });
    expect(c['outbox']!.detail).toMatch(/^no outbox yet \(.*outbox.*\.ndjson\)$/);
    // No PSA or channel exists yet: said, not pretended to be checked.
    expect(c['integrations']).toMatchObject({
      ok: true,
      detail: 'no integrations configured (safeweb psa add, safeweb notify add)',
    });
    // A key in a plain file passes, with a warning that says so (issue 17).
    expect(c['key store']).toMatchObject({ ok: true, warning: true });
    expect(c['key store']!.detail).toMatch(/^the API key of profile "sb" sits in a plain file/);
    // Each source named once, in words.
    expect(c['credentials']!.detail).toMatch(
      /^profile "sb" \(the active profile\); partner ID \S+ and API key \S+ from the profile$/,
    );
    expect(c['base URL']!.detail).toMatch(/^http:\/\/127\.0\.0\.1:\d+ \(from the profile\)$/);
    expect(r.stdout).not.toContain(fx().sandbox.apiKey);
    const text = await runInProcess(['doctor'], { env });
    expect(text.stdout).toMatch(/^✓ reachable\s+http:\/\/127\.0\.0\.1:\d+ answered 200 in \d+ ms$/m);
  });

  it('fails on loose config permissions (exit 2) and names the fix', async () => {
    const { dir, env } = await storedProfile();
    chmodSync(path.join(dir, 'config.json'), 0o644);
    const r = await runInProcess(['doctor'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`✗ config        ${path.join(dir, 'config.json')}: mode 644, should be 600 (chmod 600`);
    expect(r.stderr).toBe('1 check failed.\n');
  });

  it('fails on rejected credentials (exit 4) and on an unreachable API (exit 5)', async () => {
    const wrong = await runInProcess(['doctor', '--json'], {
      env: { ...fx().env, SAFEWEB_API_KEY: 'swk_wrong_0000000000' },
    });
    expect(wrong.code).toBe(4);
    expect(checks(wrong.stdout)['authenticated']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('Failed to verify org API key'),
    });
    const down = await runInProcess(['doctor', '--json', '--retries', '0', '--base-url', 'http://127.0.0.1:1'], {
      env: fx().env,
    });
    expect(down.code).toBe(5);
    expect(checks(down.stdout)['reachable']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('connection refused'),
    });
  });

  it('reports clock skew against the server Date header', async () => {
    const old = new Date(Date.now() - 10 * 60_000).toUTCString();
    stub = await stubServer([
      { status: 200, body: '{"success":true}', headers: { date: old } },
      { status: 200, body: '{"success":true,"data":{}}' },
    ]);
    const r = await runInProcess(['doctor', '--json'], {
      env: cleanEnv({
        SAFEWEB_BASE_URL: stub.url,
        SAFEWEB_PARTNER_ID: 'P',
        SAFEWEB_API_KEY: 'swk_doctor_0000000',
        SAFEWEB_CONFIG_DIR: tempDir().dir,
      }),
    });
    expect(r.code).toBe(2);
    expect(checks(r.stdout)['clock']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^(599|600|601) s ahead of the server/),
    });
  });

  it('shows which proxy applies', async () => {
    const r = await runInProcess(['doctor', '--json'], {
      env: { ...fx().env, HTTPS_PROXY: 'http://user:pw@proxy.example:3128', NO_PROXY: '127.0.0.1' },
    });
    expect(checks(r.stdout)['proxy']!.detail).toBe(
      'set (HTTPS_PROXY, NO_PROXY), but ' + new URL(fx().sandbox.url).host + ' is not proxied',
    );
  });

  it('reports the outbox per sink: a dead-lettered item is a warning naming the repair, not a failure', async () => {
    const { dir, env } = await storedProfile();
    const sb = fx().sandbox;
    const outbox = new Outbox({ configDir: dir, account: accountKey(sb.partnerId, sb.url), sinks: ['psa', 'chat'] });
    const at = new Date().toISOString();
    const facts = (n: number) => ({
      type: 'breach.new' as const,
      reference: `R-${n}`,
      customerId: `c-${n}`,
      breachId: `b-${n}`,
    });
    const [dead, waiting] = [bookEvent(sb.partnerId, facts(1), at), bookEvent(sb.partnerId, facts(2), at)];
    await outbox.enqueue([dead, waiting]);
    await outbox.due('psa', new Date(), 1);
    await outbox.record('psa', dead.key, { ok: false, error: 'ConnectWise answered 400: bad board', permanent: true });

    const r = await runInProcess(['doctor', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const c = checks(r.stdout);
    expect(c['outbox']).toMatchObject({ ok: true, detail: `2 events (${outbox.file})` });
    expect(c['outbox psa']).toMatchObject({ ok: true, warning: true });
    expect(c['outbox psa']!.detail).toMatch(
      new RegExp(
        `^1 pending, 0 held, 0 retrying, 1 dead-lettered, 0 acknowledged; last error \\S+ \\(${dead.key}\\): ` +
          'ConnectWise answered 400: bad board — `safeweb outbox retry --sink psa` tries them again',
      ),
    );
    expect(c['outbox chat']).toMatchObject({
      ok: true,
      warning: false,
      detail: '2 pending, 0 held, 0 retrying, 0 dead-lettered, 0 acknowledged',
    });
    const text = await runInProcess(['doctor'], { env });
    expect(text.stdout).toMatch(/^! outbox psa\s+1 pending/m);
  });
});
