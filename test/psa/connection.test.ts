/**
 * Opening a PSA connection by name: the settings file's connection (named, the default, or the
 * only one), its private key from the secret store, its client talking to the emulator; exit 2
 * listing the configured ones when the name names none.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { openConnection, pickConnection } from '../../src/psa/connection.js';
import { startConnectWise, type ConnectWiseEmulator } from '../../src/sandbox/psa/connectwise.js';
import { startHalo } from '../../src/sandbox/psa/halo.js';
import { tempDir } from '../helpers/cli.js';
import { checkedWire } from '../helpers/connectwise-wire.js';
import { checkedHaloWire } from '../helpers/halo-wire.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const cw = (site: string, extra = '') =>
  `{ kind: connectwise, site: "${site}", company: safeweb_sandbox, publicKey: pub, clientId: cid, secret: psa/${extra || 'cw'} }`;

function settingsFile(yaml: string): string {
  const t = tempDir('psa-connection-');
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, 'integrations', 'p.yaml');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, yaml);
  return file;
}

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('pickConnection', () => {
  const two = {
    psa: {
      connections: {
        cw: { kind: 'connectwise', site: 'a', company: 'c', publicKey: 'p', clientId: 'i', secret: 'psa/cw' },
        eu: { kind: 'connectwise', site: 'b', company: 'c', publicKey: 'p', clientId: 'i', secret: 'psa/eu' },
      },
    },
  } as const;

  it('takes the name given, else psa.default, else the only one', () => {
    expect(pickConnection(two, 'eu', 'f').name).toBe('eu');
    expect(pickConnection({ psa: { ...two.psa, default: 'eu' } }, undefined, 'f').name).toBe('eu');
    const one = { psa: { connections: { cw: two.psa.connections.cw } } };
    expect(pickConnection(one, undefined, 'f')).toEqual({ name: 'cw', settings: two.psa.connections.cw });
  });

  it('exit 2 listing the configured ones when the name names none, or none can be assumed', () => {
    expect(usage(() => pickConnection(two, 'us', 'f'))).toBe('no PSA connection named "us"; configured: cw, eu');
    expect(usage(() => pickConnection(two, undefined, 'f'))).toBe(
      'several PSA connections are configured (cw, eu) and psa.default names none',
    );
    expect(usage(() => pickConnection({}, undefined, '/cfg/p.yaml'))).toBe(
      'no PSA connection is configured (in /cfg/p.yaml)',
    );
  });
});

describe('openConnection', () => {
  it('opens the connection with its private key from the secret store, its policy with defaults', async () => {
    const emu: ConnectWiseEmulator = await startConnectWise();
    cleanups.push(() => emu.close());
    const file = settingsFile(
      [
        'psa:',
        '  default: cw',
        '  connections:',
        `    cw: { kind: connectwise, site: "${emu.url}", company: ${emu.credentials.companyId}, ` +
          `publicKey: ${emu.credentials.publicKey}, clientId: ${emu.credentials.clientId}, secret: psa/cw, ` +
          'board: Security, reopenDays: 7 }',
        `    other: ${cw('https://eu.myconnectwise.net', 'other')}`,
        '',
      ].join('\n'),
    );
    const asked: string[] = [];
    const checked = checkedWire();
    const opened = await openConnection({
      file,
      secret: async (name) => {
        asked.push(name);
        return emu.credentials.privateKey;
      },
      http: { wire: checked.wire, timeoutMs: 5000, retries: 0, userAgent: 't' },
    });
    expect(opened.name).toBe('cw');
    expect(asked).toEqual(['psa/cw']);
    expect(opened.policy).toMatchObject({ board: 'Security', reopenDays: 7, grouping: 'per-breach', mask: false });
    expect(await opened.client.systemInfo()).toEqual({ version: 'v2025.8.12345' });
    expect(checked.problems).toEqual([]);
  });

  it('a HaloPSA connection opens by its kind: its client secret from the store, its ticket type the board', async () => {
    const halo = await startHalo();
    cleanups.push(() => halo.close());
    const file = settingsFile(
      `psa:\n  connections:\n    halo: { kind: halo, tenant: "${halo.url}", clientId: ${halo.credentials.clientId}, ` +
        'secret: psa/halo, ticketType: Security Alert, priorities: { critical: 1 } }\n',
    );
    const asked: string[] = [];
    const checked = checkedHaloWire(halo.url);
    const opened = await openConnection({
      file,
      secret: async (name) => {
        asked.push(name);
        return halo.credentials.clientSecret;
      },
      http: { wire: checked.wire, timeoutMs: 5000, retries: 0, userAgent: 't' },
    });
    expect(asked).toEqual(['psa/halo']);
    expect(opened.kind.farSide).toBe('HaloPSA');
    expect(opened.policy).toMatchObject({
      board: 'Security Alert',
      priorities: { critical: 1 },
      grouping: 'per-breach',
    });
    expect(await opened.client.boards()).toContainEqual({ id: 21, name: 'Security Alert' });
    expect(checked.problems).toEqual([]);
  });
});
