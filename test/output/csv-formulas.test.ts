/**
 * Issue 26 item 8: a cell that a spreadsheet would run as a formula leaves --csv with a leading
 * `'`, and `customer import` takes it off again, against a real sandbox.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecord } from '../../src/customers/local-record.js';
import { inertCsvCell, restoreCsvCell } from '../../src/output/csv-cell.js';
import { runInProcess, tempDir } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';

const fx = useSandbox();

const NAME = '=HYPERLINK("http://x","y")';
/** NAME as one CSV field: a leading ', and RFC 4180 quoting for its quotes and comma. */
const NAME_CELL = `"'=HYPERLINK(""http://x"",""y"")"`;
const REFERENCE = '@FORMULA-1';

describe('--csv and spreadsheet formulas', () => {
  it('customer list, portfolio status and audit mark formula-like cells; customer import takes the mark off', async () => {
    const { sandbox, env } = fx();
    const onboard = ['customer', 'onboard', '--company-name', NAME, '--reference', REFERENCE, '--email', 'a@f.co'];
    const flags = ['--alert-recipient', 'a@f.co', '--price', '1', '--currency', 'USD', '--billed-from', 'now+1d'];
    const made = await runInProcess([...onboard, ...flags], { env });
    expect(made.code, made.stderr).toBe(0);
    const id = sandbox.state.customers.find((c) => c.customerReference === REFERENCE)!.id;

    const list = await runInProcess(['customer', 'list', '--csv', '--fields', 'reference,id,companyName,status'], {
      env,
    });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\r\n')).toContain(`'${REFERENCE},${id},${NAME_CELL},active`);

    const status = await runInProcess(['portfolio', 'status', '--csv'], { env });
    expect(status.code, status.stderr).toBe(0);
    // The numbers after the name are numbers, and stay so.
    expect(status.stdout.split('\r\n')).toContain(`'${REFERENCE},${id},${NAME_CELL},0,low,0,0,0,1`);

    const audit = await runInProcess(['audit', '--csv', '--fields', 'method,customer,outcome'], { env });
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout.split('\r\n')).toContain(`POST,'${REFERENCE},ok`);

    // The list's whole export, exactly as printed, read back into an empty record: import knows the
    // list's own columns (reference, id, onboardedAt).
    const { dir, cleanup } = tempDir();
    const whole = await runInProcess(['customer', 'list', '--csv'], { env });
    const file = path.join(dir, 'export.csv');
    writeFileSync(file, whole.stdout);
    expect(readFileSync(file, 'utf8')).toContain(`'${REFERENCE},`);
    const fresh = { ...env, SAFEWEB_CONFIG_DIR: dir };
    const imported = await runInProcess(['customer', 'import', '--file', file], { env: fresh });
    expect(imported.code, imported.stderr).toBe(0);
    const account = `${sandbox.partnerId}@${new URL(sandbox.url).host}`;
    expect(readRecord(dir, account).customers.map((c) => [c.reference, c.id, c.companyName])).toEqual([
      [REFERENCE, id, NAME],
    ]);
    cleanup();
  });

  it('marks every cell a spreadsheet would run, and only those; reading back gives each exactly', () => {
    const marked = ['=1+1', '+1', '-1+2', '-x', '@SUM(A1)', '\tx', '\rx', "'=x", "''-x"];
    const unmarked = ['Acme', '-5', '-0.25', "'x", 'a=b', ' =x', ''];
    for (const text of marked) expect(inertCsvCell(text), JSON.stringify(text)).toBe(`'${text}`);
    for (const text of unmarked) expect(inertCsvCell(text), JSON.stringify(text)).toBe(text);
    for (const text of [...marked, ...unmarked, "'", "'-5", "'5"])
      expect(restoreCsvCell(inertCsvCell(text)), JSON.stringify(text)).toBe(text);
  });
});
