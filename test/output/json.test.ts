/**
 * The --json contract beyond the documents themselves: --jq over exactly that document, and a
 * failure as one JSON object on stderr with stdout empty. Through the real binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runBinary, runInPty } from '../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../helpers/sandbox.js';
import { okJson, stubServer } from '../helpers/stub-server.js';

let fx: SandboxFixture;
beforeAll(async () => {
  fx = await sandboxFixture();
});
afterAll(() => fx.close());

describe('--jq EXPR', () => {
  it('runs over the --json document: one result a line, strings raw, other values as JSON', async () => {
    const doc = JSON.parse((await runBinary(['partner', 'plans', '--json'], { env: fx.env })).stdout);
    const ids = await runBinary(['partner', 'plans', '--jq', '.[].id'], { env: fx.env });
    expect(ids).toEqual({ code: 0, stdout: doc.map((p: { id: string }) => `${p.id}\n`).join(''), stderr: '' });
    const values = await runBinary(['partner', 'plans', '--jq', '.[0] | .isSystemDefault, {status}, length'], {
      env: fx.env,
    });
    expect(values.stdout).toBe(`true\n{"status":"active"}\n${Object.keys(doc[0]).length}\n`);
    // The same on a terminal: no table, no colour, just the results.
    const pty = runInPty(['partner', 'analytics', '--jq', '.totalCustomers'], { env: fx.env });
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toBe('4\n');
  });

  it('works on every command with --json, streams included (each record in turn)', async () => {
    const r = await runBinary(['breach', 'check', 'admin@acme.co', 'jane@acme.co', '--ndjson', '--jq', '.email'], {
      env: fx.env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').sort()).toEqual(['', 'admin@acme.co', 'jane@acme.co']);
    const whoami = await runBinary(['whoami', '--jq', '.environment'], { env: fx.env });
    expect(whoami.stdout).toBe('local\n');
  });

  it('a bad expression is exit 2 with jq’s message, before anything is sent', async () => {
    const breach = fx.sandbox.state.breaches.find((b) => !b.resolved && b.customerId)!;
    const owner = fx.sandbox.state.customers.find((c) => c.id === breach.customerId)!;
    const env = { ...fx.env, SAFEWEB_PARTNER_ID: owner.partnerId };
    const r = await runBinary(['breach', 'resolve', breach.id, '--jq', '.[] | select(.'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const { error } = JSON.parse(r.stderr);
    expect(error).toMatchObject({ message: expect.stringMatching(/^--jq: syntax error/), exitCode: 2 });
    expect(breach.resolved).toBe(false);
  });

  it('cannot be combined with --csv or --fields', async () => {
    const r = await runBinary(['--jq', '.', '--csv', 'partner', 'plans'], { env: fx.env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).error.message).toMatch(/'--jq <expression>' cannot be used with option '--csv'/);
  });
});

describe('a failure under --json', () => {
  it('is one JSON object on stderr, with the exit code and the HTTP status; stdout stays empty', async () => {
    const r = await runBinary(['partner', 'analytics', '--json'], {
      env: { ...fx.env, SAFEWEB_API_KEY: 'swk_wrong_key_000000' },
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stderr)).toEqual({
      error: {
        message: 'Failed to verify org API key (SafeWeb answered 401 to GET /api/v1/integrations/partner/analytics)',
        hint: expect.stringContaining('Check the partner ID and API key'),
        exitCode: 4,
        status: 401,
      },
    });
    expect(r.stderr).not.toContain('swk_wrong_key_000000');
  });

  it('lists each problem of invalid input; a usage error from the flags is JSON too', async () => {
    const invalid = await runBinary(['breach', 'check', 'a@', 'b@acme.co', 'c', '--json'], { env: fx.env });
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stderr).error).toEqual({
      message: '2 invalid addresses; nothing was sent:',
      exitCode: 2,
      problems: [
        { path: 'argument 1', message: expect.any(String), code: 'invalid' },
        { path: 'argument 3', message: expect.any(String), code: 'invalid' },
      ],
    });
    const usage = await runBinary(['--json', 'partner', 'analytics', '--al'], { env: fx.env });
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(JSON.parse(usage.stderr)).toEqual({ error: { message: "unknown option '--al'", exitCode: 2 } });
  });

  it('a 2xx answer that says success: false is an error, never stdout', async () => {
    const stub = await stubServer([okJson({ success: false, error: 'Webhooks are unavailable' })]);
    try {
      const r = await runBinary(['webhook', 'list', '--json'], {
        env: cleanEnv({ SAFEWEB_BASE_URL: stub.url, SAFEWEB_PARTNER_ID: 'P', SAFEWEB_API_KEY: 'swk_stub_000000000' }),
      });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(JSON.parse(r.stderr).error).toEqual({
        message: 'Webhooks are unavailable (SafeWeb refused webhook list)',
        exitCode: 3,
        status: 200,
      });
    } finally {
      await stub.close();
    }
  });
});
