import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordPath, readRecord, recordOnboarded } from '../../../src/customers/local-record.js';
import { runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();
const dir = tempDir().dir;

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function account(): string {
  const { sandbox } = fx();
  return `${sandbox.partnerId}@${new URL(sandbox.url).host}`;
}

function seed(reference: string) {
  return fx().sandbox.state.customers.find((c) => c.customerReference === reference)!;
}

const recordText = () => {
  try {
    return readFileSync(recordPath(fx().configDir, account()), 'utf8');
  } catch {
    return '';
  }
};

describe('customer import', () => {
  it('checks the whole file first: every problem with its row, exit 2, nothing sent or recorded', async () => {
    const nw = seed('NW-001');
    const csv = file(
      'bad.csv',
      [
        'customerReference,customerId,companyName,status,colour',
        `NW-001,${nw.id},Northwind,active,blue`,
        `,${nw.id},Again,active,`,
        'X-2,not-a-uuid,X,paused,',
        `NW-001,${seed('GLOBEX-7').id},Globex,active,`,
        'short,row',
      ].join('\n'),
    );
    // A closed port: had anything been sent, the exit would be 5.
    const env = { ...fx().env, SAFEWEB_BASE_URL: 'http://127.0.0.1:9' };
    const before = recordText();
    const r = await runInProcess(['customer', 'import', '--file', csv], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`problems in ${csv}; nothing was sent or recorded:`);
    for (const problem of [
      'row 1: unknown field "colour"',
      'row 2: customerReference is required',
      'row 3: customerId must be a UUID, got "not-a-uuid"',
      'row 3: status must be active or offboarded, got "paused"',
      'row 4: customerReference NW-001 is also on row 1',
      'row 5: has 2 cells; the header has 5',
    ])
      expect(r.stderr).toContain(problem);
    expect(recordText()).toBe(before);
  });

  it('records the rows that verify, lists unknown and foreign IDs with their rows (exit 3); list and every command then know them', async () => {
    const { sandbox, env } = fx();
    const foreign = sandbox.state.customers.find((c) => c.partnerId !== sandbox.partnerId)!;
    const csv = file(
      'book.csv',
      [
        'customerReference,customerId,companyName,status',
        `NW-001,${seed('NW-001').id},Northwind Traders,`,
        `"GLOBEX, 7",${seed('GLOBEX-7').id.toUpperCase()},"Globex, Ltd",active`,
        `THEIRS-1,${foreign.id},Someone Else,active`,
        'GHOST-1,00000000-0000-4000-8000-000000000000,Ghost,active',
        `UMB-3,${seed('UMB-3').id},Umbrella Pty,offboarded`,
      ].join('\r\n'),
    );
    const r = await runInProcess(['customer', 'import', '--file', csv, '--json'], { env });
    expect(r.code, r.stderr).toBe(3);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ total: 5, recorded: 3, alreadyRecorded: 0, interrupted: false });
    expect(
      summary.notRecorded.map((n: { row: number; customerReference: string }) => [n.row, n.customerReference]),
    ).toEqual([
      [3, 'THEIRS-1'],
      [4, 'GHOST-1'],
    ]);
    for (const n of summary.notRecorded) {
      expect(n.error.exitCode).toBe(3);
      expect(n.error.message).toContain('Customer not found or does not belong to partner');
    }
    const recorded = readRecord(fx().configDir, account()).customers;
    expect(recorded.map((c) => [c.reference, c.id, c.companyName, c.status])).toEqual([
      ['NW-001', seed('NW-001').id, 'Northwind Traders', 'active'],
      ['GLOBEX, 7', seed('GLOBEX-7').id, 'Globex, Ltd', 'active'],
      ['UMB-3', seed('UMB-3').id, 'Umbrella Pty', 'offboarded'],
    ]);
    // Piped, the rows not recorded, with why.
    const piped = await runInProcess(['customer', 'import', '--file', csv], { env });
    expect(
      piped.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t').slice(0, 2)),
    ).toEqual([
      ['3', 'THEIRS-1'],
      ['4', 'GHOST-1'],
    ]);
    expect(piped.stderr).toContain('5 rows — 0 recorded, 3 already recorded, 2 not recorded');
    const list = await runInProcess(['customer', 'list', '--status', 'offboarded', '--json'], { env });
    expect(JSON.parse(list.stdout).map((c: { reference: string }) => c.reference)).toEqual(['UMB-3']);
    const score = await runInProcess(['customer', 'threat-score', 'GLOBEX, 7', '--json'], { env });
    expect(JSON.parse(score.stdout).customerId).toBe(seed('GLOBEX-7').id);
  });

  it('refuses references and IDs the record already holds for another customer', async () => {
    const csv = file(
      'clash.ndjson',
      [
        JSON.stringify({ customerReference: 'NW-001', customerId: seed('INITECH-42').id }),
        JSON.stringify({ customerReference: 'NORTHWIND', customerId: seed('NW-001').id }),
      ].join('\n'),
    );
    const r = await runInProcess(['customer', 'import', '--file', csv], { env: fx().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`row 1: NW-001 is already recorded for another customer ID (${seed('NW-001').id})`);
    expect(r.stderr).toContain(`row 2: customer ${seed('NW-001').id} is already recorded as NW-001`);
  });

  it('reads NDJSON from stdin, and gives a recorded reference without an ID its ID (like customer link)', async () => {
    await recordOnboarded(
      fx().configDir,
      account(),
      { reference: 'INITECH-42', id: null, companyName: 'Initech' },
      new Date(),
    );
    const ndjson = `${JSON.stringify({ customerReference: 'INITECH-42', customerId: seed('INITECH-42').id })}\n\n`;
    const r = await runInProcess(['customer', 'import', '--file', '-'], { env: fx().env, stdin: ndjson });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 row — 1 recorded');
    const entry = readRecord(fx().configDir, account()).customers.find((c) => c.reference === 'INITECH-42')!;
    expect(entry).toMatchObject({ id: seed('INITECH-42').id, companyName: 'Initech', status: 'active' });
    const bad = await runInProcess(['customer', 'import', '--file', '-'], {
      env: fx().env,
      stdin: '{"customerReference": \n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('row 1: not valid JSON');
    const array = await runInProcess(['customer', 'import', '--file', '-'], { env: fx().env, stdin: '[{"a": 1}]' });
    expect(array.code).toBe(2);
    expect(array.stderr).toContain('is a JSON array; customer import reads CSV or NDJSON');
    const empty = await runInProcess(['customer', 'import', '--file', '-'], { env: fx().env, stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no rows');
  });
});
