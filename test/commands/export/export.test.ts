/**
 * `safeweb export`: the book as it is, as a manifest whose plan is empty — assets read live, the
 * info fields the record keeps, the status, the webhook endpoints and never a secret; fields the
 * record does not know named in a comment (YAML) or a "//" note (JSON).
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsFile, setIntegration } from '../../../src/config/integrations.js';
import { accountKey } from '../../../src/io/account-files.js';
import { runInProcess, tempDir } from '../../helpers/cli.js';
import { bookWorld, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
const HOOK = 'http://127.0.0.1:9/hook';

beforeAll(async () => {
  w = await bookWorld();
  const doc = (i: number) =>
    w.write(
      `c${i}.json`,
      JSON.stringify({
        companyName: `Existing ${i}`,
        customerReference: `EX-${i}`,
        contactEmail: `it@ex${i}.example`,
        assetsDomains: [`ex${i}.example`],
        assetsEmails: [`staff@ex${i}.example`],
        alertRecipients: [`soc@ex${i}.example`],
        price: 40 + i,
        currencyCode: 'GBP',
        planType: 'safeweb-plus',
        billedFromDate: 'now+1d',
        sendMonthlyReport: true,
      }),
    );
  for (const i of [1, 2]) expect((await w.cli(['customer', 'onboard', '--file', doc(i)])).code).toBe(0);
  expect((await w.cli(['customer', 'offboard', 'EX-2', '--yes'])).code).toBe(0);
  // A customer onboarded elsewhere, joined to the record by its ID: its info fields are unknown.
  const northwind = w.sandbox.state.customers.find((c) => c.customerReference === 'NW-001')!;
  const link = await w.cli(['customer', 'link', 'NW-001', '--id', northwind.id, '--company-name', 'Northwind Traders']);
  expect(link.code, link.stderr).toBe(0);
  const secret = path.join(w.dir, 'hook.secret');
  expect(
    (await w.cli(['webhook', 'create', '--url', HOOK, '--event', 'breach.new', '--secret-file', secret])).code,
  ).toBe(0);
});
afterAll(() => w.close());

const secretOf = () => w.sandbox.state.webhooks!.find((x) => x.url === HOOK)!.secret;

describe('export of an existing book', () => {
  it('writes a YAML manifest whose plan is empty, naming the fields the record does not know', async () => {
    const out = path.join(w.dir, 'book.yaml');
    const r = await w.cli(['export', '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Exported 3 customers and 1 webhook endpoint to');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(secretOf());
    expect(text).toMatch(
      /# missing: contactEmail, alertRecipients, planType, price, currencyCode, billedFromDate, .*\n {2}- customerReference: NW-001/,
    );
    const manifest = parse(text) as { customers: Array<Record<string, unknown>>; webhooks: unknown[] };
    expect(manifest.customers.find((c) => c['customerReference'] === 'EX-1')).toEqual({
      customerReference: 'EX-1',
      companyName: 'Existing 1',
      status: 'active',
      contactEmail: 'it@ex1.example',
      alertRecipients: ['soc@ex1.example'],
      planType: 'safeweb-plus',
      price: 41,
      currencyCode: 'GBP',
      billedFromDate: w.customer('EX-1')!.billedFromDate,
      sendMonthlyReport: true,
      assetsDomains: ['ex1.example'],
      assetsEmails: ['staff@ex1.example', 'it@ex1.example'],
    });
    expect(manifest.customers.find((c) => c['customerReference'] === 'EX-2')!['status']).toBe('offboarded');
    expect(manifest.webhooks).toEqual([{ url: HOOK, events: ['breach.new'], active: true }]);

    const plan = await w.cli(['plan', '--file', out, '--exit-status']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toBe('No changes: the book matches the manifest.\n');
  });

  it('writes a JSON manifest with a "//" note, whose plan is empty too', async () => {
    const out = path.join(w.dir, 'book.json');
    const r = await w.cli(['export', '--output', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ output: out, customers: 3, webhooks: 1, state: null });
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(secretOf());
    const manifest = JSON.parse(text) as { customers: Array<Record<string, unknown>> };
    const nw = manifest.customers.find((c) => c['customerReference'] === 'NW-001')!;
    expect(nw['//']).toMatch(/^missing: contactEmail, alertRecipients, planType, price, currencyCode, billedFromDate/);
    expect(manifest.customers.find((c) => c['customerReference'] === 'EX-1')!['//']).toBeUndefined();
    expect((await w.cli(['plan', '--file', out, '--exit-status'])).code).toBe(0);
  });

  it('refuses to overwrite a file without --force', async () => {
    const out = w.write('taken.yaml', 'keep me\n');
    const r = await w.cli(['export', '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(r.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect((await w.cli(['export', '--output', out, '--force'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('customerReference: EX-1');
  });

  it('exports only the customers named; an unknown reference is exit 2', async () => {
    const out = path.join(w.dir, 'one.yaml');
    expect((await w.cli(['export', '--output', out, '--customers', 'EX-1'])).code).toBe(0);
    const manifest = parse(readFileSync(out, 'utf8')) as { customers: Array<Record<string, unknown>> };
    expect(manifest.customers.map((c) => c['customerReference'])).toEqual(['EX-1']);
    const r = await w.cli(['export', '--output', path.join(w.dir, 'none.yaml'), '--customers', 'EX-1,NOPE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not in the local record');
    expect(r.stderr).toContain('NOPE');
  });

  it('refuses a file name that says no format', async () => {
    const r = await w.cli(['export', '--output', path.join(w.dir, 'book.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Name the file .yaml, .yml or .json');
  });

  it('--state seeds a state file, so a plan from an empty config dir (CI) is empty too', async () => {
    const out = path.join(w.dir, 'seeded.yaml');
    const state = path.join(w.dir, 'seeded.state.json');
    expect((await w.cli(['export', '--output', out, '--state', state])).code).toBe(0);
    const ci = tempDir('ci-');
    try {
      const env = { ...w.env, SAFEWEB_CONFIG_DIR: ci.dir };
      const plan = await runInProcess(['plan', '--file', out, '--state', state, '--exit-status'], { env });
      expect(plan.code, plan.stderr).toBe(0);
      const blind = await runInProcess(['plan', '--file', out, '--exit-status'], { env });
      // Without it every customer is new, and NW-001 lacks what a create needs: refused, naming --state.
      expect(blind.code).toBe(2);
      expect(blind.stderr).toContain('customers[2].price: is required to create a customer');
      expect(blind.stderr).toContain('NW-001 is new');
      expect(blind.stderr).toContain('--state');
    } finally {
      ci.cleanup();
    }
  });

  it('writes back the integration settings kept locally: psa and notify, and each customer\u2019s tags and psa', async () => {
    const settings = integrationsFile(w.configDir, accountKey(w.sandbox.partnerId, w.sandbox.url));
    const connection = { kind: 'halo', tenant: 'https://msp.halopsa.com', clientId: 'id', secret: 'psa/halo' };
    await setIntegration(settings, ['psa', 'connections', 'halo'], connection);
    await setIntegration(settings, ['notify'], {
      channels: { soc: { kind: 'slack', secret: 'notify/soc' } },
      routes: [{ events: ['breach.new'], channels: ['soc'] }],
    });
    await setIntegration(settings, ['customers', 'EX-1'], { tags: ['vip'], psa: { company: 12 } });
    // Settings of a customer not exported stay out of the file.
    await setIntegration(settings, ['customers', 'GONE-1', 'tags'], ['old']);
    try {
      const out = path.join(w.dir, 'with-settings.yaml');
      const r = await w.cli(['export', '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      const manifest = parse(text) as Record<string, unknown> & { customers: Array<Record<string, unknown>> };
      expect(manifest['psa']).toEqual({ connections: { halo: connection } });
      expect(manifest['notify']).toEqual({
        channels: { soc: { kind: 'slack', secret: 'notify/soc' } },
        routes: [{ events: ['breach.new'], channels: ['soc'] }],
      });
      const ex1 = manifest.customers.find((c) => c['customerReference'] === 'EX-1')!;
      expect([ex1['tags'], ex1['psa']]).toEqual([['vip'], { company: 12 }]);
      expect(manifest.customers.find((c) => c['customerReference'] === 'EX-2')!['tags']).toBeUndefined();
      expect(text).not.toContain('GONE-1');
      // The book with its settings plans empty: local fields are not compared with (or sent to) SafeWeb.
      const before = w.writes().length;
      const plan = await w.cli(['plan', '--file', out, '--exit-status']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(w.writes().length).toBe(before);
      const show = await w.cli(['integrations', 'show', '--file', out, '--json']);
      expect((JSON.parse(show.stdout) as { settings: { customers: unknown } }).settings.customers).toEqual({
        'EX-1': { tags: ['vip'], psa: { company: 12 } },
      });
    } finally {
      rmSync(settings);
    }
  });
});
