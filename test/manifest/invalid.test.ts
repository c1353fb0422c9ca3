/**
 * Invalid manifests are refused whole — every problem at once, each with its path and its line
 * and column — with exit 2 and not one request sent (the sandbox's log stays empty).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { preparePlan } from '../../src/manifest/prepare.js';
import { bookWorld, bookYaml, type BookWorld } from './world.js';
import { PassThrough, Readable } from 'node:stream';

let w: BookWorld;
beforeAll(async () => {
  w = await bookWorld();
});
afterAll(() => w.close());

async function refused(file: string, argv: string[] = ['plan', '--file', file]) {
  const before = w.requests.length;
  const r = await w.cli(argv);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(w.requests.slice(before)).toEqual([]);
  return r.stderr;
}

describe('a manifest that is not valid YAML or JSON', () => {
  it('names the line and column of a YAML syntax error, and sends nothing', async () => {
    const file = w.write('broken.yaml', 'customers:\n  - customerReference: A\n    companyName: [unclosed\n');
    const stderr = await refused(file);
    expect(stderr).toContain(`${file} is not valid YAML; nothing was sent`);
    expect(stderr).toMatch(/line \d+, column \d+: /);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the line and column of a JSON syntax error', async () => {
    const file = w.write('broken.json', '{\n  "customers": [\n    {"customerReference": "A",}\n  ]\n}\n');
    const stderr = await refused(file);
    expect(stderr).toContain(`${file} is not valid JSON`);
    expect(stderr).toContain('line 3, column');
  });

  it('refuses a duplicated key (YAML would silently keep the last)', async () => {
    const file = w.write('dup.yaml', 'customers: []\ncustomers: []\n');
    expect(await refused(file)).toMatch(/line 2, column 1: Map keys must be unique/);
  });

  it('refuses apply the same way, before any confirmation', async () => {
    const file = w.write('broken2.yaml', 'customers: [\n');
    expect(await refused(file, ['apply', '--file', file, '--yes'])).toContain('is not valid YAML');
  });
});

describe('a manifest that breaks the rules', () => {
  const text = [
    'defaults:',
    '  currencyCode: EUR', // line 2: from defaults, said once (not per customer)
    '  billedFromDate: "2030-01-01T00:00:00Z"',
    '  alertRecipients: [soc@msp.example]',
    'owner: someone', // line 5: an unknown top-level key
    'customers:',
    '  - customerReference: A-1',
    '    companyName: A',
    '    assetsDomains: [a.example]',
    '    price: 1',
    '    status: gone', // line 11
    '  - customerReference: A-2',
    '    companyNmae: typo', // line 13
    '    companyName: B',
    '    assetsEmails: [ok@b.example, not-an-email]', // line 15
    '    price: -3',
    '  - customerReference: A-1', // line 17: a duplicate reference
    '    companyName: C',
    '    assetsDomains: [c.example]',
    '    price: 2',
    'webhooks:',
    '  - url: http://hooks.example.com/x', // line 22: plain http off this machine
    '    events: [breach.new, breach.lost]',
  ].join('\n');

  it('lists every problem at once with its path, line and column; exit 2, nothing sent', async () => {
    const file = w.write('rules.yaml', text);
    const stderr = await refused(file);
    expect(stderr).toContain(`${file} is not a valid manifest (9 problems); nothing was sent:`);
    const expected = [
      'owner: unknown key (a manifest has defaults, customers, webhooks, psa and notify) (line 5, column 8)',
      'defaults.currencyCode: must be one of AUD, GBP, USD (got "EUR") (line 2, column 17)',
      'customers[0].status: must be one of active, offboarded (got "gone") (line 11, column 13)',
      'customers[1].companyNmae: unknown field (did you mean companyName?) (line 13, column 18)',
      'customers[1].assetsEmails[1]: "not-an-email" is not a valid email address (line 15, column 34)',
      'customers[1].price: must be 0 or more (got -3) (line 16, column 12)',
      `customers[2].customerReference: "A-1" is customers[0]'s reference too (line 17, column 24)`,
      'webhooks[0].url: "http://hooks.example.com/x" must be an https:// URL',
      'webhooks[0].events[1]: unknown event "breach.lost"',
    ];
    for (const line of expected) expect(stderr).toContain(line);
    // The default's problem is said once, though all three customers inherit it.
    expect(stderr.split('defaults.currencyCode').length - 1).toBe(1);
  });

  it('gives the problems to scripts as a list with --json', async () => {
    const file = w.write('rules2.yaml', text);
    const r = await w.cli(['plan', '--file', file, '--json']);
    expect(r.code).toBe(2);
    type Problem = { path: string; message: string; code: string };
    const error = (JSON.parse(r.stderr) as { error: { problems: Problem[]; exitCode: number } }).error;
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(9);
    // Data, not text to parse: where, what, and a code.
    expect(error.problems).toContainEqual({
      path: 'customers[1].assetsEmails[1]',
      message: '"not-an-email" is not a valid email address (line 15, column 34)',
      code: 'invalid',
    });
  });

  it('refuses creates that lack an onboarding field or bill from the past, naming where the value came from', async () => {
    const file = w.write(
      'creates.yaml',
      [
        'defaults:',
        '  currencyCode: USD',
        '  billedFromDate: "2020-01-01T00:00:00Z"',
        '  alertRecipients: [soc@msp.example]',
        'customers:',
        '  - customerReference: NEW-1',
        '    companyName: New',
        '    assetsDomains: [new.example]',
      ].join('\n'),
    );
    const stderr = await refused(file);
    expect(stderr).toContain('cannot create its new customers (2 problems); nothing was sent');
    expect(stderr).toContain('customers[0].price: is required to create a customer (line 6, column 5) — NEW-1 is new');
    expect(stderr).toMatch(/defaults\.billedFromDate: 2020-01-01T00:00:00\.000Z is in the past; .*— NEW-1 is new/);
  });

  it('refuses a manifest that is not a mapping, and a customer list that is not a list', async () => {
    expect(await refused(w.write('list.yaml', '- a\n- b\n'))).toContain('(manifest): must be a mapping');
    expect(await refused(w.write('c.yaml', 'customers: 3\n'))).toContain('customers: must be a list of customers');
  });
});

describe('preparePlan, as the MCP server calls it (the plan verb too)', () => {
  function context(): Context {
    const sink = () => Object.assign(new PassThrough(), { isTTY: false });
    return new Context({
      stdin: Readable.from([]),
      stdout: sink(),
      stderr: sink(),
      env: w.env,
      nodeVersion: process.version,
      waitForSignal: () => new Promise(() => {}),
    });
  }

  it('takes the manifest inline, as YAML text or as an object, and returns the plan --json document', async () => {
    const yaml = bookYaml(2);
    const fromText = await preparePlan({ manifest: yaml }, context());
    expect(fromText.data.summary).toMatchObject({ create: 2, total: 2 });
    expect(fromText.data.changes.map((c) => [c.action, c.kind, c.reference])).toEqual([
      ['create', 'customer', 'BOOK-1'],
      ['create', 'customer', 'BOOK-2'],
    ]);
    const { parse } = await import('yaml');
    const fromObject = await preparePlan({ manifest: parse(yaml) as object, prune: false }, context());
    expect(fromObject.data).toEqual(fromText.data);
  });

  it('refuses an inline manifest with the same problems and no positions', async () => {
    await expect(
      preparePlan(
        {
          manifest: {
            customers: [{ customerReference: 'X', companyName: 'X', assetsDomains: ['x.example'], price: 'ten' }],
          },
        },
        context(),
      ),
    ).rejects.toMatchObject({
      exitCode: 2,
      problems: [{ path: 'customers[0].price', message: 'must be a number (got "ten")', code: 'invalid' }],
    });
  });
});
