/**
 * `safeweb psa add|list|show|set|test|remove` for a HaloPSA connection, in-process against the
 * Halo emulator over real HTTP (port 0), every Halo request and answer held to the vendor's spec
 * and the token requests to OAuth2's client-credentials grant (helpers/halo-wire.ts). The client
 * secret comes from a file, stdin or a hidden prompt, never a flag, and appears in no output; the
 * ticket type is the board, priorities are Halo's IDs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerNumber } from '../../../src/psa/halo/client.js';
import { startHalo, type HaloEmulator } from '../../../src/sandbox/psa/halo.js';
import { cleanEnv, runInProcess, tempDir, type CliResult } from '../../helpers/cli.js';
import { checkedHaloWire, type CheckedHaloWire } from '../../helpers/halo-wire.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import type { Prompter } from '../../../src/prompt/prompter.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface World {
  emu: HaloEmulator;
  checked: CheckedHaloWire;
  settingsFile: string;
  /** A file holding the emulator's client secret. */
  secretFile: string;
  said: string[];
  cli(argv: string[], options?: { stdin?: string; tty?: boolean; prompter?: Prompter }): Promise<CliResult>;
  settings(): { psa?: { default?: string; connections?: Record<string, Record<string, unknown>> } };
  /** `psa add halo halo --tenant … --client-id …` */
  addFlags(): string[];
}

async function world(): Promise<World> {
  const t = tempDir('psa-halo-');
  cleanups.push(t.cleanup);
  const emu = await startHalo({
    customers: [
      { companyName: 'Northwind Traders', customerReference: 'NW-001' },
      { companyName: 'Fabrikam, Inc.', customerReference: 'FAB-002' },
    ],
  });
  cleanups.push(() => emu.close());
  const configDir = path.join(t.dir, 'cfg');
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: configDir });
  const profile = await runInProcess(
    ['profile', 'add', 'prod', '--partner-id', 'P1', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'],
    { env, stdin: 'swk_profile_key_0000' },
  );
  expect(profile.code, profile.stderr).toBe(0);
  const secretFile = path.join(t.dir, 'halo-secret');
  writeFileSync(secretFile, `${emu.credentials.clientSecret}\n`, { mode: 0o600 });
  const checked = checkedHaloWire(emu.url);
  const said: string[] = [];
  const settingsFile = path.join(configDir, 'integrations', 'prod.yaml');
  return {
    emu,
    checked,
    settingsFile,
    secretFile,
    said,
    async cli(argv, options = {}) {
      const r = await runInProcess(argv, {
        env,
        wire: checked.wire,
        ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
        ...(options.tty ? { tty: true } : {}),
        ...(options.prompter ? { prompter: options.prompter } : {}),
      });
      said.push(r.stdout, r.stderr);
      return r;
    },
    settings: () => parse(readFileSync(settingsFile, 'utf8')) as ReturnType<World['settings']>,
    addFlags: () => ['psa', 'add', 'halo', 'halo', '--tenant', emu.url, '--client-id', emu.credentials.clientId],
  };
}

/** No secret in any output, and every request and answer the spec's. */
function done(w: World): void {
  expect(w.checked.problems).toEqual([]);
  const everything = w.said.join('\n');
  expect(everything).not.toContain(w.emu.credentials.clientSecret);
  for (const token of w.emu.state.tokens.keys()) expect(everything).not.toContain(token);
}

const POLICY = [
  '--ticket-type',
  'Security Alert',
  '--new-status',
  'New',
  '--closed-status',
  'Closed',
  '--priority',
  'critical=1',
  '--priority',
  'low=4',
  '--fallback-company',
  'ContosoMSP',
];

describe('psa add halo', () => {
  it('checks the client credentials with a token and a read, stores the secret apart from the settings', async () => {
    const w = await world();
    const r = await w.cli([...w.addFlags(), '--secret-file', w.secretFile, ...POLICY, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'halo',
      default: true,
      version: 'Halo API v2',
      secret: 'psa/halo',
    });
    expect(w.settings().psa).toEqual({
      connections: {
        halo: {
          kind: 'halo',
          tenant: w.emu.url,
          clientId: w.emu.credentials.clientId,
          secret: 'psa/halo',
          ticketType: 'Security Alert',
          statuses: { new: 'New', closed: 'Closed' },
          priorities: { critical: 1, low: 4 },
          fallbackCompany: 'ContosoMSP',
        },
      },
      default: 'halo',
    });
    // The secret is in the secret store, not the settings.
    expect(readFileSync(w.settingsFile, 'utf8')).not.toContain(w.emu.credentials.clientSecret);
    expect(w.checked.requests[0]).toMatchObject({ method: 'POST', path: '/auth/token', status: 200 });
    done(w);
  });

  it('a wrong client secret: exit 4 naming what to check; nothing saved', async () => {
    const w = await world();
    const r = await w.cli([...w.addFlags(), '--secret-stdin', ...POLICY], { stdin: 'not-the-secret\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('invalid_client (HaloPSA answered 400 to POST /auth/token)');
    expect(r.stderr).toContain('Check the client ID of connection "halo"');
    expect(w.said.join('\n')).not.toContain('not-the-secret');
    const list = await w.cli(['psa', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
    done(w);
  });

  it('the secret from a hidden prompt on a terminal; a flag value is refused without repeating it', async () => {
    const w = await world();
    const refused = await w.cli([...w.addFlags(), '--secret', 'the-secret-on-a-flag']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the client secret is never taken as a flag value (--secret)');
    expect(w.said.join('\n')).not.toContain('the-secret-on-a-flag');

    const prompter = scriptedPrompter([w.emu.credentials.clientSecret]);
    const r = await w.cli([...w.addFlags(), ...POLICY], { tty: true, prompter });
    expect(r.code, r.stderr).toBe(0);
    // Only the secret is asked for: the policy came as flags, and Halo's priorities are IDs (no list to offer).
    expect(prompter.asked).toEqual(['HaloPSA client secret of "halo"']);
    done(w);
  });

  it('a ticket type or status that names nothing: exit 2 listing the valid ones; a priority by name asks for its ID', async () => {
    const w = await world();
    const add = (...extra: string[]) => w.cli([...w.addFlags(), '--secret-file', w.secretFile, ...extra]);
    const type = await add('--ticket-type', 'Alerts');
    expect(type.code).toBe(2);
    expect(type.stderr).toContain(`the ticket type "Alerts" is not one of HaloPSA's: "Incident", "Security Alert"`);
    const status = await add('--ticket-type', 'Security Alert', '--new-status', 'Resolved');
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(
      'the status "Resolved" is not one of the statuses of ticket type "Security Alert": "New", "In Progress", ' +
        '"Waiting on User", "Closed"',
    );
    const open = await add('--ticket-type', '21', '--closed-status', 'In Progress');
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('the status "In Progress" of ticket type "Security Alert" does not close a ticket');
    const priority = await add('--priority', 'critical=Critical');
    expect(priority.code).toBe(2);
    expect(priority.stderr).toContain(
      'the critical priority "Critical" of PSA connection "halo" is a name; give its HaloPSA ID',
    );
    // Another kind's flags and secrets are refused before anything is asked.
    const foreign = await add('--board', 'Security', '--site', 'x');
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('--site, --board are not for a HaloPSA connection');
    const key = await w.cli([...w.addFlags(), '--private-key-file', w.secretFile]);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('a HaloPSA connection has no private key');
    const missing = await w.cli(['psa', 'add', 'halo', 'h2', '--client-id', 'x', '--secret-file', w.secretFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('a HaloPSA connection needs --tenant');
    expect(w.checked.requests.filter((r) => r.write)).toEqual([]);
    const list = await w.cli(['psa', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
    done(w);
  });
});

describe('a HaloPSA connection', () => {
  async function added(): Promise<World> {
    const w = await world();
    const r = await w.cli([...w.addFlags(), '--secret-file', w.secretFile, ...POLICY]);
    expect(r.code, r.stderr).toBe(0);
    return w;
  }

  it('list and show say where it is and where its secret lives, never the secret', async () => {
    const w = await added();
    const list = await w.cli(['psa', 'list']);
    expect(list.stdout.split('\n')[0]!.split('\t')).toEqual([
      'halo',
      'yes',
      'halo',
      w.emu.url,
      w.emu.credentials.clientId,
      'Security Alert',
      'psa/halo',
    ]);
    const show = await w.cli(['psa', 'show', 'halo']);
    expect(show.code, show.stderr).toBe(0);
    // A pipe gets the settings' keys.
    expect(show.stdout).toContain(`api\t${w.emu.url}/api`);
    expect(show.stdout).toContain('ticketType\tSecurity Alert');
    expect(show.stdout).toMatch(/secret\tpsa\/halo, in .*secrets\.json/);
    // Halo's ticket type is the board: no type beside it.
    expect(show.stdout).not.toMatch(/^type\t/m);
    done(w);
  });

  it('set checks a ticket type against the live list, a new secret and a new tenant with a token, before saving', async () => {
    const w = await added();
    const wrong = await w.cli(['psa', 'set', 'halo', 'ticketType=Alerts']);
    expect(wrong.code).toBe(2);
    expect(w.settings().psa!.connections!['halo']!['ticketType']).toBe('Security Alert');
    const ok = await w.cli(['psa', 'set', 'halo', '--ticket-type', 'Incident', '--closed-status', 'Resolved']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(w.settings().psa!.connections!['halo']).toMatchObject({
      ticketType: 'Incident',
      statuses: { new: 'New', closed: 'Resolved' },
    });
    const badSecret = await w.cli(['psa', 'set', 'halo', '--secret-stdin'], { stdin: 'wrong-secret\n' });
    expect(badSecret.code).toBe(4);
    const issued = w.emu.state.tokensIssued;
    const secret = await w.cli(['psa', 'set', 'halo', '--secret-file', w.secretFile]);
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stderr).toContain('New client secret stored');
    expect(w.emu.state.tokensIssued).toBe(issued + 1);
    const host = new URL(w.emu.url).host;
    const tenant = await w.cli(['psa', 'set', 'halo', `tenant=http://${host}/`]);
    expect(tenant.code, tenant.stderr).toBe(0);
    expect(w.settings().psa!.connections!['halo']!['tenant']).toBe(`http://${host}`);
    const type = await w.cli(['psa', 'set', 'halo', '--type', '7']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('--type is not for a HaloPSA connection');
    done(w);
  });

  it('test makes one labelled ticket of the ticket type on the fallback company, closes it, and the sync never takes it', async () => {
    const w = await added();
    const r = await w.cli(['psa', 'test', 'halo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const made = JSON.parse(r.stdout) as { ticketId: number; closed: boolean; companyId: number };
    expect(made.closed).toBe(true);
    const ticket = w.emu.state.tickets.find((t) => t.id === made.ticketId)!;
    expect(ticket).toMatchObject({ tickettype_id: 21, status_id: 9, priority_id: 4, client_id: made.companyId });
    expect(ticket.summary).toBe('[safeweb test] connection check of "halo"');
    // Its own tag: never among the sync's tickets.
    expect(ticket.third_party_id).toBe(ownerNumber('safeweb-test'));
    expect(ticket.third_party_id).not.toBe(ownerNumber('safeweb'));
    done(w);
  });

  it('remove deletes its client secret', async () => {
    const w = await added();
    const r = await w.cli(['psa', 'remove', 'halo', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Deleted its client secret psa/halo.');
    const show = await w.cli(['secret', 'list', '--json']);
    expect(show.stdout).not.toContain('psa/halo');
    done(w);
  });
});
