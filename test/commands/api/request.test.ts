import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../../helpers/sandbox.js';
import { okJson, stubServer, type Stub } from '../../helpers/stub-server.js';

let fx: SandboxFixture;
let stub: Stub | undefined;
beforeAll(async () => {
  fx = await sandboxFixture();
});
afterAll(() => fx.close());
afterEach(async () => {
  if (stub) {
    expect(stub.unexpected).toEqual([]);
    await stub.close();
  }
  stub = undefined;
});

const stubEnv = (url: string) =>
  cleanEnv({
    SAFEWEB_BASE_URL: url,
    SAFEWEB_PARTNER_ID: 'P-1',
    SAFEWEB_API_KEY: 'swk_api_test_key_01',
    SAFEWEB_CONFIG_DIR: fx.configDir,
  });

describe('safeweb api', () => {
  it('reaches any path with the profile credentials and prints the body as JSON', async () => {
    const r = await runInProcess(['api', 'GET', '/api/integrations/partner/analytics'], { env: fx.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ success: true, data: { totalCustomers: 4 } });
  });

  it('sends --data as JSON with repeated --query parameters', async () => {
    stub = await stubServer([okJson({ success: true, breach: true })]);
    const r = await runInProcess(
      [
        'api',
        'post',
        '/api/v1/integrations/breach/check',
        '--data',
        '{"email":"a@b.co"}',
        '--query',
        'x=1',
        '--query',
        'x=2',
      ],
      { env: stubEnv(stub.url) },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ success: true, breach: true });
    expect(stub.requests[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/integrations/breach/check?x=1&x=2',
      body: '{"email":"a@b.co"}',
    });
  });

  it('reads the body from a file or from stdin', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'body.json');
    writeFileSync(file, '{"customerId":"c-1"}');
    stub = await stubServer([okJson(), okJson()]);
    expect((await runInProcess(['api', 'POST', '/a', '--input', file], { env: stubEnv(stub.url) })).code).toBe(0);
    expect(
      (
        await runInProcess(['api', 'POST', '/b', '--input', '-'], {
          env: stubEnv(stub.url),
          stdin: '{"customerId":"c-2"}',
        })
      ).code,
    ).toBe(0);
    expect(stub.requests.map((q) => q.body)).toEqual(['{"customerId":"c-1"}', '{"customerId":"c-2"}']);
    cleanup();
  });

  it.each([
    [['api', 'GET', '/x', '--data', '{nope'], /--data is not valid JSON/],
    [
      ['api', 'FETCH', '/x'],
      /^error: command-argument value 'FETCH' is invalid for argument 'method'\. use one of GET, /,
    ],
    [['api', 'GET', 'https://evil.example/x'], /for argument 'path'\. the path must start with \/; give only the path/],
    [['api', 'GET', '/x', '--query', 'novalue'], /'--query <key=value>' argument 'novalue' is invalid\. write it as/],
    [
      ['api', 'POST', '/x', '--data', '{}', '--input', 'f.json'],
      /^error: option '--data <json>' cannot be used with option '--input <file>' \(see --help\)\n$/,
    ],
    [['api', 'POST', '/x', '--input', '/no/such/file.json'], /cannot read \/no\/such\/file.json: no such file/],
  ])('refuses %j with exit 2 and sends nothing', async (argv, message) => {
    stub = await stubServer([]);
    const r = await runInProcess(argv as string[], { env: stubEnv(stub.url) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(stub.requests).toHaveLength(0);
  });

  it('passes API errors through with their exit code', async () => {
    const r = await runInProcess(['api', 'GET', '/api/v1/integrations/nope'], { env: fx.env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Route not found: GET /api/v1/integrations/nope');
  });

  it('--include shows the status and headers on stderr, keeping stdout pure', async () => {
    const r = await runInProcess(['api', 'GET', '/api/v1/health', '--include'], { env: fx.env });
    expect(r.stderr).toMatch(/^HTTP 200$/m);
    expect(r.stderr).toMatch(/^content-type: application\/json/m);
    expect(JSON.parse(r.stdout).status).toBe('ok');
  });
});
