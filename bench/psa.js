#!/usr/bin/env node
// PSA ticket sync benchmark (not a test; issues 29 and 32, "Speed and reliability"): `psa sync
// --include-existing --max-creates 2000` of a book of 500 customers with 4 unresolved breaches
// each (2 000 new findings, so 2 000 tickets) to each PSA emulator at 100 ms latency, SafeWeb at
// 0 ms; then the same sync again, with nothing new. ConnectWise and HaloPSA at concurrency 8; Autotask
// at the 3 requests in flight it allows an integration (--concurrency 8 is capped to 3), with
// --max-per-hour set by the benchmark (the first sync alone is ~4 000 requests, past the default
// budget of 3 000). Halo's requests include its one token request a run.
//
// The floor is what the PSA's latency alone costs: PSA requests × latency ÷ concurrency, the
// requests counted by the emulator (`/__emulator/state`, by operation). Targets: wall time
// within 1.15× the floor; at most 2 PSA requests per new ticket (its lookup by key and its
// create); the second sync at most one paged query per 100 open tickets, plus the plan's lists
// (companies, board, statuses, priorities) — two-way needs nothing more when nothing changed.
//
// The book's addresses are picked with the sandbox's own breach rules (src/sandbox/breach-rules.ts,
// compiled here with esbuild): role addresses `pwned<n>@` at a domain of each customer, taken while
// they add breaches without passing 4. Domains are under `.test`, which expose nothing of their own.
// The customers have no company of their own in the emulator (its companies are made at its start,
// from the sandbox's seed): every ticket goes to the fallback company, which costs no request.
//
// Each repetition has a fresh sandbox and emulator; the wall times are medians, and each run's load
// average is shown beside it (the machine is often shared: the load, not the tool, can be what is over
// the floor). Each timed sync runs with bench/psa-trace.js, which notes when its requests start and
// end: the result says where the time went (before the first ticket, the tickets, after), how many
// PSA requests were in flight on average during the tickets, and how long a worker sat between a
// create's answer and its next request.
// Usage: node bench/psa.js [--customers 500] [--breaches 4] [--latency 100] [--concurrency 8] [--repeat 3]
//          [--psa connectwise|autotask|halo|both|all] [--cpu-prof DIR]   (both: ConnectWise and Autotask; all, the default: the three)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { bin, envFor, median, node, numberArg, root, startSandboxProcess, timed, writeResult } from './lib.js';

const CUSTOMERS = numberArg('--customers', 500);
const BREACHES = numberArg('--breaches', 4);
const LATENCY = numberArg('--latency', 100);
const CONCURRENCY = numberArg('--concurrency', 8);
const REPEAT = numberArg('--repeat', 3);
const which = process.argv.includes('--psa') ? process.argv[process.argv.indexOf('--psa') + 1] : 'all';
const KINDS =
  which === 'all' ? ['connectwise', 'autotask', 'halo'] : which === 'both' ? ['connectwise', 'autotask'] : [which];
const profDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const TARGET_RATIO = 1.15;
const TARGET_PER_TICKET = 2;
const PAGE = 100; // the issue's "one paged query per 100 open tickets"
/** Loaded into each timed sync: when its requests start and end (bench/psa-trace.js). */
const TRACE = fileURLToPath(new URL('psa-trace.js', import.meta.url));

/** breachesForEmail from the sandbox's source, as the sandbox runs it. */
async function breachRules() {
  const out = await build({
    entryPoints: [path.join(root, 'src/sandbox/breach-rules.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

/** The onboarding CSV: each customer's addresses give exactly `breaches` breaches. */
function book(breachesForEmail, customers, breaches) {
  const rows = [
    'companyName,customerReference,assetsDomains,assetsEmails,alertRecipients,price,currencyCode,billedFromDate',
  ];
  let findings = 0;
  for (let i = 1; i <= customers; i++) {
    const domain = `c${i}.psa-bench.test`;
    const names = new Set();
    const emails = [];
    for (let n = 0; names.size < breaches && n < 200; n++) {
      const email = `pwned${n}@${domain}`;
      const added = breachesForEmail(email)
        .map((b) => b.name)
        .filter((b) => !names.has(b));
      if (added.length === 0 || names.size + added.length > breaches) continue;
      for (const b of added) names.add(b);
      emails.push(email);
    }
    findings += names.size;
    rows.push(`PSA Bench ${i},PSAB-${i},${domain},${emails.join(';')},ops@${domain},10,USD,now+1d`);
  }
  return { csv: `${rows.join('\n')}\n`, findings };
}

/**
 * The emulator's state, on a connection of its own: with fetch's pool, a socket kept alive to the
 * previous kind's emulator (gone) could be taken for this one when the OS gives it the same port.
 */
function emulatorState(url) {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/__emulator/state`, { agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(text))
            : reject(new Error(`/__emulator/state answered ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

/**
 * The requests between two counts, by operation; and, where the emulator sums it (ConnectWise's
 * `answeredMs`: each request's arrival to its answer's end), the latency it actually served.
 */
function delta(before, after) {
  const ops = {};
  for (const [op, n] of Object.entries(after.byOperation)) {
    const d = n - (before.byOperation[op] ?? 0);
    if (d) ops[op] = d;
  }
  const served = after.answeredMs === undefined ? {} : { answeredMs: after.answeredMs - before.answeredMs };
  return { total: after.total - before.total, byOperation: ops, ...served };
}

/**
 * What differs per PSA: how a connection is added, how many requests are in flight, and which
 * operations are the lookups, creates and pages of owned tickets (as the emulator counts them).
 */
const PSAS = {
  connectwise: {
    name: 'ConnectWise',
    result: 'psa',
    inFlight: (concurrency) => concurrency,
    page: 1000,
    extraSync: [],
    add(psa, dir) {
      const keyFile = path.join(dir, 'cw-key');
      writeFileSync(keyFile, `${psa.privateKey}\n`, { mode: 0o600 });
      return [
        'connectwise',
        'cw',
        '--site',
        psa.url,
        '--company',
        psa.companyId,
        '--public-key',
        psa.publicKey,
        '--client-id',
        psa.clientId,
        '--private-key-file',
        keyFile,
        '--board',
        'Security',
        '--new-status',
        'New',
        '--closed-status',
        'Completed',
      ];
    },
    // The plan's query of owned tickets and every lookup by key are the same operation.
    lookups: (ops) => (ops['GET /service/tickets'] ?? 0) - 1,
    creates: (ops) => ops['POST /service/tickets'] ?? 0,
    createPath: '/service/tickets',
    ownedPages: (ops) => ops['GET /service/tickets'] ?? 0,
    ownedOps: ['GET /service/tickets'],
  },
  autotask: {
    name: 'Autotask',
    result: 'psa-autotask',
    inFlight: (concurrency) => Math.min(concurrency, 3),
    page: 500,
    // Every request of this run counts against the hourly budget: the benchmark sets one that holds it.
    extraSync: ['--max-per-hour', '10000'],
    add(psa, dir) {
      const secretFile = path.join(dir, 'at-secret');
      const codeFile = path.join(dir, 'at-code');
      writeFileSync(secretFile, `${psa.secret}\n`, { mode: 0o600 });
      writeFileSync(codeFile, `${psa.integrationCode}\n`, { mode: 0o600 });
      return [
        'autotask',
        'at',
        '--username',
        psa.username,
        '--zone-url',
        psa.zoneUrl,
        '--secret-file',
        secretFile,
        '--integration-code-file',
        codeFile,
        '--queue',
        'Security',
      ];
    },
    // A lookup by key is a POST query; the owned tickets are one POST query and a GET per further page.
    lookups: (ops) => (ops['POST /Tickets/query'] ?? 0) - 1,
    creates: (ops) => ops['POST /Tickets'] ?? 0,
    createPath: '/tickets',
    ownedPages: (ops) => (ops['POST /Tickets/query'] ?? 0) + (ops['GET /Tickets/query'] ?? 0),
    ownedOps: ['POST /Tickets/query', 'GET /Tickets/query'],
  },
  halo: {
    name: 'HaloPSA',
    result: 'psa-halo',
    inFlight: (concurrency) => concurrency,
    page: 100,
    extraSync: [],
    add(psa, dir) {
      const secretFile = path.join(dir, 'halo-secret');
      writeFileSync(secretFile, `${psa.clientSecret}\n`, { mode: 0o600 });
      return [
        'halo',
        'halo',
        '--tenant',
        psa.url,
        '--client-id',
        psa.clientId,
        '--secret-file',
        secretFile,
        '--ticket-type',
        'Security Alert',
        '--new-status',
        'New',
        '--closed-status',
        'Closed',
      ];
    },
    // The plan's query of owned tickets (by the tag's number) and every lookup by key are the same operation.
    lookups: (ops) => (ops['GET /Tickets'] ?? 0) - 1,
    creates: (ops) => ops['POST /Tickets'] ?? 0,
    createPath: '/tickets',
    ownedPages: (ops) => ops['GET /Tickets'] ?? 0,
    ownedOps: ['GET /Tickets'],
  },
};

/**
 * Where a sync's time went, from the trace bench/psa-trace.js wrote: the part before the first
 * ticket (start-up, the plan's reads, the book read from SafeWeb, the plan), the tickets, and the
 * end; during the tickets, how many PSA requests were in flight on average, how long each took as
 * the client saw it, and how long a worker sat between an answer and its next request: after a
 * lookup (before its create: nothing on disk or a lock should hold it) and after a create.
 */
function traceStats(file, psaHost, createPath) {
  const { exitAt, requests } = JSON.parse(readFileSync(file, 'utf8'));
  const psa = requests.filter((r) => r.host === psaHost);
  const safeweb = requests.filter((r) => r.host !== psaHost);
  const bookEnd = Math.max(0, ...safeweb.map((r) => r.end));
  // The tickets begin with the first PSA request after the book was read.
  const rows = psa.filter((r) => r.start >= bookEnd);
  if (rows.length === 0)
    throw new Error(`${file}: no PSA request traced (does the tool still send through node:http's request?)`);
  const rowsStart = Math.min(...rows.map((r) => r.start));
  const rowsEnd = Math.max(...rows.map((r) => r.end));
  const busy = rows.reduce((sum, r) => sum + (r.end - r.start), 0);
  const creates = rows.filter((r) => r.method === 'POST' && r.path.toLowerCase().endsWith(createPath));
  const lookups = rows.filter((r) => !creates.includes(r));
  return {
    beforeTicketsMs: Math.round(rowsStart),
    ticketsMs: Math.round(rowsEnd - rowsStart),
    afterTicketsMs: Math.round(exitAt - rowsEnd),
    ticketRequests: rows.length,
    meanRequestMs: busy / rows.length,
    averageInFlight: busy / (rowsEnd - rowsStart),
    lookupToCreateMs: turnarounds(lookups, creates),
    createToNextRequestMs: turnarounds(creates, lookups),
  };
}

/**
 * How long after an answer of `from` a request of `to` started: each start matched to the earliest
 * answer not yet matched (a worker's turn-around, whichever worker it was).
 */
function turnarounds(from, to) {
  const ends = from.map((r) => r.end).sort((a, b) => a - b);
  const gaps = [];
  for (const start of to.map((r) => r.start).sort((a, b) => a - b))
    if (gaps.length < ends.length && ends[gaps.length] <= start) gaps.push(start - ends[gaps.length]);
  gaps.sort((a, b) => a - b);
  return {
    mean: gaps.reduce((a, b) => a + b, 0) / (gaps.length || 1),
    p50: gaps[Math.floor(gaps.length / 2)] ?? 0,
    p99: gaps[Math.floor(gaps.length * 0.99)] ?? 0,
  };
}

const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));

/** One fresh sandbox and emulator: onboard the book, connect, time the first sync and a second with nothing new. */
async function repetition(kind, rep, csv, findings) {
  const psaKind = PSAS[kind];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-psa-'));
  const sandbox = await startSandboxProcess(['--psa', kind, '--psa-latency', String(LATENCY)]);
  // A profile rather than SAFEWEB_* variables: `psa add` keeps the private key in the profile's secrets.
  const env = envFor(sandbox, path.join(dir, 'cfg'));
  for (const name of ['SAFEWEB_BASE_URL', 'SAFEWEB_PARTNER_ID', 'SAFEWEB_API_KEY']) delete env[name];
  try {
    timed(
      node,
      [bin, 'profile', 'add', 'bench', '--base-url', sandbox.url, '--partner-id', sandbox.partnerId, '--api-key-stdin'],
      { env, input: sandbox.apiKey, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const csvFile = path.join(dir, 'book.csv');
    writeFileSync(csvFile, csv);
    const onboarded = JSON.parse(
      timed(node, [bin, 'customer', 'onboard', '--file', csvFile, '--concurrency', '32', '--json'], { env }).stdout,
    );
    if (onboarded.ok !== CUSTOMERS) throw new Error(`onboarding the book: ${JSON.stringify(onboarded)}`);

    // The policy as `psa add` takes it off a terminal; its names are checked against the emulator's live lists.
    timed(node, [bin, 'psa', 'add', ...psaKind.add(sandbox.psa, dir), '--fallback-company', 'ContosoMSP'], { env });

    const sync = [
      'psa',
      'sync',
      '--include-existing',
      '--max-creates',
      '2000',
      '--concurrency',
      String(CONCURRENCY),
      ...psaKind.extraSync,
    ];
    const run = (name) => {
      const prof = profDir
        ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${psaKind.result}-${name}-${rep}.cpuprofile`]
        : [];
      const trace = path.join(dir, `trace-${name}.json`);
      const loadBefore = load();
      const r = timed(node, ['--import', TRACE, ...prof, bin, ...sync, '--yes', '--json'], {
        env: { ...env, SAFEWEB_BENCH_TRACE: trace },
      });
      return { ...r, trace, load: [loadBefore, load()] };
    };

    const start = (await emulatorState(sandbox.psa.url)).requests;
    const first = run('first');
    const afterFirst = await emulatorState(sandbox.psa.url);
    const summary = JSON.parse(first.stdout);
    if (summary.created !== findings || afterFirst.tickets.length !== findings)
      throw new Error(`expected ${findings} tickets, got ${JSON.stringify(summary)}`);

    const second = run('second');
    const afterSecond = await emulatorState(sandbox.psa.url);
    const quiet = JSON.parse(second.stdout);
    if (quiet.planned !== 0 || afterSecond.tickets.length !== findings)
      throw new Error(`the second sync had work to do: ${JSON.stringify(quiet)}`);
    const psaHost = new URL(sandbox.psa.url).host;
    return {
      first: {
        ms: first.ms,
        load: first.load,
        requests: delta(start, afterFirst.requests),
        summary,
        trace: traceStats(first.trace, psaHost, psaKind.createPath),
      },
      second: { ms: second.ms, load: second.load, requests: delta(afterFirst.requests, afterSecond.requests) },
    };
  } finally {
    sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bench(kind, csv, findings) {
  const psaKind = PSAS[kind];
  const inFlight = psaKind.inFlight(CONCURRENCY);
  const runs = [];
  for (let rep = 0; rep < REPEAT; rep++) {
    const r = await repetition(kind, rep, csv, findings);
    const floor = (r.first.requests.total * LATENCY) / inFlight;
    console.log(
      `  ${psaKind.name} run ${rep + 1}/${REPEAT}: ${(r.first.ms / 1000).toFixed(2)} s, ${(r.first.ms / floor).toFixed(3)}× ` +
        `(load ${r.first.load[0].join(' ')} → ${r.first.load[1].join(' ')})`,
    );
    runs.push(r);
  }
  // The requests are the same in every repetition (the emulator counts them); the times are medians.
  const firstRequests = runs[0].first.requests;
  const secondRequests = runs[0].second.requests;
  const summary = runs[0].first.summary;
  const wallMs = median(runs.map((r) => r.first.ms));
  // The floor: the PSA's latency alone, at the requests in flight the PSA allows.
  const floorMs = (firstRequests.total * LATENCY) / inFlight;
  const ratio = wallMs / floorMs;
  const ops = firstRequests.byOperation;
  const lookups = psaKind.lookups(ops); // the first run's plan read one (empty) page of owned tickets
  const creates = psaKind.creates(ops);
  const perTicket = (lookups + creates) / findings;
  const ownedPages = Math.ceil(findings / psaKind.page); // the plan's paged query of the owned tickets
  const secondPages = psaKind.ownedPages(secondRequests.byOperation);
  const secondOther = secondRequests.total - secondPages;
  const allowedPages = Math.ceil(findings / PAGE);
  const traced = (pick) => median(runs.map((r) => pick(r.first.trace)));
  const result = {
    customers: CUSTOMERS,
    findings,
    psa: kind,
    latencyMs: LATENCY,
    concurrency: CONCURRENCY,
    inFlight,
    repeat: REPEAT,
    cpus: os.cpus().length,
    loadAverage: os.loadavg(),
    first: {
      wallMs: Math.round(wallMs),
      floorMs: Math.round(floorMs),
      ratioToFloor: ratio,
      samples: runs.map((r) => ({
        wallMs: Math.round(r.first.ms),
        ratioToFloor: r.first.ms / floorMs,
        loadBefore: r.first.load[0],
        loadAfter: r.first.load[1],
        trace: r.first.trace,
      })),
      // Medians over the runs of where the time went (bench/psa-trace.js).
      beforeTicketsMs: Math.round(traced((t) => t.beforeTicketsMs)),
      ticketsMs: Math.round(traced((t) => t.ticketsMs)),
      afterTicketsMs: Math.round(traced((t) => t.afterTicketsMs)),
      meanRequestMs: traced((t) => t.meanRequestMs),
      // The emulator's own time per request (ConnectWise's only): what the machine's load added there.
      servedRequestMs:
        firstRequests.answeredMs === undefined
          ? null
          : median(runs.map((r) => r.first.requests.answeredMs / r.first.requests.total)),
      averageInFlight: traced((t) => t.averageInFlight),
      lookupToCreateMs: traced((t) => t.lookupToCreateMs.mean),
      createToNextRequestMs: traced((t) => t.createToNextRequestMs.mean),
      psaRequests: firstRequests,
      lookups,
      creates,
      requestsPerNewTicket: perTicket,
      allRequestsPerNewTicket: firstRequests.total / findings,
      summary: { created: summary.created, foundByKey: summary.foundByKey, failed: summary.failed },
    },
    second: {
      wallMs: Math.round(median(runs.map((r) => r.second.ms))),
      samplesMs: runs.map((r) => Math.round(r.second.ms)),
      psaRequests: secondRequests,
      ticketPages: secondPages,
      allowedTicketPages: allowedPages,
      ownedTicketPages: ownedPages,
      planLists: secondOther,
    },
  };
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const f = result.first;
  console.log(
    `psa sync, ${findings} new findings across ${CUSTOMERS} customers, ${psaKind.name} emulator at ${LATENCY} ms, ` +
      `concurrency ${CONCURRENCY}, ${inFlight} in flight, median of ${REPEAT} (${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}):`,
  );
  console.log(
    `  first sync ${s(wallMs)} vs floor ${s(floorMs)} (${firstRequests.total} PSA requests × ${LATENCY} ms ÷ ` +
      `${inFlight}): ${ratio.toFixed(3)}× (target ≤ ${TARGET_RATIO}×) ${ratio <= TARGET_RATIO ? 'ok' : 'OVER'}; ` +
      `samples ${f.samples.map((x) => `${x.ratioToFloor.toFixed(3)}×`).join(', ')}`,
  );
  console.log(
    `  where: ${s(f.beforeTicketsMs)} before the first ticket, ${s(f.ticketsMs)} of tickets, ${s(f.afterTicketsMs)} after; ` +
      `during the tickets ${f.averageInFlight.toFixed(2)} requests in flight on average, ${f.meanRequestMs.toFixed(1)} ms ` +
      `a request as the client saw it${f.servedRequestMs === null ? '' : ` (${f.servedRequestMs.toFixed(1)} ms as the emulator served it)`}, ` +
      `${f.lookupToCreateMs.toFixed(2)} ms from a lookup's answer to its create, ` +
      `${f.createToNextRequestMs.toFixed(2)} ms from a create's answer to the next request`,
  );
  console.log(
    `  PSA requests per new ticket: ${perTicket.toFixed(3)} (${lookups} lookups + ${result.first.creates} creates; ` +
      `target ≤ ${TARGET_PER_TICKET}) ${perTicket <= TARGET_PER_TICKET ? 'ok' : 'OVER'}; with the plan's reads ` +
      `${result.first.allRequestsPerNewTicket.toFixed(3)}`,
  );
  console.log(
    `  second sync, nothing new: ${s(result.second.wallMs)}, ${secondRequests.total} PSA requests: ${secondPages} pages of ` +
      `owned tickets (target ≤ ${allowedPages}: one per ${PAGE} open tickets) ${secondPages <= allowedPages ? 'ok' : 'OVER'} ` +
      `+ ${secondOther} for the plan's lists (${Object.keys(secondRequests.byOperation)
        .filter((op) => !psaKind.ownedOps.includes(op))
        .join(', ')})`,
  );
  writeResult(psaKind.result, result);
}

for (const kind of KINDS) if (!PSAS[kind]) throw new Error(`--psa ${kind}: connectwise, autotask, halo, both or all`);
const { breachesForEmail } = await breachRules();
const { csv, findings } = book(breachesForEmail, CUSTOMERS, BREACHES);
for (const kind of KINDS) await bench(kind, csv, findings);
