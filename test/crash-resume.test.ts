/**
 * Nothing lost, nothing doubled: bulk onboarding against an API that fails 10% of requests,
 * killed with SIGKILL several times mid-run and resumed until done. Afterwards the API, the
 * results journal and the local record must agree exactly, by count and by reference.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { seededRandom } from '../src/commands/sandbox/random.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BIN, cleanEnv, runBinary, tempDir } from './helpers/cli.js';

const SEED = Number(process.env['SAFEWEB_TEST_SEED'] ?? 20261202);
const TOTAL = 300;
let sandbox: Sandbox | undefined;
afterAll(() => sandbox?.close());

const HEADER = 'companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate';
const row = (i: number) =>
  `Crash ${i},CR-${String(i).padStart(4, '0')},cr${i}.example,a@cr${i}.example,${i},USD,now+1d`;

async function until(ready: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it(
  `three kill -9s and resumes on a 10%-failing API leave API, journal and record in agreement (seed ${SEED})`,
  {
    timeout: 120_000,
  },
  async () => {
    sandbox = await startSandbox({ port: 0, faults: { latencyMs: 25, errorRate: 0.1, random: seededRandom(SEED) } });
    const dir = tempDir('crash-').dir;
    const env = cleanEnv({
      SAFEWEB_BASE_URL: sandbox.url,
      SAFEWEB_PARTNER_ID: sandbox.partnerId,
      SAFEWEB_API_KEY: sandbox.apiKey,
      SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg'),
    });
    const file = path.join(dir, 'book.csv');
    writeFileSync(file, [HEADER, ...Array.from({ length: TOTAL }, (_, i) => row(i + 1))].join('\n'));
    const results = path.join(dir, 'run.ndjson');
    const doneLines = () => (existsSync(results) ? readFileSync(results, 'utf8').split('\n').length - 1 : 0);

    // Three runs killed at growing points of progress (each resumes the last).
    for (const [k, at] of [60, 130, 200].entries()) {
      const flag = k === 0 ? '--results' : '--resume';
      const child = spawn(
        process.execPath,
        [BIN, 'customer', 'onboard', '--file', file, flag, results, '--concurrency', '8'],
        {
          env: env as NodeJS.ProcessEnv,
          stdio: 'ignore',
        },
      );
      const closed = new Promise((resolve) => child.on('close', resolve));
      await until(() => doneLines() >= at);
      child.kill('SIGKILL');
      await closed;
    }
    // Then resume until every row has settled (unknown and failed rows are sent again).
    let last = { code: -1, stderr: '' };
    for (let i = 0; i < 8 && last.code !== 0; i++) {
      last = await runBinary(['customer', 'onboard', '--file', file, '--resume', results, '--concurrency', '8'], {
        env,
        timeoutMs: 60_000,
      });
    }
    expect(last.code, last.stderr).toBe(0);

    const references = Array.from({ length: TOTAL }, (_, i) => `CR-${String(i + 1).padStart(4, '0')}`).sort();
    // The API: exactly one customer per row.
    const api = sandbox.state.customers.filter((c) => c.customerReference.startsWith('CR-'));
    expect(api.map((c) => c.customerReference).sort()).toEqual(references);
    const idOf = new Map(api.map((c) => [c.customerReference, c.id]));
    // The journal: the last word on every reference is ok.
    const last_ = new Map<string, { status: string; customerId?: string }>();
    for (const line of readFileSync(results, 'utf8').trim().split('\n')) {
      const r = JSON.parse(line) as { reference: string; status: string; customerId?: string };
      last_.set(r.reference, r);
    }
    expect([...last_.keys()].sort()).toEqual(references);
    expect([...last_.values()].every((r) => r.status === 'ok')).toBe(true);
    for (const [ref, r] of last_) if (r.customerId) expect(r.customerId).toBe(idOf.get(ref));
    // The record: every customer, once, with the API's ID or (settled by reference) none.
    const list = await runBinary(['customer', 'list', '--json'], { env });
    const record = JSON.parse(list.stdout) as Array<{ reference: string; id: string | null; companyName: string }>;
    expect(record.map((c) => c.reference).sort()).toEqual(references);
    for (const c of record) {
      if (c.id !== null) expect(c.id).toBe(idOf.get(c.reference));
      expect(c.companyName).toBe(`Crash ${Number(c.reference.slice(3))}`);
    }
    // A customer whose ID the record lacks says so clearly, and `customer link` mends it.
    const idless = record.find((c) => c.id === null);
    if (idless) {
      const r = await runBinary(['customer', 'threat-score', idless.reference], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the customer ID of ${idless.reference} is not known`);
      const link = await runBinary(['customer', 'link', idless.reference, '--id', idOf.get(idless.reference)!], {
        env,
      });
      expect(link.code, link.stderr).toBe(0);
      expect((await runBinary(['customer', 'threat-score', idless.reference], { env })).code).toBe(0);
    }
  },
);
