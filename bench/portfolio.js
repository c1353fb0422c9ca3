#!/usr/bin/env node
// Portfolio benchmark (not a test): `safeweb portfolio status` over a book of customers against a
// sandbox with latency, compared with its ideal (customers × requests per customer × latency ÷
// concurrency) and with a bare ky loop sending the same reads (this file run with --bare: three
// GETs per customer one after another, the same concurrency, nothing else). Each repetition runs
// both, alternating which goes first; medians are reported. The book is onboarded once, through
// the CLI, so the sandbox's breach rules give it varied breaches as a real one has.
// Usage: node bench/portfolio.js [--customers 500] [--repeat 3]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, csvRows, envFor, median, node, numberArg, startSandboxProcess, timed, writeResult } from './lib.js';

const REQUESTS_PER_CUSTOMER = 3; // threat score, breaches, assets

if (process.argv[2] === '--bare') await bareLoop(process.argv.slice(3));
else await bench();

/** The bare loop: node bench/portfolio.js --bare BASE_URL PARTNER_ID API_KEY IDS_FILE CONCURRENCY. */
async function bareLoop([baseUrl, partnerId, apiKey, idsFile, concurrencyArg]) {
  const [{ default: ky }, { minimalFetch }] = await Promise.all([import('ky'), import('./bare-ky.js')]);
  const api = ky.create({ fetch: minimalFetch, headers: { 'SW-PARTNER-ID': partnerId, 'SW-API-KEY': apiKey } });
  const ids = JSON.parse(readFileSync(idsFile, 'utf8'));
  const base = `${baseUrl}/api/v1/integrations/customer`;
  const started = performance.now();
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: Number(concurrencyArg) }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        await api.get(`${base}/${id}/threat-score`).json();
        await api.get(`${base}/${id}/breaches`).json();
        await api.get(`${base}/${id}/assets`).json();
        ok++;
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ ok, ms: Math.round(performance.now() - started) })}\n`);
}

async function bench() {
  const CUSTOMERS = numberArg('--customers', 500);
  const REPEAT = numberArg('--repeat', 3);
  const LATENCY = 20;
  const CONCURRENCY = 16;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-portfolio-'));

  const sandbox = await startSandboxProcess(['--latency', String(LATENCY)]);
  const env = envFor(sandbox, path.join(dir, 'cfg'));
  try {
    const csv = path.join(dir, 'book.csv');
    writeFileSync(csv, csvRows(CUSTOMERS, 'BOOK'));
    const onboarded = JSON.parse(
      timed(node, [bin, 'customer', 'onboard', '--file', csv, '--concurrency', '32', '--json'], { env }).stdout,
    );
    if (onboarded.ok !== CUSTOMERS) throw new Error(`onboarding the book: ${JSON.stringify(onboarded)}`);
    const ids = JSON.parse(timed(node, [bin, 'customer', 'list', '--json'], { env }).stdout).map((c) => c.id);
    const idsFile = path.join(dir, 'ids.json');
    writeFileSync(idsFile, JSON.stringify(ids));

    const walls = { status: [], bare: [] };
    let bands;
    const status = () => {
      const run = timed(node, [bin, 'portfolio', 'status', '--json', '--concurrency', String(CONCURRENCY)], { env });
      const doc = JSON.parse(run.stdout);
      if (doc.summary.read !== CUSTOMERS)
        throw new Error(`expected ${CUSTOMERS} customers read, got ${JSON.stringify(doc.summary)}`);
      bands = doc.summary.byBand;
      walls.status.push(run.ms);
    };
    const bare = () => {
      const args = [sandbox.url, sandbox.partnerId, sandbox.apiKey, idsFile, CONCURRENCY].map(String);
      const run = timed(node, [
        path.join(path.dirname(new URL(import.meta.url).pathname), 'portfolio.js'),
        '--bare',
        ...args,
      ]);
      const summary = JSON.parse(run.stdout);
      if (summary.ok !== CUSTOMERS) throw new Error(`bare loop: expected ${CUSTOMERS} customers, got ${run.stdout}`);
      walls.bare.push(run.ms);
    };
    for (let rep = 0; rep < REPEAT; rep++) for (const step of rep % 2 === 0 ? [status, bare] : [bare, status]) step();

    const ideal = (CUSTOMERS * REQUESTS_PER_CUSTOMER * LATENCY) / CONCURRENCY;
    const wall = { status: median(walls.status), bare: median(walls.bare) };
    const result = {
      customers: CUSTOMERS,
      requestsPerCustomer: REQUESTS_PER_CUSTOMER,
      latencyMs: LATENCY,
      concurrency: CONCURRENCY,
      repeat: REPEAT,
      cpus: os.cpus().length,
      loadAverage: os.loadavg(),
      book: bands,
      wallMs: Math.round(wall.status),
      bareKyLoopMs: Math.round(wall.bare),
      idealMs: Math.round(ideal),
      samplesMs: { status: walls.status.map(Math.round), bareKyLoop: walls.bare.map(Math.round) },
      ratioToIdeal: wall.status / ideal,
      ratioToBareKyLoop: wall.status / wall.bare,
      bareKyLoopRatioToIdeal: wall.bare / ideal,
    };
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `portfolio status, ${CUSTOMERS} customers × ${REQUESTS_PER_CUSTOMER} reads at ${LATENCY} ms latency, concurrency ` +
        `${CONCURRENCY}, median of ${REPEAT} (${os.cpus().length} CPUs, load ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}):`,
    );
    console.log(
      `  safeweb ${s(wall.status)} vs ideal ${s(ideal)}: ${result.ratioToIdeal.toFixed(2)}× (target ≤ 1.3×) ` +
        `${result.ratioToIdeal <= 1.3 ? 'ok' : 'OVER'}`,
    );
    console.log(
      `  bare ky loop ${s(wall.bare)} (${result.bareKyLoopRatioToIdeal.toFixed(2)}× ideal); safeweb is ` +
        `${result.ratioToBareKyLoop.toFixed(2)}× the bare loop`,
    );
    writeResult('portfolio', result);
  } finally {
    sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
