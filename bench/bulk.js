#!/usr/bin/env node
// Bulk benchmarks (not tests): onboarding throughput against a sandbox with latency, compared
// with the ideal (rows × latency ÷ concurrency) and with a sequential curl loop; and peak
// memory for 100 000 rows. Usage: node bench/bulk.js [--rows 5000] [--memory-rows 100000]
// [--curl-rows 500] (the curl loop is timed on --curl-rows rows and scaled to --rows).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, csvRows, envFor, node, startSandboxProcess, timed, writeResult } from './lib.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('--rows', 5000);
const MEMORY_ROWS = arg('--memory-rows', 100_000);
const CURL_ROWS = Math.min(arg('--curl-rows', 500), ROWS);
const LATENCY = 20;
const CONCURRENCY = 16;
const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-bulk-'));

// 1. Throughput at 20 ms latency, concurrency 16.
const slow = await startSandboxProcess(['--latency', String(LATENCY)]);
const csv = path.join(dir, 'rows.csv');
writeFileSync(csv, csvRows(ROWS, 'BULK'));
const run = timed(node, [bin, 'customer', 'onboard', '--file', csv, '--concurrency', String(CONCURRENCY), '--json'], {
  env: envFor(slow, path.join(dir, 'cfg1')),
});
const summary = JSON.parse(run.stdout);
if (summary.ok !== ROWS) throw new Error(`expected ${ROWS} ok rows, got ${JSON.stringify(summary)}`);
const ideal = (ROWS * LATENCY) / CONCURRENCY;

// 2. The same kind of rows, one curl after another (what partners do today).
const bodies = path.join(dir, 'bodies.ndjson');
writeFileSync(
  bodies,
  Array.from({ length: CURL_ROWS }, (_, i) =>
    JSON.stringify({
      companyName: `Curl ${i}`,
      customerReference: `CURL-${i}`,
      assetsDomains: [`c${i}.example`],
      alertRecipients: ['ops@c.example'],
      price: 10,
      currencyCode: 'USD',
      billedFromDate: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  ).join('\n') + '\n',
);
const loop = `while IFS= read -r body; do curl -s -o /dev/null -X POST "$URL/api/v1/integrations/customer/onboard" -H "Content-Type: application/json" -H "SW-PARTNER-ID: $PID_" -H "SW-API-KEY: $KEY" -d "$body"; done < "${bodies}"`;
const curl = timed('bash', ['-c', loop], {
  env: { ...process.env, URL: slow.url, PID_: slow.partnerId, KEY: slow.apiKey },
});
const curlScaled = (curl.ms / CURL_ROWS) * ROWS;
slow.stop();

// 3. Peak memory for a large file, against a sandbox with no latency.
const fast = await startSandboxProcess();
const big = path.join(dir, 'big.csv');
writeFileSync(big, csvRows(MEMORY_ROWS, 'MEM'));
const mem = timed(
  '/usr/bin/time',
  [
    '-f',
    '%M',
    node,
    bin,
    'customer',
    'onboard',
    '--file',
    big,
    '--concurrency',
    '32',
    '--json',
    '--results',
    path.join(dir, 'mem.ndjson'),
  ],
  { env: envFor(fast, path.join(dir, 'cfg2')) },
);
const memSummary = JSON.parse(mem.stdout);
if (memSummary.ok !== MEMORY_ROWS)
  throw new Error(`expected ${MEMORY_ROWS} ok rows, got ${JSON.stringify(memSummary)}`);
const peakMb = Number(mem.stderr.trim().split('\n').at(-1)) / 1024;
fast.stop();
rmSync(dir, { recursive: true, force: true });

const result = {
  rows: ROWS,
  latencyMs: LATENCY,
  concurrency: CONCURRENCY,
  wallMs: Math.round(run.ms),
  idealMs: Math.round(ideal),
  ratioToIdeal: run.ms / ideal,
  curlLoop: { rowsTimed: CURL_ROWS, msPerRow: curl.ms / CURL_ROWS, scaledMs: Math.round(curlScaled) },
  speedupOverCurl: curlScaled / run.ms,
  memory: { rows: MEMORY_ROWS, wallMs: Math.round(mem.ms), peakRssMb: Math.round(peakMb) },
};
console.log(`Bulk onboarding, ${ROWS} rows at ${LATENCY} ms latency, concurrency ${CONCURRENCY}:`);
console.log(
  `  wall ${(run.ms / 1000).toFixed(2)} s vs ideal ${(ideal / 1000).toFixed(2)} s: ${result.ratioToIdeal.toFixed(2)}× (target ≤ 1.2×) ${result.ratioToIdeal <= 1.2 ? 'ok' : 'OVER'}`,
);
console.log(
  `  sequential curl loop: ${(curl.ms / CURL_ROWS).toFixed(1)} ms/row (timed on ${CURL_ROWS} rows) → ${(curlScaled / 1000).toFixed(1)} s for ${ROWS}; safeweb is ${result.speedupOverCurl.toFixed(1)}× faster`,
);
console.log(
  `Memory: ${MEMORY_ROWS} rows in ${(mem.ms / 1000).toFixed(1)} s, peak RSS ${Math.round(peakMb)} MB (target < 150 MB) ${peakMb < 150 ? 'ok' : 'OVER'}`,
);
writeResult('bulk', result);
