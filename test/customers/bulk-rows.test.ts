/**
 * The two passes over a bulk file (src/bulk/onboarding-rows.ts): a file up to KEPT_ROWS rows is
 * read once and sent from what the checking pass kept; a longer one is read again and only rows
 * unchanged since the check are sent. Both give the sending pass the same rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnboardingRows, type CheckedRow } from '../../src/customers/bulk-rows.js';
import { RecordedReferences } from '../../src/customers/recorded.js';
import { tempDir } from '../helpers/cli.js';

const HEADER = 'companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate';
const ROWS = [
  'Acme,ACME-1,acme.example,ops@acme.example,10,USD,now+1d',
  'Broken,BROKEN-1,not a domain,ops@broken.example,10,USD,now+1d',
  'Beta,BETA-1,beta.example,ops@beta.example,12,GBP,now+1d',
  'Acme again,ACME-1,acme2.example,ops@acme.example,10,USD,now+1d',
  'Gamma,GAMMA-1,gamma.example,ops@gamma.example,9,USD,2099-01-01',
  'Delta,DELTA-1,delta.example,ops@delta.example,9,USD,now+2h',
];
const NOW = new Date('2026-12-02T12:00:00Z');

async function checked(file: string, keepRows: number, between?: () => void): Promise<CheckedRow[]> {
  // No account: an empty local record.
  const recorded = RecordedReferences.none();
  const rows = await OnboardingRows.check(
    { path: file, format: 'csv', source: file, flags: {} },
    { allowUnknown: false, now: () => NOW, resume: undefined, recorded, skipInvalid: true, keepRows, say: () => {} },
  );
  between?.();
  const out: CheckedRow[] = [];
  for await (const row of rows.rows()) out.push(row);
  return out;
}

function csvFile(): string {
  const file = path.join(tempDir().dir, 'rows.csv');
  writeFileSync(file, `${HEADER}\n${ROWS.join('\n')}\n`);
  return file;
}

describe('the sending pass of a bulk file', () => {
  it('is the same whether the rows were kept or the file is read again', async () => {
    const file = csvFile();
    const kept = await checked(file, 100);
    const reread = await checked(file, 2); // past 2 rows the checking pass stops keeping
    expect(reread).toEqual(kept);
    expect(kept.map((r) => [r.row, r.reference, r.body ? 'send' : 'skip'])).toEqual([
      [1, 'ACME-1', 'send'],
      [2, 'BROKEN-1', 'skip'],
      [3, 'BETA-1', 'send'],
      [4, 'ACME-1', 'skip'],
      [5, 'GAMMA-1', 'send'],
      [6, 'DELTA-1', 'send'],
    ]);
    expect(kept[1]!.skip).toContain('assetsDomains');
    expect(kept[3]!.skip).toContain('also on row 1');
    // Relative dates count from the clock of the sending pass, absolute ones stay as given.
    expect(kept[0]!.body!.billedFromDate).toBe('2026-12-03T12:00:00.000Z');
    expect(kept[4]!.body!.billedFromDate).toBe('2099-01-01T00:00:00.000Z');
  });

  it('sends what was checked: kept rows ignore a later edit, re-read rows refuse it', async () => {
    const edit = (file: string) => () =>
      writeFileSync(file, readFileSync(file, 'utf8').replace('Beta,BETA-1', 'Beta Changed,BETA-1'));
    const keptFile = csvFile();
    const kept = await checked(keptFile, 100, edit(keptFile));
    expect(kept[2]!.body?.companyName).toBe('Beta');

    const rereadFile = csvFile();
    const reread = await checked(rereadFile, 0, edit(rereadFile));
    expect(reread[2]!.body).toBeUndefined();
    expect(reread[2]!.skip).toContain('changed after the file was checked');
    expect(reread[0]!.body?.companyName).toBe('Acme');
  });
});
