import { describe, expect, it } from 'vitest';
import { requireCredentials, resolveSettings } from '../../src/config/resolve.js';
import type { ConfigData } from '../../src/config/store.js';
import { ExitCode } from '../../src/exit-codes.js';

const config: ConfigData = {
  activeProfile: 'prod',
  profiles: {
    prod: { partnerId: 'P-PROD', apiKey: 'key-prod-000000', baseUrl: 'https://connect.safeweb.co' },
    stage: { partnerId: 'P-STAGE', apiKey: 'key-stage-00000', baseUrl: 'https://staging-connect.safeweb.co' },
  },
};

describe('resolveSettings: flags > environment > stored profile', () => {
  it('uses the active profile when nothing else is given', () => {
    const r = resolveSettings({}, {}, config);
    expect(r.profile).toMatchObject({ value: 'prod', source: 'profile' });
    expect(r.partnerId).toMatchObject({ value: 'P-PROD', source: 'profile' });
    expect(r.apiKey).toMatchObject({ value: 'key-prod-000000', source: 'profile' });
    expect(r.baseUrl).toMatchObject({ value: 'https://connect.safeweb.co', source: 'profile' });
  });

  it('lets environment variables beat the active profile, one by one', () => {
    const r = resolveSettings({}, { SAFEWEB_API_KEY: 'env-key', SAFEWEB_BASE_URL: 'http://127.0.0.1:9' }, config);
    expect(r.apiKey).toMatchObject({ value: 'env-key', source: 'env', origin: 'SAFEWEB_API_KEY' });
    expect(r.baseUrl).toMatchObject({ value: 'http://127.0.0.1:9', source: 'env' });
    expect(r.partnerId).toMatchObject({ value: 'P-PROD', source: 'profile' });
  });

  it('SAFEWEB_PROFILE picks the profile; flags beat it', () => {
    expect(resolveSettings({}, { SAFEWEB_PROFILE: 'stage' }, config).partnerId?.value).toBe('P-STAGE');
    const r = resolveSettings(
      { profile: 'prod', partnerId: 'P-FLAG', baseUrl: 'https://x.example' },
      { SAFEWEB_PROFILE: 'stage' },
      config,
    );
    expect(r.profile).toMatchObject({ value: 'prod', source: 'flag' });
    expect(r.partnerId).toMatchObject({ value: 'P-FLAG', source: 'flag' });
    expect(r.baseUrl).toMatchObject({ value: 'https://x.example', source: 'flag' });
  });

  it('a --profile flag beats stray SAFEWEB_* variables and reports them', () => {
    const r = resolveSettings(
      { profile: 'stage' },
      { SAFEWEB_API_KEY: 'env-key', SAFEWEB_PARTNER_ID: 'P-ENV' },
      config,
    );
    expect(r.apiKey?.value).toBe('key-stage-00000');
    expect(r.partnerId?.value).toBe('P-STAGE');
    expect(r.overriddenEnv.sort()).toEqual(['SAFEWEB_API_KEY', 'SAFEWEB_PARTNER_ID']);
  });

  it('defaults the base URL to production and ignores blank variables', () => {
    const r = resolveSettings({}, { SAFEWEB_API_KEY: '  ' }, { profiles: {} });
    expect(r.baseUrl).toMatchObject({ value: 'https://connect.safeweb.co', source: 'default' });
    expect(r.apiKey).toBeUndefined();
  });

  it('an unknown profile name is a usage error naming the known ones', () => {
    expect(() => resolveSettings({ profile: 'nope' }, {}, config)).toThrow(/no profile named "nope"/);
    try {
      resolveSettings({}, { SAFEWEB_PROFILE: 'nope' }, config);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(ExitCode.Usage);
      expect((error as { hint: string }).hint).toContain('prod, stage');
    }
  });

  it('no credentials is exit 4 with a way to log in', () => {
    const r = resolveSettings({}, {}, { profiles: {} });
    expect(() => requireCredentials(r)).toThrow(/no partner ID or API key configured/);
    try {
      requireCredentials(r);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(ExitCode.Auth);
      expect((error as { hint: string }).hint).toContain('safeweb login');
    }
  });
});
