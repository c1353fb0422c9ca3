/**
 * A 2xx whose body lacks what the contract promises (issue 26 item 5): exit 5 "… answered success
 * without …" on one line, never exit 1 ("bug"), and nothing recorded from it.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecord, recordOnboarded } from '../../src/customers/local-record.js';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';
import { failJson, okJson, stubServer, type Stub } from '../helpers/stub-server.js';

const ID = '7d1c4a8e-2b3f-4c5d-9e6f-0a1b2c3d4e5f';
let stub: Stub | undefined;

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function setup(url: string) {
  const configDir = tempDir().dir;
  const env = cleanEnv({
    SAFEWEB_BASE_URL: url,
    SAFEWEB_PARTNER_ID: 'P',
    SAFEWEB_API_KEY: 'swk_never_used_0000',
    SAFEWEB_CONFIG_DIR: configDir,
  });
  return { configDir, env, account: `P@${new URL(url).host}` };
}

/** Exactly one line on stderr: the incomplete answer, nothing else (no stack, no "bug"). */
function expectIncomplete(r: { code: number; stdout: string; stderr: string }, missing: string) {
  expect(r.code, r.stderr).toBe(5);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`answered success without ${missing}; nothing was recorded from it`);
  expect(r.stderr).not.toMatch(/bug/i);
}

describe('a success answer that lacks what the contract promises', () => {
  it('customer assets: `{}` is exit 5, not a list of nothing', async () => {
    stub = await stubServer([okJson({})]);
    const { configDir, env, account } = setup(stub.url);
    await recordOnboarded(configDir, account, { reference: 'ACME', id: ID, companyName: 'Acme' }, new Date());
    const r = await runInProcess(['customer', 'assets', 'ACME', '--json'], { env });
    expectIncomplete(r, 'the lists of domains and emails');
    expect(stub.requests.map((q) => q.method)).toEqual(['GET']);
    expect(stub.unexpected).toEqual([]);
  });

  it('customer assets: one list missing is exit 5 as well', async () => {
    stub = await stubServer([okJson({ success: true, domains: ['acme.example'] })]);
    const { configDir, env, account } = setup(stub.url);
    await recordOnboarded(configDir, account, { reference: 'ACME', id: ID, companyName: 'Acme' }, new Date());
    const r = await runInProcess(['customer', 'assets', 'ACME', '--json'], { env });
    expectIncomplete(r, 'the lists of domains and emails');
  });

  it('customer assets: `success: false` stays the API refusal (exit 3)', async () => {
    stub = await stubServer([okJson({ success: false, error: 'Customer not found' })]);
    const { configDir, env, account } = setup(stub.url);
    await recordOnboarded(configDir, account, { reference: 'ACME', id: ID, companyName: 'Acme' }, new Date());
    const r = await runInProcess(['customer', 'assets', 'ACME', '--json'], { env });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('Customer not found');
  });

  it.each([
    ['threat-score', 'a threat score'],
    ['magic-link', 'a URL'],
  ])('customer %s: `{}` is exit 5, with --json and without', async (verb, missing) => {
    stub = await stubServer([okJson({}), okJson({})]);
    const { configDir, env, account } = setup(stub.url);
    await recordOnboarded(configDir, account, { reference: 'ACME', id: ID, companyName: 'Acme' }, new Date());
    for (const json of [[], ['--json']])
      expectIncomplete(await runInProcess(['customer', verb, 'ACME', ...json], { env }), missing);
    expect(stub.unexpected).toEqual([]);
  });

  const create = ['webhook', 'create', '--url', 'https://hooks.example.com/h', '--event', 'all', '--json'];
  it.each([
    ['`{}`', {}, 'webhook'],
    ['no webhook.id', { success: true, webhook: { url: 'https://hooks.example.com/h', secret: 's' } }, 'webhook.id'],
    ['no webhook.secret', { success: true, webhook: { id: 7, url: 'https://hooks.example.com/h' } }, 'webhook.secret'],
  ])('webhook create: %s is exit 5, and no secret file is left', async (_name, body, missing) => {
    stub = await stubServer([okJson(body)]);
    const { env } = setup(stub.url);
    const dir = tempDir().dir;
    const secretFile = path.join(dir, 'secret');
    const r = await runInProcess([...create, '--secret-file', secretFile], { env });
    expectIncomplete(r, missing);
    expect(readdirSync(dir)).toEqual([]);
    expect(stub.requests).toHaveLength(1);
    expect(stub.unexpected).toEqual([]);
  });

  it('webhook update: `{}` is exit 5', async () => {
    stub = await stubServer([okJson({})]);
    const { env } = setup(stub.url);
    const r = await runInProcess(['webhook', 'update', '7', '--inactive', '--json'], { env });
    expectIncomplete(r, 'webhook');
  });

  it('customer link: `{}` to the verification read records nothing', async () => {
    stub = await stubServer([okJson({})]);
    const { configDir, env, account } = setup(stub.url);
    const r = await runInProcess(['customer', 'link', 'ACME', '--id', ID, '--company-name', 'Acme'], { env });
    expectIncomplete(r, 'the lists of domains and emails');
    expect(readRecord(configDir, account).customers).toEqual([]);
  });

  it.each([
    ['`{}`', okJson({})],
    ['`success: false`', failJson(200, 'Customer not found or does not belong to partner')],
  ])('customer import: %s to the verification read is no proof; nothing recorded', async (name, reply) => {
    stub = await stubServer([reply]);
    const { configDir, env, account } = setup(stub.url);
    const file = path.join(tempDir().dir, 'book.csv');
    writeFileSync(file, `customerReference,customerId,companyName,status\nACME,${ID},Acme,active\n`);
    const r = await runInProcess(['customer', 'import', '--file', file, '--json'], { env });
    expect(r.code, r.stderr).toBe(name === '`{}`' ? 5 : 3);
    expect(r.stderr).not.toMatch(/bug/i);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ total: 1, recorded: 0 });
    expect(summary.notRecorded).toHaveLength(1);
    if (name === '`{}`')
      expect(summary.notRecorded[0].error.message).toMatch(/answered success without the lists of domains and emails/);
    expect(readRecord(configDir, account).customers).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });
});
