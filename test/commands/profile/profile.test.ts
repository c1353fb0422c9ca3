import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, runBinary, runInProcess, tempDir } from '../../helpers/cli.js';
import { scriptedPrompter } from '../../helpers/prompter.js';

let dir: string;
let cleanup: () => void;
let env: Record<string, string | undefined>;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  env = cleanEnv({ SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg') });
});
afterEach(() => cleanup());

const KEY = 'swk_profile_test_key_1234';
const add = (name: string, extra: string[] = [], key = KEY) =>
  runInProcess(['profile', 'add', name, '--partner-id', `P-${name}`, '--api-key-stdin', ...extra], {
    env,
    stdin: `${key}\n`,
  });
const stored = () => JSON.parse(readFileSync(path.join(dir, 'cfg', 'config.json'), 'utf8'));

describe('safeweb profile add', () => {
  it('stores a profile from stdin, makes the first one active, with 0600 file and 0700 dir', async () => {
    const r = await add('prod');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /Saved profile "prod" \(P-prod at https:\/\/connect\.safeweb\.co\) in .*config\.json, now active\./,
    );
    expect(r.stderr).not.toContain(KEY);
    expect(stored()).toEqual({
      activeProfile: 'prod',
      profiles: { prod: { partnerId: 'P-prod', apiKey: KEY, baseUrl: 'https://connect.safeweb.co' } },
    });
    expect(statSync(path.join(dir, 'cfg', 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'cfg')).mode & 0o777).toBe(0o700);
  });

  it('reads the key from a file, takes --env, and does not steal the active slot', async () => {
    await add('prod');
    const keyFile = path.join(dir, 'key.txt');
    writeFileSync(keyFile, 'swk_staging_key_99999\n', { mode: 0o600 });
    const r = await runInProcess(
      ['profile', 'add', 'stage', '--env', 'staging', '--partner-id', 'P-S', '--api-key-file', keyFile],
      { env },
    );
    expect(r.code).toBe(0);
    expect(stored().profiles.stage).toEqual({
      partnerId: 'P-S',
      apiKey: 'swk_staging_key_99999',
      baseUrl: 'https://staging-connect.safeweb.co',
    });
    expect(stored().activeProfile).toBe('prod');
    expect(r.stderr).toContain('safeweb profile use stage');
  });

  it('warns when the key file is readable by others', async () => {
    const keyFile = path.join(dir, 'key.txt');
    writeFileSync(keyFile, KEY, { mode: 0o644 });
    const r = await runInProcess(['profile', 'add', 'x', '--partner-id', 'P', '--api-key-file', keyFile], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${keyFile} is readable by other users; chmod 600 it.`);
  });

  it.each([
    [['profile', 'add', 'p', '--partner-id', 'P', '--api-key', KEY], /unknown option '--api-key'/],
    [['profile', 'add', 'p', '--partner-id', 'P'], /the API key is needed/],
    [['profile', 'add', 'p', '--api-key-stdin'], /--partner-id is required/],
    [['profile', 'add', 'bad name!', '--partner-id', 'P', '--api-key-stdin'], /invalid profile name "bad name!"/],
    [
      ['profile', 'add', 'p', '--partner-id', 'P', '--api-key-stdin', '--base-url', 'http://api.example.com'],
      /refusing plain http:\/\//,
    ],
    [['profile', 'add', 'p', '--partner-id', 'P', '--api-key-stdin', '--env', 'qa'], /argument 'qa' is invalid/],
    [
      [
        'profile',
        'add',
        'p',
        '--partner-id',
        'P',
        '--api-key-stdin',
        '--env',
        'staging',
        '--base-url',
        'https://x.example',
      ],
      /--env and --base-url cannot be used together/,
    ],
  ])('refuses %j with exit 2 and writes nothing', async (argv, message) => {
    const r = await runInProcess(argv as string[], { env, stdin: `${KEY}\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(() => stored()).toThrow(/ENOENT/);
  });

  it('refuses an empty key and a duplicate name unless --force', async () => {
    expect((await add('p', [], '')).stderr).toContain('the API key is empty');
    await add('p');
    const dup = await add('p');
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('a profile named "p" already exists');
    expect((await add('p', ['--force'], 'swk_replacement_key_1')).code).toBe(0);
    expect(stored().profiles.p.apiKey).toBe('swk_replacement_key_1');
  });
});

describe('safeweb profile list / use / show / remove', () => {
  it('lists profiles with the active one marked and keys masked', async () => {
    await add('prod');
    await add('stage');
    const r = await runInProcess(['profile', 'list'], { env });
    expect(r.stdout).toBe(
      `*\tprod\tP-prod\thttps://connect.safeweb.co\tswk_…1234\tfile\tread-write\tno\n` +
        `\tstage\tP-stage\thttps://connect.safeweb.co\tswk_…1234\tfile\tread-write\tno\n`,
    );
    const json = JSON.parse((await runInProcess(['profile', 'list', '--json'], { env })).stdout);
    expect(json).toEqual([
      {
        name: 'prod',
        active: true,
        partnerId: 'P-prod',
        baseUrl: 'https://connect.safeweb.co',
        apiKey: 'swk_…1234',
        store: 'file',
        mode: 'read-write',
        maskPii: false,
      },
      {
        name: 'stage',
        active: false,
        partnerId: 'P-stage',
        baseUrl: 'https://connect.safeweb.co',
        apiKey: 'swk_…1234',
        store: 'file',
        mode: 'read-write',
        maskPii: false,
      },
    ]);
    expect((await runInProcess(['profile', 'list', '--names'], { env })).stdout).toBe('prod\nstage\n');
  });

  it('an empty list is success with a hint', async () => {
    const r = await runInProcess(['profile', 'list'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('No profiles yet');
  });

  it('use switches the active profile; an unknown name is exit 2', async () => {
    await add('prod');
    await add('stage');
    expect((await runInProcess(['profile', 'use', 'stage'], { env })).code).toBe(0);
    expect(stored().activeProfile).toBe('stage');
    const bad = await runInProcess(['profile', 'use', 'nope'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no profile named "nope" — Known profiles: prod, stage.');
  });

  it('show tells each value and where it came from', async () => {
    await add('prod');
    const r = await runInProcess(['profile', 'show', '--json'], {
      env: { ...env, SAFEWEB_BASE_URL: 'http://127.0.0.1:4010' },
    });
    const doc = JSON.parse(r.stdout);
    expect(doc.profile).toEqual({ value: 'prod', source: 'profile', origin: 'active profile' });
    expect(doc.partnerId).toEqual({ value: 'P-prod', source: 'profile', origin: 'profile "prod"' });
    expect(doc.apiKey).toEqual({ value: 'swk_…1234', source: 'profile', origin: 'profile "prod"' });
    expect(doc.baseUrl).toEqual({ value: 'http://127.0.0.1:4010', source: 'env', origin: 'SAFEWEB_BASE_URL' });
    const flag = JSON.parse(
      (await runInProcess(['profile', 'show', '--json', '--partner-id', 'P-flag'], { env })).stdout,
    );
    expect(flag.partnerId).toEqual({ value: 'P-flag', source: 'flag', origin: '--partner-id' });
    const revealed = JSON.parse(
      (await runInProcess(['profile', 'show', 'prod', '--reveal-key', '--json'], { env })).stdout,
    );
    expect(revealed.apiKey.value).toBe(KEY);
  });

  it('remove asks first; --yes skips the question; no terminal and no --yes is exit 2', async () => {
    await add('prod');
    await add('old');
    const refused = await runInProcess(['profile', 'remove', 'old'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Pass --yes');
    expect(stored().profiles.old).toBeDefined();

    const declined = scriptedPrompter([false]);
    expect((await runInProcess(['profile', 'remove', 'old'], { env, tty: true, prompter: declined })).code).toBe(130);
    expect(declined.asked).toEqual(['Remove profile "old" (P-old)?']);
    expect(stored().profiles.old).toBeDefined();

    expect(
      (await runInProcess(['profile', 'remove', 'old'], { env, tty: true, prompter: scriptedPrompter([true]) })).code,
    ).toBe(0);
    expect(stored().profiles.old).toBeUndefined();

    const r = await runInProcess(['profile', 'rm', 'prod', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('It was the active profile');
    expect(stored()).toEqual({ profiles: {} });
  });
});

describe('the config file', () => {
  it('a corrupt file is a clear error naming it, and is left untouched', async () => {
    mkdirSync(path.join(dir, 'cfg'), { recursive: true });
    const file = path.join(dir, 'cfg', 'config.json');
    writeFileSync(file, '{"profiles": {', { mode: 0o600 });
    for (const argv of [
      ['profile', 'list'],
      ['profile', 'add', 'x', '--partner-id', 'P', '--api-key-stdin'],
      ['partner', 'analytics'],
    ]) {
      const r = await runInProcess(argv, { env, stdin: KEY });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`config file ${file} is not valid JSON`);
      expect(readFileSync(file, 'utf8')).toBe('{"profiles": {');
    }
  });

  it('two processes adding profiles at the same moment lose neither', async () => {
    const names = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(
      names.map((n) =>
        runBinary(['profile', 'add', n, '--partner-id', `P-${n}`, '--api-key-stdin'], { env, input: `${KEY}\n` }),
      ),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(Object.keys(stored().profiles).sort()).toEqual(names);
  });
});
