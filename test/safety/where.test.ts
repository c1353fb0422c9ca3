/**
 * Know where a change goes: on a production profile, confirming verbs name the profile and the
 * partner in their question; every other write (and a confirmed one with --yes) says the same
 * on stderr. Nothing here reaches the real API: the binary runs with HTTPS_PROXY at a closed
 * port, and the in-process runs stop at the question.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runBinary, runInProcess, tempDir } from '../helpers/cli.js';
import { scriptedPrompter } from '../helpers/prompter.js';

const ID = '0b9e3c3a-3f1e-4f0e-9d2b-1b2c3d4e5f60';

function config(baseUrl: string): Record<string, string | undefined> {
  const { dir } = tempDir();
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      activeProfile: 'prod',
      profiles: { prod: { partnerId: '4711', apiKey: 'swk_prod_key_0000000000', baseUrl } },
    }),
    { mode: 0o600 },
  );
  // A proxy that refuses at once: the request is tried, and nothing leaves this machine.
  return cleanEnv({ SAFEWEB_CONFIG_DIR: dir, HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: '' });
}

const LINE = `on partner 4711 (profile "prod")`;

describe('writes to production say where they go', () => {
  it('a confirmed verb with --yes says it once, before sending', async () => {
    const r = await runBinary(['customer', 'offboard', ID, '--yes', '--retries', '0'], {
      env: config('https://connect.safeweb.co'),
    });
    expect(r.code).toBe(5); // the proxy refused: it was about to be sent
    expect(r.stderr.split('\n').filter((l) => l.includes(LINE))).toEqual([`Offboard ${ID} ${LINE}`]);
  });

  it('every other write says it too; reads and other environments do not', async () => {
    const env = config('https://connect.safeweb.co');
    const create = await runBinary(
      ['webhook', 'create', '--url', 'https://example.com/h', '--event', 'breach.new', '--retries', '0'],
      {
        env,
      },
    );
    expect(create.stderr).toContain(`Create a webhook ${LINE}`);
    const read = await runBinary(['partner', 'analytics', '--retries', '0'], { env });
    expect(read.code).toBe(5);
    expect(read.stderr).not.toContain(LINE);
    const staging = await runBinary(['customer', 'offboard', ID, '--yes', '--retries', '0'], {
      env: config('https://staging-connect.safeweb.co'),
    });
    expect(staging.stderr).not.toContain('on partner');
  });

  it('the confirmation question names the partner and the profile', async () => {
    const env = config('https://connect.safeweb.co');
    const offboard = scriptedPrompter(['not-it']);
    const r = await runInProcess(['customer', 'offboard', ID], { env, tty: true, prompter: offboard });
    expect(r.code).toBe(130);
    expect(offboard.asked).toEqual([`Offboard ${ID} ${LINE}? Type the customer ID (${ID}) to confirm`]);
    const del = scriptedPrompter([false]);
    expect((await runInProcess(['webhook', 'delete', '7'], { env, tty: true, prompter: del })).code).toBe(130);
    expect(del.asked).toEqual([`Delete webhook 7 and its delivery log ${LINE}?`]);
  });
});
