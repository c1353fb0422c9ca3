#!/usr/bin/env node
// Bulk benchmarks (not tests): onboarding throughput against a sandbox with latency, compared
// with a bare ky loop (bench/bare-ky-bulk.js: the same requests through ky and a minimal
// node:http adapter, same concurrency, same sandbox, in the same run), with the ideal
// (rows × latency ÷ concurrency) and with a sequential curl loop; and peak memory for 100 000
// rows. Each repetition gets a fresh sandbox and runs both loops, alternating which goes first;
// medians are reported. Usage: node bench/bulk.js [--rows 5000] [--repeat 3]
// [--memory-rows 100000] [--curl-rows 500] (the curl loop is timed on --curl-rows rows and
// scaled to --rows).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, csvRows, envFor, median, node, numberArg, root, startSandboxProcess, timed, writeResult } from './lib.js';

const ROWS = numberArg('--rows', 5000);
const REPEAT = numberArg('--repeat', 3);
const MEMORY_ROWS = numberArg('--memory-rows', 100_000);
const CURL_ROWS = Math.min(numberArg('--curl-rows', 500), ROWS);
const LATENCY = 20;
const CONCURRENCY = 16;
const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-bulk-'));

// 1. Throughput at 20 ms latency, concurrency 16: safeweb (local record and results journal
// written as usual) and the bare ky loop, each as its own process, timed from start to exit.
const csv = path.join(dir, 'rows.csv');
writeFileSync(csv, csvRows(ROWS, 'BULK'));
const walls = { bulk: [], bareKy: [] };
for (let rep = 0; rep < REPEAT; rep++) {
  const sandbox = await startSandboxProcess(['--latency', String(LATENCY)]);
  const bulk = () => {
    const run = timed(
      node,
      [
        bin,
        'customer',
        'onboard',
        '--file',
        csv,
        '--concurrency',
        String(CONCURRENCY),
        '--results',
        path.join(dir, `results-${rep}.ndjson`),
        '--json',
      ],
      { env: envFor(sandbox, path.join(dir, `cfg-${rep}`)) },
    );
    const summary = JSON.parse(run.stdout);
    if (summary.ok !== ROWS) throw new Error(`expected ${ROWS} ok rows, got ${JSON.stringify(summary)}`);
    walls.bulk.push(run.ms);
  };
  const bare = () => {
    const args = [sandbox.url, sandbox.partnerId, sandbox.apiKey, ROWS, CONCURRENCY, `BARE${rep}`].map(String);
    const run = timed(node, [path.join(root, 'bench/bare-ky-bulk.js'), ...args]);
    const summary = JSON.parse(run.stdout);
    if (summary.ok !== ROWS) throw new Error(`bare ky loop: expected ${ROWS} ok rows, got ${run.stdout}`);
    walls.bareKy.push(run.ms);
  };
  for (const step of rep % 2 === 0 ? [bulk, bare] : [bare, bulk]) step();
  sandbox.stop();
}
const ideal = (ROWS * LATENCY) / CONCURRENCY;
const wall = { bulk: median(walls.bulk), bareKy: median(walls.bareKy) };

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
const loop =
  'while IFS= read -r body; do curl -s -o /dev/null -X POST "$URL/api/v1/integrations/customer/onboard" ' +
  '-H "Content-Type: application/json" -H "SW-PARTNER-ID: $PID_" -H "SW-API-KEY: $KEY" -d "$body"; ' +
  `done < "${bodies}"`;
const slow = await startSandboxProcess(['--latency', String(LATENCY)]);
const curl = timed('bash', ['-c', loop], {
  env: { ...process.env, URL: slow.url, PID_: slow.partnerId, KEY: slow.apiKey },
});
const curlScaled = (curl.ms / CURL_ROWS) * ROWS;
slow.stop();

// 3. Peak memory for a large file, against a sandbox with no latency (--memory-rows 0 skips it).
async function memoryRun() {
  const sandbox = await startSandboxProcess();
  const big = path.join(dir, 'big.csv');
  writeFileSync(big, csvRows(MEMORY_ROWS, 'MEM'));
  const argv = ['customer', 'onboard', '--file', big, '--concurrency', '32', '--json'];
  const run = timed('/usr/bin/time', ['-f', '%M', node, bin, ...argv, '--results', path.join(dir, 'mem.ndjson')], {
    env: envFor(sandbox, path.join(dir, 'cfg-mem')),
  });
  sandbox.stop();
  const summary = JSON.parse(run.stdout);
  if (summary.ok !== MEMORY_ROWS) throw new Error(`expected ${MEMORY_ROWS} ok rows, got ${JSON.stringify(summary)}`);
  return { ms: run.ms, peakMb: Number(run.stderr.trim().split('\n').at(-1)) / 1024 };
}
const mem = MEMORY_ROWS ? await memoryRun() : undefined;
rmSync(dir, { recursive: true, force: true });

const result = {
  rows: ROWS,
  latencyMs: LATENCY,
  concurrency: CONCURRENCY,
  repeat: REPEAT,
  cpus: os.cpus().length,
  loadAverage: os.loadavg(),
  wallMs: Math.round(wall.bulk),
  bareKyLoopMs: Math.round(wall.bareKy),
  idealMs: Math.round(ideal),
  samplesMs: { bulk: walls.bulk.map(Math.round), bareKyLoop: walls.bareKy.map(Math.round) },
  ratioToBareKyLoop: wall.bulk / wall.bareKy,
  ratioToIdeal: wall.bulk / ideal,
  bareKyLoopRatioToIdeal: wall.bareKy / ideal,
  curlLoop: { rowsTimed: CURL_ROWS, msPerRow: curl.ms / CURL_ROWS, scaledMs: Math.round(curlScaled) },
  speedupOverCurl: curlScaled / wall.bulk,
  memory: mem && { rows: MEMORY_ROWS, wallMs: Math.round(mem.ms), peakRssMb: Math.round(mem.peakMb) },
};
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `Bulk onboarding, ${ROWS} rows at ${LATENCY} ms latency, concurrency ${CONCURRENCY}, median of ${REPEAT} ` +
    `(${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}):`,
);
console.log(
  `  safeweb ${s(wall.bulk)} vs bare ky loop ${s(wall.bareKy)}: ${result.ratioToBareKyLoop.toFixed(3)}× ` +
    `(target ≤ 1.05×) ${result.ratioToBareKyLoop <= 1.05 ? 'ok' : 'OVER'}`,
);
console.log(
  `  vs ideal ${s(ideal)}: safeweb ${result.ratioToIdeal.toFixed(2)}×, ` +
    `bare ky loop ${result.bareKyLoopRatioToIdeal.toFixed(2)}×`,
);
console.log(
  `  sequential curl loop: ${(curl.ms / CURL_ROWS).toFixed(1)} ms/row (timed on ${CURL_ROWS} rows) → ` +
    `${(curlScaled / 1000).toFixed(1)} s for ${ROWS}; safeweb is ${result.speedupOverCurl.toFixed(1)}× faster`,
);
if (mem)
  console.log(
    `Memory: ${MEMORY_ROWS} rows in ${(mem.ms / 1000).toFixed(1)} s, peak RSS ${Math.round(mem.peakMb)} MB ` +
      `(target < 150 MB) ${mem.peakMb < 150 ? 'ok' : 'OVER'}`,
  );
writeResult('bulk', result);
