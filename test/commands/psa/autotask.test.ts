/**
 * `safeweb psa add|list|show|set|test|remove` for an Autotask connection, in-process against the
 * Autotask emulator over real HTTP (port 0), every Autotask request and answer held to the vendor's
 * Swagger 2.0 document (helpers/autotask-wire.ts). The zone is looked up from the user name at the
 * emulator's zone-information endpoint (--zone-url); the secret and the integration code come
 * from files, stdin or a hidden prompt, never flags, and appear in no output.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startAutotask, type AutotaskEmulator } from '../../../src/sandbox/psa/autotask.js';
import { cleanEnv, runInProcess, tempDir, type CliResult } from '../../helpers/cli.js';
import { checkedAutotaskWire, type CheckedAutotaskWire } from '../../helpers/autotask-wire.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import type { Prompter } from '../../../src/prompt/prompter.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface World {
  emu: AutotaskEmulator;
  checked: CheckedAutotaskWire;
  configDir: string;
  settingsFile: string;
  /** Files holding the emulator's secret and integration code. */
  secretFile: string;
  codeFile: string;
  said: string[];
  cli(
    argv: string[],
    options?: { stdin?: string; tty?: boolean; prompter?: Prompter; env?: object },
  ): Promise<CliResult>;
  settings(): { psa?: { default?: string; connections?: Record<string, Record<string, unknown>> } };
  /** `psa add autotask at --username … --zone-url …` */
  addFlags(): string[];
}

async function world(): Promise<World> {
  const t = tempDir('psa-at-');
  cleanups.push(t.cleanup);
  const emu = await startAutotask({
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
  const secretFile = path.join(t.dir, 'at-secret');
  const codeFile = path.join(t.dir, 'at-code');
  writeFileSync(secretFile, `${emu.credentials.secret}\n`, { mode: 0o600 });
  writeFileSync(codeFile, `${emu.credentials.integrationCode}\n`, { mode: 0o600 });
  const checked = checkedAutotaskWire();
  const said: string[] = [];
  const settingsFile = path.join(configDir, 'integrations', 'prod.yaml');
  return {
    emu,
    checked,
    configDir,
    settingsFile,
    secretFile,
    codeFile,
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
    addFlags: () => ['psa', 'add', 'autotask', 'at', '--username', emu.credentials.username, '--zone-url', emu.zoneUrl],
  };
}

/** No secret in any output, and every request and answer the spec's. */
function done(w: World): void {
  expect(w.checked.problems).toEqual([]);
  const everything = w.said.join('\n');
  expect(everything).not.toContain(w.emu.credentials.secret);
  expect(everything).not.toContain(w.emu.credentials.integrationCode);
}

const POLICY = ['--queue', 'Security', '--priority', 'critical=Critical', '--priority', 'low=Low'];

describe('psa add autotask', () => {
  it('looks the zone up from the user name, checks the credentials, and stores both secrets apart from the settings', async () => {
    const w = await world();
    const r = await w.cli(
      [...w.addFlags(), '--secret-file', w.secretFile, '--integration-code-file', w.codeFile, ...POLICY, '--json'],
      {},
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'at', default: true, version: 'REST V1.0', secret: 'psa/at' });
    expect(w.settings().psa).toEqual({
      connections: {
        at: {
          kind: 'autotask',
          username: w.emu.credentials.username,
          zone: w.emu.zone,
          secret: 'psa/at',
          queue: 'Security',
          priorities: { critical: 'Critical', low: 'Low' },
        },
      },
      default: 'at',
    });
    const secrets = JSON.parse(readFileSync(path.join(w.configDir, 'secrets.json'), 'utf8')).profiles.prod;
    expect(secrets['psa/at'].value).toBe(w.emu.credentials.secret);
    expect(secrets['psa/at-code'].value).toBe(w.emu.credentials.integrationCode);
    expect(readFileSync(w.settingsFile, 'utf8')).not.toContain(w.emu.credentials.secret);
    // The zone lookup first (no credentials sent with it), then the harmless read.
    expect(w.checked.requests.slice(0, 2).map((q) => q.path)).toEqual([
      '/v1.0/zoneInformation',
      '/V1.0/Tickets/entityInformation',
    ]);
    done(w);
  });

  it('an unknown user: exit 3 from the zone lookup, before any secret is asked; a wrong secret: exit 4; nothing saved', async () => {
    const w = await world();
    const flags = w.addFlags();
    flags[flags.indexOf('--username') + 1] = 'nobody@msp.example';
    const unknown = await w.cli([...flags, '--secret-file', w.secretFile, '--integration-code-file', w.codeFile]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Autotask');
    const wrong = path.join(w.configDir, '..', 'wrong');
    writeFileSync(wrong, 'not-the-secret');
    const bad = await w.cli([...w.addFlags(), '--secret-file', wrong, '--integration-code-file', w.codeFile]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('Check the user name of connection "at"');
    expect(existsSync(w.settingsFile)).toBe(false);
    expect(existsSync(path.join(w.configDir, 'secrets.json'))).toBe(false);
    done(w);
  });

  it('--zone gives the zone without a lookup; the secrets come from stdin and a prompt; a flag value is refused', async () => {
    const w = await world();
    const flagged = await w.cli(['psa', 'add', 'autotask', 'at', '--username', 'u', '--secret', 'x']);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain('the secret and the integration code are never taken as flag values (--secret)');
    const prompter = scriptedPrompter([
      w.emu.credentials.integrationCode,
      'Security',
      'New',
      'Complete',
      '',
      '',
      '',
      '',
    ]);
    const r = await w.cli(
      [
        'psa',
        'add',
        'autotask',
        'at',
        '--username',
        w.emu.credentials.username,
        '--zone',
        w.emu.zone,
        '--secret-stdin',
      ],
      { stdin: w.emu.credentials.secret, tty: true, prompter },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(prompter.asked).toEqual([
      'Autotask integration code of "at"',
      'Queue for the tickets',
      'Status of a new ticket',
      'Status that closes a ticket',
      'Priority of a ticket for a critical customer',
      'Priority of a ticket for a high customer',
      'Priority of a ticket for a moderate customer',
      'Priority of a ticket for a low customer',
    ]);
    expect(w.checked.requests.map((q) => q.path)).not.toContain('/v1.0/zoneInformation');
    expect(w.settings().psa?.connections?.['at']).toMatchObject({
      zone: w.emu.zone,
      queue: 'Security',
      statuses: { new: 'New', closed: 'Complete' },
    });
    done(w);
  });

  it('a queue or status that names nothing: exit 2 listing the valid ones; ConnectWise flags are refused', async () => {
    const w = await world();
    const secrets = ['--secret-file', w.secretFile, '--integration-code-file', w.codeFile];
    const queue = await w.cli([...w.addFlags(), ...secrets, '--queue', 'Securty']);
    expect(queue.code).toBe(2);
    expect(queue.stderr).toContain(`the queue "Securty" is not one of Autotask's: "Client Portal", "Post Sale"`);
    const closed = await w.cli([...w.addFlags(), ...secrets, '--queue', 'Security', '--closed-status', 'In Progress']);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('the status "In Progress" does not close a ticket; closing statuses: "Complete"');
    const board = await w.cli([...w.addFlags(), ...secrets, '--board', 'Security']);
    expect(board.code).toBe(2);
    expect(board.stderr).toContain('--board is not for an Autotask connection');
    expect(existsSync(w.settingsFile)).toBe(false);
    done(w);
  });
});

/** A world with connection `at` added, with a queue and a fallback company. */
async function connected(): Promise<World> {
  const w = await world();
  const r = await w.cli([
    ...w.addFlags(),
    '--secret-file',
    w.secretFile,
    '--integration-code-file',
    w.codeFile,
    ...POLICY,
    '--fallback-company',
    'ContosoMSP',
  ]);
  expect(r.code, r.stderr).toBe(0);
  return w;
}

describe('psa list, show, set, test, remove with Autotask', () => {
  it('list and show say where it is and where its secrets live, never a secret', async () => {
    const w = await connected();
    const list = await w.cli(['psa', 'list']);
    expect(list.stdout).toBe(`at\tyes\tautotask\t${w.emu.zone}\t${w.emu.credentials.username}\tSecurity\tpsa/at\n`);
    const show = await w.cli(['psa', 'show', 'at']);
    expect(show.code, show.stderr).toBe(0);
    const secrets = path.join(w.configDir, 'secrets.json');
    expect(show.stdout).toContain(`secret\tpsa/at, in ${secrets}`);
    expect(show.stdout).toContain(`integrationCode\tpsa/at-code, in ${secrets}`);
    expect(show.stdout).toContain('statuses.closed\tComplete');
    expect(show.stdout).toContain('maxPerHour\t3000 requests an hour');
    done(w);
  });

  it('set checks a queue against the live list, a new secret with a read, before saving', async () => {
    const w = await connected();
    const bad = await w.cli(['psa', 'set', 'at', '--queue', 'Nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`the queue "Nowhere" is not one of Autotask's`);
    const ok = await w.cli(['psa', 'set', 'at', '--queue', 'Monitoring Alert', 'maxPerHour=500', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(w.settings().psa?.connections?.['at']).toMatchObject({ queue: 'Monitoring Alert', maxPerHour: 500 });
    const wrong = await w.cli(['psa', 'set', 'at', '--secret-stdin'], { stdin: 'wrong-secret' });
    expect(wrong.code).toBe(4);
    const stored = JSON.parse(readFileSync(path.join(w.configDir, 'secrets.json'), 'utf8')).profiles.prod;
    expect(stored['psa/at'].value).toBe(w.emu.credentials.secret);
    done(w);
  });

  it('test makes one labelled ticket in the queue on the fallback company and completes it', async () => {
    const w = await connected();
    const r = await w.cli(['psa', 'test', 'at']);
    expect(r.code, r.stderr).toBe(0);
    const [ticket] = w.emu.state.tickets;
    expect(r.stdout).toBe(`${ticket!.id}\n`);
    expect(ticket).toMatchObject({
      title: '[safeweb test] connection check of "at"',
      companyID: 177, // ContosoMSP: after the two customers' companies
      queueID: 29683482,
      priority: 3,
      status: 5,
      ticketType: 1, // required, and Autotask's default
    });
    expect(ticket!.externalID).toMatch(/^safeweb-test:/);
    expect(r.stderr).toContain(
      `Made test ticket ${ticket!.id} on queue Security for Contoso Managed Services (ContosoMSP), and closed it (Complete).`,
    );
    done(w);
  });

  it('remove deletes both its secrets', async () => {
    const w = await connected();
    const r = await w.cli(['psa', 'remove', 'at', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Deleted its secret psa/at.');
    expect(r.stderr).toContain('Deleted its integration code psa/at-code.');
    expect(JSON.parse(readFileSync(path.join(w.configDir, 'secrets.json'), 'utf8')).profiles.prod).toBeUndefined();
    done(w);
  });
});
