// Helpers shared by the benchmark scripts: a sandbox in its own process, timing, results files.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const bin = path.join(root, 'bin/safeweb.js');
export const node = process.execPath;

/** `safeweb sandbox start` in a child process (the timings block this one); resolves with its JSON. */
export async function startSandboxProcess(args = []) {
  const child = spawn(node, [bin, 'sandbox', 'start', '--port', '0', '--json', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const info = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
      try {
        resolve(JSON.parse(text));
      } catch {
        /* not complete yet */
      }
    });
    child.on('exit', () => reject(new Error('the sandbox did not start')));
  });
  return { ...info, stop: () => child.kill('SIGTERM') };
}

export function envFor(sandbox, configDir) {
  const env = {
    ...process.env,
    SAFEWEB_CONFIG_DIR: configDir,
    NO_COLOR: '1',
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
  };
  delete env.SAFEWEB_PROFILE;
  return env;
}

/** Wall time of a command, in ms; throws when it fails. */
export function timed(cmd, args, options = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-2000)}`);
  return { ms, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function writeResult(name, data) {
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), ...data }, null, 2)}\n`,
  );
  console.log(`Written to ${path.relative(root, file)}`);
}

/** A CSV of `n` onboarding rows with clean (never breached) addresses. */
export function csvRows(n, prefix) {
  const lines = [
    'companyName,customerReference,assetsDomains,assetsEmails,alertRecipients,price,currencyCode,billedFromDate',
  ];
  for (let i = 1; i <= n; i++)
    lines.push(`Bench ${i},${prefix}-${i},b${i}.example,jane${i}@b${i}.example,ops@b${i}.example,10,USD,now+1d`);
  return `${lines.join('\n')}\n`;
}

/** The middle of a list of timings (the mean of the two middle ones for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A numeric flag of the benchmark's command line (`--rows 5000`), else `fallback`. */
export function numberArg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
