/**
 * Know where a change goes: on a production profile, confirming verbs name the profile and the
 * partner in their question; every other write (and a confirmed one with --yes) says the same
 * on stderr. The rules alone first, from plain settings; then the verbs, end to end. Nothing
 * here reaches the real API: the binary runs with HTTPS_PROXY at a closed port, and the
 * in-process runs stop at the question.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PathName } from '../../src/api/paths.js';
import type { Resolved } from '../../src/config/resolve.js';
import { ReadOnlyError } from '../../src/errors.js';
import { changeLine, changeTarget, isProduction, refuseReadOnly } from '../../src/safety/production.js';
import { cleanEnv, runBinary, runInProcess, tempDir } from '../helpers/cli.js';
import { scriptedPrompter } from '../helpers/prompter.js';

const ID = '0b9e3c3a-3f1e-4f0e-9d2b-1b2c3d4e5f60';
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

function settings(baseUrl: string, over: { readOnly?: boolean; profile?: string } = {}): Resolved {
  const sourced = (value: string) => ({ value, source: 'profile' as const, origin: 'test' });
  return {
    profile: over.profile === undefined ? sourced('prod') : sourced(over.profile),
    partnerId: sourced('4711'),
    apiKey: undefined,
    baseUrl: sourced(baseUrl),
    overriddenEnv: [],
    keyring: undefined,
    readOnly: over.readOnly ?? false,
    maskPii: false,
  };
}

describe('the rules, from plain settings', () => {
  const PROD = 'https://connect.safeweb.co';
  const change = { action: `Offboard ${ID}`, operation: 'customerOffboard' as const, yes: false };
  const announcer = () => {
    const heard: Array<[PathName, string | undefined]> = [];
    return { heard, announce: (op: PathName, line: string | undefined) => void heard.push([op, line]) };
  };

  it('production is the production origin, whatever the path; nothing else is', () => {
    expect(isProduction('https://connect.safeweb.co/api')).toBe(true);
    expect(isProduction('https://staging-connect.safeweb.co')).toBe(false);
    expect(isProduction('http://127.0.0.1:4010')).toBe(false);
    expect(isProduction('not a url')).toBe(false);
  });

  it('a confirmed change gets the words for its question, announced (with its line under --yes)', () => {
    const { heard, announce } = announcer();
    expect(changeTarget(settings(PROD), {}, change, announce)).toBe(' on partner 4711 (profile "prod")');
    expect(changeTarget(settings(PROD), {}, { ...change, yes: true }, announce)).toBe(
      ' on partner 4711 (profile "prod")',
    );
    expect(heard).toEqual([
      ['customerOffboard', undefined],
      ['customerOffboard', `Offboard ${ID} on partner 4711 (profile "prod")`],
    ]);
    expect(changeTarget(settings('https://staging-connect.safeweb.co'), {}, change, announce)).toBe('');
    expect(heard).toHaveLength(2);
  });

  it('a read-only run refuses before any words, the variable before the profile', () => {
    const { heard, announce } = announcer();
    const reports = settings(PROD, { readOnly: true, profile: 'reports' });
    expect(() => changeTarget(reports, {}, change, announce)).toThrow(/profile "reports" is read-only/);
    expect(() => refuseReadOnly(settings(PROD), { SAFEWEB_READ_ONLY: '1' }, 'apply')).toThrow(
      /SAFEWEB_READ_ONLY is set\); apply was not sent/,
    );
    expect(() => refuseReadOnly(reports, { SAFEWEB_READ_ONLY: 'false' }, 'apply')).toThrow(ReadOnlyError);
    expect(() => refuseReadOnly(settings(PROD), { SAFEWEB_READ_ONLY: 'no' }, 'apply')).not.toThrow();
    expect(heard).toEqual([]);
  });

  it('a write says what it does in words when the path table knows it', () => {
    const target = { partnerId: '4711', profile: undefined, production: true };
    const write = { method: 'POST', customerId: ID, customerRef: undefined };
    expect(changeLine({ ...write, path: '/x', operation: 'customerAssets' }, target)).toBe(
      `Change the assets of ${ID} on partner 4711 (no profile)`,
    );
    expect(changeLine({ ...write, method: 'DELETE', path: '/api/v1/webhooks/7', operation: 'webhook' }, target)).toBe(
      'Delete webhook 7 on partner 4711 (no profile)',
    );
    expect(changeLine({ ...write, path: '/api/v1/x', operation: undefined }, target)).toBe(
      'POST /api/v1/x on partner 4711 (no profile)',
    );
  });
});

function config(baseUrl: string): Record<string, string | undefined> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      activeProfile: 'prod',
      profiles: { prod: { partnerId: '4711', apiKey: 'swk_prod_key_0000000000', baseUrl } },
    }),
    { mode: 0o600 },
  );
  // A proxy that refuses at once: the request is tried, and nothing leaves this machine.
  return cleanEnv({ SAFEWEB_CONFIG_DIR: dir, HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: '' });
}

const LINE = `on partner 4711 (profile "prod")`;

describe('writes to production say where they go', () => {
  it('a confirmed verb with --yes says it once, before sending', async () => {
    const r = await runBinary(['customer', 'offboard', ID, '--yes', '--retries', '0'], {
      env: config('https://connect.safeweb.co'),
    });
    expect(r.code).toBe(5); // the proxy refused: it was about to be sent
    expect(r.stderr.split('\n').filter((l) => l.includes(LINE))).toEqual([`Offboard ${ID} ${LINE}`]);
  });

  it('every other write says it too; reads and other environments do not', async () => {
    const env = config('https://connect.safeweb.co');
    const create = await runBinary(
      ['webhook', 'create', '--url', 'https://example.com/h', '--event', 'breach.new', '--retries', '0'],
      {
        env,
      },
    );
    expect(create.stderr).toContain(`Create a webhook ${LINE}`);
    const read = await runBinary(['partner', 'analytics', '--retries', '0'], { env });
    expect(read.code).toBe(5);
    expect(read.stderr).not.toContain(LINE);
    const staging = await runBinary(['customer', 'offboard', ID, '--yes', '--retries', '0'], {
      env: config('https://staging-connect.safeweb.co'),
    });
    expect(staging.stderr).not.toContain('on partner');
  });

  it('the confirmation question names the partner and the profile', async () => {
    const env = config('https://connect.safeweb.co');
    const offboard = scriptedPrompter(['not-it']);
    const r = await runInProcess(['customer', 'offboard', ID], { env, tty: true, prompter: offboard });
    expect(r.code).toBe(130);
    expect(offboard.asked).toEqual([`Offboard ${ID} ${LINE}? Type the customer ID (${ID}) to confirm`]);
    const del = scriptedPrompter([false]);
    expect((await runInProcess(['webhook', 'delete', '7'], { env, tty: true, prompter: del })).code).toBe(130);
    expect(del.asked).toEqual([`Delete webhook 7 and its delivery log ${LINE}?`]);
  });
});
