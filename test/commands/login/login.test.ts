import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runBinary, runInPty } from '../../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../../helpers/sandbox.js';

let fx: SandboxFixture;
beforeAll(async () => {
  fx = await sandboxFixture();
});
afterAll(() => fx.close());

const DOWN = '\x1b[B';
const ENTER = '\r';
const envFor = (sub: string) => cleanEnv({ SAFEWEB_CONFIG_DIR: path.join(fx.configDir, sub) });

async function answerUpToKey(pty: ReturnType<typeof runInPty>, name: string) {
  await pty.waitFor('Profile name');
  pty.write(`${name}${ENTER}`);
  await pty.waitFor('Environment');
  pty.write(`${DOWN}${DOWN}${ENTER}`);
  await pty.waitFor('Base URL');
  pty.write('\x15'); // Ctrl+U clears the suggested default
  pty.write(`${fx.sandbox.url}${ENTER}`);
  await pty.waitFor('Partner ID');
  pty.write(`${fx.sandbox.partnerId}${ENTER}`);
  await pty.waitFor('API key');
}

describe('safeweb login (driven through a pseudo-terminal)', () => {
  it('asks, masks the key, verifies it with a real request, then saves and activates the profile', async () => {
    const env = envFor('ok');
    const pty = runInPty(['login'], { env });
    await answerUpToKey(pty, 'work');
    pty.write(fx.sandbox.apiKey);
    await pty.waitFor('•'.repeat(10));
    expect(pty.screen()).not.toContain(fx.sandbox.apiKey);
    pty.write(ENTER);
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain('Credentials accepted. Saved profile "work"');
    expect(pty.screen()).not.toContain(fx.sandbox.apiKey);
    const stored = JSON.parse(readFileSync(path.join(env['SAFEWEB_CONFIG_DIR']!, 'config.json'), 'utf8'));
    expect(stored).toEqual({
      activeProfile: 'work',
      profiles: { work: { partnerId: fx.sandbox.partnerId, apiKey: fx.sandbox.apiKey, baseUrl: fx.sandbox.url } },
    });
    const after = await runBinary(['partner', 'analytics', '--json'], { env });
    expect(JSON.parse(after.stdout).totalCustomers).toBe(4);
  });

  it('validates as you type: plain http to a remote host is refused at the prompt', async () => {
    const pty = runInPty(['login'], { env: envFor('http') });
    await pty.waitFor('Profile name');
    pty.write(`x${ENTER}`);
    await pty.waitFor('Environment');
    pty.write(`${DOWN}${DOWN}${ENTER}`);
    await pty.waitFor('Base URL');
    pty.write(`\x15http://api.example.com${ENTER}`);
    await pty.waitFor('refusing plain http:// to api.example.com');
    pty.interrupt();
    expect(await pty.exit).toBe(130);
  });

  it('a rejected key is asked for again; the right one is then saved', async () => {
    const env = envFor('retry');
    const pty = runInPty(['login'], { env });
    await answerUpToKey(pty, 'work');
    pty.write(`swk_not_the_right_key_000${ENTER}`);
    await pty.waitFor('API key (try 2 of 3)');
    expect(pty.screen()).toContain('Failed to verify org API key');
    expect(pty.screen()).toContain('Type the key again.');
    pty.write(`${fx.sandbox.apiKey}${ENTER}`);
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain('Credentials accepted. Saved profile "work"');
    const stored = JSON.parse(readFileSync(path.join(env['SAFEWEB_CONFIG_DIR']!, 'config.json'), 'utf8'));
    expect(stored.profiles.work.apiKey).toBe(fx.sandbox.apiKey);
  });

  it('after three rejected keys it offers to save unverified; declining is exit 4, nothing saved', async () => {
    const env = envFor('bad');
    const pty = runInPty(['login'], { env });
    await answerUpToKey(pty, 'work');
    for (const attempt of [2, 3]) {
      pty.write(`swk_not_the_right_key_00${attempt}${ENTER}`);
      await pty.waitFor(`API key (try ${attempt} of 3)`);
    }
    pty.write(`swk_not_the_right_key_004${ENTER}`);
    await pty.waitFor('Save the profile without verifying it?');
    pty.write(`n${ENTER}`);
    expect(await pty.exit).toBe(4);
    expect(pty.screen()).toContain('error: Failed to verify org API key');
    // Not "run safeweb login": that is the command that just ran.
    expect(pty.screen()).toContain('Nothing was saved: check the partner ID and API key SafeWeb gave you.');
    expect(existsSync(path.join(env['SAFEWEB_CONFIG_DIR']!, 'config.json'))).toBe(false);
  });

  it('saves unverified when asked to, after three rejected keys; the profile name defaults to "default"', async () => {
    const env = envFor('unverified');
    const pty = runInPty(['login'], { env });
    await pty.waitFor('Profile name');
    expect(pty.screen()).toContain('(default)');
    pty.write(ENTER);
    await pty.waitFor('Environment');
    pty.write(`${DOWN}${DOWN}${ENTER}`);
    await pty.waitFor('Base URL');
    pty.write(`\x15${fx.sandbox.url}${ENTER}`);
    await pty.waitFor('Partner ID');
    pty.write(`${fx.sandbox.partnerId}${ENTER}`);
    await pty.waitFor('API key');
    for (const attempt of [2, 3]) {
      pty.write(`swk_typo_${attempt}${ENTER}`);
      await pty.waitFor(`API key (try ${attempt} of 3)`);
    }
    pty.write(`swk_typo_4${ENTER}`);
    await pty.waitFor('Save the profile without verifying it?');
    pty.write(`y${ENTER}`);
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain('Saved profile "default"');
    expect(pty.screen()).not.toContain('Credentials accepted');
    const stored = JSON.parse(readFileSync(path.join(env['SAFEWEB_CONFIG_DIR']!, 'config.json'), 'utf8'));
    expect(stored).toMatchObject({ activeProfile: 'default', profiles: { default: { apiKey: 'swk_typo_4' } } });
  });

  it('Ctrl+C exits 130, saves nothing, and gives the cursor back', async () => {
    const env = envFor('cancel');
    const pty = runInPty(['login'], { env });
    await pty.waitFor('Profile name');
    pty.write(`x${ENTER}`);
    await pty.waitFor('Environment');
    pty.interrupt();
    expect(await pty.exit).toBe(130);
    expect(pty.screen()).toContain('Cancelled.');
    // The prompt hid the cursor while it ran; the last word on cursor visibility must be "show".
    const raw = pty.raw();
    expect(raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(raw.lastIndexOf('\x1b[?25l'));
    expect(existsSync(path.join(env['SAFEWEB_CONFIG_DIR']!, 'config.json'))).toBe(false);
  });

  it('without a terminal it is exit 2 pointing to profile add', async () => {
    const r = await runBinary(['login'], { env: envFor('pipe') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('safeweb profile add NAME --partner-id ID --api-key-stdin');
  });
});
