import { describe, expect, it } from 'vitest';
import { runInProcess, runInPty } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const sandbox = useSandbox();

describe('safeweb partner analytics', () => {
  it('prints key<TAB>value lines when piped, computed from the sandbox data', async () => {
    const r = await runInProcess(['partner', 'analytics'], { env: sandbox().env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // 19 breach records: the seed's breached addresses, and what its .example domains expose.
    expect(r.stdout).toBe(
      [
        'totalCustomers\t4',
        'activeCustomers\t3',
        'newCustomerLast30Days\t1',
        'totalMonitoredDomains\t3',
        'totalMonitoredEmails\t6',
        'totalBreachesDetected\t19',
        '',
      ].join('\n'),
    );
  });

  it('prints exactly one JSON document with --json: the metrics, without the API envelope', async () => {
    const r = await runInProcess(['partner', 'analytics', '--json'], { env: sandbox().env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({
      totalCustomers: 4,
      activeCustomers: 3,
      newCustomerLast30Days: 1,
      totalMonitoredDomains: 3,
      totalMonitoredEmails: 6,
      totalBreachesDetected: 19,
    });
  });

  it('accepts global flags before the command too', async () => {
    const r = await runInProcess(['--json', 'partner', 'analytics'], { env: sandbox().env });
    expect(JSON.parse(r.stdout).totalCustomers).toBe(4);
  });

  it('draws a labelled table on a real terminal, in colour unless NO_COLOR', async () => {
    const pty = runInPty(['partner', 'analytics'], { env: sandbox().env });
    expect(await pty.exit).toBe(0);
    const screen = pty.screen();
    expect(screen).toMatch(/│ Total customers\s+│ 4\s+│/);
    expect(screen).toMatch(/│ Breaches detected\s+│ 19\s+│/);
  });

  it('rejects a wrong API key with exit 4 and the API message', async () => {
    const r = await runInProcess(['partner', 'analytics'], {
      env: { ...sandbox().env, SAFEWEB_API_KEY: 'swk_wrong_key_000000' },
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    const request = 'GET /api/v1/integrations/partner/analytics';
    const said = `error: Failed to verify org API key (SafeWeb answered 401 to ${request}) — Check the partner ID and API key`;
    expect(r.stderr.slice(0, said.length)).toBe(said);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('without credentials: exit 4, saying how to log in, nothing sent', async () => {
    const env = { ...sandbox().env, SAFEWEB_API_KEY: undefined, SAFEWEB_PARTNER_ID: undefined };
    const r = await runInProcess(['partner', 'analytics'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('safeweb login');
  });
});
