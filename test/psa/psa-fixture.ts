/**
 * A SafeWeb sandbox and a ConnectWise emulator side by side (both on loopback, port 0), a book of
 * three customers onboarded through the CLI (examples/customers.csv: nine findings), a PSA
 * connection `cw` in the integration settings and its private key in a SAFEWEB_SECRET_…_FILE.
 * `run` runs the CLI in this process on a wire that holds every ConnectWise request and answer
 * to the vendor's spec (test/helpers/connectwise-wire.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { integrationsFile, setIntegration } from '../../src/config/integrations.js';
import { accountKey } from '../../src/io/account-files.js';
import { breachesForEmail } from '../../src/sandbox/breach-rules.js';
import { startConnectWise, type ConnectWiseEmulator } from '../../src/sandbox/psa/connectwise.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cleanEnv, ROOT, runInProcess, tempDir, type CliResult, type InProcessOptions } from '../helpers/cli.js';
import { checkedWire, type CheckedWire } from '../helpers/connectwise-wire.js';

export interface PsaFixture {
  sandbox: Sandbox;
  cw: ConnectWiseEmulator;
  configDir: string;
  env: Record<string, string | undefined>;
  account: string;
  settingsFile: string;
  checked: CheckedWire;
  run(argv: string[], options?: InProcessOptions): Promise<CliResult>;
  json<T = Record<string, unknown>>(argv: string[], options?: InProcessOptions): Promise<T>;
  close(): Promise<void>;
}

export interface PsaFixtureOptions {
  /** The onboarding CSV to onboard (bookCsv); examples/customers.csv unless given. */
  book?: string | undefined;
  /** Added to every ConnectWise answer, so a sync takes a while (kill tests). */
  latencyMs?: number | undefined;
}

export async function psaFixture(
  policy: Record<string, unknown> = {},
  options: PsaFixtureOptions = {},
): Promise<PsaFixture> {
  const sandbox = await startSandbox({ port: 0 });
  const cw = await startConnectWise({ port: 0, faults: { latencyMs: options.latencyMs } });
  const { dir, cleanup } = tempDir('safeweb-psa-');
  const keyFile = path.join(dir, 'cw-private-key');
  writeFileSync(keyFile, cw.credentials.privateKey, { mode: 0o600 });
  const env = cleanEnv({
    SAFEWEB_CONFIG_DIR: path.join(dir, 'config'),
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
    SAFEWEB_SECRET_PSA_CW_FILE: keyFile,
  });
  const account = accountKey(sandbox.partnerId, sandbox.url);
  const settingsFile = integrationsFile(path.join(dir, 'config'), account);
  await setIntegration(settingsFile, ['psa', 'connections', 'cw'], {
    kind: 'connectwise',
    site: cw.url,
    company: cw.credentials.companyId,
    publicKey: cw.credentials.publicKey,
    clientId: cw.credentials.clientId,
    secret: 'psa/cw',
    board: 'Security',
    statuses: { new: 'New', closed: 'Completed' },
    priorities: { critical: 'Priority 1 - Emergency Response', high: 2, moderate: 3, low: 4 },
    fallbackCompany: 'ContosoMSP',
    ...policy,
  });
  const checked = checkedWire();
  const run = (argv: string[], options: InProcessOptions = {}) =>
    runInProcess(argv, { env, wire: checked.wire, ...options });
  let bookFile = path.join(ROOT, 'examples/customers.csv');
  if (options.book !== undefined) writeFileSync((bookFile = path.join(dir, 'book.csv')), options.book);
  const onboarded = await run(['customer', 'onboard', '--file', bookFile, '--concurrency', '16', '--json']);
  if (onboarded.code !== 0) throw new Error(`onboarding the book: ${onboarded.stderr}`);
  return {
    sandbox,
    cw,
    configDir: path.join(dir, 'config'),
    env,
    account,
    settingsFile,
    checked,
    run,
    async json<T>(argv: string[], options?: InProcessOptions): Promise<T> {
      const r = await run([...argv, '--json'], options);
      if (r.code !== 0 && r.code !== 8) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async close() {
      await Promise.all([sandbox.close(), cw.close()]);
      cleanup();
    },
  };
}

/**
 * An onboarding CSV of `customers` customers whose monitored addresses give each exactly
 * `breaches` unresolved breaches by the sandbox's rules (role and `pwned…` addresses are breached
 * in 1 to 3 catalogue breaches, src/sandbox/breach-rules.ts): addresses are taken while they add
 * breaches without passing the count. Domains under `.test`, which expose nothing of their own.
 */
export function bookCsv(customers: number, breaches: number, prefix = 'PSA'): string {
  const rows = [
    'companyName,customerReference,assetsDomains,assetsEmails,alertRecipients,price,currencyCode,billedFromDate',
  ];
  for (let i = 1; i <= customers; i++) {
    const domain = `c${i}.${prefix.toLowerCase()}.test`;
    const names = new Set<string>();
    const emails: string[] = [];
    for (let n = 0; names.size < breaches && n < 200; n++) {
      const email = `pwned${n}@${domain}`;
      const found = breachesForEmail(email).map((b) => b.name);
      const added = found.filter((b) => !names.has(b));
      if (added.length === 0 || names.size + added.length > breaches) continue;
      for (const b of added) names.add(b);
      emails.push(email);
    }
    rows.push(
      `Customer ${i},${prefix}-${String(i).padStart(4, '0')},${domain},${emails.join(';')},ops@${domain},10,USD,now+1d`,
    );
  }
  return `${rows.join('\n')}\n`;
}
