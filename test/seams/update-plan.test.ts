/**
 * `customer update` and `plan`: what update changes is recorded beside what apply and onboarding
 * recorded, so a later plan compares the manifest with what was really applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/customers/local-record.js';
import { accountKey } from '../../src/io/account-files.js';
import { bookWorld, bookYaml, type BookWorld } from '../manifest/world.js';

let w: BookWorld;
afterEach(() => w?.close());

interface PlanJson {
  changes: Array<{ action: string; reference?: string; fields?: Array<{ name: string; from: unknown; to: unknown }> }>;
}

describe('customer update, then plan', () => {
  it('a manifest with the old price plans an update back to it; with the new one, nothing', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1, { extra: () => '    contactEmail: it@b1.example' }));
    expect((await w.cli(['apply', '--file', file, '--yes'])).code).toBe(0);

    const up = await w.cli(['customer', 'update', 'BOOK-1', '--price', '15', '--plan', 'safeweb-plus']);
    expect(up.code, up.stderr).toBe(0);
    expect(w.customer('BOOK-1')).toMatchObject({
      price: 15,
      planType: 'safeweb-plus',
      contactEmail: 'it@b1.example',
    });
    const entry = readRecord(w.configDir, accountKey(w.sandbox.partnerId, w.sandbox.url)).customers[0]!;
    expect(entry.fields).toMatchObject({ price: 15, planType: 'safeweb-plus', contactEmail: 'it@b1.example' });

    const r = await w.cli(['plan', '--file', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanJson;
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reference: 'BOOK-1' });
    expect(plan.changes[0]!.fields).toContainEqual({ name: 'price', from: 15, to: 10 });

    // The manifest brought up to date with the update: nothing to do.
    const now = w.write(
      'now.yaml',
      bookYaml(1, { extra: () => '    contactEmail: it@b1.example\n    planType: safeweb-plus' }).replace(
        'price: 10',
        'price: 15',
      ),
    );
    const same = await w.cli(['plan', '--file', now, '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect((JSON.parse(same.stdout) as PlanJson).changes).toEqual([]);
  });

  it('a company name changed by update is what plan compares with', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1));
    expect((await w.cli(['apply', '--file', file, '--yes'])).code).toBe(0);
    expect((await w.cli(['customer', 'update', 'BOOK-1', '--company-name', 'Renamed Ltd'])).code).toBe(0);
    const plan = JSON.parse((await w.cli(['plan', '--file', file, '--json'])).stdout) as PlanJson;
    expect(plan.changes[0]!.fields).toEqual([{ name: 'companyName', from: 'Renamed Ltd', to: 'Book 1 Ltd' }]);
  });
});

describe('apply --state with a new state file, on a book the local record knows', () => {
  it('keeps the record’s IDs (a duplicate reference is adopted, not recorded without its ID)', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(2));
    expect((await w.cli(['apply', '--file', file, '--yes'])).code).toBe(0);
    const state = `${w.dir}/fresh-state.json`;
    const r = await w.cli(['apply', '--file', file, '--yes', '--state', state]);
    expect(r.code, r.stderr).toBe(0);
    expect(w.customers('BOOK-')).toHaveLength(2);
    const record = readRecord(w.configDir, accountKey(w.sandbox.partnerId, w.sandbox.url)).customers;
    expect(record.map((c) => [c.reference, c.id])).toEqual([
      ['BOOK-1', w.customer('BOOK-1')!.id],
      ['BOOK-2', w.customer('BOOK-2')!.id],
    ]);
    // The record still serves the per-customer verbs, and both states now plan empty.
    expect((await w.cli(['customer', 'assets', 'BOOK-1'])).code).toBe(0);
    expect((await w.cli(['plan', '--file', file, '--exit-status'])).code).toBe(0);
    expect((await w.cli(['plan', '--file', file, '--state', state, '--exit-status'])).code).toBe(0);
  });
});
