#!/usr/bin/env node
// npm run bench: every benchmark, one after another (startup, bulk, webhook receiver, portfolio, MCP start-up,
// manifest plan memory, PSA ticket sync, safeweb serve against a bare handler, notification pacing).
// Extra arguments go to each script; see their headers for options.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
for (const script of [
  'startup.js',
  'bulk.js',
  'webhooks.js',
  'portfolio.js',
  'mcp.js',
  'manifest.js',
  'psa.js',
  'serve.js',
  'notify.js',
]) {
  console.log(`\n# ${script}`);
  const r = spawnSync(process.execPath, [`${dir}${script}`, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
