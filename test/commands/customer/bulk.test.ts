import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Faults, type Sandbox } from '../../../src/sandbox/server.js';
import { BIN, ROOT, cleanEnv, runBinary, runInProcess, runInPty, tempDir } from '../../helpers/cli.js';
import { stubServer, type Stub } from '../../helpers/stub-server.js';

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

/** Resolves once `ready()` holds, checking every 20 ms; fails the test after `ms`. */
async function until(ready: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
  it('onboards every CSV row (lists split on ;, types coerced), records results and the ledger', async () => {
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

  it('lists invalid rows with row numbers and reasons, sends nothing, exit 2', async () => {
    stub = await stubServer([]);
    const dir = tempDir().dir;
    const file = path.join(dir, 'bad.csv');
    writeFileSync(
      file,
      [
        HEADER,
        csvRow(1),
        'Bad Co,B-2,not a domain,,alerts@x.example,-4,EUR,now+1d,',
        csvRow(3),
        csvRow(1),
        'Short,row',
      ].join('\n'),
    );
    const env = cleanEnv({
      SAFEWEB_BASE_URL: stub.url,
      SAFEWEB_PARTNER_ID: 'P',
      SAFEWEB_API_KEY: 'swk_unused_000000',
      SAFEWEB_CONFIG_DIR: dir,
    });
    const r = await runInProcess(['customer', 'onboard', '--file', file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('3 of 5 rows in');
    expect(r.stderr).toContain(
      'row 2 (B-2): assetsDomains[0]: "not a domain" is not a valid domain name; price: must be 0 or more ' +
        '(got -4); currencyCode: must be one of AUD, GBP, USD (got "EUR")',
    );
    expect(r.stderr).toContain('row 4 (B-1): customerReference B-1 is also on row 1');
    expect(r.stderr).toContain('row 5: has 2 cells; the header has 9');
    expect(stub.requests).toEqual([]);
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
      const resumed = await runInProcess(['customer', 'onboard', '--file', file, '--resume', results], { env: w.env });
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
