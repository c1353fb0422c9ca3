import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';

async function stored() {
  const { dir } = tempDir();
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const r = await runInProcess(
    ['profile', 'add', 'p', '--partner-id', 'P1', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'],
    { env, stdin: 'swk_set_test_key_000000' },
  );
  expect(r.code).toBe(0);
  // No D-Bus session in this environment, so no Secret Service: the keychain is not suggested
  // (test/config/keyring.test.ts shows it suggested where one answers).
  expect(r.stderr).not.toContain('keychain');
  const config = () =>
    JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).profiles.p as Record<string, unknown>;
  return { env, config };
}

describe('safeweb profile set', () => {
  it('marks a profile read-only and masking, and back; the file keeps only what is on', async () => {
    const { env, config } = await stored();
    const on = await runInProcess(['profile', 'set', 'p', '--read-only', '--mask-pii', '--json'], { env });
    expect(on.code).toBe(0);
    expect(JSON.parse(on.stdout)).toEqual({ name: 'p', readOnly: true, maskPii: true, store: 'file' });
    expect(config()).toMatchObject({ readOnly: true, maskPii: true });
    const off = await runInProcess(['profile', 'set', 'p', '--read-write', '--no-mask-pii', '--json'], { env });
    expect(JSON.parse(off.stdout)).toEqual({ name: 'p', readOnly: false, maskPii: false, store: 'file' });
    expect(config()).not.toHaveProperty('readOnly');
    expect(config()).not.toHaveProperty('maskPii');
  });

  it('nothing to change, or no such profile: exit 2 naming the fix', async () => {
    const { env } = await stored();
    const nothing = await runInProcess(['profile', 'set', 'p'], { env });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/error: nothing to change — Give one or more of --read-only/);
    const unknown = await runInProcess(['profile', 'set', 'q', '--read-only'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no profile named "q" — Known profiles: p/);
  });

  it('a config that says readOnly is not a boolean is refused, untouched', async () => {
    const { dir } = tempDir();
    const file = path.join(dir, 'config.json');
    const { writeFileSync } = await import('node:fs');
    const text = JSON.stringify({
      profiles: { p: { partnerId: 'P', apiKey: 'k', baseUrl: 'http://127.0.0.1:9', readOnly: 'yes' } },
    });
    writeFileSync(file, text, { mode: 0o600 });
    const r = await runInProcess(['whoami'], { env: cleanEnv({ SAFEWEB_CONFIG_DIR: dir }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/profile "p": readOnly must be true or false/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
