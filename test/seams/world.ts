/**
 * The seams between the portfolio, customers-as-code and operator-safety verbs: a book world
 * (test/manifest/world.ts) plus stored profiles on the same config dir and account, and the
 * account's audit log.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { cleanEnv, runInProcess, type CliResult, type InProcessOptions } from '../helpers/cli.js';
import type { BookWorld } from '../manifest/world.js';

/** Adds profile `name` for the world's sandbox (flags: --read-only, --mask-pii); returns a runner using it. */
export async function profileOf(
  w: BookWorld,
  name: string,
  flags: string[] = [],
): Promise<(argv: string[], options?: InProcessOptions) => Promise<CliResult>> {
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: w.configDir });
  const { sandbox } = w;
  const argv = ['profile', 'add', name, '--base-url', sandbox.url, '--partner-id', sandbox.partnerId];
  const r = await runInProcess([...argv, '--api-key-stdin', ...flags], { env, stdin: sandbox.apiKey });
  expect(r.code, r.stderr).toBe(0);
  return (more, options = {}) => runInProcess(['--profile', name, ...more], { env, ...options });
}

export interface AuditLine {
  method: string;
  path: string;
  operation: string | null;
  customerRef: string | null;
  customerId: string | null;
  outcome: string;
  command: string;
}

/** The entries of the account's audit log (none when it does not exist yet). */
export function auditOf(w: BookWorld): AuditLine[] {
  const folder = path.join(w.configDir, 'audit');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((f) =>
    readFileSync(path.join(folder, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditLine),
  );
}
