import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvError, csvRecords, parseCsv } from '../../src/bulk/csv.js';
import { tempDir } from '../helpers/cli.js';

const TEXT = [
  '\ufeffcompanyName,customerReference,note',
  'Acme, Inc.,A-1,plain',
  '"Quote ""Q"", Ltd",Q-1,"two',
  'lines"',
  '',
  '  Spaced  ,S-1,a;b',
  'Émile & Zoë 🚀,E-1,x',
  'short,row',
  '',
].join('\r\n');

/** Every record of `file`, batches joined, read `chunk` bytes at a time. */
async function all(file: string, chunk?: number): Promise<{ records: string[][]; batches: number }> {
  const records: string[][] = [];
  let batches = 0;
  for await (const batch of csvRecords(file, chunk)) {
    batches++;
    records.push(...batch);
  }
  return { records, batches };
}

function file(text: string): string {
  const f = path.join(tempDir().dir, 'rows.csv');
  writeFileSync(f, text);
  return f;
}

describe('parseCsv', () => {
  it('drops the byte-order mark, skips empty lines, keeps quoted commas, quotes and line breaks (as \\n), trims nothing', () => {
    expect(parseCsv(TEXT)).toEqual([
      ['companyName', 'customerReference', 'note'],
      ['Acme', ' Inc.', 'A-1', 'plain'],
      ['Quote "Q", Ltd', 'Q-1', 'two\nlines'],
      ['  Spaced  ', 'S-1', 'a;b'],
      ['Émile & Zoë 🚀', 'E-1', 'x'],
      ['short', 'row'],
    ]);
  });

  it('reads \\n, \\r\\n and \\r line endings, mixed in one file', () => {
    expect(parseCsv('a,b\r\n1,2\n3,"x\r\ny"\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', 'x\ny'],
      ['5', '6'],
    ]);
  });

  it('never guesses the delimiter: a semicolon file is one column', () => {
    expect(parseCsv('a;b;c\n1;2;3\n')).toEqual([['a;b;c'], ['1;2;3']]);
  });

  it('refuses an unclosed quote, naming the data row it opens on', () => {
    const text = 'companyName,customerReference\nA,A-1\nB,B-2\n"C,C-3\nD,D-4\n';
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(/^row 3: Quoted field unterminated$/);
  });
});

describe('csvRecords', () => {
  it('gives what parseCsv gives, however small the chunks (a quoted line break or a multibyte character across one)', async () => {
    const f = file(TEXT);
    for (const chunk of [7, 16, 61, 1 << 20]) {
      const { records } = await all(f, chunk);
      expect(records, `chunks of ${chunk} bytes`).toEqual(parseCsv(TEXT));
    }
  });

  it('reads a long file in batches, not all at once', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `Company ${i},R-${i}`);
    const { records, batches } = await all(file(['companyName,customerReference', ...rows].join('\n')), 4096);
    expect(records).toHaveLength(2001);
    expect(records.at(-1)).toEqual(['Company 1999', 'R-1999']);
    expect(batches).toBeGreaterThan(5);
  });

  it('refuses an unclosed quote with the data row counted across batches', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `Company ${i + 1},R-${i + 1}`);
    rows[449] = '"Company 450,R-450';
    const f = file(['companyName,customerReference', ...rows].join('\n'));
    await expect(all(f, 512)).rejects.toThrow(/^row 450: Quoted field unterminated$/);
  });

  it('stops reading when the caller stops asking', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `Company ${i},R-${i}`);
    const f = file(['companyName,customerReference', ...rows].join('\n'));
    let first: string[][] | undefined;
    for await (const batch of csvRecords(f, 1024)) {
      first = batch;
      break;
    }
    expect(first?.[0]).toEqual(['companyName', 'customerReference']);
    expect(first!.length).toBeLessThan(100);
  });
});
