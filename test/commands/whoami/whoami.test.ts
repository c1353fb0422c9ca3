import { describe, expect, it } from 'vitest';
import { cleanEnv, runBinary, runInProcess, runInPty, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();

/** A config dir with two stored profiles, "sb" (active, the sandbox) and "prod". */
async function profiles(): Promise<Record<string, string | undefined>> {
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: tempDir().dir });
  const add = (name: string, extra: string[], key: string) =>
    runInProcess(['profile', 'add', name, '--api-key-stdin', ...extra], { env, stdin: key });
  await add('sb', ['--base-url', fx().sandbox.url, '--partner-id', fx().sandbox.partnerId], fx().sandbox.apiKey);
  await add('prod', ['--partner-id', 'P-PROD'], 'swk_prod_key_0000000000');
  return env;
}

describe('safeweb whoami', () => {
  it('names the profile and why, the partner, environment and URL, where the key is: never the key', async () => {
    const env = await profiles();
    const pty = runInPty(['whoami'], { env });
    expect(await pty.exit).toBe(0);
    const screen = pty.screen();
    expect(screen).toMatch(/│ Profile\s+│ sb\s+│ active profile\s+│/);
    expect(screen).toMatch(new RegExp(`│ Partner ID\\s+│ ${fx().sandbox.partnerId}\\s+│ profile "sb"\\s+│`));
    expect(screen).toMatch(/│ Environment\s+│ local\s+│/);
    expect(screen).toMatch(/│ API key\s+│ \(set; never shown\)\s+│ profile "sb"\s+│/);
    expect(pty.raw()).not.toContain(fx().sandbox.apiKey);

    const json = await runBinary(['whoami', '--json', '--profile', 'prod'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      profile: { name: 'prod', source: 'flag', origin: '--profile' },
      partnerId: { value: 'P-PROD', source: 'profile', origin: 'profile "prod"' },
      environment: 'production',
      baseUrl: { value: 'https://connect.safeweb.co', source: 'profile', origin: 'profile "prod"' },
      apiKey: { source: 'profile', origin: 'profile "prod"' },
      keyStore: 'file',
      readOnly: false,
      maskPii: false,
    });
    expect(json.stdout + json.stderr).not.toContain('swk_prod_key_0000000000');
  });

  it('says when a setting comes from the environment, and sends nothing', async () => {
    const env = { ...(await profiles()), SAFEWEB_PROFILE: 'prod', SAFEWEB_API_KEY: 'swk_env_key_000000000' };
    const r = await runBinary(['whoami', '--base-url', 'https://staging-connect.safeweb.co'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Profile\tprod\tenvironment: SAFEWEB_PROFILE',
        'Partner ID\tP-PROD\tprofile "prod"',
        'Environment\tstaging\tthe base URL',
        'Base URL\thttps://staging-connect.safeweb.co\t--base-url',
        'API key\t(set; never shown)\tenvironment: SAFEWEB_API_KEY',
        'Key store\tnot stored (environment or flag)',
        'Mode\tread-write',
        '',
      ].join('\n'),
    );
    expect(r.stdout + r.stderr).not.toContain('swk_env_key_000000000');
  });

  it('without credentials: what there is, a warning, exit 4', async () => {
    const r = await runBinary(['whoami', '--json'], { env: cleanEnv({ SAFEWEB_CONFIG_DIR: tempDir().dir }) });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ profile: null, partnerId: null, apiKey: null });
    expect(r.stderr).toContain('no credentials: run `safeweb login`');
  });
});
