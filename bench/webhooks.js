#!/usr/bin/env node
// Webhook receiver benchmark (not a test): signed deliveries verified per second by
// `safeweb webhook listen`, and the p99 time to answer, from a local load generator.
// Usage: node bench/webhooks.js [--deliveries 5000] [--concurrency 32]
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { bin, node, numberArg, writeResult } from './lib.js';

const DELIVERIES = numberArg('--deliveries', 5000);
const CONCURRENCY = numberArg('--concurrency', 32);
const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-hooks-'));
const secret = 'bench-secret-0000-0000';
writeFileSync(path.join(dir, 's.secret'), `${secret}\n`, { mode: 0o600 });

const listener = spawn(
  node,
  [bin, 'webhook', 'listen', '--port', '0', '--json', '--secret-file', path.join(dir, 's.secret')],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
const url = await new Promise((resolve, reject) => {
  let text = '';
  listener.stderr.on('data', (c) => {
    text += c;
    const m = /on (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(text);
    if (m) resolve(m[1]);
  });
  listener.on('exit', () => reject(new Error('webhook listen did not start')));
});

// Each delivery is a new connection, as separate deliveries from SafeWeb would be.
const send = (i) =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify({
      event: 'breach.new',
      data: {
        customer_uuid: `c-${i}`,
        breaches_found: 1,
        new_breach_names: ['Adobe'],
        emails_scanned: 2,
        timestamp: new Date().toISOString(),
      },
      created_at: new Date().toISOString(),
    });
    const started = process.hrtime.bigint();
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-safeweb-event': 'breach.new',
          'x-safeweb-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
            : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

for (let i = 0; i < 200; i++) await send(-i); // warm-up
const latencies = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < DELIVERIES) latencies.push(await send(next++));
  }),
);
const wall = performance.now() - started;
listener.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const result = {
  deliveries: DELIVERIES,
  concurrency: CONCURRENCY,
  perSecond: Math.round(DELIVERIES / (wall / 1000)),
  p50Ms: pct(50),
  p99Ms: pct(99),
  maxMs: latencies.at(-1),
};
console.log(
  `webhook listen: ${result.perSecond} verified deliveries/s (${DELIVERIES} at concurrency ${CONCURRENCY}); answer p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms (SafeWeb allows 2000 ms)`,
);
writeResult('webhooks', result);
