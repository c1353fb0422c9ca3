import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, runBinary, tempDir } from '../../helpers/cli.js';

const ACME = path.join(ROOT, 'examples/acme.json');

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('safeweb sandbox exec and the config directory', () => {
  it('gives the command a temporary config directory, removed afterwards: no local record is left behind', async () => {
    const home = tempDir();
    // No SAFEWEB_CONFIG_DIR: the user's own config directory is $HOME/.config/safeweb.
    const env = cleanEnv({ HOME: home.dir });
    const r = await runBinary(
      [
        'sandbox',
        'exec',
        '--',
        process.execPath,
        '-e',
        // The onboarding (as `npm run quickstart` does it), then where the command's config was.
        `const { execFileSync } = require('node:child_process');
         execFileSync(process.execPath, [${JSON.stringify(BIN)}, 'customer', 'onboard', '--file', ${JSON.stringify(ACME)}],
           { stdio: ['ignore', 'ignore', 'inherit'] });
         const fs = require('node:fs');
         const dir = process.env.SAFEWEB_CONFIG_DIR;
         console.log(JSON.stringify({ dir, record: fs.readdirSync(dir + '/ledger') }));`,
      ],
      { env },
    );
    expect(r.stderr).toContain('Onboarded Acme Corporation (ACME-001).');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as { dir: string; record: string[] };
    // The record was written, in a directory of its own …
    expect(seen.record).toHaveLength(1);
    expect(path.relative(home.dir, seen.dir).startsWith('..')).toBe(true);
    // … which is gone, and the user's config directory holds nothing.
    expect(existsSync(seen.dir)).toBe(false);
    expect(filesUnder(home.dir)).toEqual([]);
    home.cleanup();
  });

  it('keeps a SAFEWEB_CONFIG_DIR that was set on purpose', async () => {
    const { dir, cleanup } = tempDir();
    const r = await runBinary(
      ['sandbox', 'exec', '--', process.execPath, BIN, 'customer', 'onboard', '--file', ACME, '--reference', 'KEPT-1'],
      { env: cleanEnv({ SAFEWEB_CONFIG_DIR: dir }) },
    );
    expect(r.code).toBe(0);
    // The local record, and the audit log of the onboarding (issue 17).
    expect(filesUnder(dir)).toEqual([
      expect.stringMatching(/^audit\/partner_sandbox@127\.0\.0\.1_\d+\.ndjson$/),
      expect.stringMatching(/^ledger\/partner_sandbox@127\.0\.0\.1_\d+\.ndjson$/),
    ]);
    cleanup();
  });
});

describe('safeweb sandbox exec --psa connectwise', () => {
  it('runs the ConnectWise emulator beside the sandbox and names it in SAFEWEB_TEST_CW_* variables', async () => {
    const home = tempDir();
    const r = await runBinary(
      [
        'sandbox',
        'exec',
        '--psa',
        'connectwise',
        '--',
        process.execPath,
        '-e',
        // A harmless read with the credentials the variables give, as `psa add` will make it.
        `const e = process.env;
         const auth = Buffer.from(e.SAFEWEB_TEST_CW_COMPANY_ID + '+' + e.SAFEWEB_TEST_CW_PUBLIC_KEY + ':' + e.SAFEWEB_TEST_CW_PRIVATE_KEY).toString('base64');
         fetch(e.SAFEWEB_TEST_CW_URL + '/v4_6_release/apis/3.0/system/info', { headers: { authorization: 'Basic ' + auth, clientId: e.SAFEWEB_TEST_CW_CLIENT_ID } })
           .then(async (res) => console.log(JSON.stringify({ status: res.status, base: e.SAFEWEB_TEST_CW_API_BASE, url: e.SAFEWEB_TEST_CW_URL, info: await res.json() })));`,
      ],
      { env: cleanEnv({ HOME: home.dir }) },
    );
    expect(r.stderr).toContain('ConnectWise emulator on http://127.0.0.1:');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as { status: number; base: string; url: string; info: { version: string } };
    expect(seen.status).toBe(200);
    expect(seen.base).toBe(`${seen.url}/v4_6_release/apis/3.0`);
    expect(seen.info.version).toMatch(/^v2025/);
    home.cleanup();
  });

  it('with --psa autotask, names the Autotask emulator in SAFEWEB_TEST_AT_* variables', async () => {
    const home = tempDir();
    const r = await runBinary(
      [
        'sandbox',
        'exec',
        '--psa',
        'autotask',
        '--',
        process.execPath,
        '-e',
        // The zone lookup, then a harmless read with the three headers, as `psa add autotask` makes them.
        `const e = process.env;
         fetch(e.SAFEWEB_TEST_AT_ZONE_URL + '?user=' + encodeURIComponent(e.SAFEWEB_TEST_AT_USERNAME))
           .then((res) => res.json())
           .then((zone) => fetch(zone.url + 'V1.0/Tickets/entityInformation', { headers: { ApiIntegrationCode: e.SAFEWEB_TEST_AT_INTEGRATION_CODE, UserName: e.SAFEWEB_TEST_AT_USERNAME, Secret: e.SAFEWEB_TEST_AT_SECRET } }))
           .then(async (res) => console.log(JSON.stringify({ status: res.status, zone: e.SAFEWEB_TEST_AT_ZONE, info: await res.json() })));`,
      ],
      { env: cleanEnv({ HOME: home.dir }) },
    );
    expect(r.stderr).toContain('Autotask emulator on http://127.0.0.1:');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as { status: number; zone: string; info: { info: { name: string } } };
    expect(seen.status).toBe(200);
    expect(seen.zone).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ATServicesRest$/);
    expect(seen.info.info.name).toBe('Ticket');
    home.cleanup();
  });

  it('--psa halo runs the HaloPSA emulator and names it in SAFEWEB_TEST_HALO_* variables', async () => {
    const home = tempDir();
    const r = await runBinary(
      [
        'sandbox',
        'exec',
        '--psa',
        'halo',
        '--',
        process.execPath,
        '-e',
        // A token for the client credentials the variables give, then a harmless read with it.
        `const e = process.env;
         const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: e.SAFEWEB_TEST_HALO_CLIENT_ID, client_secret: e.SAFEWEB_TEST_HALO_CLIENT_SECRET, scope: 'all' });
         fetch(e.SAFEWEB_TEST_HALO_URL + '/auth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })
           .then((res) => res.json())
           .then((token) => fetch(e.SAFEWEB_TEST_HALO_API_BASE + '/TicketType', { headers: { authorization: 'Bearer ' + token.access_token } }))
           .then(async (res) => console.log(JSON.stringify({ status: res.status, base: e.SAFEWEB_TEST_HALO_API_BASE, url: e.SAFEWEB_TEST_HALO_URL, types: await res.json() })));`,
      ],
      { env: cleanEnv({ HOME: home.dir }) },
    );
    expect(r.stderr).toContain('HaloPSA emulator on http://127.0.0.1:');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as { status: number; base: string; url: string; types: { name: string }[] };
    expect(seen.status).toBe(200);
    expect(seen.base).toBe(`${seen.url}/api`);
    expect(seen.types.map((t) => t.name)).toEqual(['Incident', 'Security Alert']);
    home.cleanup();
  });

  it('refuses the PSA knobs without --psa (exit 2)', async () => {
    const r = await runBinary(['sandbox', 'exec', '--psa-429-rate', '0.5', '--', 'true'], { env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('need --psa');
  });
});
