/**
 * `safeweb psa add` on a real terminal (the built binary in a pseudo-terminal): the private key
 * asked for with the input hidden, then the board, the statuses and a priority per band chosen
 * from ConnectWise's live lists, stored; the key shown nowhere on the screen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startConnectWise } from '../../../src/sandbox/psa/connectwise.js';
import { cleanEnv, runInProcess, runInPty, tempDir } from '../../helpers/cli.js';

const ENTER = '\r';
const DOWN = '\x1b[B';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('psa add on a terminal', () => {
  it('asks for the key (hidden), offers the live board, statuses and priorities, and saves the choices', async () => {
    const emu = await startConnectWise();
    cleanups.push(() => emu.close());
    const t = tempDir('psa-pty-');
    cleanups.push(t.cleanup);
    const configDir = path.join(t.dir, 'cfg');
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: configDir });
    const profile = await runInProcess(
      ['profile', 'add', 'prod', '--partner-id', 'P1', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'],
      { env, stdin: 'swk_profile_key_0000' },
    );
    expect(profile.code, profile.stderr).toBe(0);
    const { companyId, publicKey, clientId, privateKey } = emu.credentials;
    const pty = runInPty(
      [
        'psa',
        'add',
        'connectwise',
        'cw',
        '--site',
        emu.url,
        '--company',
        companyId,
        '--public-key',
        publicKey,
        '--client-id',
        clientId,
      ],
      { env },
    );
    const step = async (prompt: string, keys: string) => {
      await pty.waitFor(prompt);
      pty.write(keys);
    };
    await step('ConnectWise private key of "cw"', `${privateKey}${ENTER}`);
    // Service Desk, then Security.
    await step('Board for the tickets', `${DOWN}${ENTER}`);
    // The board's default status is offered first; the closed ones are Completed (Cancelled is inactive).
    await step('Status of a new ticket (board Security)', ENTER);
    await step('Status that closes a ticket (board Security)', ENTER);
    await step('Priority of a ticket for a critical customer', ENTER);
    await step('Priority of a ticket for a high customer', ENTER);
    await step('Priority of a ticket for a moderate customer', ENTER);
    await step('Priority of a ticket for a low customer', ENTER);
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain('Added ConnectWise connection "cw" (the default)');
    expect(pty.raw()).not.toContain(privateKey);
    const settings = parse(readFileSync(path.join(configDir, 'integrations', 'prod.yaml'), 'utf8')) as {
      psa: { connections: { cw: Record<string, unknown> } };
    };
    expect(settings.psa.connections.cw).toMatchObject({
      board: 'Security',
      statuses: { new: 'New', closed: 'Completed' },
      priorities: {
        critical: 'Priority 1 - Emergency Response',
        high: 'Priority 2 - Quick Response',
        moderate: 'Priority 3 - Normal Response',
        low: 'Priority 4 - Schedule Maintenance',
      },
    });
  });
});
