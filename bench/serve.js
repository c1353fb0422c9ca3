#!/usr/bin/env node
// `safeweb serve` against a bare node:http handler (bench/bare-serve.js) that verifies the same
// signature and appends the same bytes with the same fsync policy (issue 31, "Speed"). A load
// generator sends uniquely signed v1 deliveries (each a new breach, kept in the outbox for a
// notification route, an hourly digest) over keep-alive connections, the two receivers
// interleaved in one run:
//
// - throughput at saturation: --deliveries at --concurrency, median of --runs runs each;
//   target: serve >= 0.8x the bare handler;
// - p99 acknowledgement latency at a fixed open-loop rate of half the bare handler's maximum,
//   for --seconds, median of the runs; target: serve <= 1.25x the bare handler.
//
// Each run starts each receiver fresh (a new config directory and journal), so a run never reads
// what the one before it wrote. Run it alone: the machine's other work shows in the figures.
// The wall-clock figures swing with whatever else the machine runs; beside them, each receiver's CPU
// time per delivery in the measured phase (user + system, from /proc/PID/stat: Linux only), which
// does not, and the load average at the start and the end.
// --rate N fixes the open-loop rate instead (to see the latencies at a rate both can sustain).
// Usage: node bench/serve.js [--deliveries 3000] [--concurrency 32] [--runs 5] [--seconds 5] [--rate N]
//                            [--warm-up 3000] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin, node, numberArg, writeResult } from './lib.js';

const DELIVERIES = numberArg('--deliveries', 3000);
const CONCURRENCY = numberArg('--concurrency', 32);
const RUNS = numberArg('--runs', 5);
const SECONDS = numberArg('--seconds', 5);
const WARM_UP = numberArg('--warm-up', 3000);
const profDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const bare = fileURLToPath(new URL('./bare-serve.js', import.meta.url));
const secret = 'bench-org-secret-0000';
const hmac = (data) => createHmac('sha256', secret).update(data).digest('hex');
const PARTNER = 'bench';
const BASE = 'http://127.0.0.1:9';

/** --cpu-prof: each receiver's profile in DIR, named by its kind and the time it started. */
const profile = (kind) =>
  profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${kind}-${Date.now()}.cpuprofile`] : [];

/** A fresh receiver in a child process; resolves with its URL and a stop(). */
async function start(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `safeweb-bench-serve-${kind}-`));
  const secretFile = path.join(dir, 'org.secret');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  let child;
  if (kind === 'serve') {
    // One notification route, so every event is kept in the outbox for a sink: an hourly digest, so
    // nothing leaves during the run (each event is kept waiting for the window's end, in its own
    // journal line: digestHold), and the router's passes still run after every burst.
    mkdirSync(path.join(dir, 'integrations'), { mode: 0o700 });
    writeFileSync(
      path.join(dir, 'integrations', `${PARTNER}@127.0.0.1_9.yaml`),
      'notify:\n  channels:\n    ops: { kind: webhook, url: "https://hooks.example.com/x" }\n' +
        '  routes:\n    - { channels: [ops], digest: 1h }\n',
    );
    const env = {
      ...process.env,
      SAFEWEB_CONFIG_DIR: dir,
      SAFEWEB_PARTNER_ID: PARTNER,
      SAFEWEB_API_KEY: 'k',
      SAFEWEB_BASE_URL: BASE,
      NO_COLOR: '1',
    };
    delete env.SAFEWEB_PROFILE;
    child = spawn(
      node,
      [...profile(kind), bin, 'serve', '--port', '0', '--secret-file', secretFile, '--reconcile', '60m'],
      {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } else
    child = spawn(node, [...profile(kind), bare, secretFile, path.join(dir, 'journal.ndjson')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (c) => {
      text += c;
      const m = /on (http:\/\/127\.0\.0\.1:\d+\/\S*?)[ \n(]/.exec(text);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`${kind} did not start:\n${text}`)));
  });
  return {
    url,
    /** The child's CPU time so far (user + system), in ms; NaN where /proc is not there. */
    cpuMs: () => cpuMs(child.pid),
    async stop() {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** User + system CPU time of process `pid` in ms (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms). */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** One signed v1 delivery of a new breach; resolves with its acknowledgement time (ms). */
function deliver(url, agent) {
  const body = JSON.stringify({
    idempotencyToken: randomUUID(),
    type: 'customer.breach.found',
    data: {
      customer: { uuid: '6f1c3b5e-0000-4000-8000-000000000001', name: 'Acme', reference: 'ACME-001' },
      breaches: [{ uuid: randomUUID(), name: 'Bench-2026', emails: ['user@acme.example'] }],
    },
    timestamp: Date.now(),
  });
  const token = randomUUID();
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'x-signature': hmac(body), 'x-token': token },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 && res.headers['x-signature'] === hmac(token)
            ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
            : reject(new Error(`answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Deliveries per second at saturation (closed loop, CONCURRENCY keep-alive connections). */
async function saturate(kind) {
  const receiver = await start(kind);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    // Warm-up, not measured: the connections opened, the code compiled. V8 goes on optimising a
    // receiver's hot functions (on its own threads, CPU the figures count) for a few thousand
    // deliveries; the more code a delivery runs through, the longer: WARM_UP of them first, so
    // the measured phase is the state a receiver spends its life in, for both receivers alike.
    let next = -WARM_UP;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < 0) await deliver(receiver.url, agent);
      }),
    );
    next = 0;
    const cpu0 = receiver.cpuMs();
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < DELIVERIES) await deliver(receiver.url, agent);
      }),
    );
    const perSecond = DELIVERIES / ((performance.now() - t0) / 1000);
    cpu[kind].push((receiver.cpuMs() - cpu0) / DELIVERIES);
    const own = process.cpuUsage(own0);
    sender[kind].push((own.user + own.system) / 1000 / DELIVERIES);
    return perSecond;
  } finally {
    agent.destroy();
    await receiver.stop();
  }
}

/** p99 acknowledgement time at `rate` deliveries per second, sent on schedule whatever the answers (open loop). */
async function openLoop(kind, rate) {
  const receiver = await start(kind);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  try {
    // Warm-up at the same rate, not measured: connections opened, code compiled (as for saturate).
    await schedule(receiver.url, agent, rate, Math.max(rate, WARM_UP));
    const times = (await schedule(receiver.url, agent, rate, Math.round(rate * SECONDS))).sort((a, b) => a - b);
    return times[Math.min(times.length - 1, Math.floor(0.99 * times.length))];
  } finally {
    agent.destroy();
    await receiver.stop();
  }
}

/** `total` deliveries at `rate` per second, on schedule; each one's time from when it was due to its answer. */
async function schedule(url, agent, rate, total) {
  const t0 = performance.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Latency from when it was due: a sender that fell behind counts against the receiver too.
    const lag = Math.max(0, performance.now() - due);
    pending.push(deliver(url, agent).then((ms) => ms + lag));
  }
  return Promise.all(pending);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = [os.loadavg()[0]];
const cpu = { serve: [], bare: [] };
/** The load generator's own CPU per delivery (it shares the two cores with the receiver). */
const sender = { serve: [], bare: [] };
const through = { serve: [], bare: [] };
for (let r = 0; r < RUNS; r++)
  for (const kind of r % 2 ? ['bare', 'serve'] : ['serve', 'bare']) through[kind].push(await saturate(kind));
const fixedRate = process.argv.includes('--rate');
const rate = numberArg('--rate', Math.round(median(through.bare) / 2));
const p99 = { serve: [], bare: [] };
for (let r = 0; r < RUNS; r++)
  for (const kind of r % 2 ? ['bare', 'serve'] : ['serve', 'bare']) p99[kind].push(await openLoop(kind, rate));

load.push(os.loadavg()[0]);
const cpuMedian = { serve: median(cpu.serve), bare: median(cpu.bare) };
const result = {
  loadAverage: { start: load[0], end: load[1] },
  cpuMsPerDelivery: { ...cpuMedian, ratio: cpuMedian.serve / cpuMedian.bare, runs: cpu },
  senderCpuMsPerDelivery: { serve: median(sender.serve), bare: median(sender.bare) },
  deliveries: DELIVERIES,
  warmUp: WARM_UP,
  concurrency: CONCURRENCY,
  runs: RUNS,
  throughput: { serve: Math.round(median(through.serve)), bare: Math.round(median(through.bare)), runs: through },
  ratio: median(through.serve) / median(through.bare),
  openLoop: { rate, seconds: SECONDS, p99Ms: { serve: median(p99.serve), bare: median(p99.bare) }, runs: p99 },
  p99Ratio: median(p99.serve) / median(p99.bare),
};
const ok = (b) => (b ? 'ok' : 'MISSED');
console.log(
  `serve: ${result.throughput.serve} deliveries/s vs bare ${result.throughput.bare} (${result.ratio.toFixed(2)}x; target >= 0.8x: ${ok(result.ratio >= 0.8)})\n` +
    `p99 at ${rate}/s: serve ${result.openLoop.p99Ms.serve.toFixed(1)} ms vs bare ${result.openLoop.p99Ms.bare.toFixed(1)} ms ` +
    `(${result.p99Ratio.toFixed(2)}x; ${fixedRate ? 'a rate given, not the target’s' : `target <= 1.25x: ${ok(result.p99Ratio <= 1.25)}`})\n` +
    `CPU per delivery at saturation: serve ${cpuMedian.serve.toFixed(3)} ms vs bare ${cpuMedian.bare.toFixed(3)} ms ` +
    `(${result.cpuMsPerDelivery.ratio.toFixed(2)}x; the sender's own ${result.senderCpuMsPerDelivery.serve.toFixed(3)} / ` +
    `${result.senderCpuMsPerDelivery.bare.toFixed(3)} ms); load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
);
writeResult(fixedRate ? `serve-at-${rate}` : 'serve', result);
