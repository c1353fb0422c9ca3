/**
 * A sandbox, a config dir and a work dir for the customers-as-code tests, with the request log
 * (to prove "nothing was sent") and a few readers of the sandbox's state.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSandbox, type Faults, type Sandbox } from '../../src/sandbox/server.js';
import { cleanEnv, runInProcess, tempDir, type CliResult, type InProcessOptions } from '../helpers/cli.js';

export interface BookWorld {
  sandbox: Sandbox;
  dir: string;
  configDir: string;
  env: Record<string, string | undefined>;
  /** Every API request the sandbox answered: "POST /api/... → 201 (3 ms)". */
  requests: string[];
  /** The requests that could change something (all but GET). */
  writes(): string[];
  write(name: string, text: string): string;
  cli(argv: string[], options?: InProcessOptions): Promise<CliResult>;
  customer(reference: string): Sandbox['state']['customers'][number] | undefined;
  customers(prefix: string): Sandbox['state']['customers'];
  close(): Promise<void>;
}

export async function bookWorld(faults?: Faults): Promise<BookWorld> {
  const requests: string[] = [];
  const sandbox = await startSandbox({ port: 0, faults, log: (line) => requests.push(line) });
  const { dir, cleanup } = tempDir('book-');
  const configDir = path.join(dir, 'cfg');
  const env = cleanEnv({
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
    SAFEWEB_CONFIG_DIR: configDir,
  });
  const mine = () => sandbox.state.customers.filter((c) => c.partnerId === sandbox.partnerId);
  return {
    sandbox,
    dir,
    configDir,
    env,
    requests,
    writes: () => requests.filter((r) => !r.startsWith('GET ')),
    write(name, text) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    cli: (argv, options = {}) => runInProcess(argv, { env, ...options }),
    customer: (reference) => mine().find((c) => c.customerReference === reference),
    customers: (prefix) => mine().filter((c) => c.customerReference.startsWith(prefix)),
    close: async () => {
      await sandbox.close();
      cleanup();
    },
  };
}

/** The `defaults` of the test manifests: what a create needs besides the customer's own fields. */
export const DEFAULTS = [
  'defaults:',
  '  currencyCode: USD',
  '  billedFromDate: "2030-01-01T00:00:00Z"',
  '  alertRecipients: [soc@msp.example]',
];

/** A manifest of `n` customers BOOK-1…n (YAML), with defaults and, when given, one webhook. */
export function bookYaml(
  n: number,
  options: { webhook?: string; extra?: (i: number) => string; webhooks?: string } = {},
): string {
  const customers = Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return [
      `  - customerReference: BOOK-${i}`,
      `    companyName: Book ${i} Ltd`,
      `    assetsDomains: [b${i}.example]`,
      `    assetsEmails: [staff@b${i}.example]`,
      `    price: ${i * 10}`,
      options.extra?.(i) ?? '',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const webhooks =
    options.webhooks ??
    (options.webhook
      ? `webhooks:\n  - url: ${options.webhook}\n    events: [breach.resolved]\n    active: true\n`
      : '');
  return [...DEFAULTS, 'customers:', ...customers, webhooks].join('\n');
}
