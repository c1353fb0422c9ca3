/**
 * Manifests are bounded (issue 26, item 3): a book of 20 000 new customers plans (it overflowed
 * the stack), a file over the size cap is refused before it is read, an alias bomb is a usage
 * error while an anchor reused by hundreds of customers works, and at most 50 problems are
 * listed, with a count of the rest. The 100 000-customer memory figure is bench/manifest.js's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { MANIFEST_SIZE_CAP, parseText } from '../../src/manifest/parse.js';
import { connectMcp, textOf } from '../mcp/helpers.js';
import { bookWorld, bookYaml, DEFAULTS, type BookWorld } from './world.js';

let w: BookWorld;
beforeAll(async () => {
  w = await bookWorld();
});
afterAll(() => w.close());

/** Exit 2, nothing on stdout, not one request sent; the error output. */
async function refused(argv: string[], env?: Record<string, string | undefined>) {
  const before = w.requests.length;
  const r = await w.cli(argv, env ? { env: { ...w.env, ...env } } : {});
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(w.requests.slice(before)).toEqual([]);
  return r.stderr;
}

describe('a book of 20 000 new customers', () => {
  const N = 20_000;
  let file: string;
  beforeAll(() => {
    file = w.write('big.yaml', bookYaml(N));
  });

  it('plans on the command line (it overflowed the stack)', async () => {
    const r = await w.cli(['plan', '--file', file]);
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
    expect(r.stdout).toContain(`  + customer BOOK-${N}\n`);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      `Plan: ${N} to create, 0 to update, 0 to offboard, 0 to reactivate, 0 to delete.`,
    );
  }, 120_000);

  it('plans through the MCP plan tool', async () => {
    const mcp = await connectMcp([], w.env);
    try {
      const result = await mcp.call('plan', { file });
      expect(result.isError, textOf(result).slice(0, 2000)).toBeFalsy();
      // Listed in full, the plan is 37 MB: over the 10 MiB a client reads as one message.
      const data = result.structuredContent as {
        summary: { create: number };
        changes: Array<{ reference: string }>;
        omitted: { changes: number };
      };
      expect(data.summary.create).toBe(N);
      expect(data.changes.length).toBeGreaterThan(1000);
      expect(data.changes[0]!.reference).toBe('BOOK-1');
      expect(data.omitted.changes).toBe(N - data.changes.length);
      expect(textOf(result)).toContain(`of its ${N} changes are listed`);
    } finally {
      await mcp.close();
    }
  }, 120_000);
});

describe('the size cap', () => {
  it('refuses a file over 64 MiB without reading it, naming its size, the cap and the fix', async () => {
    const file = path.join(w.dir, 'huge.yaml');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MANIFEST_SIZE_CAP + 1); // sparse: no 64 MiB written to disk
    const read = vi.spyOn(fs, 'readFileSync');
    try {
      const stderr = await refused(['plan', '--file', file]);
      expect(read.mock.calls.filter(([f]) => f === file)).toEqual([]);
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `${file} is 67,108,865 bytes, over the manifest size limit of 67,108,864 bytes; nothing was read or sent`,
      );
      expect(lines[0]).toContain('Split the book');
      expect(lines[0]).toContain('SAFEWEB_MAX_MANIFEST_SIZE');
    } finally {
      read.mockRestore();
    }
  });

  it('is what SAFEWEB_MAX_MANIFEST_SIZE says', async () => {
    const file = w.write('small.yaml', bookYaml(10));
    const stderr = await refused(['plan', '--file', file], { SAFEWEB_MAX_MANIFEST_SIZE: '1KiB' });
    expect(stderr).toMatch(/ is \d\.\d KiB, over the manifest size limit of 1\.0 KiB; nothing was read or sent/);
    const r = await w.cli(['plan', '--file', file], { env: { ...w.env, SAFEWEB_MAX_MANIFEST_SIZE: '1MiB' } });
    expect(r.code, r.stderr).toBe(0);
    expect(await refused(['plan', '--file', file], { SAFEWEB_MAX_MANIFEST_SIZE: 'lots' })).toContain(
      'SAFEWEB_MAX_MANIFEST_SIZE="lots": use a number of bytes',
    );
  });
});

describe('aliases', () => {
  it('refuses an alias bomb ("billion laughs") as too many aliases, exit 2, not a bug', async () => {
    const levels = ['lol: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `l${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const file = w.write('bomb.yaml', `defaults:\n  ${levels.join('\n  ')}\ncustomers: []\n`);
    const stderr = await refused(['plan', '--file', file]);
    expect(stderr).toContain(`${file} has too many aliases`);
    expect(stderr).not.toContain('bug');
  });

  it('reads a manifest that reuses anchors in 300 customers', async () => {
    const customers = Array.from({ length: 300 }, (_, k) =>
      [
        `  - customerReference: ALIAS-${k + 1}`,
        `    companyName: Alias ${k + 1} Ltd`,
        `    assetsDomains: [a${k + 1}.example]`,
        `    alertRecipients: *soc`,
        `    price: *price`,
      ].join('\n'),
    );
    // Anchors at the top, aliases in every customer: parsed as one document (aliases reach across entries).
    const yaml = [
      '//: &price 25',
      ...DEFAULTS.filter((l) => !l.includes('alertRecipients')),
      '  //: &soc [soc@msp.example, noc@msp.example]',
      'customers:',
      ...customers,
    ];
    const file = w.write('aliases.yaml', yaml.join('\n'));
    const r = await w.cli(['plan', '--file', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const data = JSON.parse(r.stdout) as { summary: { create: number }; changes: Array<{ fields: unknown[] }> };
    expect(data.summary.create).toBe(300);
    expect(data.changes[299]!.fields).toContainEqual({ name: 'price', from: null, to: 25 });
    expect(data.changes[0]!.fields).toContainEqual({
      name: 'alertRecipients',
      from: null,
      to: ['soc@msp.example', 'noc@msp.example'],
    });
  });
});

describe('many problems', () => {
  it('lists the first 50 and counts the rest, in text and in --json', async () => {
    const file = w.write('bad.yaml', bookYaml(120, { extra: () => '    planType: gold' }));
    const stderr = await refused(['plan', '--file', file]);
    expect(stderr).toContain(`${file} is not a valid manifest (120 problems); nothing was sent:`);
    const listed = stderr.split('\n').filter((l) => l.startsWith('  - customers['));
    expect(listed).toHaveLength(50);
    expect(listed[0]).toMatch(/^ {2}- customers\[0\]\.planType: must be one of .* \(line \d+, column \d+\)$/);
    expect(stderr).toContain('  - … and 70 more problems (fix these and run it again)');
    const json = await refused(['plan', '--file', file, '--json']);
    const error = (JSON.parse(json) as { error: { problems: Array<{ message: string }> } }).error;
    expect(error.problems).toHaveLength(51);
    expect(error.problems[50]!.message).toBe('… and 70 more problems (fix these and run it again)');
  });

  it('caps what only creates need the same way', async () => {
    const yaml = bookYaml(60).replace(/^ {4}price: \d+\n/gm, '');
    const stderr = await refused(['plan', '--file', w.write('unpriced.yaml', yaml)]);
    expect(stderr).toContain('cannot create its new customers (60 problems)');
    expect(stderr.split('\n').filter((l) => /^ {2}- customers\[\d+\]\.price: is required/.test(l))).toHaveLength(50);
    expect(stderr).toMatch(
      /customers\[0\]\.price: is required to create a customer \(line \d+, column \d+\) — BOOK-1 is new/,
    );
    expect(stderr).toContain('  - … and 10 more problems (fix these and run it again)');
  });
});

describe('parsing a book customer by customer', () => {
  const layouts: Record<string, string> = {
    'the example book': fs.readFileSync('examples/book.yaml', 'utf8'),
    'entries at the left margin, CRLF, comments between, a leading ---': [
      '---',
      '# the book',
      'customers: # all of them',
      '- customerReference: A',
      '  companyName: "A: the first"',
      '',
      '  # a comment at the entry indentation',
      '- customerReference: B',
      '  companyName: |',
      '    B',
      '    - not an entry',
      '- {customerReference: C, companyName: C}',
      'webhooks: []',
    ].join('\r\n'),
    'entries nested deeper, keys after the list': [
      'customers:',
      '    -   customerReference: D',
      '        assetsEmails:',
      '        - a@d.example',
      '        - b@d.example',
      '    -',
      '        customerReference: E',
      'defaults: {currencyCode: USD}',
    ].join('\n'),
    'an anchor in one customer used by the next': [
      'customers:',
      '  - customerReference: F',
      '    alertRecipients: &soc [soc@f.example]',
      '  - customerReference: G',
      '    alertRecipients: *soc',
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(layouts))
    it(`reads ${name} as the whole document does`, async () => {
      expect((await parseText(text, 'm.yaml', 'YAML')).value).toEqual(parse(text));
    });

  it('names the line of a problem in a later customer', async () => {
    const text = ['customers:', '  - customerReference: A', '  - customerReference: B', '    price: x'].join('\n');
    expect((await parseText(text, 'm.yaml', 'YAML')).where(['customers', 1, 'price'])).toBe(' (line 4, column 12)');
  });

  it('names the line of a syntax error in a later customer', async () => {
    const text = ['customers:', '  - customerReference: A', '  - customerReference: [B'].join('\n');
    await expect(parseText(text, 'm.yaml', 'YAML')).rejects.toMatchObject({
      problems: [expect.objectContaining({ message: expect.stringMatching(/^line 3, column \d+: /) })],
    });
  });
});
