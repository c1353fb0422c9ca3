/**
 * API keys in the OS keychain, against a real Secret Service (gnome-keyring on a private D-Bus
 * session: `.ci/run` installs both); where they are missing the round trip is skipped and its
 * name says why. The refusals without a keychain, and the time limit, run everywhere.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ROOT, runBinary, tempDir } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';

/** `profile add` with the key for the keychain, against a port where nothing listens. */
const ADD_TO_KEYRING = [
  'profile',
  'add',
  'kr',
  '--partner-id',
  'P1',
  '--base-url',
  'http://127.0.0.1:9',
  '--api-key-stdin',
  '--store',
  'keyring',
];

const fx = useSandbox();
const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
const SESSION = path.join(ROOT, 'test/config/keyring-session.sh');
const STEPS = path.join(ROOT, 'test/config/keyring-steps.mjs');

describe('keys in the OS keychain', () => {
  it.skipIf(missing.length > 0)(
    `round trip on a real Secret Service: add, use, show, move, remove, nothing left${
      missing.length ? ` (skipped: ${missing.join(' and ')} not installed)` : ''
    }`,
    async () => {
      const { sandbox } = fx();
      const { dir } = tempDir();
      const home = tempDir().dir;
      const env = cleanEnv({
        SAFEWEB_CONFIG_DIR: dir,
        KEYRING_HOME: home,
        BIN,
        SANDBOX_URL: sandbox.url,
        PARTNER: sandbox.partnerId,
        KEY: sandbox.apiKey,
      });
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn('dbus-run-session', ['--', SESSION, process.execPath, STEPS], {
          env: env as NodeJS.ProcessEnv,
          cwd: ROOT,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`))));
      });
      type Run = { code: number; stdout: string; stderr: string };
      const steps = JSON.parse(out) as Record<string, unknown>;
      const s = steps as Record<string, Run>;
      const text = (name: string) => steps[name] as string;
      const key = sandbox.apiKey;

      expect(s['add']!.code, s['add']!.stderr).toBe(0);
      expect(s['addFile']!.stderr).toContain('keep it in the OS keychain with: safeweb profile set pf --store keyring');
      // Only a reference in the file; the key itself in the keychain, once.
      expect(text('configAfterAdd')).not.toContain(key);
      expect(JSON.parse(text('configAfterAdd')).profiles.kr.keyring).toMatchObject({ service: 'safeweb-cli' });
      expect(steps['keychainAfterAdd']).toEqual([{ account: expect.stringMatching(/^kr\//), isKey: true }]);
      // Used for a real request.
      expect(s['use']!.code, s['use']!.stderr).toBe(0);
      // show, whoami and doctor say where the key lives, and never print it.
      const show = JSON.parse(s['show']!.stdout) as Record<string, unknown>;
      expect(show).toMatchObject({
        keyStore: 'keyring',
        apiKey: { value: '(in the keychain)', origin: 'keychain (profile "kr")' },
      });
      expect(JSON.parse(s['whoami']!.stdout)).toMatchObject({
        keyStore: 'keyring',
        apiKey: { origin: 'keychain (profile "kr")' },
      });
      const doctor = JSON.parse(s['doctor']!.stdout) as Array<{ check: string; ok: boolean; detail: string }>;
      expect(doctor.find((c) => c.check === 'key store')).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/Secret Service/),
      });
      expect(doctor.find((c) => c.check === 'authenticated')).toMatchObject({ ok: true });
      for (const step of ['show', 'whoami', 'doctor', 'use'])
        expect(s[step]!.stdout + s[step]!.stderr).not.toContain(key);
      // Moved to the file and back: the old copy gone each time.
      expect(s['toFile']!.code, s['toFile']!.stderr).toBe(0);
      expect(JSON.parse(text('configInFile')).profiles.kr).toMatchObject({ apiKey: key });
      expect(steps['keychainInFile']).toEqual([]);
      expect(s['toKeyring']!.code, s['toKeyring']!.stderr).toBe(0);
      expect(text('configBack')).not.toContain(key);
      expect(steps['keychainBack']).toEqual([{ account: expect.stringMatching(/^kr\//), isKey: true }]);
      // Removed: nothing left in the keychain.
      expect(s['remove']!.code, s['remove']!.stderr).toBe(0);
      expect(s['remove']!.stderr).toMatch(/and its API key from the keychain/);
      expect(steps['keychainAfterRemove']).toEqual([]);
      rmSync(home, { recursive: true, force: true });
    },
    60_000,
  );

  it('--store keyring without a keychain is exit 2 with the reason, and nothing is saved', async () => {
    const { dir } = tempDir();
    // No D-Bus session at all: no Secret Service can answer.
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
    const r = await runBinary(ADD_TO_KEYRING, { env, input: 'swk_never_stored_0000' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no OS keychain is available here: .+/);
    expect(existsSync(path.join(dir, 'config.json'))).toBe(false);
    // The file store still works, and says where the key is.
    const file = await runBinary(
      ['profile', 'add', 'kr', '--partner-id', 'P1', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'],
      { env, input: 'swk_in_a_file_000000' },
    );
    expect(file.code).toBe(0);
    const show = await runBinary(['profile', 'show'], { env });
    expect(show.stderr).toMatch(
      /API key of profile "kr" sits in a plain file, and no OS keychain is available here \(no D-Bus session/,
    );
    const move = await runBinary(['profile', 'set', 'kr', '--store', 'keyring'], { env });
    expect(move.code).toBe(2);
    expect(move.stderr).toMatch(/no OS keychain is available here/);
    expect(readdirSync(dir)).toContain('config.json');
  });

  it('a keychain that never answers is a clear error within the time limit, and the process ends', async () => {
    const { dir } = tempDir();
    const socket = path.join(dir, 'bus.sock');
    // A "session bus" that accepts connections and never answers.
    const server = net.createServer((s) => s.on('data', () => undefined));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const started = Date.now();
      const r = await runBinary(ADD_TO_KEYRING, {
        env: cleanEnv({ SAFEWEB_CONFIG_DIR: dir, DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` }),
        input: 'swk_x_0000000000',
        timeoutMs: 12_000,
      });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(
        /^error: the Secret Service \(the desktop keyring\) did not answer within 3 s \(storing the API key\)/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(existsSync(path.join(dir, 'config.json'))).toBe(false);

      // A profile whose key is in that keychain: commands that need no key never ask it.
      writeFileSync(
        path.join(dir, 'config.json'),
        JSON.stringify({
          activeProfile: 'kr',
          profiles: {
            kr: {
              partnerId: 'P1',
              apiKey: '',
              baseUrl: 'http://127.0.0.1:9',
              keyring: { service: 'safeweb-cli', account: 'kr/P1/x' },
            },
          },
        }),
        { mode: 0o600 },
      );
      const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir, DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` });
      // Asking it would be exit 5 (it never answers): exit 0 proves it was not asked.
      for (const argv of [['whoami'], ['profile', 'list'], ['profile', 'show'], ['audit'], ['--help']]) {
        const q = await runBinary(argv, { env, timeoutMs: 12_000 });
        expect([argv, q.code, q.stderr]).toEqual([argv, 0, q.stderr.replace(/did not answer/, '')]);
      }
      const needsKey = await runBinary(['partner', 'analytics'], { env, timeoutMs: 12_000 });
      expect(needsKey.code).toBe(5);
      expect(needsKey.stderr).toMatch(/did not answer within 3 s \(reading the API key\)/);
    } finally {
      server.close();
    }
  }, 30_000);
});
