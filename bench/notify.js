#!/usr/bin/env node
// Notification pacing benchmark (not a test): `safeweb notify send` sends N messages to a Slack
// webhook and N events to PagerDuty, whose receivers here enforce the limits those services state
// (Slack one message a second per webhook, PagerDuty 120 events a minute per routing key: as an
// even rate, one each 1 000 ms and each 500 ms) and answer 429 with Retry-After beyond them.
// Targets: no 429 at all, and the span from the first message to the last within 1.1× of the
// time the limit sets for N messages ((N - 1) × the interval).
// Usage: node bench/notify.js [--messages 60]
// The N events are written into the account's outbox as a source would keep them (a book of no
// customers: the comparison finds nothing, the send sends what the outbox holds).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { bin, envFor, node, numberArg, startSandboxProcess, writeResult } from './lib.js';

const MESSAGES = numberArg('--messages', 60);
const LIMITS = { slack: 1000, pagerduty: 60_000 / 120 };

/** A receiver that takes at most one request each `intervalMs` and answers 429 (Retry-After) to any sooner. */
async function limited(intervalMs, ok) {
  const seen = { accepted: [], refused: 0 };
  let last = -Infinity;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = performance.now();
      if (now - last < intervalMs) {
        seen.refused += 1;
        res.writeHead(429, { 'retry-after': String(Math.ceil((intervalMs - (now - last)) / 1000)) }).end();
        return;
      }
      last = now;
      seen.accepted.push(now);
      res.writeHead(ok.status, { 'content-type': ok.type }).end(ok.body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => server.close() };
}

const hex = (text) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The outbox journal line of one new breach, for both channels (findings/outbox-journal.ts). */
function enqueued(i, partnerId, at) {
  const event = {
    version: 1,
    key: `sw:breach.new:${hex(`bench-event-${i}`)}`,
    finding: `sw:finding:${hex(`bench-finding-${i}`)}`,
    partnerId,
    type: 'breach.new',
    reference: `BENCH-${i}`,
    customerId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    breachId: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    breachName: `Bench breach ${i}`,
    breachDate: '2026-01-01',
    emails: [`user${i}@bench.example`],
    at,
  };
  return JSON.stringify({
    op: 'enqueued',
    key: `${event.key}@bench`,
    event,
    sinks: ['notify:chat', 'notify:oncall'],
    at,
  });
}

const slack = await limited(LIMITS.slack, { status: 200, type: 'text/plain', body: 'ok' });
const pagerduty = await limited(LIMITS.pagerduty, {
  status: 202,
  type: 'application/json',
  body: JSON.stringify({ status: 'success', message: 'Event processed' }),
});
const sandbox = await startSandboxProcess();
const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-notify-'));
try {
  const configDir = path.join(dir, 'config');
  const account = `${sandbox.partnerId}@${new URL(sandbox.url).host}`.replace(/[^A-Za-z0-9@._-]/g, '_');
  for (const sub of ['integrations', 'outbox']) mkdirSync(path.join(configDir, sub), { recursive: true, mode: 0o700 });
  writeFileSync(
    path.join(configDir, 'integrations', `${account}.yaml`),
    [
      'notify:',
      '  channels:',
      '    chat: { kind: slack, secret: notify/chat }',
      `    oncall: { kind: pagerduty, secret: notify/oncall, url: "${pagerduty.url}/v2/enqueue" }`,
      '  routes:',
      '    - channels: [chat, oncall]',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const at = new Date().toISOString();
  const lines = Array.from({ length: MESSAGES }, (_, i) => enqueued(i, sandbox.partnerId, at));
  writeFileSync(path.join(configDir, 'outbox', `${account}.ndjson`), `${lines.join('\n')}\n`, { mode: 0o600 });
  const secret = (name, value) => {
    const file = path.join(dir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  const env = {
    ...envFor(sandbox, configDir),
    SAFEWEB_SECRET_NOTIFY_CHAT_FILE: secret('chat', `${slack.url}/services/T0/B0/bench`),
    SAFEWEB_SECRET_NOTIFY_ONCALL_FILE: secret('oncall', 'R0UT1NGKEYbench0123456789abcdef'),
  };
  // Asynchronously: the receivers answer in this process while the run goes on.
  const started = performance.now();
  const run = spawn(node, [bin, 'notify', 'send', '--max-creates', String(2 * MESSAGES), '--json'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (c) => (stdout += c));
  run.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => run.on('close', resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`notify send exited ${code}: ${stderr.slice(-2000)}`);
  const summary = JSON.parse(stdout);

  const measure = (name, seen, intervalMs) => {
    const spanMs = seen.accepted.length > 1 ? seen.accepted.at(-1) - seen.accepted[0] : 0;
    const limitMs = (MESSAGES - 1) * intervalMs;
    return {
      name,
      accepted: seen.accepted.length,
      refused429: seen.refused,
      spanMs: Math.round(spanMs),
      limitMs,
      ratio: spanMs / limitMs,
      ok: seen.accepted.length === MESSAGES && seen.refused === 0 && spanMs / limitMs <= 1.1,
    };
  };
  const results = [measure('slack', slack.seen, LIMITS.slack), measure('pagerduty', pagerduty.seen, LIMITS.pagerduty)];
  console.log(`notify send, ${MESSAGES} messages to each of Slack and PagerDuty (${os.cpus().length} CPUs):`);
  for (const r of results)
    console.log(
      `  ${r.name}: ${r.accepted} taken, ${r.refused429} answers of 429, first to last ${(r.spanMs / 1000).toFixed(2)} s ` +
        `vs the limit's ${(r.limitMs / 1000).toFixed(2)} s: ${r.ratio.toFixed(3)}× (target ≤ 1.1×, no 429) ${r.ok ? 'ok' : 'MISSED'}`,
    );
  console.log(`  the run: ${(wallMs / 1000).toFixed(2)} s, ${summary.sent} messages sent`);
  writeResult('notify', { messages: MESSAGES, wallMs: Math.round(wallMs), sent: summary.sent, channels: results });
  if (!results.every((r) => r.ok)) process.exitCode = 1;
} finally {
  sandbox.stop();
  slack.close();
  pagerduty.close();
  rmSync(dir, { recursive: true, force: true });
}
