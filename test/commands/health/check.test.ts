import { describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const sandbox = useSandbox();

describe('safeweb health', () => {
  it('works without credentials and reports reachability', async () => {
    const r = await runInProcess(['health', '--base-url', sandbox().sandbox.url], {
      env: cleanEnv({ SAFEWEB_CONFIG_DIR: sandbox().configDir }),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^✓ API reachable at http:\/\/127\.0\.0\.1:\d+ \(200 in \d+ ms\)/);
    expect(r.stdout).toContain('status\tok');
  });

  it('--json prints the health document, without the envelope', async () => {
    const r = await runInProcess(['health', '--json'], { env: sandbox().env });
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ status: 'ok', service: 'safeweb-sandbox' });
    expect(doc).not.toHaveProperty('success');
  });

  it('an unreachable API is exit 5 with one line', async () => {
    const r = await runInProcess(['health', '--base-url', 'http://127.0.0.1:1', '--retries', '0'], {
      env: sandbox().env,
    });
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: SafeWeb unreachable: could not connect to 127\.0\.0\.1:1: connection refused — /),
    ]);
  });
});
