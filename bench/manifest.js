#!/usr/bin/env node
// Manifest benchmark (not a test): `safeweb plan --file big.yaml` of a book of new customers
// (100 000 by default, with realistic assets: two or three domains and five to eight emails each,
// a contact, a plan) against a sandbox, in its own process, once as the plan a person reads
// (piped) and once as --json, each again with V8's heap limited to 768 MB. Reports the file's
// size, the wall time and the peak RSS of each run (process.resourceUsage().maxRSS, taken at exit
// by a preloaded hook); the target is peak RSS under 1 GB. Usage: node bench/manifest.js [--customers 100000] [--keep FILE] (writes the
// generated manifest to FILE too, for profiling: node --cpu-prof bin/safeweb.js plan -f FILE).
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin, envFor, node, numberArg, startSandboxProcess, timed, writeResult } from './lib.js';

const LIMIT_MB = 1024;
const HEAP_MB = 768;

/**
 * A YAML manifest of `n` customers BIG-1…n that do not exist yet. Each has its own domains and
 * mailboxes, so the text is as large as a real book of that size; `defaults` carries what every
 * create needs besides.
 */
export function manifestYaml(n, prefix = 'BIG') {
  const out = [
    '# A generated book (bench/manifest.js).',
    'defaults:',
    '  currencyCode: USD',
    '  billedFromDate: "2031-01-01T00:00:00Z"',
    '  alertRecipients: [soc@msp.example, noc@msp.example]',
    '  sendMonthlyReport: true',
    'customers:',
  ];
  const people = ['anna', 'ben', 'chloe', 'dev', 'emma', 'finn', 'grace', 'hugo'];
  for (let i = 1; i <= n; i++) {
    const domains = [`c${i}-corp.example`, `c${i}-mail.example`];
    if (i % 3 === 0) domains.push(`c${i}-shop.example`);
    const emails = people.slice(0, 5 + (i % 4)).map((p) => `${p}.${i}@${domains[i % domains.length]}`);
    out.push(
      `  - customerReference: ${prefix}-${i}`,
      `    companyName: Customer ${i} Holdings Ltd`,
      `    contactEmail: it@${domains[0]}`,
      `    assetsDomains: [${domains.join(', ')}]`,
      `    assetsEmails:`,
      ...emails.map((e) => `      - ${e}`),
      `    price: ${10 + (i % 40)}`,
      `    planType: ${i % 5 === 0 ? 'safeweb-plus' : 'safeweb-basic'}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Peak RSS (kB) of a child, printed at its exit on stderr by this preload. */
const RSS_HOOK =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss-kb "+process.resourceUsage().maxRSS+"\\n"))';

function measured(args, env, nodeArgs = []) {
  const run = timed(node, [...nodeArgs, '--import', RSS_HOOK, bin, ...args], { env });
  const kb = Number(/maxrss-kb (\d+)/.exec(run.stderr)?.[1]);
  return { ms: Math.round(run.ms), peakRssMb: Math.round(kb / 1024), stdout: run.stdout };
}

async function bench() {
  const CUSTOMERS = numberArg('--customers', 100_000);
  const keep = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1] : undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-bench-manifest-'));
  const sandbox = await startSandboxProcess();
  try {
    const env = envFor(sandbox, path.join(dir, 'cfg'));
    const file = path.join(dir, 'big.yaml');
    writeFileSync(file, manifestYaml(CUSTOMERS));
    if (keep) copyFileSync(file, keep);
    const bytes = statSync(file).size;
    const text = measured(['plan', '--file', file], env);
    const json = measured(['plan', '--file', file, '--json'], env);
    // V8 sizes its heap from the machine's memory and collects lazily: on a big machine the peak is
    // mostly garbage not yet collected. With the heap held to HEAP_MB (as on a machine with little
    // memory) the same plans show what they need.
    const small = measured(['plan', '--file', file], env, [`--max-old-space-size=${HEAP_MB}`]);
    const smallJson = measured(['plan', '--file', file, '--json'], env, [`--max-old-space-size=${HEAP_MB}`]);
    const summary = JSON.parse(json.stdout).summary;
    if (summary.create !== CUSTOMERS) throw new Error(`expected ${CUSTOMERS} creates, got ${JSON.stringify(summary)}`);
    const result = {
      customers: CUSTOMERS,
      manifestMb: Number((bytes / 2 ** 20).toFixed(1)),
      cpus: os.cpus().length,
      plan: { wallMs: text.ms, peakRssMb: text.peakRssMb, outputLines: text.stdout.split('\n').length - 1 },
      planJson: {
        wallMs: json.ms,
        peakRssMb: json.peakRssMb,
        outputMb: Number((json.stdout.length / 2 ** 20).toFixed(1)),
      },
      heapLimitMb: HEAP_MB,
      planHeapLimited: { wallMs: small.ms, peakRssMb: small.peakRssMb },
      planJsonHeapLimited: { wallMs: smallJson.ms, peakRssMb: smallJson.peakRssMb },
      targetPeakRssMb: LIMIT_MB,
    };
    for (const [name, r] of [
      ['plan', result.plan],
      ['plan --json', result.planJson],
      [`plan, heap limited to ${HEAP_MB} MB`, result.planHeapLimited],
      [`plan --json, heap limited to ${HEAP_MB} MB`, result.planJsonHeapLimited],
    ])
      console.log(
        `${name}, ${CUSTOMERS} new customers (${result.manifestMb} MB of YAML): ${(r.wallMs / 1000).toFixed(1)} s, ` +
          `peak RSS ${r.peakRssMb} MB (target < ${LIMIT_MB} MB) ${r.peakRssMb < LIMIT_MB ? 'ok' : 'OVER'}`,
      );
    writeResult('manifest', result);
  } finally {
    sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bench();
