/**
 * The run's guard on its own, from plain values: no Context, no client, no credentials it does
 * not use. Read-only refusal (the variable first, a profile's rule for its own account only),
 * where a production write goes (once per kind of change), and the audit entry of each write
 * (naming the customer by reference, secrets removed, a log that cannot be written only warned
 * about). The verbs that go through it are tested end to end in read-only.test.ts, where.test.ts
 * and audit.test.ts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteRecord, WriteRequest } from '../../src/api/client.js';
import type { Resolved } from '../../src/config/resolve.js';
import { ReadOnlyError } from '../../src/errors.js';
import { readAudit } from '../../src/safety/audit.js';
import { accountKey } from '../../src/io/account-files.js';
import { Guard, type GuardInit, type RecordedCustomer } from '../../src/safety/guard.js';
import { tempDir } from '../helpers/cli.js';

const PROD = 'https://connect.safeweb.co';
const STAGING = 'https://staging-connect.safeweb.co';
const KEY = 'swk_guard_test_key_0123456789';
const ID = '0b9e3c3a-3f1e-4f0e-9d2b-1b2c3d4e5f60';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function settings(over: { profile?: string; partnerId?: string; baseUrl?: string; readOnly?: boolean } = {}) {
  const sourced = (value: string) => ({ value, source: 'profile' as const, origin: 'test' });
  return {
    profile: sourced(over.profile ?? 'prod'),
    partnerId: sourced(over.partnerId ?? '4711'),
    baseUrl: sourced(over.baseUrl ?? PROD),
    readOnly: over.readOnly ?? false,
  } satisfies Pick<Resolved, 'profile' | 'partnerId' | 'baseUrl' | 'readOnly'>;
}

/** A guard over a fresh config dir; what it said, and how often it read the local record. */
function guard(over: Partial<GuardInit> = {}) {
  const { dir, cleanup } = tempDir('safeweb-guard-');
  cleanups.push(cleanup);
  const said: string[] = [];
  const lookups: string[] = [];
  const recorded: RecordedCustomer[] = [{ id: ID, reference: 'ACME-001' }];
  const g = new Guard({
    env: {},
    configDir: dir,
    now: () => new Date('2026-03-01T10:00:01.000Z'),
    argv: () => ['customer', 'offboard', ID, '--api-key', KEY],
    info: (line) => said.push(`info: ${line}`),
    warn: (line) => said.push(`warn: ${line}`),
    recordedCustomers: (partnerId, baseUrl) => {
      lookups.push(`${partnerId}@${baseUrl}`);
      return Promise.resolve(recorded);
    },
    ...over,
  });
  return { g, dir, said, lookups };
}

const write = (over: Partial<WriteRequest> = {}): WriteRequest => ({
  method: 'POST',
  path: '/api/v1/integrations/customer/offboard',
  operation: 'customerOffboard',
  customerId: ID,
  customerRef: undefined,
  ...over,
});
const ended = (over: Partial<WriteRecord> = {}): WriteRecord => ({
  ...write(),
  status: 200,
  outcome: 'ok',
  durationMs: 1000,
  ...over,
});
const creds = { partnerId: '4711', apiKey: KEY, baseUrl: PROD };

describe('read-only', () => {
  it('a read-only profile refuses on its own account, naming the profile; other credentials are not its own', () => {
    const { g } = guard();
    const reports = settings({ profile: 'reports', readOnly: true });
    expect(() => g.refuseIfReadOnly(reports, 'offboarding ACME-001')).toThrow(ReadOnlyError);
    expect(() => g.refuseIfReadOnly(reports, 'offboarding ACME-001')).toThrow(
      'profile "reports" is read-only; offboarding ACME-001 was not sent',
    );
    expect(g.forClient(reports, creds, []).readOnly).toEqual({ profile: 'reports' });
    // login checking another account's key: the profile's rule is not that account's.
    expect(g.forClient(reports, { ...creds, partnerId: '9999' }, []).readOnly).toBeUndefined();
    expect(() => g.refuseIfReadOnly(settings(), 'offboarding ACME-001')).not.toThrow();
    expect(g.forClient(settings(), creds, []).readOnly).toBeUndefined();
  });

  it('SAFEWEB_READ_ONLY refuses everything, for every account, before the profile is asked', () => {
    const { g } = guard({ env: { SAFEWEB_READ_ONLY: 'yes' } });
    const error = (() => {
      try {
        g.refuseIfReadOnly(settings({ readOnly: true }), 'apply (2 changes)');
      } catch (e) {
        return e as ReadOnlyError;
      }
    })();
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringContaining('SAFEWEB_READ_ONLY is set') });
    expect(g.forClient(settings(), { ...creds, partnerId: '9999' }, []).readOnly).toEqual({
      variable: 'SAFEWEB_READ_ONLY',
    });
    expect(guard({ env: { SAFEWEB_READ_ONLY: '0' } }).g.forClient(settings(), creds, []).readOnly).toBeUndefined();
  });
});

describe('where a production write goes', () => {
  const LINE = 'on partner 4711 (profile "prod")';

  it('is said once per kind of change in a run; never off production', () => {
    const { g, said } = guard();
    const client = g.forClient(settings(), creds, []);
    client.beforeWrite!(write());
    client.beforeWrite!(write({ customerId: 'another' }));
    client.beforeWrite!(write({ operation: 'webhooks', path: '/api/v1/webhooks', customerId: undefined }));
    expect(said).toEqual([`info: Offboard ${ID} ${LINE}`, `info: Create a webhook ${LINE}`]);
    // A second client of the same run (a bulk run's) shares what was said.
    g.forClient(settings(), creds, []).beforeWrite!(write());
    expect(said).toHaveLength(2);

    const staging = guard();
    staging.g.forClient(settings({ baseUrl: STAGING }), { ...creds, baseUrl: STAGING }, []).beforeWrite!(write());
    expect(staging.said).toEqual([]);
  });

  it('a confirming verb gets the words for its question, and its write then says nothing more', () => {
    const { g, said } = guard();
    const change = { action: `Offboard ${ID}`, operation: 'customerOffboard' as const, yes: false };
    expect(g.confirmTarget(settings(), change)).toBe(` ${LINE}`);
    expect(said).toEqual([]);
    g.forClient(settings(), creds, []).beforeWrite!(write());
    expect(said).toEqual([]);
    // With --yes nobody is asked: the line is said instead.
    const yes = guard();
    expect(yes.g.confirmTarget(settings(), { ...change, yes: true })).toBe(` ${LINE}`);
    expect(yes.said).toEqual([`info: Offboard ${ID} ${LINE}`]);
    // Off production: no words, nothing said; a read-only run refuses before any question.
    expect(yes.g.confirmTarget(settings({ baseUrl: STAGING }), { ...change, yes: true })).toBe('');
    expect(yes.said).toHaveLength(1);
    expect(() => yes.g.confirmTarget(settings({ readOnly: true }), change)).toThrow(ReadOnlyError);
  });
});

describe('the audit entry of each write', () => {
  const entries = (dir: string) => readAudit(dir, accountKey(creds.partnerId, creds.baseUrl)).entries;

  it('names the customer by reference: what the verb knows first, then the local record (read once)', async () => {
    const { g, dir, lookups } = guard();
    const client = g.forClient(settings(), creds, []);
    await client.afterWrite!(ended());
    g.knownReferences.set(ID, 'FROM-STATE');
    await client.afterWrite!(ended({ outcome: 'unknown', status: null }));
    await client.afterWrite!(ended({ customerId: 'not-recorded', customerRef: undefined }));
    await client.afterWrite!(ended({ customerId: undefined, customerRef: 'NEW-1', operation: 'customerOnboard' }));
    expect(entries(dir).map((e) => [e.customerId, e.customerRef, e.outcome])).toEqual([
      [ID, 'ACME-001', 'ok'],
      [ID, 'FROM-STATE', 'unknown'],
      ['not-recorded', null, 'ok'],
      [null, 'NEW-1', 'ok'],
    ]);
    expect(lookups).toEqual([`4711@${PROD}`]);
  });

  it('keeps the run: profile, origin, the command line without secrets, when the request was sent', async () => {
    const { g, dir } = guard();
    const secrets = new Set<string>();
    const client = g.forClient(settings(), creds, secrets);
    g.auditOrigin = { via: 'mcp', tool: 'customer_offboard' };
    // A keychain key read after the client was made is still hidden.
    secrets.add('swk_from_keychain_abcdef');
    await client.afterWrite!(ended({ error: 'refused with swk_from_keychain_abcdef', outcome: 'rejected' }));
    const [entry] = entries(dir);
    expect(entry).toMatchObject({
      profile: 'prod',
      partnerId: '4711',
      baseUrl: PROD,
      via: 'mcp',
      tool: 'customer_offboard',
      command: `safeweb customer offboard ${ID} --api-key [REDACTED]`,
      error: 'refused with [REDACTED]',
      time: '2026-03-01T10:00:00.000Z',
    });
    expect(JSON.stringify(entries(dir))).not.toContain(KEY);
    // Another account's credentials (login's check) write under no profile.
    await g.forClient(settings(), { ...creds, partnerId: '9999' }, []).afterWrite!(ended());
    expect(readAudit(dir, accountKey('9999', PROD)).entries[0]).toMatchObject({ profile: null, partnerId: '9999' });
  });

  it('a local record that cannot be read leaves the ID alone; a log that cannot be written warns once', async () => {
    const { dir, cleanup } = tempDir('safeweb-guard-');
    cleanups.push(cleanup);
    // A file where the audit directory would be: every append fails.
    const blocked = path.join(dir, 'blocked');
    writeFileSync(blocked, '');
    const { g, said } = guard({ configDir: blocked, recordedCustomers: () => Promise.reject(new Error('unreadable')) });
    const client = g.forClient(settings(), creds, []);
    await expect(client.afterWrite!(ended())).resolves.toBeUndefined();
    await expect(client.afterWrite!(ended())).resolves.toBeUndefined();
    expect(said).toEqual([
      expect.stringMatching(/^warn: the audit log could not be written \(.+\); the command went on$/),
    ]);

    const unreadable = guard({ recordedCustomers: () => Promise.reject(new Error('unreadable')) });
    await unreadable.g.forClient(settings(), creds, []).afterWrite!(ended());
    expect(entries(unreadable.dir).map((e) => [e.customerId, e.customerRef])).toEqual([[ID, null]]);
    expect(unreadable.said).toEqual([]);
  });
});
