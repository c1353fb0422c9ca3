/**
 * The audit log and the many-row verbs: every change apply makes and every row `customer onboard
 * --file` sends is an entry naming its customer reference; `customer import` (reads of assets)
 * and the portfolio verbs (reads) add nothing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importSeed } from '../portfolio/fixture.js';
import { bookWorld, bookYaml, type BookWorld } from '../manifest/world.js';
import { auditOf } from './world.js';

let w: BookWorld;
afterEach(() => w?.close());

const N = 12;

describe('the audit log of bulk runs and apply', () => {
  it('has one entry per change apply makes, each with its customer reference, at any concurrency', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(N));
    const made = await w.cli(['apply', '--file', file, '--yes', '--concurrency', '8']);
    expect(made.code, made.stderr).toBe(0);
    const creates = auditOf(w);
    expect(creates).toHaveLength(N);
    expect(creates.every((e) => e.operation === 'customerOnboard' && e.outcome === 'ok')).toBe(true);
    expect(creates.map((e) => e.customerRef).sort()).toEqual(
      Array.from({ length: N }, (_, i) => `BOOK-${i + 1}`).sort(),
    );

    // Updates (info and assets, by customer ID in the request) and offboards (--prune).
    const changed = bookYaml(N - 2)
      .replace(/price: (\d+)/g, (_m, p: string) => `price: ${Number(p) + 1}`)
      .replace(/assetsDomains: \[b(\d+)\.example\]/g, 'assetsDomains: [b$1.example, more$1.example]');
    const next = await w.cli([
      'apply',
      '--file',
      w.write('next.yaml', changed),
      '--yes',
      '--prune',
      '--concurrency',
      '8',
    ]);
    expect(next.code, next.stderr).toBe(0);
    const later = auditOf(w).slice(N);
    const byOp = (op: string) => later.filter((e) => e.operation === op);
    expect(byOp('customerInfo')).toHaveLength(N - 2);
    expect(byOp('customerAssets')).toHaveLength(N - 2);
    expect(
      byOp('customerOffboard')
        .map((e) => e.customerRef)
        .sort(),
    ).toEqual([`BOOK-${N - 1}`, `BOOK-${N}`].sort());
    expect(later).toHaveLength(2 * (N - 2) + 2);
    for (const e of later) {
      expect(e.customerRef, JSON.stringify(e)).toMatch(/^BOOK-\d+$/);
      expect(e.customerId).toBe(w.customer(e.customerRef!)!.id);
      expect(e.outcome).toBe('ok');
      expect(e.command).toContain('apply --file');
    }
    // Each customer's info and asset change are entries of that customer.
    for (let i = 1; i <= N - 2; i++)
      expect(
        later
          .filter((e) => e.customerRef === `BOOK-${i}`)
          .map((e) => e.operation)
          .sort(),
      ).toEqual(['customerAssets', 'customerInfo']);
  });

  it('names the customer of each change when the state file alone knows it (apply --state in CI)', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(3));
    const state = path.join(w.dir, 'state.json');
    expect((await w.cli(['apply', '--file', file, '--yes', '--state', state])).code).toBe(0);
    // Another machine: an empty config dir (no local record), the same account and state file.
    const ci = { ...w.env, SAFEWEB_CONFIG_DIR: path.join(w.dir, 'ci') };
    const changed = w.write('changed.yaml', bookYaml(3).replace(/price: (\d+)/g, 'price: 99'));
    const r = await w.cli(['apply', '--file', changed, '--yes', '--state', state], { env: ci });
    expect(r.code, r.stderr).toBe(0);
    const entries = auditOf({ ...w, configDir: ci.SAFEWEB_CONFIG_DIR });
    expect(entries.map((e) => [e.operation, e.customerRef]).sort()).toEqual([
      ['customerInfo', 'BOOK-1'],
      ['customerInfo', 'BOOK-2'],
      ['customerInfo', 'BOOK-3'],
    ]);
  });

  it('has one entry per row of customer onboard --file, with the row’s reference', async () => {
    w = await bookWorld();
    const csv = path.join(w.dir, 'rows.csv');
    const rows = Array.from(
      { length: N },
      (_, i) => `Row ${i + 1},ROW-${i + 1},row${i + 1}.example,ops@x.co,10,USD,now+1d`,
    );
    writeFileSync(
      csv,
      `companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n${rows.join('\n')}\n`,
    );
    const r = await w.cli(['customer', 'onboard', '--file', csv, '--concurrency', '6']);
    expect(r.code, r.stderr).toBe(0);
    const entries = auditOf(w);
    expect(entries).toHaveLength(N);
    expect(entries.map((e) => e.customerRef).sort()).toEqual(
      Array.from({ length: N }, (_, i) => `ROW-${i + 1}`).sort(),
    );
    for (const e of entries) {
      expect(e).toMatchObject({ operation: 'customerOnboard', outcome: 'ok' });
      expect(e.command).toContain('customer onboard --file');
    }
  });

  it('gets nothing from customer import or the portfolio verbs (reads)', async () => {
    w = await bookWorld();
    await importSeed(w.sandbox, w.env);
    expect(w.writes()).toEqual([]);
    const state = path.join(w.dir, 'watch.json');
    for (const argv of [
      ['portfolio', 'status'],
      ['portfolio', 'status', '--json'],
      ['portfolio', 'watch', '--state', state],
      ['portfolio', 'watch', '--state', state, '--json'],
      ['portfolio', 'report', '--output', path.join(w.dir, 'r.html')],
    ]) {
      const r = await w.cli(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(w.requests.length).toBeGreaterThan(0);
    expect(w.writes()).toEqual([]);
    expect(auditOf(w)).toEqual([]);
  });
});
