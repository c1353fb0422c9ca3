/**
 * psa/mapping.ts around the rules: what `--write` writes (never a rule's match over a mapping a
 * person made, even one made while the run was matching), and a table's rows outside the selection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { matchCustomers } from '../../src/psa/match.js';
import { readMapTable, toWrite, writeMappings } from '../../src/psa/mapping.js';
import type { PsaCompany } from '../../src/psa/types.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('psa-mapping-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const companies: PsaCompany[] = [
  { id: 250, identifier: 'NW-001', name: 'Northwind Traders' },
  { id: 251, identifier: 'GlobexLtd', name: 'Globex Ltd' },
];
const book = {
  customers: [
    { reference: 'NW-001', companyName: 'Northwind Traders', customerId: null },
    { reference: 'GLOBEX-7', companyName: 'Globex Ltd', customerId: null },
  ],
  known: ['NW-001', 'GLOBEX-7', 'UMB-3'],
};
const SETTINGS =
  'psa:\n  connections:\n    cw: { kind: connectwise, site: a.example, company: c, publicKey: p, clientId: i, secret: psa/cw }\n';

describe('toWrite and writeMappings', () => {
  it('writes what a rule found, skips what is already there, and keeps a mapping made meanwhile', async () => {
    const file = path.join(dir(), 'p.yaml');
    writeFileSync(file, SETTINGS);
    const previous = { 'NW-001': { company: 250, connection: 'cw', source: 'settings' as const } };
    const matches = matchCustomers({ customers: book.customers, companies, mappings: {}, connection: 'cw' });
    // NW-001 is mapped to 250 already (as the rule would): nothing to write for it.
    expect(toWrite(matches, previous, 'cw', undefined).map((w) => w.reference)).toEqual(['GLOBEX-7']);
    const writes = toWrite(matches, {}, 'cw', undefined);
    expect(writes.map((w) => w.reference)).toEqual(['NW-001', 'GLOBEX-7']);
    // Someone maps GLOBEX-7 by hand while this run was matching: the rule's match does not replace it.
    writeFileSync(file, `${SETTINGS}customers:\n  GLOBEX-7:\n    psa: { company: 9 } # by hand\n`);
    const written = await writeMappings({ settingsFile: file }, writes);
    expect(written.map((w) => w.reference)).toEqual(['NW-001']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# by hand');
    expect((parse(text) as { customers: unknown }).customers).toEqual({
      'GLOBEX-7': { psa: { company: 9 } },
      'NW-001': { psa: { connection: 'cw', company: 250 } },
    });
    // A table's row is a person's word: it does replace it.
    const fromTable = await writeMappings({ settingsFile: file }, [
      { reference: 'GLOBEX-7', connection: 'cw', company: 251, fromTable: true },
    ]);
    expect(fromTable).toHaveLength(1);
    expect((parse(readFileSync(file, 'utf8')) as { customers: Record<string, unknown> }).customers['GLOBEX-7']).toEqual(
      { psa: { company: 251, connection: 'cw' } },
    );
  });
});

describe('readMapTable', () => {
  it('takes references in any case, and checks but leaves out rows of customers not selected', () => {
    const file = path.join(dir(), 't.csv');
    writeFileSync(file, 'company,reference\r\nglobexltd,globex-7\r\n250,UMB-3\r\n');
    expect(readMapTable(file, book, companies, 'cw', 'ConnectWise')).toEqual({
      'GLOBEX-7': { company: 251, connection: 'cw', source: 'csv' },
    });
    writeFileSync(file, 'reference,company\nUMB-3,nowhere\n');
    expect(() => readMapTable(file, book, companies, 'cw', 'ConnectWise')).toThrow(/1 row cannot be used/);
  });

  it('a file that is not CSV, or not there, is exit 2 naming it', () => {
    const file = path.join(dir(), 't.csv');
    writeFileSync(file, 'reference,company\n"NW-001,250\n');
    expect(() => readMapTable(file, book, companies, 'cw', 'ConnectWise')).toThrow(/is not a readable CSV file/);
    expect(() => readMapTable(`${file}.gone`, book, companies, 'cw', 'ConnectWise')).toThrow(/cannot read/);
  });
});
