/**
 * The clients a run builds (src/clients.ts), on their own against the sandbox over loopback:
 * from the resolved settings (credentials required, exit 4 before anything is sent), from
 * explicit credentials, and for bulk runs (the 429 hook). Every one carries the run's guard.
 * No Context: the settings, the guard and the flags are handed in as plain values.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPartnerAnalytics } from '../src/api/partner.js';
import { createWebhook } from '../src/api/webhooks.js';
import { TooLargeError } from '../src/api/transport.js';
import { Clients, type ClientsInit } from '../src/clients.js';
import { resolveSettings } from '../src/config/resolve.js';
import type { ConfigData } from '../src/config/store.js';
import { AuthError, ReadOnlyError, UnavailableError } from '../src/errors.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { readAudit } from '../src/safety/audit.js';
import { accountKey } from '../src/io/account-files.js';
import { Guard } from '../src/safety/guard.js';
import { tempDir } from './helpers/cli.js';

let sandbox: Sandbox;
const seen: string[] = [];
const cleanups: Array<() => void> = [];
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, log: (line) => seen.push(line) });
});
afterAll(async () => {
  await sandbox.close();
  cleanups.forEach((c) => c());
});

/** Clients over a fresh config dir, settings resolved from `env` and `config` as a run would. */
function clients(
  env: Record<string, string | undefined>,
  config: ConfigData = { profiles: {} },
  over: Partial<ClientsInit> = {},
) {
  const { dir, cleanup } = tempDir('safeweb-clients-');
  cleanups.push(cleanup);
  const said: string[] = [];
  const guard = new Guard({
    env,
    configDir: dir,
    now: () => new Date(),
    argv: () => ['test'],
    info: (line) => said.push(`info: ${line}`),
    warn: (line) => said.push(`warn: ${line}`),
    recordedCustomers: () => Promise.resolve([]),
  });
  const made = new Clients({
    env,
    nodeVersion: process.version,
    options: () => ({ timeout: 5_000, retries: 0, debug: false }),
    resolved: () => Promise.resolve(resolveSettings({}, env, config)),
    guard,
    debug: (line) => said.push(`debug: ${line}`),
    warn: (line) => said.push(`warn: ${line}`),
    ...over,
  });
  return { made, guard, dir, said };
}

const sandboxEnv = () => ({
  SAFEWEB_BASE_URL: sandbox.url,
  SAFEWEB_PARTNER_ID: sandbox.partnerId,
  SAFEWEB_API_KEY: sandbox.apiKey,
});
const HOOK = { url: 'https://example.com/hook', events: ['breach.new'] };

describe('the client for the resolved settings', () => {
  it('sends with them, is built once, and its writes are audited under the account', async () => {
    const { made, dir } = clients(sandboxEnv());
    const api = await made.api();
    expect(await made.api()).toBe(api);
    expect((await getPartnerAnalytics(api)).success).toBe(true);
    await createWebhook(api, HOOK);
    const entries = readAudit(dir, accountKey(sandbox.partnerId, sandbox.url)).entries;
    expect(entries.map((e) => [e.method, e.path, e.outcome])).toEqual([['POST', '/api/integrations/webhooks', 'ok']]);
  });

  it('without credentials: exit 4 naming what is missing, and nothing sent', async () => {
    const before = seen.length;
    const { made } = clients({ SAFEWEB_BASE_URL: sandbox.url, SAFEWEB_PARTNER_ID: sandbox.partnerId });
    await expect(made.api()).rejects.toThrow(AuthError);
    await expect(made.api()).rejects.toMatchObject({ exitCode: 4, message: 'no API key configured' });
    await expect(made.bulkApi({})).rejects.toThrow(AuthError);
    // A verb that can do without (health) gets an unauthenticated client instead.
    const open = await made.api({ auth: 'optional' });
    expect(open.baseUrl.href).toBe(`${sandbox.url}/`);
    expect(seen.slice(before)).toEqual([]);
  });

  it('a read-only profile refuses a write before it is sent; --profile over the environment is warned of', async () => {
    const before = seen.length;
    const config: ConfigData = {
      activeProfile: 'reports',
      profiles: {
        reports: { partnerId: sandbox.partnerId, apiKey: sandbox.apiKey, baseUrl: sandbox.url, readOnly: true },
      },
    };
    const { made, said } = clients({ ...sandboxEnv(), SAFEWEB_PARTNER_ID: 'someone-else' }, config, {
      resolved: () => Promise.resolve(resolveSettings({ profile: 'reports' }, sandboxEnv(), config)),
    });
    await expect(createWebhook(await made.api(), HOOK)).rejects.toThrow(ReadOnlyError);
    expect(seen.slice(before)).toEqual([]);
    expect(said).toEqual([
      'warn: --profile reports overrides SAFEWEB_API_KEY, SAFEWEB_PARTNER_ID, SAFEWEB_BASE_URL from the environment',
    ]);
  });
});

describe('other clients', () => {
  it('explicit credentials (login checking a key) are guarded too, under no profile', async () => {
    // Settings that do not resolve (a profile being created): the guard still applies.
    const { made, dir } = clients(
      {},
      { profiles: {} },
      { resolved: () => Promise.reject(new Error('no such profile')) },
    );
    const api = await made.apiFor({ partnerId: sandbox.partnerId, apiKey: sandbox.apiKey, baseUrl: sandbox.url });
    await createWebhook(api, HOOK);
    expect(readAudit(dir, accountKey(sandbox.partnerId, sandbox.url)).entries).toMatchObject([
      { profile: null, path: '/api/integrations/webhooks', outcome: 'ok' },
    ]);
  });

  it('a bulk client hears every 429 as it arrives; each bulk run gets its own', async () => {
    const limited = await startSandbox({ port: 0, faults: { rateLimit: 0.001 } });
    try {
      const { made } = clients({
        SAFEWEB_BASE_URL: limited.url,
        SAFEWEB_PARTNER_ID: limited.partnerId,
        SAFEWEB_API_KEY: limited.apiKey,
      });
      const heard: number[] = [];
      const api = await made.bulkApi({ onRateLimited: (ms) => heard.push(ms) });
      expect(await made.bulkApi({})).not.toBe(api);
      await expect(getPartnerAnalytics(api)).rejects.toThrow(UnavailableError);
      expect(heard).toEqual([1000]);
    } finally {
      await limited.close();
    }
  });

  it('--debug traces requests without the key', async () => {
    const { made, said } = clients(sandboxEnv(), undefined, {
      options: () => ({ timeout: 5_000, retries: 0, debug: true }),
    });
    await getPartnerAnalytics(await made.api());
    const traced = said.filter((l) => l.startsWith('debug: '));
    expect(traced.join('\n')).toContain('/api/v1/integrations/partner');
    expect(traced.join('\n')).not.toContain(sandbox.apiKey);
  });

  it('settings whose key is already known are used as they are (the keychain is asked only for an empty key)', async () => {
    const { made } = clients(sandboxEnv());
    const resolved = resolveSettings({}, sandboxEnv(), { profiles: {} });
    expect(await made.withKey(resolved)).toBe(resolved);
    expect(made.secretsInUse.size).toBe(0);
  });
});

describe('the PSA settings (psaHttp)', () => {
  it('carry the profile’s read-only reason, the run’s timeout and retries, and a wire capped at 8 MiB', async () => {
    const config: ConfigData = {
      activeProfile: 'reports',
      profiles: {
        reports: { partnerId: sandbox.partnerId, apiKey: sandbox.apiKey, baseUrl: sandbox.url, readOnly: true },
      },
    };
    const { made } = clients({}, config);
    const settings = await made.psaHttp();
    expect(settings.guard?.readOnly).toEqual({ profile: 'reports' });
    expect(settings).toMatchObject({ timeoutMs: 5_000, retries: 0, trace: undefined });
    expect((await clients(sandboxEnv()).made.psaHttp()).guard?.readOnly).toBeUndefined();

    // 9 MiB: more than a PSA answer may be, less than the API's 16 MiB.
    const server = createServer((_req, res) => res.end(Buffer.alloc(9 * 1024 * 1024, 97)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await expect(settings.wire({ url, method: 'GET', headers: {} })).rejects.toThrow(TooLargeError);
    // --max-response-size raises it for the PSA too.
    const raised = clients({}, config, {
      options: () => ({ timeout: 5_000, retries: 0, debug: false, maxResponseSize: 16 * 1024 * 1024 }),
    });
    const answer = await (await raised.made.psaHttp()).wire({ url, method: 'GET', headers: {} });
    expect(answer.body.length).toBe(9 * 1024 * 1024);
  });
});
