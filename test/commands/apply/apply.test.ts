/**
 * plan and apply end to end against the sandbox: create from empty, converge, updates of each
 * kind, what is not updatable, drift put back, prune, confirmation rules and signing secrets.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bookWorld, bookYaml, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
afterEach(() => w?.close());

const HOOK = 'http://127.0.0.1:9/hook';

interface PlanJson {
  changes: Array<{
    action: string;
    kind: string;
    reference?: string;
    url?: string;
    fields?: Array<{ name: string; from: unknown; to: unknown }>;
  }>;
  summary: Record<string, number>;
  notUpdatable: Array<{ reference: string; fields: Array<{ name: string; from: unknown; to: unknown }> }>;
  warnings: string[];
}

async function planJson(file: string, ...more: string[]): Promise<PlanJson> {
  const r = await w.cli(['plan', '--file', file, '--json', ...more]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

async function converge(text: string, ...more: string[]) {
  const file = w.write('book.yaml', text);
  const r = await w.cli(['apply', '--file', file, '--yes', '--secret-dir', path.join(w.dir, 'secrets'), ...more]);
  expect(r.code, r.stderr).toBe(0);
  return { file, r };
}

describe('create from empty, then converge', () => {
  it('plans every customer and the endpoint as creates, warns the state knows none, and exits 8 with --exit-status', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(2, { webhook: HOOK }));
    const r = await w.cli(['plan', '--file', file, '--exit-status']);
    expect(r.code).toBe(8);
    expect(r.stdout).toContain('  + customer BOOK-1\n      + companyName: "Book 1 Ltd"\n');
    expect(r.stdout).toContain(`  + webhook ${HOOK}`);
    expect(r.stdout).toContain('Plan: 3 to create, 0 to update, 0 to offboard, 0 to reactivate, 0 to delete.');
    expect(r.stderr).toContain('the local record knows none of the 2 customers');
    expect(r.stderr).toContain('--state FILE');
    expect(r.stderr).toContain('`apply` needs --secret-dir DIR');
    expect(w.writes()).toEqual([]);

    const json = await planJson(file);
    expect(json.summary).toEqual({
      create: 3,
      update: 0,
      offboard: 0,
      reactivate: 0,
      delete: 0,
      total: 3,
      notUpdatable: 0,
      stopsMonitoring: 0,
    });
    expect(json.changes[0]).toMatchObject({ action: 'create', kind: 'customer', reference: 'BOOK-1' });
    expect(json.changes[0]!.fields).toContainEqual({ name: 'price', from: null, to: 10 });
    expect(json.changes[0]!.fields).toContainEqual({
      name: 'billedFromDate',
      from: null,
      to: '2030-01-01T00:00:00.000Z',
    });
    expect(json.changes[2]).toEqual({
      action: 'create',
      kind: 'webhook',
      url: HOOK,
      fields: [
        { name: 'events', from: null, to: ['breach.resolved'] },
        { name: 'active', from: null, to: true },
      ],
    });
  });

  it('refuses apply off a terminal without --yes, and a new endpoint without --secret-dir: exit 2, nothing sent', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1, { webhook: HOOK }));
    const noYes = await w.cli(['apply', '--file', file, '--secret-dir', path.join(w.dir, 's')]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('apply needs a confirmation and this run cannot ask; nothing was sent');
    expect(noYes.stderr).toContain('pass --yes');
    const noDir = await w.cli(['apply', '--file', file, '--yes']);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain('--secret-dir DIR is needed to keep them; nothing was sent');
    expect(w.writes()).toEqual([]);
    expect(w.customers('BOOK-')).toEqual([]);
  });

  it('applies the creates, keeps the secret only in a 0600 file in a 0700 dir, and a second plan is empty', async () => {
    w = await bookWorld();
    const { file, r } = await converge(
      bookYaml(2, {
        webhook: HOOK,
        extra: (i) => (i === 2 ? '    contactEmail: it@b2.example\n    planType: safeweb-plus' : ''),
      }),
    );
    expect(r.stdout).toContain('✓ customer BOOK-1: created');
    expect(r.stderr).toContain('Applied 3 of 3 changes — failed 0, unknown 0.');
    const b2 = w.customer('BOOK-2')!;
    expect(b2).toMatchObject({ companyName: 'Book 2 Ltd', price: 20, currencyCode: 'USD', planType: 'safeweb-plus' });
    expect(b2.emails).toEqual(['staff@b2.example', 'it@b2.example']);
    // The signing secret: in its file, nowhere on screen.
    const secrets = path.join(w.dir, 'secrets');
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    const [name] = readdirSync(secrets);
    expect(statSync(path.join(secrets, name!)).mode & 0o777).toBe(0o600);
    const endpoint = w.sandbox.state.webhooks!.find((x) => x.url === HOOK)!;
    expect(readFileSync(path.join(secrets, name!), 'utf8')).toBe(`${endpoint.secret}\n`);
    expect(r.stdout + r.stderr).not.toContain(endpoint.secret);

    const again = await w.cli(['plan', '--file', file, '--exit-status']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('No changes: the book matches the manifest.\n');
    expect(again.stderr).toBe('');
    const json = await planJson(file);
    expect(json.changes).toEqual([]);
    // And apply of an empty plan sends nothing.
    const before = w.writes().length;
    const noop = await w.cli(['apply', '--file', file]);
    expect(noop.code).toBe(0);
    expect(noop.stderr).toContain('No changes');
    expect(w.writes().length).toBe(before);
  });

  it('with --json prints one document: the changes with their fate, and the summary', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(2));
    const r = await w.cli(['apply', '--file', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const data = JSON.parse(r.stdout) as { changes: Array<Record<string, unknown>>; summary: Record<string, unknown> };
    expect(data.changes.map((c) => [c['action'], c['reference'], c['status']])).toEqual([
      ['create', 'BOOK-1', 'ok'],
      ['create', 'BOOK-2', 'ok'],
    ]);
    expect(data.changes[0]!['customerId']).toBe(w.customer('BOOK-1')!.id);
    expect(data.summary).toMatchObject({ create: 2, total: 2, ok: 2, failed: 0, unknown: 0, interrupted: false });
  });
});

describe('updates of each kind', () => {
  it('info fields, assets, status and webhooks become updates; other differences are "not updatable"', async () => {
    w = await bookWorld();
    await converge(bookYaml(3, { webhook: HOOK, extra: (i) => (i === 1 ? '    contactEmail: it@b1.example' : '') }));
    const changed = [
      'defaults:',
      '  currencyCode: GBP', // not updatable
      '  billedFromDate: "2030-01-01T00:00:00Z"',
      '  alertRecipients: [soc@msp.example]',
      'customers:',
      '  - customerReference: BOOK-1',
      '    companyName: Book One Renamed',
      '    contactEmail: boss@b1.example',
      '    assetsDomains: [b1.example, b1.example.org]',
      '    assetsEmails: [staff@b1.example]',
      '    price: 15',
      '    planType: safeweb-pro',
      '  - customerReference: BOOK-2',
      '    companyName: Book 2 Ltd',
      '    assetsDomains: [b2.example]',
      '    assetsEmails: []',
      '    price: 20',
      '    status: offboarded',
      '  - customerReference: BOOK-3',
      '    companyName: Book 3 Ltd',
      '    assetsDomains: [b3.example]',
      '    assetsEmails: [staff@b3.example]',
      '    price: 30',
      'webhooks:',
      `  - url: ${HOOK}`,
      '    events: [breach.resolved, breach.new]',
      '    active: false',
    ].join('\n');
    const file = w.write('book.yaml', changed);
    const plan = await planJson(file);
    expect(plan.changes).toEqual([
      {
        action: 'update',
        kind: 'customer',
        reference: 'BOOK-1',
        fields: [
          { name: 'companyName', from: 'Book 1 Ltd', to: 'Book One Renamed' },
          { name: 'contactEmail', from: 'it@b1.example', to: 'boss@b1.example' },
          { name: 'planType', from: null, to: 'safeweb-pro' },
          { name: 'price', from: 10, to: 15 },
          { name: 'assetsDomains', from: ['b1.example'], to: ['b1.example', 'b1.example.org'] },
          {
            name: 'assetsEmails',
            from: ['staff@b1.example', 'it@b1.example'],
            to: ['staff@b1.example', 'boss@b1.example'],
          },
        ],
      },
      { action: 'offboard', kind: 'customer', reference: 'BOOK-2' },
      {
        action: 'update',
        kind: 'webhook',
        url: HOOK,
        fields: [
          { name: 'events', from: ['breach.resolved'], to: ['breach.resolved', 'breach.new'] },
          { name: 'active', from: true, to: false },
        ],
      },
    ]);
    expect(plan.notUpdatable.map((n) => n.reference)).toEqual(['BOOK-1', 'BOOK-3']);
    expect(plan.notUpdatable[1]!.fields).toEqual([{ name: 'currencyCode', from: 'USD', to: 'GBP' }]);
    const text = await w.cli(['plan', '--file', file]);
    expect(text.stdout).toContain('      ~ price: 10 → 15\n');
    expect(text.stdout).toContain('      ~ assetsDomains: + b1.example.org\n');
    expect(text.stdout).toContain('      ~ assetsEmails: + boss@b1.example, - it@b1.example\n');
    expect(text.stdout).toContain('  - customer BOOK-2 (offboard)\n');
    expect(text.stdout).toContain('  # customer BOOK-3: currencyCode: "USD" → "GBP" (not updatable');
    expect(text.stdout).toContain('Plan: 0 to create, 2 to update, 1 to offboard, 0 to reactivate, 0 to delete.');

    const r = await w.cli(['apply', '--file', file, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(w.customer('BOOK-1')).toMatchObject({
      companyName: 'Book One Renamed',
      contactEmail: 'boss@b1.example',
      price: 15,
      planType: 'safeweb-pro',
      currencyCode: 'USD', // not updatable: unchanged
      domains: ['b1.example', 'b1.example.org'],
      emails: ['staff@b1.example', 'boss@b1.example'],
    });
    expect(w.customer('BOOK-2')!.status).toBe('offboarded');
    expect(w.sandbox.state.webhooks!.find((x) => x.url === HOOK)).toMatchObject({
      events: ['breach.resolved', 'breach.new'],
      active: false,
    });
    // Converged: what is not updatable stays listed, but it is no change.
    const after = await w.cli(['plan', '--file', file, '--exit-status']);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes: the book matches the manifest.');
    expect(after.stdout).toContain('currencyCode: "USD" → "GBP" (not updatable');

    // Back to active is a reactivate.
    const back = w.write('book.yaml', changed.replace('    status: offboarded\n', ''));
    // With the asset list the manifest gives it (no emails), read live once it is active again.
    expect((await planJson(back)).changes).toEqual([
      {
        action: 'reactivate',
        kind: 'customer',
        reference: 'BOOK-2',
        fields: [{ name: 'assetsEmails', from: ['staff@b2.example'], to: [] }],
      },
    ]);
    expect((await w.cli(['apply', '--file', back, '--yes'])).code).toBe(0);
    expect(w.customer('BOOK-2')).toMatchObject({ status: 'active', domains: ['b2.example'], emails: [] });
    expect((await planJson(back)).changes).toEqual([]);
  });
});

describe('drift', () => {
  it('an asset changed behind the manifest’s back is an update, and apply puts it back', async () => {
    w = await bookWorld();
    const { file } = await converge(bookYaml(2));
    const drift = await w.cli([
      'customer',
      'assets',
      'BOOK-2',
      '--add-email',
      'intruder@b2.example',
      '--remove-domain',
      'b2.example',
      '--add-domain',
      'other.example',
    ]);
    expect(drift.code, drift.stderr).toBe(0);
    const plan = await w.cli(['plan', '--file', file, '--exit-status']);
    expect(plan.code).toBe(8);
    expect(plan.stdout).toContain(
      '  ~ customer BOOK-2\n      ~ assetsDomains: + b2.example, - other.example\n      ~ assetsEmails: - intruder@b2.example\n',
    );
    const r = await w.cli(['apply', '--file', file, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(w.customer('BOOK-2')).toMatchObject({ domains: ['b2.example'], emails: ['staff@b2.example'] });
    expect((await w.cli(['plan', '--file', file, '--exit-status'])).code).toBe(0);
  });
});

describe('prune', () => {
  it('leaves customers and endpoints the manifest does not list alone, unless --prune', async () => {
    w = await bookWorld();
    const { file } = await converge(bookYaml(2, { webhook: HOOK }));
    const extra = w.write(
      'extra.json',
      JSON.stringify({
        companyName: 'Extra',
        customerReference: 'EXTRA-1',
        assetsDomains: ['extra.example'],
        alertRecipients: ['a@extra.example'],
        price: 1,
        currencyCode: 'USD',
        billedFromDate: 'now+1d',
      }),
    );
    expect((await w.cli(['customer', 'onboard', '--file', extra])).code).toBe(0);
    const other = 'http://127.0.0.1:9/other';
    const secret = path.join(w.dir, 'other.secret');
    expect((await w.cli(['webhook', 'create', '--url', other, '--event', 'all', '--secret-file', secret])).code).toBe(
      0,
    );

    const plain = await w.cli(['plan', '--file', file, '--exit-status']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain(
      '1 active customer in the local record is not in the manifest (EXTRA-1); left alone (--prune offboards them)',
    );
    expect(plain.stderr).toContain(
      `1 webhook endpoint not in the manifest (${other}): left alone (--prune deletes them)`,
    );

    const pruned = await planJson(file, '--prune');
    expect(pruned.changes).toEqual([
      { action: 'offboard', kind: 'customer', reference: 'EXTRA-1' },
      { action: 'delete', kind: 'webhook', url: other },
    ]);
    const r = await w.cli(['apply', '--file', file, '--prune', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(w.customer('EXTRA-1')!.status).toBe('offboarded');
    expect(w.sandbox.state.webhooks!.map((x) => x.url)).toEqual([HOOK]);
    expect((await planJson(file, '--prune')).changes).toEqual([]);
    // The record knows it is offboarded now.
    const list = await w.cli(['customer', 'list', '--json']);
    expect(
      (JSON.parse(list.stdout) as Array<{ reference: string; status: string }>).find((c) => c.reference === 'EXTRA-1')!
        .status,
    ).toBe('offboarded');
  });

  it('never deletes endpoints when the manifest has no webhooks key', async () => {
    w = await bookWorld();
    const { file } = await converge(bookYaml(1, { webhook: HOOK }));
    const without = w.write('nohooks.yaml', bookYaml(1));
    expect((await planJson(without, '--prune')).changes).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});

describe('a create that meets a duplicate reference', () => {
  it('is refused on a first send (exit 3, nothing recorded), and converges once linked', async () => {
    w = await bookWorld();
    // BOOK-1 onboarded from another machine: this config dir's record does not know it.
    const elsewhere = await w.cli(['apply', '--file', w.write('one.yaml', bookYaml(1)), '--yes'], {
      env: { ...w.env, SAFEWEB_CONFIG_DIR: path.join(w.dir, 'elsewhere') },
    });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    const file = w.write('book.yaml', bookYaml(2));
    const r = await w.cli(['apply', '--file', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const data = JSON.parse(r.stdout) as { changes: Array<{ reference: string; status: string; error?: string }> };
    expect(data.changes.map((c) => [c.reference, c.status])).toEqual([
      ['BOOK-1', 'failed'],
      ['BOOK-2', 'ok'],
    ]);
    expect(w.customers('BOOK-').map((c) => c.customerReference)).toEqual(['BOOK-1', 'BOOK-2']);
    const list = JSON.parse((await w.cli(['customer', 'list', '--json'])).stdout) as Array<{ reference: string }>;
    expect(list.map((c) => c.reference)).toEqual(['BOOK-2']);
    // Linked, its fields are not known to this record: the updatable ones are set once, then it converges.
    const id = w.customer('BOOK-1')!.id;
    expect((await w.cli(['customer', 'link', 'BOOK-1', '--id', id, '--company-name', 'Book 1 Ltd'])).code).toBe(0);
    expect((await planJson(file)).changes).toEqual([
      { action: 'update', kind: 'customer', reference: 'BOOK-1', fields: [{ name: 'price', from: null, to: 10 }] },
    ]);
    expect((await w.cli(['apply', '--file', file, '--yes'])).code).toBe(0);
    expect((await w.cli(['plan', '--file', file, '--exit-status'])).code).toBe(0);
  });
});

describe('--secret-dir', () => {
  it('never overwrites a secret file, and refuses before anything is sent', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1, { webhook: HOOK }));
    const dir = path.join(w.dir, 'secrets');
    const { SecretDir } = await import('../../../src/manifest/secrets.js');
    const taken = SecretDir.open(dir, () => {}).fileFor(HOOK);
    writeFileSync(taken, 'an older secret\n');
    const r = await w.cli(['apply', '--file', file, '--yes', '--secret-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${taken}; a signing secret is never overwritten; nothing was sent`);
    expect(readFileSync(taken, 'utf8')).toBe('an older secret\n');
    expect(w.writes()).toEqual([]);
    const notDir = await w.cli(['apply', '--file', file, '--yes', '--secret-dir', taken]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toContain('is not a directory');
    expect(w.writes()).toEqual([]);
  });
});
