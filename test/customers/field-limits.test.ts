/**
 * The same field limits everywhere (issue 26 item 4): `customer import` and `customer link` refuse
 * the control characters, NUL, over-long names and undecodable bytes that onboarding refuses, and a
 * bulk file with bytes that are not UTF-8 is refused naming the row and the field, not sent with
 * replacement characters.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';

const fx = useSandbox();
const ID = '3f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

function file(name: string, content: string | Buffer): string {
  const f = path.join(tempDir().dir, name);
  writeFileSync(f, content);
  return f;
}

describe('customer import and customer link', () => {
  it.each([
    ['a NUL', 'Acme\u0000Ltd', 'must not contain control characters'],
    ['an escape sequence', 'Acme\u001b]0;owned\u0007', 'must not contain control characters'],
    ['a 1 MB name', 'x'.repeat(1_000_000), 'must be at most 200 characters'],
  ])('refuse %s in a company name, recording nothing', async (_, name, why) => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const ndjson = file(
      'rows.ndjson',
      `${JSON.stringify({ customerReference: 'LIM-1', customerId: ID, companyName: name })}\n`,
    );
    const imported = await runInProcess(['customer', 'import', '--file', ndjson], { env });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain(`row 1: companyName ${why}`);
    const linked = await runInProcess(['customer', 'link', 'LIM-1', '--id', ID, '--company-name', name], { env });
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain(`companyName: ${why}`);
    const list = await runInProcess(['customer', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('refuse bytes that are not UTF-8, naming the row and the field', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const csv = file(
      'rows.csv',
      Buffer.concat([
        Buffer.from(`customerReference,customerId,companyName\nLIM-2,${ID},Caf`),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
    );
    const r = await runInProcess(['customer', 'import', '--file', csv], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('row 1: companyName holds bytes that are not valid UTF-8');
  });
});

describe('a bulk file with bytes that are not UTF-8', () => {
  it('is refused before anything is sent, naming the row and the field', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const before = fx().sandbox.state.customers.length;
    const csv = file(
      'bulk.csv',
      Buffer.concat([
        Buffer.from('companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n'),
        Buffer.from('Good Ltd,UTF-1,good.example,soc@good.example,1,USD,now+1d\n'),
        Buffer.from('Caf'),
        Buffer.from([0xe9]),
        Buffer.from(' Ltd,UTF-2,cafe.example,soc@cafe.example,1,USD,now+1d\n'),
      ]),
    );
    const r = await runInProcess(['customer', 'onboard', '--file', csv], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('row 2 (UTF-2): companyName: holds bytes that are not valid UTF-8');
    expect(fx().sandbox.state.customers.length).toBe(before);
  });
});
