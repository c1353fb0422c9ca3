import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { tempDir } from '../helpers/cli.js';

/** A raw request with node:http, so the sandbox is tested without our own client in the way. */
function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${sandbox.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let sb: Sandbox;
let auth: Record<string, string>;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  auth = { 'SW-PARTNER-ID': sb.partnerId, 'SW-API-KEY': sb.apiKey };
});
afterAll(() => sb.close());

describe('the sandbox', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('rejects missing and wrong credentials with the documented messages', async () => {
    expect(await call(sb, 'GET', '/api/v1/integrations/partner/analytics')).toEqual({
      status: 401,
      body: { success: false, error: 'Partner ID and API key are required in headers' },
    });
    expect(
      await call(sb, 'GET', '/api/v1/integrations/partner/analytics', { 'SW-PARTNER-ID': sb.partnerId }),
    ).toMatchObject({ status: 401, body: { error: 'Partner ID and API key are required in headers' } });
    expect(await call(sb, 'GET', '/api/v1/integrations/partner/analytics', { ...auth, 'SW-API-KEY': 'wrong' })).toEqual(
      { status: 401, body: { success: false, error: 'Failed to verify org API key' } },
    );
    // A valid key of another partner does not open this partner's account.
    expect(
      (
        await call(sb, 'GET', '/api/v1/integrations/partner/analytics', {
          'SW-PARTNER-ID': sb.partnerId,
          'SW-API-KEY': sb.otherPartner.apiKey,
        })
      ).status,
    ).toBe(401);
  });

  it('serves health without credentials', async () => {
    const r = await call(sb, 'GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, status: 'ok' });
  });

  it('serves analytics on both the v1 and the legacy base, per partner', async () => {
    const v1 = await call(sb, 'GET', '/api/v1/integrations/partner/analytics', auth);
    const legacy = await call(sb, 'GET', '/api/integrations/partner/analytics', auth);
    expect(v1).toEqual(legacy);
    expect(v1.body['data']).toMatchObject({ totalCustomers: 4, activeCustomers: 3 });
    const other = await call(sb, 'GET', '/api/v1/integrations/partner/analytics', {
      'SW-PARTNER-ID': sb.otherPartner.partnerId,
      'SW-API-KEY': sb.otherPartner.apiKey,
    });
    // Its one customer monitors an address and a .example domain: both are in the breach records.
    const others = sb.state.customers.filter((c) => c.partnerId === sb.otherPartner.partnerId).map((c) => c.id);
    const detected = sb.state.breaches.filter((b) => others.includes(b.customerId)).length;
    expect(detected).toBeGreaterThan(1);
    expect(other.body['data']).toMatchObject({ totalCustomers: 1, totalBreachesDetected: detected });
  });

  it('serves plans in the data envelope', async () => {
    const r = await call(sb, 'GET', '/api/integrations/partner/plans', auth);
    expect((r.body['data'] as unknown[]).length).toBe(4);
  });

  it('answers unknown routes with 404 and wrong methods with 405, as JSON', async () => {
    expect(await call(sb, 'GET', '/api/v1/nope', auth)).toEqual({
      status: 404,
      body: { success: false, error: 'Route not found: GET /api/v1/nope' },
    });
    expect((await call(sb, 'DELETE', '/api/v1/integrations/partner/analytics', auth)).status).toBe(405);
  });

  it('refuses bodies over 1 MB', async () => {
    const r = await call(
      sb,
      'POST',
      '/api/v1/integrations/partner/analytics',
      { ...auth, 'content-type': 'application/json' },
      'x'.repeat(1_100_000),
    );
    expect(r.status).toBe(413);
  });
});

describe('sandbox state', () => {
  it('persists to --state and keeps the same credentials across restarts', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'state.json');
    const first = await startSandbox({ port: 0, statePath: file });
    await first.close();
    const second = await startSandbox({ port: 0, statePath: file });
    expect(second.apiKey).toBe(first.apiKey);
    expect(second.state.customers).toEqual(first.state.customers);
    await second.close();
    cleanup();
  });

  it('refuses a file that is not a sandbox state, and leaves it alone', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{"hello": "world"}');
    await expect(startSandbox({ port: 0, statePath: file })).rejects.toThrow(/is not a safeweb sandbox state file/);
    writeFileSync(file, '{oops');
    await expect(startSandbox({ port: 0, statePath: file })).rejects.toThrow(/is not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('{oops');
    cleanup();
  });

  it('holds API keys: 0600 in a directory it makes 0700, never written through a symbolic link', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'new', 'state.json');
      await (await startSandbox({ port: 0, statePath: file })).close();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      const link = path.join(dir, 'link.json');
      symlinkSync(path.join(dir, 'elsewhere.json'), link);
      await expect(startSandbox({ port: 0, statePath: link })).rejects.toThrow(/is a symbolic link/);
      expect(existsSync(path.join(dir, 'elsewhere.json'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describe('sandbox fault knobs', () => {
  it('--error-rate answers 503 before doing anything; --rate-limit answers 429 with Retry-After', async () => {
    const failing = await startSandbox({ port: 0, faults: { errorRate: 1 } });
    const r = await call(failing, 'GET', '/api/v1/integrations/partner/analytics', {
      'SW-PARTNER-ID': failing.partnerId,
      'SW-API-KEY': failing.apiKey,
    });
    expect(r).toEqual({ status: 503, body: { success: false, error: 'Service temporarily unavailable' } });
    await failing.close();

    const limited = await startSandbox({ port: 0, faults: { rateLimit: 2 } });
    const headers = { 'SW-PARTNER-ID': limited.partnerId, 'SW-API-KEY': limited.apiKey };
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call(limited, 'GET', '/api/v1/integrations/partner/analytics', headers)).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    const res = await fetch(`${limited.url}/api/v1/integrations/partner/analytics`, { headers });
    expect(res.headers.get('retry-after')).toBe('1');
    await limited.close();
  });
});
