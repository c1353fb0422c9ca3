#!/usr/bin/env node
// Startup benchmark (not a test): safeweb --version / --help vs `node -e 0`, and one API
// command against the sandbox vs a bare Node script doing the same fetch. Runs every case
// interleaved in one session, reports medians and ratios, and writes bench/results/.
// Usage: npm run bench [-- --runs 30]
import { spawnSync } from 'node:child_process';
import { startSandboxProcess } from './lib.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 25;
const node = process.execPath;
const bin = path.join(root, 'bin/safeweb.js');

// The sandbox runs in its own process: the timings below block this one.
const sandbox = await startSandboxProcess();
const configDir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-'));
const env = { ...process.env, SAFEWEB_CONFIG_DIR: configDir, NO_COLOR: '1' };
for (const key of ['SAFEWEB_PROFILE', 'SAFEWEB_PARTNER_ID', 'SAFEWEB_API_KEY', 'SAFEWEB_BASE_URL']) delete env[key];
// The API command reads its credentials from a stored profile, as a user's would.
const add = spawnSync(
  node,
  [bin, 'profile', 'add', 'bench', '--base-url', sandbox.url, '--partner-id', sandbox.partnerId, '--api-key-stdin'],
  { env, input: sandbox.apiKey },
);
if (add.status !== 0) throw new Error(`profile add failed: ${add.stderr}`);

const url = `${sandbox.url}/api/v1/integrations/partner/analytics`;
const cases = {
  'node -e 0': [node, '-e', '0'],
  'safeweb --version': [node, bin, '--version'],
  'safeweb --help': [node, bin, '--help'],
  'bare fetch script': [node, path.join(root, 'bench/bare-fetch.js'), url, sandbox.partnerId, sandbox.apiKey],
  'safeweb partner analytics --json': [node, bin, 'partner', 'analytics', '--json'],
};

function time([cmd, ...args]) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const argv of Object.values(cases)) time(argv); // warm-up (and the compile cache where Node has it)
for (let i = 0; i < RUNS; i++) {
  for (const [name, argv] of Object.entries(cases)) samples[name].push(time(argv));
}
sandbox.stop();
rmSync(configDir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const ratios = [
  { case: 'safeweb --version vs node -e 0', ratio: m['safeweb --version'] / m['node -e 0'], target: 1.3 },
  { case: 'safeweb --help vs node -e 0', ratio: m['safeweb --help'] / m['node -e 0'], target: 1.6 },
  {
    case: 'partner analytics --json vs bare fetch script',
    ratio: m['safeweb partner analytics --json'] / m['bare fetch script'],
    target: 1.25,
  },
];
console.log(`Node ${process.version}, ${RUNS} interleaved runs per case, medians:`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(36)} ${v.toFixed(1)} ms`);
console.log('Ratios (lower is better):');
for (const r of ratios)
  console.log(
    `  ${r.case.padEnd(48)} ${r.ratio.toFixed(2)}×  (target ≤ ${r.target}×) ${r.ratio <= r.target ? 'ok' : 'OVER'}`,
  );

const out = path.join(root, 'bench/results');
mkdirSync(out, { recursive: true });
const file = path.join(out, `startup-node${process.versions.node.split('.')[0]}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ node: process.version, date: new Date().toISOString(), runs: RUNS, mediansMs: m, ratios }, null, 2)}\n`,
);
console.log(`Written to ${path.relative(root, file)}`);
