#!/usr/bin/env node
// MCP start-up benchmark (not a test): the time from spawning `safeweb mcp` to its answer to
// `initialize` on stdout, against the time `node -e 0` takes to run and exit. Interleaved runs,
// medians; target ≤ 2.5×. Writes bench/results/mcp-nodeNN.json.
// Usage: node bench/mcp.js [--runs 15]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, median, node, numberArg, writeResult } from './lib.js';

const RUNS = numberArg('--runs', 15);
const TARGET = 2.5;
const configDir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-mcp-'));
const env = { ...process.env, SAFEWEB_CONFIG_DIR: configDir, NO_COLOR: '1' };
for (const key of ['SAFEWEB_PROFILE', 'SAFEWEB_PARTNER_ID', 'SAFEWEB_API_KEY', 'SAFEWEB_BASE_URL']) delete env[key];

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
})}\n`;

/** ms from spawn until `until(child)` resolves; the process is then let finish. */
function timeProcess(args, until) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    const closed = new Promise((done) => child.on('close', done));
    child.on('error', reject);
    until(child, () => Number(process.hrtime.bigint() - started) / 1e6).then(
      (ms) => closed.then(() => resolve(ms)),
      reject,
    );
  });
}

const nodeExit = () =>
  timeProcess(['-e', '0'], (child, elapsed) => new Promise((resolve) => child.on('exit', () => resolve(elapsed()))));

const mcpInitialized = () =>
  timeProcess([bin, 'mcp'], (child, elapsed) => {
    child.stdin.write(INITIALIZE);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (!out.includes('\n')) return;
        const ms = elapsed();
        if (!/"id":1\b/.test(out) || !out.includes('"result"')) reject(new Error(`unexpected answer: ${out}`));
        child.stdin.end();
        resolve(ms);
      });
      child.on('exit', (code) => reject(new Error(`safeweb mcp exited ${code} before answering`)));
    });
  });

await nodeExit();
await mcpInitialized(); // warm-up (and the compile cache where Node has it)
const samples = { 'node -e 0': [], 'safeweb mcp → initialize answered': [] };
for (let run = 0; run < RUNS; run++) {
  samples['node -e 0'].push(await nodeExit());
  samples['safeweb mcp → initialize answered'].push(await mcpInitialized());
}
rmSync(configDir, { recursive: true, force: true });

const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const ratio = medians['safeweb mcp → initialize answered'] / medians['node -e 0'];
const load = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(
  `Node ${process.version}, ${RUNS} interleaved runs per case, ${os.cpus().length} CPUs, load ${load}; medians:`,
);
for (const [k, v] of Object.entries(medians)) console.log(`  ${k.padEnd(36)} ${v.toFixed(1)} ms`);
console.log(`Ratio: ${ratio.toFixed(2)}× (target ≤ ${TARGET}×) ${ratio <= TARGET ? 'ok' : 'OVER'}`);
const major = process.versions.node.split('.')[0];
writeResult(`mcp-node${major}`, { runs: RUNS, loadAverage: os.loadavg(), mediansMs: medians, ratio, target: TARGET });
