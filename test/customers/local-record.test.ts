/**
 * The local record as a bulk run holds it (customers/local-record.ts `LocalRecord.openForRun`):
 * every line is written, but of its own lines the run keeps in memory only its creates in flight.
 * Keeping each customer it recorded (with the fields sent at onboarding) made a 100 000-row run's
 * live heap grow with the file; no row of a run looks up a customer the same run recorded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRecord, readRecord } from '../../src/customers/local-record.js';
import { tempDir } from '../helpers/cli.js';

const ACCOUNT = 'P-REC@127.0.0.1';
const at = new Date('2026-12-07T10:00:00Z');
const fields = { contactEmail: 'it@example.com', price: 10, currencyCode: 'USD' };
let cleanup = () => {};
afterEach(() => cleanup());

function setUp(): string {
  const t = tempDir();
  cleanup = t.cleanup;
  // One customer recorded before the run, by an ordinary (one-off) record.
  const before = new LocalRecord(t.dir, ACCOUNT);
  before.onboarded({ reference: 'OLD-1', id: 'id-old', companyName: 'Old Co', fields }, at);
  return t.dir;
}

describe('a run record', () => {
  it('writes every line, answers from what was recorded before the run and its creates in flight', () => {
    const dir = setUp();
    const run = LocalRecord.openForRun(dir, ACCOUNT);
    expect(run.entry('OLD-1')?.id).toBe('id-old');
    for (let i = 0; i < 50; i++) {
      const reference = `NEW-${i}`;
      run.sending(reference, `New ${i}`, at);
      expect(run.isPending(reference)).toBe(true);
      run.onboarded({ reference, id: `id-${i}`, companyName: `New ${i}`, fields }, at);
      expect(run.isPending(reference)).toBe(false);
      // Not kept: the run never asks again, and 100 000 of them would fill the heap.
      expect(run.entry(reference)).toBeUndefined();
    }
    run.sending('LOST-1', 'Lost', at); // a create whose answer never came
    run.close();

    const file = readRecord(dir, ACCOUNT);
    expect(file.customers.map((c) => c.reference)).toEqual([
      'OLD-1',
      ...Array.from({ length: 50 }, (_, i) => `NEW-${i}`),
    ]);
    expect(file.customers.at(-1)).toMatchObject({ id: 'id-49', fields });
    expect(file.pending.map((p) => p.reference)).toEqual(['LOST-1']);
    // A new record (the next run) sees them all.
    const next = LocalRecord.openForRun(dir, ACCOUNT);
    expect(next.entry('NEW-7')?.id).toBe('id-7');
    expect(next.isPending('LOST-1')).toBe(true);
    next.close();
  });

  it('an ordinary record keeps what it writes: a later step of the same command reads it', () => {
    const dir = setUp();
    const record = new LocalRecord(dir, ACCOUNT);
    record.onboarded({ reference: 'ONE-1', id: 'id-one', companyName: 'One Co', fields }, at);
    expect(record.entry('ONE-1')).toMatchObject({ id: 'id-one', fields });
  });
});
