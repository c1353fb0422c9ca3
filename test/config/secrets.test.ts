/**
 * Integration secrets (src/config/secrets.ts): the file store (0600, per profile), the headless
 * sources and their precedence, the names, and the keychain against a real Secret Service
 * (gnome-keyring on a private D-Bus session, as test/config/keyring.test.ts starts it; skipped
 * with the reason where those tools are missing).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkSecretName,
  credentialName,
  deleteSecret,
  getSecret,
  listSecrets,
  requireSecret,
  secretVariable,
  setSecret,
  type SecretScope,
} from '../../src/config/secrets.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const NOW = new Date('2026-12-01T10:00:00Z');

function scope(extra: Partial<SecretScope> = {}): SecretScope {
  return { configDir: tempDir().dir, profile: 'prod', env: {}, ...extra };
}

describe('names', () => {
  it('KIND/NAME in lower case; each maps to one variable and one credential name', () => {
    expect(checkSecretName('psa/connectwise')).toBe('psa/connectwise');
    expect(secretVariable('notify/teams-ops')).toBe('SAFEWEB_SECRET_NOTIFY_TEAMS_OPS_FILE');
    expect(credentialName('notify/teams-ops')).toBe('notify.teams-ops');
    for (const bad of [
      'PSA/x',
      'psa',
      'psa/',
      '/x',
      'psa/x/y',
      'ps-a/x',
      'psa/x_y',
      'psa/-x',
      'psa/x-',
      '../x',
      'psa/x.y',
    ])
      expect(() => checkSecretName(bad), bad).toThrow(/invalid secret name/);
  });
});

describe('the file store', () => {
  it('keeps values per profile in secrets.json, mode 0600; replaces; deletes', async () => {
    const prod = scope();
    const staging = { ...prod, profile: 'staging' };
    expect(await setSecret(prod, 'psa/connectwise', 'cw-prod-value-1', { store: 'file', now: NOW })).toMatchObject({
      replaced: false,
    });
    await setSecret(staging, 'psa/connectwise', 'cw-staging-value', { store: 'file', now: NOW });
    const file = path.join(prod.configDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await getSecret(prod, 'psa/connectwise'))?.value).toBe('cw-prod-value-1');
    expect((await getSecret(staging, 'psa/connectwise'))?.value).toBe('cw-staging-value');
    expect(await setSecret(prod, 'psa/connectwise', 'cw-prod-value-2', { store: 'file', now: NOW })).toMatchObject({
      replaced: true,
    });
    expect(await getSecret(prod, 'psa/connectwise')).toEqual({
      value: 'cw-prod-value-2',
      source: 'file',
      location: file,
    });
    expect(await deleteSecret(prod, 'psa/connectwise')).toBe('file');
    expect(await getSecret(prod, 'psa/connectwise')).toBeUndefined();
    expect((await getSecret(staging, 'psa/connectwise'))?.value).toBe('cw-staging-value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(deleteSecret(prod, 'psa/connectwise')).rejects.toThrow(/stores no secret named psa\/connectwise/);
  });

  it('needs a profile to store, and says how to give one', async () => {
    const none = scope({ profile: undefined });
    await expect(setSecret(none, 'psa/x', 'value-0000', { store: 'file', now: NOW })).rejects.toThrow(
      /stored secrets belong to a profile/,
    );
    expect(await getSecret(none, 'psa/x')).toBeUndefined();
    await expect(requireSecret(none, 'psa/x')).rejects.toThrow(/no secret named psa\/x/);
  });

  it('a damaged secrets.json is an error naming the file, never an empty store', async () => {
    const s = scope();
    writeFileSync(path.join(s.configDir, 'secrets.json'), '{"profiles": {"prod": {"psa/x": {}}}}', { mode: 0o600 });
    await expect(getSecret(s, 'psa/x')).rejects.toThrow(/neither a value nor a keychain reference/);
    writeFileSync(path.join(s.configDir, 'secrets.json'), '{not json', { mode: 0o600 });
    await expect(setSecret(s, 'psa/x', 'value-0000', { store: 'file', now: NOW })).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(path.join(s.configDir, 'secrets.json'), 'utf8')).toBe('{not json');
  });
});

describe('headless sources and their order', () => {
  it('SAFEWEB_SECRET_<NAME>_FILE, then $CREDENTIALS_DIRECTORY, then the store', async () => {
    const s = scope();
    const creds = path.join(s.configDir, 'creds');
    mkdirSync(creds);
    const envFile = path.join(s.configDir, 'from-env');
    writeFileSync(envFile, 'value-from-env-file\n');
    writeFileSync(path.join(creds, 'notify.teams-ops'), 'value-from-credentials');
    await setSecret(s, 'notify/teams-ops', 'value-from-store', { store: 'file', now: NOW });

    expect(await getSecret(s, 'notify/teams-ops')).toMatchObject({ value: 'value-from-store', source: 'file' });
    const withCreds = { ...s, env: { CREDENTIALS_DIRECTORY: creds } };
    expect(await getSecret(withCreds, 'notify/teams-ops')).toEqual({
      value: 'value-from-credentials',
      source: 'credentials',
      location: path.join(creds, 'notify.teams-ops'),
    });
    const withBoth = { ...s, env: { ...withCreds.env, SAFEWEB_SECRET_NOTIFY_TEAMS_OPS_FILE: envFile } };
    expect(await getSecret(withBoth, 'notify/teams-ops')).toEqual({
      value: 'value-from-env-file',
      source: 'env',
      location: 'SAFEWEB_SECRET_NOTIFY_TEAMS_OPS_FILE',
    });
    // A credentials directory without this name falls through to the store; no profile is needed for either source.
    expect(await getSecret({ ...withCreds, profile: undefined }, 'notify/teams-ops')).toMatchObject({
      source: 'credentials',
    });
    expect(await getSecret(withCreds, 'psa/other')).toBeUndefined();

    // The listing: every source, the first in that order in effect, no value anywhere.
    const listed = listSecrets(withBoth);
    expect(listed.map((l) => [l.name, l.source, l.inEffect])).toEqual([
      ['notify/teams-ops', 'env', true],
      ['notify/teams-ops', 'credentials', false],
      ['notify/teams-ops', 'file', false],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/value-from/);
  });

  it('a variable naming a file that cannot give a value is an error, not a fall-through', async () => {
    const s = scope();
    await setSecret(s, 'psa/x', 'stored-value', { store: 'file', now: NOW });
    const missing = { ...s, env: { SAFEWEB_SECRET_PSA_X_FILE: path.join(s.configDir, 'nope') } };
    await expect(getSecret(missing, 'psa/x')).rejects.toThrow(
      /cannot read the secret psa\/x .*SAFEWEB_SECRET_PSA_X_FILE/,
    );
    const empty = path.join(s.configDir, 'empty');
    writeFileSync(empty, '\n');
    await expect(getSecret({ ...s, env: { SAFEWEB_SECRET_PSA_X_FILE: empty } }, 'psa/x')).rejects.toThrow(/is empty/);
    const twoLines = path.join(s.configDir, 'two');
    writeFileSync(twoLines, 'a-value\nanother\n');
    await expect(getSecret({ ...s, env: { SAFEWEB_SECRET_PSA_X_FILE: twoLines } }, 'psa/x')).rejects.toThrow(
      /more than one line/,
    );
  });
});

const missingTools = ['dbus-run-session', 'gnome-keyring-daemon'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);

describe.skipIf(missingTools.length > 0)(
  `the OS keychain, on a real Secret Service${missingTools.length ? ` (skipped: ${missingTools.join(' and ')} not installed)` : ''}`,
  () => {
    let session: ChildProcessWithoutNullStreams;
    const saved = process.env['DBUS_SESSION_BUS_ADDRESS'];
    beforeAll(async () => {
      // A session bus with an unlocked gnome-keyring; `cat` keeps it alive until its stdin closes.
      // The keychain calls (config/keyring.ts) run in child processes that inherit process.env.
      const home = tempDir().dir;
      session = spawn(
        'dbus-run-session',
        [
          '--',
          path.join(ROOT, 'test/config/keyring-session.sh'),
          'sh',
          '-c',
          'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat',
        ],
        { env: { PATH: process.env['PATH'], KEYRING_HOME: home } },
      );
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        session.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        session.on('close', (code) => reject(new Error(`the D-Bus session ended (${code})`)));
      });
      process.env['DBUS_SESSION_BUS_ADDRESS'] = address;
    }, 30_000);
    afterAll(async () => {
      if (saved === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
      else process.env['DBUS_SESSION_BUS_ADDRESS'] = saved;
      const ended = new Promise((resolve) => session.on('close', resolve));
      session.stdin.end();
      await ended;
    });

    it('keeps the value in the keychain and only a reference in the file; moves; deletes the entry', async () => {
      const s = scope();
      const value = 'https://contoso.webhook.office.com/webhookb2/sig=abcdef0123456789';
      await setSecret(s, 'notify/teams-ops', value, { store: 'keyring', now: NOW });
      const file = readFileSync(path.join(s.configDir, 'secrets.json'), 'utf8');
      expect(file).not.toContain(value);
      const ref = JSON.parse(file).profiles.prod['notify/teams-ops'].keyring as { service: string; account: string };
      expect(ref).toMatchObject({
        service: 'safeweb-cli',
        account: expect.stringMatching(/^secret\/prod\/notify\/teams-ops\//),
      });
      expect(await getSecret(s, 'notify/teams-ops')).toMatchObject({ value, source: 'keyring' });
      expect(listSecrets(s)).toEqual([expect.objectContaining({ name: 'notify/teams-ops', source: 'keyring' })]);

      // Into the file: the keychain entry it replaced is deleted.
      const { readKey } = await import('../../src/config/keyring.js');
      await setSecret(s, 'notify/teams-ops', 'now-in-the-file', { store: 'file', now: NOW });
      expect(await readKey(ref)).toBeNull();
      expect(await getSecret(s, 'notify/teams-ops')).toMatchObject({ value: 'now-in-the-file', source: 'file' });

      // Back into the keychain, then deleted: nothing left there or in the file.
      await setSecret(s, 'notify/teams-ops', value, { store: 'keyring', now: NOW });
      const back = JSON.parse(readFileSync(path.join(s.configDir, 'secrets.json'), 'utf8')).profiles.prod[
        'notify/teams-ops'
      ].keyring as { service: string; account: string };
      expect(await readKey(back)).toBe(value);
      expect(await deleteSecret(s, 'notify/teams-ops')).toBe('keyring');
      expect(await readKey(back)).toBeNull();
      expect(await getSecret(s, 'notify/teams-ops')).toBeUndefined();
    }, 30_000);

    it('an entry gone from the keychain is an error naming how to store it again', async () => {
      const s = scope();
      await setSecret(s, 'psa/autotask', 'autotask-secret-1', { store: 'keyring', now: NOW });
      const ref = JSON.parse(readFileSync(path.join(s.configDir, 'secrets.json'), 'utf8')).profiles.prod['psa/autotask']
        .keyring as { service: string; account: string };
      const { deleteKey } = await import('../../src/config/keyring.js');
      await deleteKey(ref);
      await expect(getSecret(s, 'psa/autotask')).rejects.toThrow(/not in the keychain any more/);
    }, 30_000);
  },
);
