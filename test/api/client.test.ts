import { afterEach, describe, expect, it } from 'vitest';
import { checkBaseUrl } from '../../src/api/base-url.js';
import { createApiClient, type ApiSettings } from '../../src/api/client.js';
import { createWire } from '../../src/api/transport.js';
import { CliError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { failJson, okJson, stubServer, type Stub } from '../helpers/stub-server.js';

let stub: Stub | undefined;
afterEach(async () => {
  if (stub) {
    expect(stub.unexpected, 'requests beyond the script').toEqual([]);
    await stub.close();
  }
  stub = undefined;
});

function client(url: string, extra: Partial<ApiSettings> = {}) {
  return createApiClient({
    baseUrl: checkBaseUrl(url),
    partnerId: 'P-1',
    apiKey: 'swk_test_secret_key_0001',
    userAgent: 'safeweb-cli/9.9.9 node/20.0.0',
    timeoutMs: 2000,
    retries: 3,
    wire: createWire({ env: {} }),
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected the request to fail');
}

// The one engine (ky over node:http) keeps every rule, for single commands and bulk runs alike.
describe('the HTTP layer', () => {
  it('sends the auth headers, JSON and a User-Agent naming the tool', async () => {
    stub = await stubServer([okJson({ success: true, customerId: 'c1' })]);
    const res = await client(stub.url).request({
      method: 'POST',
      path: '/api/v1/x',
      body: { a: 1 },
      query: { q: ['1', '2'] },
    });
    expect(res.data).toEqual({ success: true, customerId: 'c1' });
    const [req] = stub.requests;
    expect(req!.url).toBe('/api/v1/x?q=1&q=2');
    expect(req!.headers['sw-partner-id']).toBe('P-1');
    expect(req!.headers['sw-api-key']).toBe('swk_test_secret_key_0001');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.headers['accept']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('safeweb-cli/9.9.9 node/20.0.0');
    expect(JSON.parse(req!.body)).toEqual({ a: 1 });
  });

  it('keeps a path prefix of the base URL', async () => {
    stub = await stubServer([okJson()]);
    await client(`${stub.url}/gateway/`).request({ method: 'GET', path: '/api/v1/health' });
    expect(stub.requests[0]!.url).toBe('/gateway/api/v1/health');
  });

  it('retries a GET on 503 and succeeds', async () => {
    stub = await stubServer([failJson(503, 'busy'), failJson(502, 'bad gateway'), okJson({ success: true, n: 1 })]);
    const res = await client(stub.url).request({ method: 'GET', path: '/x' });
    expect(res.data).toEqual({ success: true, n: 1 });
    expect(stub.requests).toHaveLength(3);
  });

  it('gives up after the retry limit with exit 5 and says so', async () => {
    stub = await stubServer([failJson(503, 'busy'), failJson(503, 'busy'), failJson(503, 'busy')]);
    const error = await failure(client(stub.url, { retries: 2 }).request({ method: 'GET', path: '/x' }));
    expect(error.exitCode).toBe(ExitCode.Unavailable);
    expect(error.message).toBe('busy (SafeWeb answered 503 to GET /x after 2 retries)');
    expect(stub.requests).toHaveLength(3);
  });

  it('never re-sends a create that may have reached the server (500, 503, reset)', async () => {
    stub = await stubServer([failJson(503, 'busy')]);
    expect((await failure(client(stub.url).request({ method: 'POST', path: '/onboard', body: {} }))).exitCode).toBe(
      ExitCode.Unavailable,
    );
    expect(stub.requests).toHaveLength(1);
    await stub.close();

    stub = await stubServer([{ destroy: true }]);
    const reset = await failure(client(stub.url).request({ method: 'POST', path: '/onboard', body: {} }));
    expect(reset.exitCode).toBe(ExitCode.Unavailable);
    expect(stub.requests).toHaveLength(1);
  });

  it('re-sends a connection reset when the request is safe to repeat', async () => {
    stub = await stubServer([{ destroy: true }, okJson()]);
    await client(stub.url).request({ method: 'POST', path: '/breach/check', body: {}, idempotent: true });
    expect(stub.requests).toHaveLength(2);
  });

  it('honours Retry-After on 429, even for a create', async () => {
    stub = await stubServer([
      failJson(429, 'Too many requests', { 'retry-after': '1' }),
      okJson({ success: true, customerId: 'c' }),
    ]);
    const started = Date.now();
    const res = await client(stub.url).request({ method: 'POST', path: '/onboard', body: {} });
    expect(res.data).toMatchObject({ customerId: 'c' });
    expect(stub.requests).toHaveLength(2);
    // A lower bound only: the wait must not be skipped. No upper bound on a noisy machine.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('honours RateLimit-Reset when there is no Retry-After, and tells the pacer the same wait', async () => {
    stub = await stubServer([
      failJson(429, 'Too many requests', { 'ratelimit-reset': '1' }),
      failJson(503, 'busy', { 'retry-after': '0' }),
      okJson({ success: true, n: 2 }),
    ]);
    const told: number[] = [];
    const started = Date.now();
    const res = await client(stub.url, { onRateLimited: (ms) => told.push(ms) }).request({ method: 'GET', path: '/x' });
    expect(res.data).toEqual({ success: true, n: 2 });
    expect(stub.requests).toHaveLength(3);
    // The 429 asked for one second; the 503's Retry-After: 0 took the place of the backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(told).toEqual([1000]);
  });

  it('retries a 2xx the caller does not accept, then reports why (exit 5)', async () => {
    stub = await stubServer([okJson({ success: true }), okJson({ success: true }), okJson({ success: true, id: 'x' })]);
    const seen: number[] = [];
    const accepted = (answer: { status: number; body: Buffer }) => {
      seen.push(answer.status);
      return JSON.parse(answer.body.toString()).id ? true : 'the answer has no id';
    };
    const res = await client(stub.url, { retries: 3 }).request({ method: 'GET', path: '/a', accepted });
    expect(res.data).toEqual({ success: true, id: 'x' });
    expect(seen).toEqual([200, 200, 200]);
    await stub.close();

    stub = await stubServer([okJson({ success: true }), okJson({ success: true })]);
    const error = await failure(
      client(stub.url, { retries: 1 }).request({ method: 'GET', path: '/b', accepted: () => 'it is unsigned' }),
    );
    expect(error.exitCode).toBe(ExitCode.Unavailable);
    expect(error.message).toBe('SafeWeb answered 200 to GET /b but it is unsigned after 1 retry');
    expect(stub.requests).toHaveLength(2);
    await stub.close();

    // A create the server answered 2xx did happen: it is not sent again, whatever the verdict.
    stub = await stubServer([okJson({ success: true })]);
    const create = await failure(
      client(stub.url).request({ method: 'POST', path: '/c', body: {}, accepted: () => false }),
    );
    expect(create.message).toBe('SafeWeb answered 200 to POST /c but the answer was not accepted');
    expect(stub.requests).toHaveLength(1);
  });

  it('retries a create whose connection was refused: it never left the machine', async () => {
    const lines: string[] = [];
    // Port 1 on loopback: nothing listens, so every attempt is refused.
    const error = await failure(
      client('http://127.0.0.1:1', { retries: 2, trace: (l) => lines.push(l) }).request({
        method: 'POST',
        path: '/onboard',
        body: {},
      }),
    );
    expect(error.exitCode).toBe(ExitCode.Unavailable);
    expect(error.message).toBe(
      'SafeWeb unreachable: could not connect to 127.0.0.1:1: connection refused after 2 retries',
    );
    expect(lines.filter((l) => l.startsWith('→ POST'))).toHaveLength(3);
  });

  it('times out per attempt; a GET is retried, a create is not', async () => {
    stub = await stubServer([{ hang: true }, { hang: true }]);
    const get = await failure(
      client(stub.url, { timeoutMs: 200, retries: 1 }).request({ method: 'GET', path: '/slow' }),
    );
    expect(get.exitCode).toBe(ExitCode.Unavailable);
    expect(get.message).toMatch(
      /^no answer from SafeWeb \(127\.0\.0\.1:\d+\) within 200ms \(GET \/slow\) after 1 retry$/,
    );
    expect(stub.requests).toHaveLength(2);
    await stub.close();

    stub = await stubServer([{ hang: true }]);
    await failure(
      client(stub.url, { timeoutMs: 200, retries: 3 }).request({ method: 'POST', path: '/create', body: {} }),
    );
    expect(stub.requests).toHaveLength(1);
  });

  it('reports an HTML error page as such', async () => {
    stub = await stubServer([
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><title>Proxy Error</title></html>' },
    ]);
    const error = await failure(client(stub.url, { retries: 0 }).request({ method: 'GET', path: '/x' }));
    expect(error.exitCode).toBe(ExitCode.Unavailable);
    expect(error.message).toContain('the server answered with an HTML page, not JSON ("Proxy Error")');
  });

  it('treats a 200 that is not JSON as an unavailable API, not a crash', async () => {
    stub = await stubServer([
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>captive portal</html>' },
    ]);
    const error = await failure(client(stub.url).request({ method: 'GET', path: '/x' }));
    expect(error.exitCode).toBe(ExitCode.Unavailable);
    expect(error.message).toContain('not JSON');
  });

  it('maps 401 to exit 4 and 404 to exit 3 with the API message', async () => {
    stub = await stubServer([
      failJson(401, 'Failed to verify org API key'),
      failJson(404, 'Customer not found or does not belong to partner'),
    ]);
    const auth = await failure(client(stub.url).request({ method: 'GET', path: '/a' }));
    expect(auth.exitCode).toBe(ExitCode.Auth);
    expect(auth.message).toBe('Failed to verify org API key (SafeWeb answered 401 to GET /a)');
    const missing = await failure(client(stub.url).request({ method: 'GET', path: '/b' }));
    expect(missing.exitCode).toBe(ExitCode.ApiRejected);
  });

  it('traces requests and responses with every secret redacted', async () => {
    const url = 'https://connect.safeweb.co/auth/confirm?token_hash=very-secret-token&type=magiclink';
    stub = await stubServer([okJson({ success: true, url })]);
    const lines: string[] = [];
    const res = await client(stub.url, { trace: (l) => lines.push(l) }).request({
      method: 'POST',
      path: '/magic',
      body: { apiKey: 'swk_test_secret_key_0001' },
    });
    expect((res.data as { url: string }).url).toBe(url);
    const trace = lines.join('\n');
    expect(trace).toContain('→ POST');
    expect(trace).toMatch(/← 200 OK in \d+ ms/);
    expect(trace).toContain('sw-api-key: [REDACTED]');
    expect(trace).toContain('sw-partner-id: P-1');
    expect(trace).not.toContain('swk_test_secret_key_0001');
    expect(trace).not.toContain('very-secret-token');
  });
});

describe('checkBaseUrl', () => {
  it('refuses plain http except to loopback', () => {
    expect(checkBaseUrl('http://127.0.0.1:4010').host).toBe('127.0.0.1:4010');
    expect(checkBaseUrl('http://localhost:4010').hostname).toBe('localhost');
    expect(checkBaseUrl('http://[::1]:4010').hostname).toBe('[::1]');
    expect(() => checkBaseUrl('http://connect.safeweb.co')).toThrow(/refusing plain http/);
    expect(() => checkBaseUrl('ftp://x')).toThrow(/must use https/);
    expect(() => checkBaseUrl('not a url')).toThrow(/invalid base URL/);
  });
});
