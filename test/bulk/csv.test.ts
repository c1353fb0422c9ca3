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
  it('drops the byte-order mark, skips empty lines, keeps quoted commas, quotes and line breaks, trims nothing', () => {
    expect(parseCsv(TEXT)).toEqual([
      ['companyName', 'customerReference', 'note'],
      ['Acme', ' Inc.', 'A-1', 'plain'],
      ['Quote "Q", Ltd', 'Q-1', 'two\r\nlines'],
      ['  Spaced  ', 'S-1', 'a;b'],
      ['Émile & Zoë 🚀', 'E-1', 'x'],
      ['short', 'row'],
    ]);
  });

  it('reads \\n, \\r\\n and \\r line endings, mixed in one file', () => {
    expect(parseCsv('a,b\r\n1,2\n3,"x\ny"\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', 'x\ny'],
      ['5', '6'],
    ]);
  });

  it('never guesses the delimiter: a semicolon file is one column', () => {
    expect(parseCsv('a;b;c\n1;2;3\n')).toEqual([['a;b;c'], ['1;2;3']]);
  });

  it('refuses stray quotes rather than read them into a value, naming the line', () => {
    const refused = (text: string) => {
      try {
        parseCsv(text);
      } catch (error) {
        expect(error).toBeInstanceOf(CsvError);
        return (error as Error).message;
      }
      return 'read';
    };
    // Blank lines before the fault are counted: the line is the file's.
    expect(refused('a,b\n\n\n1,2\n\n"x"z,y\n')).toMatch(/^line 6: Invalid Closing Quote/);
    expect(refused('a,b\n"x" ,y\n')).toMatch(/^line 2: Invalid Closing Quote/);
    expect(refused('a,b\nAc"me,1\n')).toMatch(/Invalid Opening Quote: a quote is found on field 0 at line 2/);
    expect(refused('a,b\n"Acme", "A-1"\n')).toMatch(/Invalid Opening Quote: a quote is found on field 1 at line 2/);
    expect(refused('a,b\nA,A-1\n"C,C-3\nD,D-4\n')).toMatch(/^line \d+: Quote Not Closed/);
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

  it('refuses an unclosed quote far into a file read in small chunks, with the line', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `Company ${i + 1},R-${i + 1}`);
    rows[449] = '"Company 450,R-450';
    const f = file(['companyName,customerReference', ...rows].join('\n'));
    await expect(all(f, 512)).rejects.toThrow(/^line 501: Quote Not Closed/);
  });

  it('reads a UTF-16LE file by its byte-order mark', async () => {
    const text = 'companyName,customerReference\r\nÉmile,A-1\r\n';
    const f = path.join(tempDir().dir, 'utf16.csv');
    writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect((await all(f)).records).toEqual([
      ['companyName', 'customerReference'],
      ['Émile', 'A-1'],
    ]);
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
