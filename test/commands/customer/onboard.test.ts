import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, runBinary, runInProcess, stripAnsi, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { okJson, stubServer, type Stub } from '../../helpers/stub-server.js';

const fx = useSandbox();
const ACME = path.join(ROOT, 'examples/acme.json');
const acme = () => JSON.parse(readFileSync(ACME, 'utf8')) as Record<string, unknown>;
let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** A file in a temporary directory holding `doc` (or raw text). */
function file(doc: unknown): string {
  const { dir } = tempDir();
  const f = path.join(dir, 'req.json');
  writeFileSync(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return f;
}

const customersOf = () => fx().sandbox.state.customers.filter((c) => c.partnerId === fx().sandbox.partnerId);

describe('safeweb customer onboard', () => {
  it('onboards examples/acme.json, prints id, reference and company, and records it locally', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const r = await runInProcess(['customer', 'onboard', '--file', ACME], { env });
    // Piped: the record on stdout, only the success line on stderr.
    expect(r.stderr).toBe('✓ Onboarded Acme Corporation (ACME-001).\n');
    expect(r.code).toBe(0);
    const [id, ref, company] = r.stdout.trim().split('\t');
    expect(ref).toBe('ACME-001');
    expect(company).toBe('Acme Corporation');
    const stored = fx().sandbox.state.customers.find((c) => c.id === id)!;
    expect(stored).toMatchObject({
      customerReference: 'ACME-001',
      price: 49.99,
      planType: 'safeweb-basic',
      enrolType: 'opt-in',
      sendMonthlyReport: true,
    });
    // contactEmail is monitored too, as the contract says.
    expect(stored.emails).toEqual(['admin@acme.co', 'security@acme.co', 'contact@acme.co']);

    const list = await runInProcess(['customer', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([
      {
        reference: 'ACME-001',
        id,
        companyName: 'Acme Corporation',
        onboardedAt: expect.any(String),
        status: 'active',
        updatedAt: expect.any(String),
        // What the API cannot read back, kept for plan/apply: everything sent but the assets.
        fields: {
          alertRecipients: ['alerts@acme.co'],
          billedFromDate: '2030-01-01T00:00:00.000Z',
          contactEmail: 'contact@acme.co',
          currencyCode: 'USD',
          enrolType: 'opt-in',
          localeCode: 'en-GB',
          planType: 'safeweb-basic',
          price: 49.99,
          sendMonthlyReport: true,
        },
      },
    ]);
    // The reference now works wherever a customer ID does.
    const breaches = await runInProcess(['customer', 'breaches', 'ACME-001', '--json'], { env });
    expect(breaches.stderr).toBe('');
    expect(breaches.code).toBe(0);
    expect(() => JSON.parse(breaches.stdout) as unknown).not.toThrow();
  });

  it('shows the new customer as labelled pairs on a terminal', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const r = await runInProcess(['customer', 'onboard', '--file', ACME, '--reference', 'TTY-1', '--no-input'], {
      env,
      tty: true,
    });
    expect(r.code).toBe(0);
    const id = customersOf().find((c) => c.customerReference === 'TTY-1')!.id;
    const screen = stripAnsi(r.stdout);
    expect(screen).toMatch(new RegExp(`Customer ID\\s+│ ${id}`));
    expect(screen).toMatch(/Reference\s+│ TTY-1/);
    expect(screen).toMatch(/Company\s+│ Acme Corporation/);
    expect(r.stderr).toContain('Onboarded Acme Corporation (TTY-1).');
  });

  it('reads stdin with --file -, lets flags override the file, and prints JSON with --json', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const r = await runInProcess(
      [
        'customer',
        'onboard',
        '--file',
        '-',
        '--reference',
        'ACME-STDIN',
        '--price',
        '10',
        '--no-monthly-report',
        '--json',
      ],
      { env, stdin: JSON.stringify(acme()) },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    // The resource, not the envelope: exactly these three fields.
    expect(doc).toEqual({
      customerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerReference: 'ACME-STDIN',
      companyName: 'Acme Corporation',
    });
    expect(fx().sandbox.state.customers.find((c) => c.id === doc.customerId)).toMatchObject({
      price: 10,
      sendMonthlyReport: false,
    });
  });

  it('onboards from flags alone', async () => {
    const r = await runInProcess(
      [
        'customer',
        'onboard',
        '--company-name',
        'Flag Co',
        '--reference',
        'FLAG-1',
        '--domain',
        'flag.example',
        '--email',
        'info@flag.example',
        '--alert-recipient',
        'it@flag.example',
        '--price',
        '0',
        '--currency',
        'GBP',
        '--billed-from',
        'now+5m',
      ],
      { env: fx().env },
    );
    expect(r.code).toBe(0);
    expect(customersOf().find((c) => c.customerReference === 'FLAG-1')).toMatchObject({
      currencyCode: 'GBP',
      domains: ['flag.example'],
      emails: ['info@flag.example'],
    });
  });

  it('--dry-run prints the validated body and sends nothing', async () => {
    const before = customersOf().length;
    const r = await runInProcess(['customer', 'onboard', '--file', ACME, '--reference', 'DRY-1', '--dry-run'], {
      env: fx().env,
    });
    expect(r.code).toBe(0);
    // The file's "$schema" is for editors: accepted, and not part of the request.
    const { $schema, ...request } = acme();
    expect($schema).toBe('../schema/onboarding.schema.json');
    expect(JSON.parse(r.stdout)).toEqual({ ...request, customerReference: 'DRY-1' });
    expect(r.stderr).toContain('Dry run: the request above is valid; nothing was sent.');
    expect(customersOf()).toHaveLength(before);
  });

  it('a duplicate reference the local record does not know is exit 3 with the API message', async () => {
    const env = fx().env;
    expect((await runInProcess(['customer', 'onboard', '--file', ACME, '--reference', 'DUP-1'], { env })).code).toBe(0);
    // Another machine's record (or none): only the API knows the reference.
    const elsewhere = { ...env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const again = await runInProcess(['customer', 'onboard', '--file', ACME, '--reference', 'DUP-1'], {
      env: elsewhere,
    });
    expect(again.code).toBe(3);
    expect(again.stderr).toBe(
      'error: Customer reference DUP-1 already exists for this partner (SafeWeb answered 409 to POST /api/v1/integrations/customer/onboard)' +
        ' — If DUP-1 is a customer of yours made elsewhere, record it with `safeweb customer link DUP-1 --id UUID`.\n',
    );
    // Nothing recorded, and nothing left pending: the refusal is final.
    const list = await runInProcess(['customer', 'list', '--json'], { env: elsewhere });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('a reference the local record knows is refused before sending (exit 2), from flags, a file and --dry-run', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const first = await runBinary(['customer', 'onboard', '--file', ACME, '--reference', 'KNOWN-1'], { env });
    expect(first.code).toBe(0);
    const before = customersOf().length;
    const today = new Date().toISOString().slice(0, 10);
    const flags = ['--company-name', 'Known Co', '--domain', 'known.example', '--alert-recipient', 'a@known.example'];
    const more = ['--price', '1', '--currency', 'USD', '--billed-from', 'now+1d', '--reference', 'KNOWN-1'];
    for (const argv of [
      ['customer', 'onboard', ...flags, ...more],
      ['customer', 'onboard', '--file', file({ ...acme(), customerReference: 'KNOWN-1' })],
      ['customer', 'onboard', '--file', ACME, '--reference', 'KNOWN-1', '--dry-run'],
    ]) {
      const r = await runBinary(argv, { env });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `  - customerReference: KNOWN-1 is already in your local record (onboarded ${today})\n`,
      );
      expect(r.stderr).toContain(
        'Choose a new reference with --reference (`safeweb customer list` shows the ones this tool knows)',
      );
    }
    expect(customersOf()).toHaveLength(before);
  });

  describe('a billing date in the past', () => {
    const stubEnv = (url: string) =>
      cleanEnv({
        SAFEWEB_BASE_URL: url,
        SAFEWEB_PARTNER_ID: 'P',
        SAFEWEB_API_KEY: 'swk_never_used_0000',
        SAFEWEB_CONFIG_DIR: tempDir().dir,
      });
    const PAST = '2026-02-01T00:00:00.000Z';
    const flags = [
      ...['--company-name', 'Past Co', '--reference', 'PAST-1', '--domain', 'past.example'],
      ...['--alert-recipient', 'a@past.example', '--price', '1', '--currency', 'USD'],
    ];
    const paths: Array<[string, string[]]> = [
      ['flags', ['customer', 'onboard', ...flags, '--billed-from', PAST]],
      ['a --file JSON document', ['customer', 'onboard', '--file', file({ ...acme(), billedFromDate: PAST })]],
      ['--billed-from over a file', ['customer', 'onboard', '--file', ACME, '--billed-from', PAST]],
      ['--dry-run', ['customer', 'onboard', '--file', ACME, '--billed-from', PAST, '--dry-run']],
    ];
    it.each(paths)('more than 5 minutes ago, from %s: exit 2 naming the fix, nothing sent', async (_name, argv) => {
      stub = await stubServer([]);
      const r = await runBinary(argv, { env: stubEnv(stub.url) });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `  - billedFromDate: ${PAST} is in the past; the API rejects past billing dates ` +
          '(give a later one, e.g. --billed-from now+5m)\n',
      );
      expect(stub.requests).toEqual([]);
      expect(stub.unexpected).toEqual([]);
    });

    it('every problem at once: a past date is listed with the others', async () => {
      stub = await stubServer([]);
      const r = await runBinary(
        ['customer', 'onboard', '--file', file({ ...acme(), price: -1, billedFromDate: PAST })],
        {
          env: stubEnv(stub.url),
        },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\(2 problems\)[\s\S]*price: must be 0 or more[\s\S]*billedFromDate: .* is in the past/);
      expect(stub.unexpected).toEqual([]);
    });

    it('within 5 minutes of now (clocks differ): a warning, and it is sent', async () => {
      const id = '7d1c4a8e-2b3f-4c5d-9e6f-0a1b2c3d4e5f';
      stub = await stubServer([okJson({ success: true, message: 'Customer onboarded successfully', customerId: id })]);
      const skewed = new Date(Date.now() - 2 * 60_000).toISOString();
      const r = await runBinary(['customer', 'onboard', '--file', ACME, '--billed-from', skewed], {
        env: stubEnv(stub.url),
      });
      expect(r.stderr).toContain(
        `warning: billedFromDate ${skewed} is not in the future; sent, as it is within 5 minutes of now ` +
          'and clocks differ, but the API rejects past billing dates (try --billed-from now+5m)',
      );
      expect(r.code).toBe(0);
      expect(r.stdout.split('\t')[0]).toBe(id);
      expect(stub.requests).toHaveLength(1);
      expect(JSON.parse(stub.requests[0]!.body)).toMatchObject({ billedFromDate: skewed });
    });

    it('insuranceActiveFromDate may be in the past', async () => {
      stub = await stubServer([]);
      const r = await runBinary(['customer', 'onboard', '--file', ACME, '--insurance-from', PAST, '--dry-run'], {
        env: stubEnv(stub.url),
      });
      expect(r.stderr).toBe('Dry run: the request above is valid; nothing was sent.\n');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ insuranceActiveFromDate: PAST });
    });
  });

  it('without a terminal, missing fields are exit 2 naming the flags that supply them', async () => {
    const r = await runInProcess(['customer', 'onboard', '--company-name', 'Half Co', '--domain', 'half.example'], {
      env: fx().env,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'error: missing required fields; nothing was sent:',
        '  - customerReference (--reference)',
        '  - alertRecipients (--alert-recipient)',
        '  - price (--price)',
        '  - currencyCode (--currency)',
        '  - billedFromDate (--billed-from)',
        'Supply them with the flags shown or --file FILE, or run on a terminal for the wizard.',
        '',
      ].join('\n'),
    );
  });

  const bad: Array<[string, string | Record<string, unknown>, RegExp]> = [
    [
      'malformed JSON',
      '{\n  "companyName": "Acme",\n  "price": 1,,\n}',
      /is not valid JSON: property name expected at line 3, column 14/,
    ],
    [
      'wrong types',
      { ...acme(), price: '49.99', alertRecipients: 'alerts@acme.co' },
      /alertRecipients: must be an array of email addresses[\s\S]*price: must be a number \(got "49.99"\)/,
    ],
    [
      'unknown fields',
      { ...acme(), planId: 'x' },
      /planId: unknown field[\s\S]*--allow-unknown-fields sends unknown fields anyway/,
    ],
    [
      'invalid emails',
      { ...acme(), alertRecipients: ['alerts@acme'] },
      /alertRecipients\[0\]: "alerts@acme" is not a valid email address/,
    ],
    [
      'invalid domains',
      { ...acme(), assetsDomains: ['acme'] },
      /assetsDomains\[0\]: "acme" is not a valid domain name/,
    ],
    ['a negative price', { ...acme(), price: -1 }, /price: must be 0 or more \(got -1\)/],
    ['no assets', { ...acme(), assetsDomains: [], assetsEmails: [] }, /give at least one domain or email to monitor/],
    ['an empty JSON array', '[]', /holds no rows/],
    ['a JSON scalar', '42', /must hold one JSON object/],
  ];
  it.each(bad)('%s: exit 2, every problem listed, no request sent', async (_name, doc, message) => {
    stub = await stubServer([]);
    const env = cleanEnv({
      SAFEWEB_BASE_URL: stub.url,
      SAFEWEB_PARTNER_ID: 'P',
      SAFEWEB_API_KEY: 'swk_never_used_0000',
      SAFEWEB_CONFIG_DIR: tempDir().dir,
    });
    const r = await runInProcess(['customer', 'onboard', '--file', file(doc)], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(stub.requests).toEqual([]);
    expect(stub.unexpected).toEqual([]);
  });

  it('--allow-unknown-fields sends undocumented fields', async () => {
    const r = await runInProcess(
      [
        'customer',
        'onboard',
        '--file',
        file({ ...acme(), customerReference: 'UNK-1', platformAccess: true }),
        '--allow-unknown-fields',
      ],
      { env: fx().env },
    );
    expect(r.code).toBe(0);
  });

  it('a missing file is exit 2 naming it', async () => {
    const r = await runInProcess(['customer', 'onboard', '--file', '/no/such.json'], { env: fx().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read /no/such.json: no such file');
  });
});
