#!/usr/bin/env node
// Startup benchmark (not a test): safeweb --version / --help vs `node -e 0`, and one API
// command against the sandbox vs the cheapest processes that make the same GET: a bare Node
// script with ky over a minimal node:http fetch adapter (bench/bare-ky.js), and one with bare
// node:http (bench/bare-http.js). Every case runs interleaved in one session, twice: with
// NODE_EXTRA_CA_CERTS unset, and set (Node then loads the extra certificates into every
// process, which shrinks every ratio). Reports medians and ratios; writes bench/results/.
// Usage: npm run bench [-- --runs 25] [-- --ca-file FILE]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, startSandboxProcess } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(option('--runs', 25));
// The certificates a "set" run loads: the caller's own NODE_EXTRA_CA_CERTS, else the system bundle.
const CA_FILE = option('--ca-file', process.env.NODE_EXTRA_CA_CERTS || '/etc/ssl/certs/ca-certificates.crt');
const node = process.execPath;
// Node 22 and later have the compile cache bin/safeweb.js enables: the bare script does not (docs/speed.md).
const ANALYTICS_TARGET = Number(process.versions.node.split('.')[0]) >= 22 ? 1.08 : 1.12;
const bin = path.join(root, 'bin/safeweb.js');

// The sandbox runs in its own process: the timings below block this one.
const sandbox = await startSandboxProcess();
const configDir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-'));
const baseEnv = { ...process.env, SAFEWEB_CONFIG_DIR: configDir, NO_COLOR: '1' };
for (const key of [
  'SAFEWEB_PROFILE',
  'SAFEWEB_PARTNER_ID',
  'SAFEWEB_API_KEY',
  'SAFEWEB_BASE_URL',
  'NODE_EXTRA_CA_CERTS',
])
  delete baseEnv[key];
// The API command reads its credentials from a stored profile, as a user's would.
const add = spawnSync(
  node,
  [bin, 'profile', 'add', 'bench', '--base-url', sandbox.url, '--partner-id', sandbox.partnerId, '--api-key-stdin'],
  { env: baseEnv, input: sandbox.apiKey },
);
if (add.status !== 0) throw new Error(`profile add failed: ${add.stderr}`);

const url = `${sandbox.url}/api/v1/integrations/partner/analytics`;
const get = [url, sandbox.partnerId, sandbox.apiKey];
const cases = {
  'node -e 0': [node, '-e', '0'],
  'safeweb --version': [node, bin, '--version'],
  'safeweb --help': [node, bin, '--help'],
  'bare node:http script': [node, path.join(root, 'bench/bare-http.js'), ...get],
  'bare ky script': [node, path.join(root, 'bench/bare-ky.js'), ...get],
  'safeweb partner analytics --json': [node, bin, 'partner', 'analytics', '--json'],
};

function time([cmd, ...args], env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** One interleaved session: medians per case and the ratios with their targets. */
function session(env) {
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const argv of Object.values(cases)) time(argv, env); // warm-up (and the compile cache where Node has it)
  for (let i = 0; i < RUNS; i++) {
    for (const [name, argv] of Object.entries(cases)) samples[name].push(time(argv, env));
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const analytics = m['safeweb partner analytics --json'];
  const ratios = [
    { case: 'safeweb --version vs node -e 0', ratio: m['safeweb --version'] / m['node -e 0'], target: 1.3 },
    { case: 'safeweb --help vs node -e 0', ratio: m['safeweb --help'] / m['node -e 0'], target: 1.35 },
    {
      case: 'partner analytics --json vs bare ky script',
      ratio: analytics / m['bare ky script'],
      target: ANALYTICS_TARGET,
    },
    { case: 'partner analytics --json vs bare node:http script', ratio: analytics / m['bare node:http script'] },
  ];
  return { mediansMs: m, ratios };
}

const sessions = {};
sessions.caUnset = session(baseEnv);
if (existsSync(CA_FILE)) sessions.caSet = { caFile: CA_FILE, ...session({ ...baseEnv, NODE_EXTRA_CA_CERTS: CA_FILE }) };
else console.log(`(no ${CA_FILE}: the NODE_EXTRA_CA_CERTS run is skipped; give one with --ca-file)`);
sandbox.stop();
rmSync(configDir, { recursive: true, force: true });

const load = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(`Node ${process.version}, ${RUNS} interleaved runs per case, ${os.cpus().length} CPUs, load ${load}`);
for (const [name, s] of Object.entries(sessions)) {
  console.log(`\n${name === 'caUnset' ? 'NODE_EXTRA_CA_CERTS unset' : `NODE_EXTRA_CA_CERTS=${s.caFile}`}; medians:`);
  for (const [k, v] of Object.entries(s.mediansMs)) console.log(`  ${k.padEnd(36)} ${v.toFixed(1)} ms`);
  console.log('Ratios (lower is better):');
  for (const r of s.ratios) {
    const verdict = r.target === undefined ? '' : `  (target ≤ ${r.target}×) ${r.ratio <= r.target ? 'ok' : 'OVER'}`;
    console.log(`  ${r.case.padEnd(50)} ${r.ratio.toFixed(2)}×${verdict}`);
  }
}

const out = path.join(root, 'bench/results');
mkdirSync(out, { recursive: true });
const file = path.join(out, `startup-node${process.versions.node.split('.')[0]}.json`);
const result = {
  node: process.version,
  date: new Date().toISOString(),
  runs: RUNS,
  loadAverage: os.loadavg(),
  sessions,
};
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Written to ${path.relative(root, file)}`);
