/**
 * "Nothing lost, nothing leaked": the findings of the reliability and security audit, each
 * through the real binary against a loopback server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runBinary, tempDir } from './helpers/cli.js';
import { failJson, stubServer, type Stub } from './helpers/stub-server.js';

let stub: Stub | undefined;
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
  const env = cleanEnv({
    SAFEWEB_BASE_URL: stub.url,
    SAFEWEB_PARTNER_ID: 'P1',
    SAFEWEB_API_KEY: 'swk_debug_0000000',
    SAFEWEB_CONFIG_DIR: tempDir().dir,
  });
  const r = await runBinary(['--debug', 'partner', 'analytics'], { env });
  expect(r.code).toBe(4);
  expect(r.stderr).toMatch(/← 401/);
  expect(r.stderr).toMatch(/error: Failed to verify org API key/);
  expect(r.stderr).not.toMatch(/\n\s*(\[debug\] )?\s*at /);
  expect(r.stderr).not.toMatch(/AuthError/);
});
