/**
 * `safeweb psa add|list|show|set|remove|test` end to end in-process, against the ConnectWise
 * emulator over real HTTP (port 0); every ConnectWise request and answer is held to the vendor's
 * spec (helpers/connectwise-wire.ts). The private key never appears in any output, --debug
 * included, and is refused as a flag value.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startConnectWise, type ConnectWiseEmulator } from '../../../src/sandbox/psa/connectwise.js';
import { cleanEnv, runInProcess, tempDir, type CliResult } from '../../helpers/cli.js';
import { checkedWire, type CheckedWire } from '../../helpers/connectwise-wire.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import type { Prompter } from '../../../src/prompt/prompter.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface World {
  emu: ConnectWiseEmulator;
  checked: CheckedWire;
  configDir: string;
  env: Record<string, string | undefined>;
  settingsFile: string;
  key: string;
  cli(
    argv: string[],
    options?: { stdin?: string; tty?: boolean; prompter?: Prompter; env?: object },
  ): Promise<CliResult>;
  /** Every output so far, to search for the key. */
  said: string[];
  settings(): { psa?: { default?: string; connections?: Record<string, Record<string, unknown>> }; customers?: object };
  addFlags(name?: string): string[];
}

async function world(): Promise<World> {
  const t = tempDir('psa-cmd-');
  cleanups.push(t.cleanup);
  const emu = await startConnectWise({
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
  const checked = checkedWire();
  const said: string[] = [];
  const { companyId, publicKey, clientId, privateKey } = emu.credentials;
  const settingsFile = path.join(configDir, 'integrations', 'prod.yaml');
  return {
    emu,
    checked,
    configDir,
    env,
    settingsFile,
    key: privateKey,
    said,
    async cli(argv, options = {}) {
      const r = await runInProcess(argv, {
        env: { ...env, ...options.env },
        wire: checked.wire,
        ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
        ...(options.tty ? { tty: true } : {}),
        ...(options.prompter ? { prompter: options.prompter } : {}),
      });
      said.push(r.stdout, r.stderr);
      return r;
    },
    settings: () => parse(readFileSync(settingsFile, 'utf8')) as ReturnType<World['settings']>,
    addFlags: (name = 'cw') => [
      'psa',
      'add',
      'connectwise',
      name,
      '--site',
      emu.url,
      '--company',
      companyId,
      '--public-key',
      publicKey,
      '--client-id',
      clientId,
    ],
  };
}

const POLICY = ['--board', 'Security', '--new-status', 'New', '--closed-status', 'Completed'];

function done(w: World): void {
  expect(w.checked.problems).toEqual([]);
  const everything = w.said.join('\n');
  expect(everything).not.toContain(w.key);
  const { companyId, publicKey } = w.emu.credentials;
  expect(everything).not.toContain(Buffer.from(`${companyId}+${publicKey}:${w.key}`).toString('base64'));
}

describe('psa add', () => {
  it('checks the credentials, stores the key in the secret store and the rest in the settings (non-interactive)', async () => {
    const w = await world();
    const r = await w.cli(
      [
        ...w.addFlags(),
        '--private-key-stdin',
        ...POLICY,
        '--priority',
        'critical=Priority 1 - Emergency Response',
        '--priority',
        'low=4',
        '--json',
      ],
      { stdin: `${w.key}\n` },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'cw',
      default: true,
      version: 'v2025.8.12345',
      secret: 'psa/cw',
    });
    expect(w.settings().psa).toEqual({
      connections: {
        cw: {
          kind: 'connectwise',
          site: w.emu.url,
          company: w.emu.credentials.companyId,
          publicKey: w.emu.credentials.publicKey,
          clientId: w.emu.credentials.clientId,
          secret: 'psa/cw',
          board: 'Security',
          statuses: { new: 'New', closed: 'Completed' },
          priorities: { critical: 'Priority 1 - Emergency Response', low: 4 },
        },
      },
      default: 'cw',
    });
    expect(readFileSync(w.settingsFile, 'utf8')).not.toContain(w.key);
    const secrets = JSON.parse(readFileSync(path.join(w.configDir, 'secrets.json'), 'utf8'));
    expect(secrets.profiles.prod['psa/cw'].value).toBe(w.key);
    // The one request it needed beyond the checks of the policy: /system/info first.
    expect(w.checked.requests[0]!.path).toBe('/system/info');
    done(w);
  });

  it('bad credentials: exit 4 naming what to check; nothing saved', async () => {
    const w = await world();
    const r = await w.cli([...w.addFlags(), '--private-key-stdin'], { stdin: 'not-the-key-0000' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('(ConnectWise answered 401 to GET /v4_6_release/apis/3.0/system/info)');
    expect(r.stderr).toContain('Check the company ID, public key and clientId of connection "cw"');
    expect(existsSync(w.settingsFile)).toBe(false);
    expect(existsSync(path.join(w.configDir, 'secrets.json'))).toBe(false);
    done(w);
  });

  it('an unreachable site: exit 5; nothing saved', async () => {
    const w = await world();
    const flags = w.addFlags();
    flags[flags.indexOf('--site') + 1] = 'http://127.0.0.1:9';
    const r = await w.cli([...flags, '--private-key-stdin', '--retries', '0'], { stdin: w.key });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('ConnectWise unreachable: could not connect to 127.0.0.1:9');
    expect(existsSync(w.settingsFile)).toBe(false);
    done(w);
  });

  it('refuses the key as a flag value in one line, never repeating it; and plain http off this machine', async () => {
    const w = await world();
    for (const argv of [
      [...w.addFlags(), '--private-key', w.key],
      [...w.addFlags(), `--private-key=${w.key}`],
      ['--debug', ...w.addFlags(), '--secret', w.key, '--private-key-stdin'],
    ]) {
      const r = await w.cli(argv, { stdin: w.key });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: the private key is never taken as a flag value \(--/);
      // One line: the refusal and the safe ways.
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--private-key-stdin');
    }
    const http = w.addFlags();
    http[http.indexOf('--site') + 1] = 'http://cw.msp.example';
    const r = await w.cli([...http, '--private-key-stdin'], { stdin: w.key });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing plain http:// to cw.msp.example');
    expect(w.checked.requests).toEqual([]);
    done(w);
  });

  it('on a terminal: asks for the key (hidden), then offers the board, statuses and a priority per band', async () => {
    const w = await world();
    const prompter = scriptedPrompter([
      w.key,
      'Security',
      'New',
      'Completed',
      'Priority 1 - Emergency Response',
      'Priority 2 - Quick Response',
      'Priority 3 - Normal Response',
      '',
    ]);
    const r = await w.cli(w.addFlags(), { tty: true, prompter });
    expect(r.code, r.stderr).toBe(0);
    expect(prompter.asked).toEqual([
      'ConnectWise private key of "cw"',
      'Board for the tickets',
      'Status of a new ticket (board Security)',
      'Status that closes a ticket (board Security)',
      'Priority of a ticket for a critical customer',
      'Priority of a ticket for a high customer',
      'Priority of a ticket for a moderate customer',
      'Priority of a ticket for a low customer',
    ]);
    expect(w.settings().psa?.connections?.['cw']).toMatchObject({
      board: 'Security',
      statuses: { new: 'New', closed: 'Completed' },
      priorities: {
        critical: 'Priority 1 - Emergency Response',
        high: 'Priority 2 - Quick Response',
        moderate: 'Priority 3 - Normal Response',
      },
    });
    expect(w.settings().psa?.connections?.['cw']?.['priorities']).not.toHaveProperty('low');
    done(w);
  });

  it('a board, status or priority that names nothing: exit 2 listing the valid ones; nothing saved', async () => {
    const w = await world();
    const board = await w.cli([...w.addFlags(), '--private-key-stdin', '--board', 'Securty'], { stdin: w.key });
    expect(board.code).toBe(2);
    expect(board.stderr).toContain(`the board "Securty" is not one of ConnectWise's: "Service Desk", "Security"`);
    const closed = await w.cli(
      [...w.addFlags(), '--private-key-stdin', ...POLICY.slice(0, 4), '--closed-status', 'Assigned'],
      {
        stdin: w.key,
      },
    );
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain(
      'the status "Assigned" of board "Security" does not close a ticket; closing statuses there: "Completed"',
    );
    const band = await w.cli([...w.addFlags(), '--private-key-stdin', '--priority', 'urgent=1'], { stdin: w.key });
    expect(band.code).toBe(2);
    expect(band.stderr).toContain('--priority urgent=1: give BAND=PRIORITY, BAND one of critical, high, moderate, low');
    expect(existsSync(w.settingsFile)).toBe(false);
    expect(existsSync(path.join(w.configDir, 'secrets.json'))).toBe(false);
    done(w);
  });
});

/** A world with connection cw added, non-interactively, with the whole policy. */
async function connected(): Promise<World> {
  const w = await world();
  const r = await w.cli(
    [...w.addFlags(), '--private-key-stdin', ...POLICY, '--priority', 'low=4', '--fallback-company', 'ContosoMSP'],
    {
      stdin: w.key,
    },
  );
  expect(r.code, r.stderr).toBe(0);
  return w;
}

describe('psa list, show', () => {
  it('list: a row per connection (tab-separated in a pipe), --json an array; show names where the key lives', async () => {
    const w = await connected();
    const list = await w.cli(['psa', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe(`cw\tyes\tconnectwise\t${w.emu.url}\t${w.emu.credentials.companyId}\tSecurity\tpsa/cw\n`);
    const json = JSON.parse((await w.cli(['psa', 'list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual([
      expect.objectContaining({ name: 'cw', default: true, kind: 'connectwise', secret: 'psa/cw' }),
    ]);

    const show = await w.cli(['psa', 'show', 'cw']);
    expect(show.code, show.stderr).toBe(0);
    const secrets = path.join(w.configDir, 'secrets.json');
    expect(show.stdout).toContain(`secret\tpsa/cw, in ${secrets}`);
    expect(show.stdout).toContain('reopenDays\t30 days');
    expect(show.stdout).toContain('priorities.low\t4');
    const shown = JSON.parse((await w.cli(['psa', 'show', '--json'])).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({
      name: 'cw',
      default: true,
      policy: { grouping: 'per-breach', reopenDays: 30, resolveOnClose: true, offboard: 'close', mask: false },
      secret: { name: 'psa/cw', stored: true, source: 'file', location: secrets },
    });
    done(w);
  });

  it('a name that names no connection: exit 2 listing the configured ones', async () => {
    const w = await connected();
    const r = await w.cli(['psa', 'show', 'eu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no PSA connection named "eu"; configured: cw');
    done(w);
  });
});

describe('psa set', () => {
  it('checks names against the live lists before saving; key= removes; comments are kept', async () => {
    const w = await connected();
    writeFileSync(w.settingsFile, `# our PSA settings\n${readFileSync(w.settingsFile, 'utf8')}`);
    // Another board: its statuses are checked on it, and Completed is not there.
    const moved = await w.cli(['psa', 'set', 'cw', '--board', 'Service Desk']);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain(
      `the status "Completed" is not one of the statuses of board "Service Desk": "New", "In Progress", "Waiting on Customer", "Resolved", "Closed"`,
    );
    expect(w.settings().psa?.connections?.['cw']?.['board']).toBe('Security');
    const ok = await w.cli([
      'psa',
      'set',
      'cw',
      '--board',
      'Service Desk',
      'statuses.closed=Closed',
      'reopenDays=14',
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ changed: ['board', 'statuses.closed', 'reopenDays'] });
    const priority = await w.cli(['psa', 'set', 'cw', 'priorities.critical=P1']);
    expect(priority.code).toBe(2);
    expect(priority.stderr).toContain(
      `the critical priority "P1" is not one of ConnectWise's: "Priority 1 - Emergency Response"`,
    );
    const company = await w.cli(['psa', 'set', 'cw', '--fallback-company', 'nobody']);
    expect(company.code).toBe(2);
    expect(company.stderr).toContain('the fallback company "nobody" is no ConnectWise company (by ID or identifier)');
    const removed = await w.cli(['psa', 'set', 'cw', 'fallbackCompany=', 'grouping=per-customer']);
    expect(removed.code, removed.stderr).toBe(0);
    const cw = w.settings().psa?.connections?.['cw'];
    expect(cw).toMatchObject({
      board: 'Service Desk',
      statuses: { new: 'New', closed: 'Closed' },
      reopenDays: 14,
      grouping: 'per-customer',
    });
    expect(cw).not.toHaveProperty('fallbackCompany');
    expect(readFileSync(w.settingsFile, 'utf8')).toContain('# our PSA settings');
    const bad = await w.cli(['psa', 'set', 'cw', 'colour=red']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"colour=red" is not KEY=VALUE with a key of a ConnectWise connection');
    done(w);
  });

  it('a new private key is checked before it replaces the stored one', async () => {
    const w = await connected();
    const wrong = await w.cli(['psa', 'set', 'cw', '--private-key-stdin'], { stdin: 'wrong-key-0000' });
    expect(wrong.code).toBe(4);
    const secrets = path.join(w.configDir, 'secrets.json');
    expect(JSON.parse(readFileSync(secrets, 'utf8')).profiles.prod['psa/cw'].value).toBe(w.key);
    const right = await w.cli(['psa', 'set', 'cw', '--private-key-stdin'], { stdin: w.key });
    expect(right.code, right.stderr).toBe(0);
    expect(right.stderr).toContain('Updated PSA connection "cw": private key.');
    done(w);
  });
});

describe('psa test', () => {
  it('makes one labelled test ticket on the fallback company (or the customer’s), closes it, prints its ID', async () => {
    const w = await connected();
    const r = await w.cli(['psa', 'test', 'cw']);
    expect(r.code, r.stderr).toBe(0);
    const [ticket] = w.emu.state.tickets;
    expect(r.stdout).toBe(`${ticket!.id}\n`);
    expect(ticket).toMatchObject({
      summary: '[safeweb test] connection check of "cw"',
      companyId: 252, // ContosoMSP: after the two customers' companies
      boardId: 2,
      priorityId: 4,
      integratorTags: ['safeweb-test'],
      closedFlag: true,
      statusId: 13,
    });
    expect(r.stderr).toContain(
      `Made test ticket ${ticket!.id} on board Security for Contoso Managed Services (ContosoMSP), and closed it (Completed).`,
    );

    writeFileSync(
      w.settingsFile,
      `${readFileSync(w.settingsFile, 'utf8')}customers:\n  NW-001:\n    psa: { company: NW-001 }\n`,
    );
    const mapped = await w.cli(['psa', 'test', 'cw', 'NW-001', '--json']);
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(JSON.parse(mapped.stdout)).toMatchObject({ connection: 'cw', companyId: 250, closed: true });
    expect(w.emu.state.tickets[1]!.summary).toBe('[safeweb test] connection check of "cw" for NW-001');
    done(w);
  });

  it('a read-only run refuses the ticket before anything is sent (exit 2); reads are allowed', async () => {
    const w = await connected();
    const r = await w.cli(['psa', 'test', 'cw'], { env: { SAFEWEB_READ_ONLY: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'this run is read-only (SAFEWEB_READ_ONLY is set); POST /v4_6_release/apis/3.0/service/tickets (create ticket) to ConnectWise was not sent',
    );
    expect(w.emu.state.tickets).toEqual([]);
    expect(w.checked.requests.some((q) => q.method === 'POST')).toBe(false);
    done(w);
  });

  it('--debug shows the requests, never the key or the Authorization header', async () => {
    const w = await connected();
    const r = await w.cli(['--debug', 'psa', 'test', 'cw']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('→ POST http://127.0.0.1:');
    expect(r.stderr).toContain('authorization: [REDACTED]');
    done(w);
  });
});

describe('psa remove', () => {
  it('asks first (exit 2 without --yes off a terminal); removes the connection and deletes its key', async () => {
    const w = await connected();
    const asked = await w.cli(['psa', 'remove', 'cw']);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('removing PSA connection "cw" needs confirmation');
    const no = await w.cli(['psa', 'remove', 'cw'], { tty: true, prompter: scriptedPrompter([false]) });
    expect(no.code).toBe(130);
    writeFileSync(
      w.settingsFile,
      `${readFileSync(w.settingsFile, 'utf8')}customers:\n  NW-001:\n    psa: { company: 250 }\n`,
    );
    const mapped = await w.cli(['psa', 'remove', 'cw', '--yes']);
    expect(mapped.code).toBe(2);
    expect(mapped.stderr).toContain(
      'PSA connection "cw" is what 1 customer mapping uses (NW-001); nothing was removed',
    );
    writeFileSync(w.settingsFile, readFileSync(w.settingsFile, 'utf8').replace(/customers:[\s\S]*$/, ''));
    const r = await w.cli(['psa', 'remove', 'cw', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Deleted its private key psa/cw.');
    expect(w.settings().psa).toEqual({ connections: {} });
    expect(JSON.parse(readFileSync(path.join(w.configDir, 'secrets.json'), 'utf8')).profiles.prod).toBeUndefined();
    done(w);
  });
});
