/**
 * The integration settings file: read and checked (every problem, with its path and line), and
 * edited by the writer the commands use without losing a person's comments; the zod rules and the
 * published JSON Schema give the same verdicts; the lists repeated below findings/ stay equal.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectWisePolicy,
  editIntegrations,
  integrationProblems,
  integrationsFile,
  readIntegrations,
  setIntegration,
  type Integrations,
} from '../../src/config/integrations.js';
import { UsageError, ValidationError } from '../../src/errors.js';
import { acquireLock } from '../../src/io/lock.js';
import { GOOD } from '../fixtures/integrations.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('integrations-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function problemsOf(error: unknown): string[] {
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).lines;
}

describe('reading the settings file', () => {
  it('is empty (and valid) when the file does not exist yet', async () => {
    expect(await readIntegrations(path.join(dir(), 'none.yaml'))).toEqual({ settings: {}, exists: false });
  });

  it('reads a valid file', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, GOOD);
    const { settings, exists } = await readIntegrations(file);
    expect(exists).toBe(true);
    expect(settings.psa?.connections?.['cw']).toMatchObject({ kind: 'connectwise', secret: 'psa/connectwise' });
    expect(settings.customers?.['NW-001']).toEqual({ tags: ['vip'], psa: { company: 250 } });
  });

  it('lists every problem at once, each with its path, line and column', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(
      file,
      GOOD.replace('region: eu', 'region: mars')
        .replace('secret: notify/soc-teams', 'secret: "https://x.logic.azure.com/w?sig=abc"')
        .replace('[oncall, soc]', '[oncall, sock]')
        .replace('      board: Security\n', '      board: Security\n      colour: red\n')
        .replace('psa: { company: 250 }', 'psa: { company: 250, connection: at }'),
    );
    const error = await readIntegrations(file).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`${file} is not valid integration settings (5 problems):`);
    expect(problemsOf(error)).toEqual([
      'psa.connections.cw.colour: unknown key (line 13, column 15)',
      'notify.channels.soc.secret: must name a secret of the secret store, never hold the secret (line 16, column 33)',
      'notify.channels.oncall.region: must be one of us, eu (line 20, column 15)',
      'notify.routes[0].channels[1]: names no channel ("sock" is not under notify.channels) (line 25, column 26)',
      'customers.NW-001.psa.connection: names no connection ("at" is not under psa.connections) (line 29, column 38)',
    ]);
  });

  it('names a YAML syntax error', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, 'psa:\n  connections: {\n');
    const error = await readIntegrations(file).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`${file} is not valid YAML:`);
  });

  it.each([
    ['plain http off this machine', { notify: { channels: { h: { kind: 'webhook', url: 'http://example.com/x' } } } }],
    ['credentials in a URL', { notify: { channels: { h: { kind: 'webhook', url: 'https://u:p@example.com/x' } } } }],
    ['a connection without its secret name', { psa: { connections: { a: { kind: 'autotask', username: 'api' } } } }],
    ['a kind it does not know', { psa: { connections: { a: { kind: 'servicenow', secret: 'psa/a' } } } }],
    ['a route to no channel', { notify: { routes: [{ channels: [] }] } }],
    ['a default that names nothing', { psa: { default: 'cw' } }],
    ['an unknown top-level key', { owner: 'me' }],
  ])('refuses %s', async (_name, value) => {
    expect(await integrationProblems(value)).not.toEqual([]);
  });

  it('refuses what a route\u2019s schema cannot say, each at its path', async () => {
    const channels = {
      soc: { kind: 'teams', secret: 'notify/soc' },
      mail: { kind: 'email', host: 'smtp.x', from: 'a@x.example', to: ['b@x.example'] },
    };
    const found = await integrationProblems({
      notify: {
        channels,
        routes: [
          { name: 'night', channels: ['soc'], timeZone: 'Mars/Olympus_Mons' },
          { name: 'night', channels: ['soc'], quietHours: { from: '22:00', to: '22:00' } },
          { channels: ['soc'], to: 'contact' },
          { channels: ['soc', 'mail'], to: 'contact', timeZone: 'America/Argentina/Buenos_Aires' },
        ],
      },
    });
    expect(found).toEqual([
      {
        path: ['notify', 'routes', 0, 'timeZone'],
        message: 'names no time zone ("Mars/Olympus_Mons" is not one this machine knows)',
      },
      { path: ['notify', 'routes', 1, 'name'], message: 'is the name of an earlier route too ("night")' },
      { path: ['notify', 'routes', 1, 'quietHours', 'to'], message: 'must differ from quietHours.from' },
      {
        path: ['notify', 'routes', 2, 'to'],
        message: 'names no email channel (`to` is for email channels, and this route sends to none)',
      },
    ]);
  });
});

describe('setIntegration: the writer the commands use', () => {
  it('keeps a hand-written comment through an edit, and writes the file 0600', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, GOOD);
    await setIntegration(file, ['notify', 'channels', 'siem'], {
      kind: 'webhook',
      url: 'https://siem.msp.example/in',
      secret: 'notify/siem',
    });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Integrations for the NW book: edited by hand and by safeweb');
    // yaml moves a comment after a key to the line below it: the words survive, where it sits may not.
    expect(text).toContain('# our ConnectWise');
    expect(text).toContain('# pages only for the worst');
    expect((parse(text) as { notify: { channels: Record<string, unknown> } }).notify.channels['siem']).toEqual({
      kind: 'webhook',
      url: 'https://siem.msp.example/in',
      secret: 'notify/siem',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // And removes a value with undefined, the comments still there.
    await setIntegration(file, ['customers', 'NW-001', 'tags'], undefined);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# pages only for the worst');
    expect((parse(after) as { customers: Record<string, unknown> }).customers['NW-001']).toEqual({
      psa: { company: 250 },
    });
  });

  it('creates the file (and its private directory) on the first edit', async () => {
    const file = integrationsFile(path.join(dir(), 'cfg'), 'P1@127.0.0.1:4010');
    expect(path.basename(file)).toBe('P1@127.0.0.1_4010.yaml');
    await setIntegration(file, ['customers', 'NW-002', 'tags'], ['healthcare']);
    expect(parse(readFileSync(file, 'utf8'))).toEqual({ customers: { 'NW-002': { tags: ['healthcare'] } } });
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('writes nothing when the result would not be valid', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, GOOD);
    const error = await setIntegration(file, ['notify', 'routes', 0, 'channels'], ['nowhere']).catch((e: unknown) => e);
    expect((error as Error).message).toContain('nothing was written');
    expect(problemsOf(error)).toEqual([
      'notify.routes[0].channels[0]: names no channel ("nowhere" is not under notify.channels)',
    ]);
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
  });
});

describe('editIntegrations: read-modify-write under a lock', () => {
  it('takes turns with another edit in progress: both changes land', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, GOOD);
    const held = await acquireLock(`${file}.lock`, { what: 'x', command: 'safeweb psa add' });
    let seen: Integrations | undefined;
    const edit = editIntegrations(file, (current) => {
      seen = current;
      return [[['customers', 'NW-002', 'tags'], ['b']]];
    });
    // The edit waits while the lock is held (without the lock it would have read and written by now).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    // The other process writes its change, then lets go.
    writeFileSync(file, `${GOOD}  NW-003:\n    tags: [a]\n`);
    held.release();
    await edit;
    expect(seen?.customers?.['NW-003']).toEqual({ tags: ['a'] });
    expect(Object.keys((parse(readFileSync(file, 'utf8')) as Integrations).customers!)).toEqual([
      'NW-001',
      'NW-003',
      'NW-002',
    ]);
  });

  it('refuses after its wait, naming the holder; nothing written', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, GOOD);
    const held = await acquireLock(`${file}.lock`, { what: 'x', command: 'safeweb psa add' });
    try {
      const error = await editIntegrations(file, () => [[['psa', 'default'], undefined]], { waitMs: 50 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain(
        `the integration settings ${file} is in use by another \`safeweb psa add\``,
      );
      expect((error as Error).message).toContain('nothing was written');
      expect(readFileSync(file, 'utf8')).toBe(GOOD);
    } finally {
      held.release();
    }
  });
});

describe('connectWisePolicy: the defaults of the design', () => {
  it('fills what is left out, and keeps what is set', () => {
    const base = {
      kind: 'connectwise',
      site: 's',
      company: 'c',
      publicKey: 'p',
      clientId: 'i',
      secret: 'psa/cw',
    } as const;
    expect(connectWisePolicy(base)).toEqual({
      ...base,
      grouping: 'per-breach',
      reopenDays: 30,
      resolveOnClose: true,
      offboard: 'close',
      mask: false,
    });
    const set = {
      ...base,
      grouping: 'per-customer',
      reopenDays: 0,
      resolveOnClose: false,
      offboard: 'leave',
      mask: true,
    } as const;
    expect(connectWisePolicy(set)).toEqual(set);
  });
});

describe('the published schema and the zod rules', () => {
  const ajv = () => {
    const a = new Ajv2020({ allErrors: true, strict: true });
    (addFormats as unknown as (x: Ajv2020) => void)(a);
    return a.compile(JSON.parse(readFileSync(path.join(ROOT, 'schema/integrations.schema.json'), 'utf8')) as object);
  };
  const connection = (change: Record<string, unknown>) => ({
    psa: {
      connections: {
        cw: {
          kind: 'connectwise',
          site: 'na.myconnectwise.net',
          company: 'msp',
          publicKey: 'pub',
          clientId: 'c',
          secret: 'psa/cw',
          ...change,
        },
      },
    },
  });
  const cases: Array<[string, unknown]> = [
    ['the example file', parse(GOOD)],
    ['an empty file', {}],
    [
      'every channel kind',
      {
        notify: {
          channels: {
            t: { kind: 'teams', secret: 'notify/t', mask: false },
            s: { kind: 'slack', secret: 'notify/s' },
            p: { kind: 'pagerduty', secret: 'notify/p' },
            w: { kind: 'webhook', url: 'http://127.0.0.1:8080/hook' },
            e: {
              kind: 'email',
              host: 'smtp.msp.example',
              port: 587,
              from: 'safeweb@msp.example',
              to: ['soc@msp.example'],
            },
          },
        },
      },
    ],
    [
      'autotask and halo',
      {
        psa: {
          connections: {
            at: { kind: 'autotask', username: 'api@msp.example', secret: 'psa/autotask', queue: 29683 },
            halo: {
              kind: 'halo',
              tenant: 'https://msp.halopsa.com',
              clientId: 'id',
              secret: 'psa/halo',
              ticketType: 21,
            },
          },
        },
      },
    ],
    [
      'a halo connection with its whole ticket policy',
      {
        psa: {
          connections: {
            halo: {
              kind: 'halo',
              tenant: 'https://msp.halopsa.com',
              clientId: 'id',
              secret: 'psa/halo',
              ticketType: 'Security Alert',
              statuses: { new: 'New', closed: 9 },
              priorities: { critical: 1, low: 4 },
              grouping: 'per-customer',
              fallbackCompany: 'CONTOSO',
            },
          },
        },
      },
    ],
    [
      'a halo connection with a type (its ticket type is the board: it has none beside)',
      {
        psa: {
          connections: {
            halo: {
              kind: 'halo',
              tenant: 'https://msp.halopsa.com',
              clientId: 'id',
              secret: 'psa/halo',
              ticketType: 'Security Alert',
              statuses: { new: 'New', closed: 9 },
              priorities: { critical: 1, low: 4 },
              grouping: 'per-customer',
              fallbackCompany: 'CONTOSO',
              type: 7,
            },
          },
        },
      },
    ],
    ['a site given as a URL', connection({ site: 'https://na.myconnectwise.net' })],
    ['a site given as a URL with a port', connection({ site: 'https://cw.msp.example:8443/' })],
    ['a site on this machine over http', connection({ site: 'http://127.0.0.1:4011' })],
    ['a site over http elsewhere', connection({ site: 'http://cw.msp.example' })],
    ['a site with a path', connection({ site: 'https://cw.msp.example/v4_6_release/apis/3.0' })],
    ['a connection without its public key', connection({ publicKey: undefined })],
    [
      'the whole ticket policy',
      connection({
        board: 'Security',
        statuses: { new: 'New', closed: 13 },
        priorities: { critical: 'Priority 1 - Emergency Response', high: 2, moderate: 3, low: 4 },
        source: 'Email',
        type: 7,
        grouping: 'per-customer',
        reopenDays: 0,
        resolveOnClose: false,
        offboard: 'leave',
        fallbackCompany: 'ContosoMSP',
      }),
    ],
    ['a priority for a band that does not exist', connection({ priorities: { urgent: 1 } })],
    ['a status that is neither new nor closed', connection({ statuses: { open: 'New' } })],
    ['an unknown grouping', connection({ grouping: 'per-company' })],
    ['a negative reopen window', connection({ reopenDays: -1 })],
    ['a reopen window in text', connection({ reopenDays: '30' })],
    ['an unknown offboard action', connection({ offboard: 'delete' })],
    ['a key where its name belongs', connection({ secret: 'AbC+/xyz==' })],
    ['an unknown field', connection({ colour: 'red' })],
    ['a board of 0', connection({ board: 0 })],
    [
      'an email channel without recipients',
      {
        notify: { channels: { e: { kind: 'email', host: 'smtp.x', from: 'a@x.example', to: [] } } },
      },
    ],
    ['an unknown event in a route', { notify: { routes: [{ events: ['breach.lost'], channels: ['x'] }] } }],
    [
      'a route with every condition, a digest and quiet hours',
      {
        notify: {
          channels: { m: { kind: 'email', host: 'smtp.x', from: 'a@x.example', to: ['b@x.example'] } },
          routes: [
            {
              name: 'customers-daily',
              events: ['breach.new', 'breach.unresolved'],
              minBand: 'high',
              customers: ['NW-001', 'NW-002'],
              tags: ['vip'],
              channels: ['m'],
              digest: '1d',
              timeZone: 'Europe/Copenhagen',
              quietHours: { from: '22:00', to: '07:00' },
              to: 'contact',
            },
            { channels: ['m'], bands: ['critical', 'high'], to: ['soc@x.example'] },
          ],
          optOut: ['NW-002'],
        },
      },
    ],
    [
      'a route with minBand and bands both',
      { notify: { routes: [{ minBand: 'high', bands: ['low'], channels: ['x'] }] } },
    ],
    ['a band that does not exist', { notify: { routes: [{ minBand: 'severe', channels: ['x'] }] } }],
    ['a digest of a week', { notify: { routes: [{ digest: '1w', channels: ['x'] }] } }],
    ['quiet hours at 25:00', { notify: { routes: [{ quietHours: { from: '25:00', to: '07:00' }, channels: ['x'] }] } }],
    ['quiet hours without an end', { notify: { routes: [{ quietHours: { from: '22:00' }, channels: ['x'] }] } }],
    ['to: everyone', { notify: { routes: [{ to: 'everyone', channels: ['x'] }] } }],
    ['to: no address', { notify: { routes: [{ to: [], channels: ['x'] }] } }],
    ['to: not an address', { notify: { routes: [{ to: ['soc'], channels: ['x'] }] } }],
    ['an empty opt-out', { notify: { optOut: [''] } }],
    ['a customer mapping without its company', { customers: { X: { psa: { board: 1 } } } }],
    ['a tag with a space', { customers: { X: { tags: ['very important'] } } }],
  ];
  it.each(cases)('agree on %s', async (_name, value) => {
    const validate = ajv();
    // What the schema cannot say (names that point nowhere, a time zone this machine knows, a
    // route's name used twice, quiet hours of no length) is checked beside it.
    const byZod = (await integrationProblems(value)).filter(
      (f) => !/names no|earlier route|must differ from/.test(f.message),
    );
    expect(validate(value), JSON.stringify(byZod)).toBe(byZod.length === 0);
  });
});
