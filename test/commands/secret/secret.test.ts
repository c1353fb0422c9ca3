/**
 * `safeweb secret set|list|delete`: values from stdin, a file or a hidden prompt, never from a
 * flag value (refused without the value ever being repeated), listed without values.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { scriptedPrompter } from '../../helpers/prompter.js';

const VALUE = 'cw-Pr1vate-Key-0123456789';

/** A config dir with a profile "prod" (no key needed by these verbs), and the env that uses it. */
async function withProfile(): Promise<{ dir: string; env: Record<string, string | undefined> }> {
  const { dir } = tempDir();
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const r = await runInProcess(
    ['profile', 'add', 'prod', '--partner-id', 'P1', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'],
    { env, stdin: 'swk_profile_key_0000' },
  );
  expect(r.code, r.stderr).toBe(0);
  return { dir, env };
}

describe('secret set', () => {
  it('takes the value from stdin, a file or the prompt, into secrets.json (0600) of the profile in use', async () => {
    const { dir, env } = await withProfile();
    const set = await runInProcess(['secret', 'set', 'psa/connectwise', '--value-stdin'], { env, stdin: `${VALUE}\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('Stored psa/connectwise for profile "prod"');
    const file = path.join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).profiles.prod['psa/connectwise'].value).toBe(VALUE);

    const valueFile = path.join(dir, 'smtp-password');
    writeFileSync(valueFile, 'correct horse battery\n', { mode: 0o600 });
    const fromFile = await runInProcess(['secret', 'set', 'smtp/main', '--from-file', valueFile], { env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    // A password may have inner spaces; the trailing newline is not part of it.
    expect(JSON.parse(readFileSync(file, 'utf8')).profiles.prod['smtp/main'].value).toBe('correct horse battery');

    const prompter = scriptedPrompter(['https://hooks.slack.com/services/T0/B0/XyZsignature']);
    const prompted = await runInProcess(['secret', 'set', 'notify/slack-ops', '--json'], { env, tty: true, prompter });
    expect(prompted.code, prompted.stderr).toBe(0);
    expect(prompter.asked).toEqual(['Value of notify/slack-ops']);
    expect(JSON.parse(prompted.stdout)).toMatchObject({ name: 'notify/slack-ops', profile: 'prod', store: 'file' });
    expect(prompted.stdout + prompted.stderr).not.toContain('XyZsignature');
  });

  it('refuses a value on the command line, in one line naming the safe ways, never repeating it', async () => {
    const { dir, env } = await withProfile();
    for (const argv of [
      ['secret', 'set', 'psa/connectwise', '--value', VALUE],
      ['secret', 'set', 'psa/connectwise', `--value=${VALUE}`],
      ['secret', 'set', 'psa/connectwise', '--token', VALUE],
      ['secret', 'set', 'psa/connectwise', '--url', VALUE, '--value-stdin'],
      ['secret', 'set', 'psa/connectwise', VALUE],
      ['--debug', 'secret', 'set', 'psa/connectwise', '--password', VALUE],
    ]) {
      const r = await runInProcess(argv, { env, stdin: 'from-stdin-0000' });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: a secret is never taken on the command line .*--value-stdin.*--from-file FILE/);
      expect(r.stdout + r.stderr).not.toContain(VALUE);
    }
    // Nothing was stored by any of them.
    expect(() => statSync(path.join(dir, 'secrets.json'))).toThrow();
  });

  it('without a source in a run that cannot prompt: exit 2 naming the flags', async () => {
    const { env } = await withProfile();
    const r = await runInProcess(['secret', 'set', 'psa/connectwise'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not interactive .*--value-stdin.*--from-file FILE/);
  });

  it('a bad name, or no profile, is exit 2 before anything is read', async () => {
    const { env } = await withProfile();
    const bad = await runInProcess(['secret', 'set', 'PSA/Connectwise', '--value-stdin'], { env, stdin: VALUE });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid secret name "PSA\/Connectwise"/);
    const none = await runInProcess(['secret', 'set', 'psa/connectwise', '--value-stdin'], {
      env: cleanEnv({ SAFEWEB_CONFIG_DIR: tempDir().dir }),
      stdin: VALUE,
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/stored secrets belong to a profile/);
  });
});

describe('secret list and delete', () => {
  it('lists names and where each lives, the one in effect marked, never a value', async () => {
    const { dir, env } = await withProfile();
    await runInProcess(['secret', 'set', 'psa/connectwise', '--value-stdin'], { env, stdin: VALUE });
    const envFile = path.join(dir, 'teams');
    writeFileSync(envFile, 'https://example.webhook.office.com/sig=teamsvalue\n', { mode: 0o600 });
    const shadowing = { ...env, SAFEWEB_SECRET_PSA_CONNECTWISE_FILE: envFile };
    const json = await runInProcess(['secret', 'list', '--json'], { env: shadowing });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ name: 'psa/connectwise', source: 'env', inEffect: true }),
      expect.objectContaining({ name: 'psa/connectwise', source: 'file', inEffect: false }),
    ]);
    const table = await runInProcess(['secret', 'list'], { env: shadowing });
    expect(table.stdout).toMatch(/psa\/connectwise\tfile\tshadowed/);
    for (const r of [json, table]) {
      expect(r.stdout + r.stderr).not.toContain(VALUE);
      expect(r.stdout + r.stderr).not.toContain('teamsvalue');
    }
    // Setting it while a variable shadows it says so.
    const again = await runInProcess(['secret', 'set', 'psa/connectwise', '--value-stdin'], {
      env: shadowing,
      stdin: VALUE,
    });
    expect(again.stderr).toMatch(
      /Replaced psa\/connectwise[\s\S]*SAFEWEB_SECRET_PSA_CONNECTWISE_FILE gives psa\/connectwise here/,
    );
  });

  it('delete asks unless --yes, then removes it', async () => {
    const { env } = await withProfile();
    await runInProcess(['secret', 'set', 'notify/teams-ops', '--value-stdin'], { env, stdin: VALUE });
    const unasked = await runInProcess(['secret', 'delete', 'notify/teams-ops'], { env });
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/needs confirmation — Pass --yes/);
    const declined = await runInProcess(['secret', 'delete', 'notify/teams-ops'], {
      env,
      tty: true,
      prompter: scriptedPrompter([false]),
    });
    expect(declined.code).toBe(130);
    const yes = await runInProcess(['secret', 'rm', 'notify/teams-ops', '--yes'], { env });
    expect(yes.code, yes.stderr).toBe(0);
    const list = await runInProcess(['secret', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([]);
    const gone = await runInProcess(['secret', 'delete', 'notify/teams-ops', '--yes'], { env });
    expect(gone.code).toBe(2);
  });
});

describe('profile remove', () => {
  it('takes the profile’s stored secrets with it', async () => {
    const { dir, env } = await withProfile();
    for (const name of ['psa/connectwise', 'notify/teams-ops']) {
      const set = await runInProcess(['secret', 'set', name, '--value-stdin'], { env, stdin: `${VALUE}\n` });
      expect(set.code, set.stderr).toBe(0);
    }
    const removed = await runInProcess(['profile', 'remove', 'prod', '--yes', '--json'], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: 'prod', secretsDeleted: 2 });
    const store = readFileSync(path.join(dir, 'secrets.json'), 'utf8');
    expect(store).not.toContain(VALUE);
    expect(JSON.parse(store).profiles.prod ?? {}).toEqual({});
  });
});
