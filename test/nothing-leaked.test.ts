/**
 * "Nothing lost, nothing leaked": the findings of the reliability and security audit, each
 * through the real binary against a loopback server.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, runBinary, tempDir } from './helpers/cli.js';
import { failJson, okJson, stubServer, type Stub } from './helpers/stub-server.js';

let stub: Stub | undefined;

/** The environment of a run against `baseUrl` as partner P1 with `key`, and its own config dir. */
function envFor(baseUrl: string, key: string, configDir: string) {
  return cleanEnv({
    SAFEWEB_BASE_URL: baseUrl,
    SAFEWEB_PARTNER_ID: 'P1',
    SAFEWEB_API_KEY: key,
    SAFEWEB_CONFIG_DIR: configDir,
  });
}
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('a key or partner ID that cannot be a header value', () => {
  const cases: Array<[string, Record<string, string>, string[], RegExp]> = [
    [
      'a key with CR LF from the environment',
      { SAFEWEB_API_KEY: 'swk_leak_me_1234\r\nX-Evil: 1', SAFEWEB_PARTNER_ID: 'P1' },
      ['partner', 'analytics'],
      /the API key from the environment \(SAFEWEB_API_KEY\) contains a line break; nothing was sent/,
    ],
    [
      'a partner ID with a tab from the flag',
      { SAFEWEB_API_KEY: 'swk_leak_me_1234' },
      ['--partner-id', 'P1\tX', 'partner', 'analytics'],
      /the partner ID from --partner-id contains a control character; nothing was sent/,
    ],
  ];
  for (const [name, vars, argv, message] of cases) {
    it(`${name} is exit 2 naming the setting, never echoing it, with nothing sent`, async () => {
      stub = await stubServer([]);
      const env = cleanEnv({ ...vars, SAFEWEB_BASE_URL: stub.url, SAFEWEB_CONFIG_DIR: tempDir().dir });
      for (const debug of [[], ['--debug']]) {
        const r = await runBinary([...debug, ...argv], { env });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stdout + r.stderr).not.toContain('leak_me');
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(stub.requests).toHaveLength(0);
    });
  }
});

it('--debug traces the exchange of an expected failure (401) without a JavaScript stack', async () => {
  stub = await stubServer([failJson(401, 'Failed to verify org API key')]);
  const env = envFor(stub.url, 'swk_debug_0000000', tempDir().dir);
  const r = await runBinary(['--debug', 'partner', 'analytics'], { env });
  expect(r.code).toBe(4);
  expect(r.stderr).toMatch(/← 401/);
  expect(r.stderr).toMatch(/error: Failed to verify org API key/);
  expect(r.stderr).not.toMatch(/\n\s*(\[debug\] )?\s*at /);
  expect(r.stderr).not.toMatch(/AuthError/);
});

/** A bulk file in `dir` with one valid row for `name` / `reference`. */
function oneRowCsv(dir: string, name: string, reference: string): string {
  const file = path.join(dir, 'c.csv');
  const host = `${reference.toLowerCase()}.example`;
  writeFileSync(
    file,
    'companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n' +
      `${name},${reference},${host},a@${host},1,USD,now+1d\n`,
  );
  return file;
}

describe('--results never writes where it was not asked to', () => {
  const csv = (dir: string) => oneRowCsv(dir, 'Res One', 'RES-1');

  it('refuses a link (live or dangling) and an existing file, naming --resume and --force; sends nothing', async () => {
    stub = await stubServer([]);
    const dir = tempDir('results-').dir;
    const env = envFor(stub.url, 'swk_results_0000', path.join(dir, 'cfg'));
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, path.join(dir, 'live.ndjson'));
    symlinkSync(path.join(dir, 'created-by-nobody.txt'), path.join(dir, 'dangling.ndjson'));
    for (const name of ['live.ndjson', 'dangling.ndjson']) {
      const r = await runBinary(['customer', 'onboard', '--file', csv(dir), '--results', path.join(dir, name)], {
        env,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is a symbolic link; the results file is never written through a link/);
    }
    const existing = await runBinary(['customer', 'onboard', '--file', csv(dir), '--results', victim], { env });
    expect(existing.code).toBe(2);
    expect(existing.stderr).toMatch(/already exists; a results file is only continued with --resume .* or --force/);
    const notOurs = await runBinary(['customer', 'onboard', '--file', csv(dir), '--resume', victim], { env });
    expect(notOurs.code).toBe(2);
    expect(notOurs.stderr).toMatch(/is not a results file/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(existsSync(path.join(dir, 'created-by-nobody.txt'))).toBe(false);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('an answer that lacks what the contract promises', () => {
  it('onboarding answered 200 {} is exit 5 and records nothing; in bulk the row is unknown', async () => {
    stub = await stubServer([okJson({}), okJson({ success: true })]);
    const dir = tempDir('idless-').dir;
    const env = envFor(stub.url, 'swk_idless_0000', path.join(dir, 'cfg'));
    const one = await runBinary(['customer', 'onboard', '--file', 'examples/acme.json', '--billed-from', 'now+1d'], {
      env,
    });
    expect(one.code).toBe(5);
    expect(one.stderr).toMatch(
      /SafeWeb answered 200 to POST \S+ but it holds no customer ID; whether ACME-001 was created is not known, and nothing was recorded/,
    );
    const file = oneRowCsv(dir, 'Idless', 'IDL-1');
    const results = path.join(dir, 'r.ndjson');
    const bulk = await runBinary(['customer', 'onboard', '--file', file, '--results', results], { env });
    expect(bulk.code).toBe(5);
    expect(JSON.parse(readFileSync(results, 'utf8').trim())).toMatchObject({ reference: 'IDL-1', status: 'unknown' });
    const list = await runBinary(['customer', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });
});

it('field values with control characters or over-long are refused, every problem at once, nothing sent', async () => {
  stub = await stubServer([]);
  const dir = tempDir('limits-').dir;
  const env = envFor(stub.url, 'swk_limits_0000', path.join(dir, 'cfg'));
  const huge = 'A'.repeat(100_000);
  const r = await runBinary(
    [
      'customer',
      'onboard',
      '--file',
      'examples/acme.json',
      '--reference',
      'ACME\r\n-9',
      '--company-name',
      huge,
      '--contact-email',
      `${huge}@acme.co`,
      '--billed-from',
      'now+1d',
    ],
    { env },
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('customerReference: must not contain control characters');
  expect(r.stderr).toContain('companyName: must be at most 200 characters (got 100000)');
  expect(r.stderr).toContain('contactEmail: is not a valid email address (100008 characters; at most 254)');
  expect(r.stderr.length).toBeLessThan(5_000);
  const update = await runBinary(
    ['customer', 'update', '550e8400-e29b-41d4-a716-446655440000', '--company-name', 'X\u0007Y'],
    {
      env,
    },
  );
  expect(update.code).toBe(2);
  expect(update.stderr).toContain('companyName: must not contain control characters');
  expect(stub.requests).toHaveLength(0);
});

it('a redirect is exit 5, never followed: the key does not reach the other origin', async () => {
  const other = await stubServer([]);
  try {
    stub = await stubServer([{ status: 302, headers: { location: `${other.url}/steal` }, body: '' }]);
    const env = envFor(stub.url, 'swk_redirect_0000', tempDir().dir);
    const r = await runBinary(['partner', 'analytics'], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/SafeWeb redirected GET .* \(302\); the base URL is probably wrong/);
    expect(stub.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  } finally {
    await other.close();
  }
});

describe('a certificate this machine does not trust', () => {
  const TLS = path.join(ROOT, 'test/fixtures/tls');
  it('is final: not retried, "not sent" (bulk: failed, never unknown), with a hint for a private CA', async () => {
    let connections = 0;
    const server = https.createServer(
      {
        key: readFileSync(path.join(TLS, 'self-signed-key.pem')),
        cert: readFileSync(path.join(TLS, 'self-signed-cert.pem')),
      },
      (_req, res) => res.end('{}'),
    );
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const dir = tempDir('tls-').dir;
      const env = envFor(
        `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        'swk_tls_0000000',
        path.join(dir, 'cfg'),
      );
      const read = await runBinary(['partner', 'analytics'], { env });
      expect(read.code).toBe(5);
      expect(read.stderr).toMatch(/was not trusted \(self-signed certificate\); NODE_EXTRA_CA_CERTS can add its CA/);
      expect(connections).toBe(1);
      const file = oneRowCsv(dir, 'Tls', 'TLS-1');
      const results = path.join(dir, 'r.ndjson');
      const bulk = await runBinary(['customer', 'onboard', '--file', file, '--results', results], { env });
      expect(bulk.code).toBe(5);
      expect(JSON.parse(readFileSync(results, 'utf8').trim())).toMatchObject({ reference: 'TLS-1', status: 'failed' });
      expect(connections).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
