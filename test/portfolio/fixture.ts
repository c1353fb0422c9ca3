/** A book to run the portfolio verbs over: the sandbox's seed customers imported into the local record. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { runInProcess, tempDir } from '../helpers/cli.js';

/** Imports the partner's seed customers (active and offboarded) with `customer import`; returns them. */
export async function importSeed(sandbox: Sandbox, env: Record<string, string | undefined>) {
  const mine = sandbox.state.customers.filter((c) => c.partnerId === sandbox.partnerId);
  const csv = path.join(tempDir().dir, 'seed.csv');
  const lines = mine.map((c) => `${c.customerReference},${c.id},${c.companyName},${c.status}`);
  writeFileSync(csv, `customerReference,customerId,companyName,status\n${lines.join('\n')}\n`);
  const r = await runInProcess(['customer', 'import', '--file', csv], { env });
  expect(r.code, r.stderr).toBe(0);
  return mine;
}

/** Onboards `n` customers with only a `.example` domain each (as a bulk file would), through the CLI. */
export async function onboardMany(env: Record<string, string | undefined>, n: number, prefix: string) {
  const csv = path.join(tempDir().dir, `${prefix}.csv`);
  const rows = Array.from(
    { length: n },
    (_, i) => `${prefix} ${i + 1},${prefix}-${i + 1},${prefix.toLowerCase()}${i + 1}.example,ops@x.co,10,USD,now+1d`,
  );
  writeFileSync(
    csv,
    `companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n${rows.join('\n')}\n`,
  );
  const r = await runInProcess(['customer', 'onboard', '--file', csv, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
}
