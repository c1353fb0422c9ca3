import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Faults, type Sandbox } from '../../../src/sandbox/server.js';
import { BIN, ROOT, cleanEnv, runBinary, runInProcess, runInPty, tempDir, until } from '../../helpers/cli.js';
import { okJson, stubServer, type Stub } from '../../helpers/stub-server.js';

const ACME = path.join(ROOT, 'examples/acme.json');
const HEADER =
  'companyName,customerReference,assetsDomains,assetsEmails,alertRecipients,price,currencyCode,billedFromDate,sendMonthlyReport';
const csvRow = (i: number, prefix = 'B') =>
  `Company ${i},${prefix}-${i},c${i}.example,info@c${i}.example;it@c${i}.example,alerts@c${i}.example,` +
  `${i},USD,now+1d,${i % 2 ? 'yes' : 'no'}`;

let sandboxes: Sandbox[] = [];
let stub: Stub | undefined;
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  sandboxes = [];
  await stub?.close();
  stub = undefined;
});

async function world(faults: Faults = {}, log?: (l: string) => void) {
  const sandbox = await startSandbox({ port: 0, faults, log });
  sandboxes.push(sandbox);
  const dir = tempDir().dir;
  const env = cleanEnv({
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
    SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg'),
  });
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const mine = (prefix: string) => sandbox.state.customers.filter((c) => c.customerReference.startsWith(`${prefix}-`));
  return { sandbox, env, dir, write, mine };
}

/** The environment of a run against the stub server, with its config in `dir`. */
function stubEnv(dir: string) {
  return cleanEnv({
    SAFEWEB_BASE_URL: stub!.url,
    SAFEWEB_PARTNER_ID: 'P',
    SAFEWEB_API_KEY: 'swk_unused_000000',
    SAFEWEB_CONFIG_DIR: dir,
  });
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          row: number;
          reference: string;
          status: string;
          customerId?: string;
          error?: string;
          settled?: string;
        },
    );

describe('bulk onboarding', () => {
  it('onboards every CSV row (lists split on ;, types coerced), records results and the local record', async () => {
    const w = await world();
    const file = w.write('c.csv', [HEADER, ...Array.from({ length: 40 }, (_, i) => csvRow(i + 1))].join('\n'));
    const results = path.join(w.dir, 'r.ndjson');
    const r = await runInProcess(['customer', 'onboard', '--file', file, '--results', results, '--concurrency', '8'], {
      env: w.env,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('40 rows — ok 40, failed 0, unknown 0, skipped 0');
    expect(r.stdout.trim().split('\n')).toHaveLength(40);
    const created = w.mine('B');
    expect(created).toHaveLength(40);
    expect(created.find((c) => c.customerReference === 'B-3')).toMatchObject({
      emails: ['info@c3.example', 'it@c3.example'],
      price: 3,
      sendMonthlyReport: true,
    });
    const rows = lines(results);
    expect(rows).toHaveLength(40);
    expect(rows.every((x) => x.status === 'ok' && x.customerId)).toBe(true);
    expect(existsSync(`${results}.inflight`)).toBe(false);
    const list = JSON.parse((await runInProcess(['customer', 'list', '--json'], { env: w.env })).stdout);
    expect(list).toHaveLength(40);
  });

  it('onboards examples/customers.csv as it is', async () => {
    const w = await world();
    const r = await runInProcess(
      ['customer', 'onboard', '--file', path.join(ROOT, 'examples/customers.csv'), '--json'],
      { env: w.env },
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 3, ok: 3 });
    expect(w.sandbox.state.customers.find((c) => c.customerReference === 'NORDISK-002')).toMatchObject({
      domains: ['nordisk-trae.example', 'nordisk-trae.dk.example'],
      planType: 'safeweb-plus',
      sendMonthlyReport: true,
      localeCode: 'da-DK',
    });
  });

  it('reads NDJSON and JSON arrays, and CSV from stdin with --format', async () => {
    const w = await world();
    const doc = (i: number, p: string) => ({
      companyName: `N${i}`,
      customerReference: `${p}-${i}`,
      assetsDomains: [`n${i}.example`],
      alertRecipients: ['a@n.example'],
      price: 1,
      currencyCode: 'GBP',
      billedFromDate: 'now+1d',
    });
    const nd = w.write('n.ndjson', [1, 2, 3].map((i) => JSON.stringify(doc(i, 'ND'))).join('\n\n'));
    expect((await runInProcess(['customer', 'onboard', '--file', nd], { env: w.env })).code).toBe(0);
    const arr = w.write('a.json', JSON.stringify([doc(1, 'JA'), doc(2, 'JA')], null, 2));
    expect((await runInProcess(['customer', 'onboard', '--file', arr], { env: w.env })).code).toBe(0);
    const viaStdin = await runBinary(['customer', 'onboard', '--file', '-', '--format', 'csv'], {
      env: w.env,
      input: [HEADER, csvRow(1, 'IN'), csvRow(2, 'IN')].join('\n'),
    });
    expect(viaStdin.code).toBe(0);
    expect([w.mine('ND').length, w.mine('JA').length, w.mine('IN').length]).toEqual([3, 2, 2]);
  });

  /** `customer onboard --file` of `text` against a stub that must hear nothing. */
  async function refused(name: string, text: string) {
    stub = await stubServer([]);
    const dir = tempDir().dir;
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const env = stubEnv(dir);
    const r = await runInProcess(['customer', 'onboard', '--file', file], { env });
    expect(stub.requests).toEqual([]);
    return { r, file };
  }

  it('lists invalid rows with row numbers and reasons, sends nothing, exit 2', async () => {
    const { r } = await refused(
      'bad.csv',
      [
        HEADER,
        csvRow(1),
        'Bad Co,B-2,not a domain,,alerts@x.example,-4,EUR,now+1d,',
        csvRow(3),
        csvRow(1),
        'Short,row',
      ].join('\n'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('3 of 5 rows in');
    expect(r.stderr).toContain(
      'row 2 (B-2): assetsDomains[0]: "not a domain" is not a valid domain name; price: must be 0 or more ' +
        '(got -4); currencyCode: must be one of AUD, GBP, USD (got "EUR")',
    );
    expect(r.stderr).toContain('row 4 (B-1): customerReference B-1 is also on row 1');
    expect(r.stderr).toContain('row 5: has 2 cells; the header has 9');
  });

  it('refuses a CSV with an unclosed quote, naming the line, and sends nothing (exit 2)', async () => {
    const rows = [HEADER, csvRow(1), csvRow(2).replace('Company 2', '"Company 2'), csvRow(3)];
    const { r, file } = await refused('broken.csv', rows.join('\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file} is not valid CSV (line 4): Quote Not Closed: the parsing is finished with an opening quote`,
    );
    expect(r.stderr).toContain('Fix the file; nothing was sent.');
  });

  it('says once, before any row, that a file is ;- or tab-separated, and sends nothing (exit 2)', async () => {
    for (const [separator, said] of [
      [';', 'looks ;-separated: its header line has ";" and no ","'],
      ['\t', 'looks tab-separated: its header line has tabs and no ","'],
    ] as const) {
      const rows = [HEADER, csvRow(1), csvRow(2), csvRow(3)].map((l) => l.replaceAll(',', separator));
      const { r, file } = await refused('semi.csv', rows.join('\n'));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file} ${said}`);
      expect(r.stderr).toContain('Save it as comma-separated CSV');
      // Said once, not once per row.
      expect(r.stderr).not.toContain('row 1');
      await stub!.close();
      stub = undefined;
    }
  });

  it('reads friendly column names as the fields they spell; refuses unknown ones once, listing the expected', async () => {
    const w = await world();
    const friendly = HEADER.replace('companyName', 'Company Name')
      .replace('customerReference', 'customer_reference')
      .replace('billedFromDate', 'Billed From Date');
    const ok = await runInProcess(
      ['customer', 'onboard', '--file', w.write('f.csv', [friendly, csvRow(1, 'FH'), csvRow(2, 'FH')].join('\n'))],
      { env: w.env },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(w.mine('FH').map((c) => c.companyName)).toEqual(['Company 1', 'Company 2']);

    const unknown = `${HEADER.replace('price', 'Monthly Price')},Notes`;
    const rows = [unknown, ...[1, 2, 3].map((i) => `${csvRow(i, 'UH')},x`)].join('\n');
    const { r, file } = await refused('unknown.csv', rows);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: no onboarding field is named by the header's "Monthly Price", "Notes"`);
    expect(r.stderr).toContain('Expected header names: companyName, customerReference,');
    expect(r.stderr).not.toContain('row 1');
    // Two columns for one field are refused as well.
    const twice = await refused('twice.csv', [`${HEADER},Company Name`, `${csvRow(1)},Other`].join('\n'));
    expect(twice.r.code).toBe(2);
    expect(twice.r.stderr).toContain('the header names companyName twice ("companyName", "Company Name")');
  });

  it('reports every problem of a row at once: fields, a past date, the local record, a repeat in the file', async () => {
    const id = '0b6c5f4e-3d2a-4b1c-8e9f-7a6b5c4d3e2f';
    stub = await stubServer([okJson({ success: true, message: 'Customer onboarded successfully', customerId: id })]);
    const dir = tempDir().dir;
    const env = stubEnv(dir);
    // The one scripted answer: BULK-KNOWN is now in the local record.
    const single = await runBinary(['customer', 'onboard', '--file', ACME, '--reference', 'BULK-KNOWN'], { env });
    expect(single.code).toBe(0);
    const file = path.join(dir, 'four.csv');
    writeFileSync(
      file,
      [
        HEADER,
        csvRow(1, 'FOUR'),
        'Known Co,BULK-KNOWN,k.example,,a@k.example,1,USD,now+1d,',
        'Known Co,BULK-KNOWN,k.example,,a@k.example,-4,USD,2020-01-01T00:00:00Z,',
      ].join('\n'),
    );
    for (const extra of [[], ['--dry-run'], ['--skip-invalid', '--dry-run', '--json']]) {
      const r = await runBinary(['customer', 'onboard', '--file', file, ...extra], { env });
      const today = new Date().toISOString().slice(0, 10);
      // Row 3 has all four kinds of problem, each named.
      expect(r.stderr).toContain(
        'row 3 (BULK-KNOWN): price: must be 0 or more (got -4); ' +
          'billedFromDate: 2020-01-01T00:00:00.000Z is in the past; the API rejects past billing dates ' +
          '(give a later one, e.g. --billed-from now+5m); ' +
          `customerReference: BULK-KNOWN is already in your local record (onboarded ${today}); ` +
          'customerReference BULK-KNOWN is also on row 2\n',
      );
      expect(r.stderr).toContain(
        `row 2 (BULK-KNOWN): customerReference: BULK-KNOWN is already in your local record (onboarded ${today})\n`,
      );
      if (extra.includes('--skip-invalid')) {
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ total: 3, valid: 1, invalid: 2, alreadyDone: 0, wouldSend: 1 });
      } else {
        expect(r.code, extra.join(' ')).toBe(2);
        expect(r.stderr).toContain('2 of 3 rows in');
        expect(r.stderr).toContain('or finish the run that onboarded it with --resume RESULTS.');
      }
    }
    expect(stub.requests).toHaveLength(1);
    expect(stub.unexpected).toEqual([]);
  });

  it('a billing date more than 5 minutes past is refused when checking and with --dry-run: nothing sent', async () => {
    stub = await stubServer([]);
    const dir = tempDir().dir;
    const file = path.join(dir, 'past.csv');
    const past = new Date(Date.now() - 6 * 60_000).toISOString();
    writeFileSync(file, [HEADER, csvRow(1, 'PAST'), csvRow(2, 'PAST').replace('now+1d', past)].join('\n'));
    const env = stubEnv(dir);
    for (const extra of [[], ['--dry-run']]) {
      const r = await runBinary(['customer', 'onboard', '--file', file, ...extra], { env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`1 of 2 rows in ${file} are invalid; nothing was sent:`);
      expect(r.stderr).toContain(`row 2 (PAST-2): billedFromDate: ${past} is in the past;`);
    }
    expect(stub.requests).toEqual([]);
    expect(stub.unexpected).toEqual([]);
  });

  it('a billing date within 5 minutes of now is warned about and sent', async () => {
    const id = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    stub = await stubServer([okJson({ success: true, message: 'Customer onboarded successfully', customerId: id })]);
    const dir = tempDir().dir;
    const skewed = new Date(Date.now() - 2 * 60_000).toISOString();
    const file = path.join(dir, 'skew.csv');
    writeFileSync(file, [HEADER, csvRow(1, 'SKEW').replace('now+1d', skewed)].join('\n'));
    const env = stubEnv(dir);
    const r = await runBinary(['customer', 'onboard', '--file', file], { env });
    expect(r.stderr).toContain(
      'warning: 1 row has a billing date that is not in the future but within 5 minutes of now: sent, ' +
        'as clocks differ, though the API rejects past dates (--billed-from now+5m sets a later one for every row).',
    );
    expect(r.code).toBe(0);
    expect(stub.requests.map((q) => (JSON.parse(q.body) as { billedFromDate: string }).billedFromDate)).toEqual([
      skewed,
    ]);
  });

  it('rows the local record already holds are refused on a new run, and settled from it with --resume', async () => {
    const w = await world();
    const file = w.write('c.csv', [HEADER, ...Array.from({ length: 5 }, (_, i) => csvRow(i + 1, 'REC'))].join('\n'));
    const results = path.join(w.dir, 'r.ndjson');
    const first = await runBinary(['customer', 'onboard', '--file', file, '--results', results], { env: w.env });
    expect(first.code).toBe(0);
    const ids = new Map(w.mine('REC').map((c) => [c.customerReference, c.id]));
    // A crash between the record and the results line: the record holds rows 4 and 5, the
    // results file does not, and the in-flight journal names them.
    const done = readFileSync(results, 'utf8').trim().split('\n');
    writeFileSync(results, `${done.filter((l) => !/"row":[45],/.test(l)).join('\n')}\n`);
    writeFileSync(`${results}.inflight`, '{"row":4,"key":"REC-4"}\n{"row":5,"key":"REC-5"}\n');

    const again = await runBinary(['customer', 'onboard', '--file', file], { env: w.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('5 of 5 rows in');
    expect(again.stderr).toMatch(/row 1 \(REC-1\): customerReference: REC-1 is already in your local record/);

    const dry = await runBinary(['customer', 'onboard', '--file', file, '--resume', results, '--dry-run', '--json'], {
      env: w.env,
    });
    expect(JSON.parse(dry.stdout)).toEqual({ total: 5, valid: 5, invalid: 0, alreadyDone: 5, wouldSend: 0 });
    const resumed = await runBinary(['customer', 'onboard', '--file', file, '--resume', results, '--json'], {
      env: w.env,
    });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ total: 5, ok: 0, alreadyDone: 5, failed: 0, unknown: 0 });
    expect(lines(results).slice(3)).toEqual(
      [4, 5].map((row) => ({
        row,
        reference: `REC-${row}`,
        status: 'ok',
        customerId: ids.get(`REC-${row}`),
        settled: 'found in the local record: finished by the earlier run',
      })),
    );
    expect(w.mine('REC')).toHaveLength(5);
  });

  it('--skip-invalid sends the valid rows and records the others as skipped (exit 2)', async () => {
    const w = await world();
    const file = w.write('c.csv', [HEADER, csvRow(1, 'SK'), 'X,SK-2,,,,1,USD,now+1d,', csvRow(3, 'SK')].join('\n'));
    const results = path.join(w.dir, 'r.ndjson');
    const r = await runInProcess(['customer', 'onboard', '--file', file, '--skip-invalid', '--results', results], {
      env: w.env,
    });
    expect(r.code).toBe(2);
    expect(
      w
        .mine('SK')
        .map((c) => c.customerReference)
        .sort(),
    ).toEqual(['SK-1', 'SK-3']);
    expect(lines(results).map((x) => [x.row, x.status])).toEqual(
      expect.arrayContaining([
        [1, 'ok'],
        [2, 'skipped'],
        [3, 'ok'],
      ]),
    );
  });

  it('--dry-run checks every row and sends nothing', async () => {
    const w = await world();
    const file = w.write('c.csv', [HEADER, csvRow(1, 'DR'), csvRow(2, 'DR')].join('\n'));
    const r = await runInProcess(['customer', 'onboard', '--file', file, '--dry-run', '--json'], { env: w.env });
    expect(JSON.parse(r.stdout)).toEqual({ total: 2, valid: 2, invalid: 0, alreadyDone: 0, wouldSend: 2 });
    expect(w.mine('DR')).toHaveLength(0);
  });

  it('slows down on 429 and still onboards every row', async () => {
    let limited = 0;
    const w = await world({ rateLimit: 20 }, (l) => (l.includes('→ 429') ? limited++ : undefined));
    const file = w.write('c.csv', [HEADER, ...Array.from({ length: 40 }, (_, i) => csvRow(i + 1, 'RL'))].join('\n'));
    const r = await runInProcess(['customer', 'onboard', '--file', file, '--concurrency', '16', '--json'], {
      env: w.env,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 40, ok: 40, failed: 0, unknown: 0 });
    expect(limited).toBeGreaterThan(0);
    expect(w.mine('RL')).toHaveLength(40);
  });

  it('records 5xx as unknown (exit 5); --resume settles them without doubling', async () => {
    const failing = await world({ errorRate: 1, random: () => 0 });
    const file = failing.write(
      'c.csv',
      [HEADER, ...Array.from({ length: 6 }, (_, i) => csvRow(i + 1, 'UN'))].join('\n'),
    );
    const results = path.join(failing.dir, 'r.ndjson');
    const r = await runInProcess(['customer', 'onboard', '--file', file, '--results', results], { env: failing.env });
    expect(r.code).toBe(5);
    expect(lines(results).map((x) => x.status)).toEqual(Array(6).fill('unknown'));
    expect(r.stderr).toContain('Resume with --resume');
    // The same account, healthy again.
    const healthy = await startSandbox({
      port: 0,
      credentials: { partnerId: failing.sandbox.partnerId, apiKey: failing.sandbox.apiKey },
    });
    sandboxes.push(healthy);
    const again = await runInProcess(['customer', 'onboard', '--file', file, '--resume', results], {
      env: { ...failing.env, SAFEWEB_BASE_URL: healthy.url },
    });
    expect(again.code).toBe(0);
    const final = lines(results).slice(6);
    expect(final.every((x) => x.status === 'ok' && x.settled === 'the earlier attempt had not arrived; sent now')).toBe(
      true,
    );
    expect(healthy.state.customers.filter((c) => c.customerReference.startsWith('UN-'))).toHaveLength(6);
  });

  it('after a hard kill, resuming neither loses a row nor onboards one twice', { timeout: 30_000 }, async () => {
    // Slow answers: the sandbox has created the customer well before it replies.
    const w = await world({ latencyMs: 400 });
    const total = 30;
    const file = w.write('c.csv', [HEADER, ...Array.from({ length: total }, (_, i) => csvRow(i + 1, 'HK'))].join('\n'));
    const results = path.join(w.dir, 'r.ndjson');
    const child = spawn(
      process.execPath,
      [BIN, 'customer', 'onboard', '--file', file, '--results', results, '--concurrency', '4'],
      { env: w.env as NodeJS.ProcessEnv, stdio: 'ignore' },
    );
    const closed = new Promise((resolve) => child.on('close', resolve));
    await until(() => existsSync(results) && readFileSync(results, 'utf8').split('\n').length > 8, '8 rows done');
    child.kill('SIGKILL');
    await closed;
    expect(existsSync(`${results}.inflight`)).toBe(true);
    const done = lines(results).length;
    expect(done).toBeLessThan(total);

    const resumed = await runInProcess(
      ['customer', 'onboard', '--file', file, '--resume', results, '--concurrency', '8', '--json'],
      { env: w.env },
    );
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({ total, alreadyDone: done, failed: 0, unknown: 0 });
    const byRef = new Map<string, string[]>();
    for (const x of lines(results)) byRef.set(x.reference, [...(byRef.get(x.reference) ?? []), x.status]);
    expect(byRef.size).toBe(total);
    for (const statuses of byRef.values()) expect(statuses).toEqual(['ok']);
    const settled = lines(results).filter((x) => x.settled?.startsWith('already onboarded'));
    expect(settled.length).toBeGreaterThan(0);
    // Exactly one customer per row on the server.
    expect(w.mine('HK')).toHaveLength(total);
  });

  it(
    'Ctrl+C stops dispatching, records the rows in flight, exits 130; resume finishes',
    { timeout: 30_000 },
    async () => {
      const w = await world({ latencyMs: 150 });
      const total = 40;
      const file = w.write(
        'c.csv',
        [HEADER, ...Array.from({ length: total }, (_, i) => csvRow(i + 1, 'CC'))].join('\n'),
      );
      const results = path.join(w.dir, 'r.ndjson');
      const child = spawn(
        process.execPath,
        [BIN, 'customer', 'onboard', '--file', file, '--results', results, '--concurrency', '2'],
        { env: w.env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const closed = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
      // Interrupt once some rows are done and many are still to come.
      await until(() => existsSync(results) && readFileSync(results, 'utf8').trim() !== '', 'a first row done');
      child.kill('SIGINT');
      const code = await closed;
      expect(code).toBe(130);
      expect(stderr).toContain('Interrupted.');
      expect(existsSync(`${results}.inflight`)).toBe(false);
      const done = lines(results);
      expect(done.length).toBeGreaterThan(0);
      expect(done.every((x) => x.status === 'ok')).toBe(true);
      expect(w.mine('CC')).toHaveLength(done.length);
      // The exact command that finishes the run, printed; run as printed (its paths need no quotes).
      const said = `safeweb customer onboard --file ${file} --concurrency 2 --resume ${results}`;
      expect(stderr).toContain(`To finish the run: ${said}\n`);
      const resumed = await runInProcess(said.split(' ').slice(1), { env: w.env });
      expect(resumed.code).toBe(0);
      expect(w.mine('CC')).toHaveLength(total);
    },
  );

  it('shows a progress bar on a terminal, and none when piped', async () => {
    const w = await world({ latencyMs: 20 });
    const file = w.write('c.csv', [HEADER, ...Array.from({ length: 20 }, (_, i) => csvRow(i + 1, 'PB'))].join('\n'));
    const pty = runInPty(['customer', 'onboard', '--file', file], { env: w.env });
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toMatch(/Onboarding \[[█░]+\] 20\/20 \| \d+\/s \| ETA/);
    const piped = await runBinary(
      ['customer', 'onboard', '--file', w.write('d.csv', [HEADER, csvRow(1, 'PC')].join('\n'))],
      { env: w.env },
    );
    expect(piped.stderr).not.toContain('[');
  });
});
