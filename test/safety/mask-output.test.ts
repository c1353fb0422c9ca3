/**
 * --mask-pii in every output form — tables on a terminal, piped lines, --json, --csv, NDJSON
 * events, progress and summary lines, error messages, --debug traces — and never in files
 * written for later use (results journals, the local record, the audit log).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';

const fx = useSandbox();
let dir: string;
let env: Record<string, string | undefined>;
const FULL = /\b(?:jane\.doe|cfo|security)@mask\.example/;

beforeAll(async () => {
  dir = tempDir().dir;
  env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const { sandbox } = fx();
  const add = await runInProcess(
    ['profile', 'add', 'sb', '--base-url', sandbox.url, '--partner-id', sandbox.partnerId, '--api-key-stdin'],
    { env, stdin: sandbox.apiKey },
  );
  expect(add.code).toBe(0);
  const made = await runInProcess(
    ['customer', 'onboard', '--company-name', 'Mask Co', '--reference', 'MASK-1'].concat(
      ['--contact-email', 'jane.doe@mask.example', '--domain', 'mask.example', '--email', 'cfo@mask.example'],
      ['--alert-recipient', 'security@mask.example', '--price', '1', '--currency', 'USD', '--billed-from', 'now+1d'],
    ),
    { env },
  );
  expect(made.code, made.stderr).toBe(0);
});

describe('--mask-pii', () => {
  it.each([
    ['a table on a terminal', ['customer', 'assets', 'MASK-1'], true],
    ['piped lines', ['customer', 'assets', 'MASK-1'], false],
    ['--json', ['customer', 'assets', 'MASK-1', '--json'], false],
    ['--csv', ['customer', 'assets', 'MASK-1', '--csv'], false],
    ['--debug traces', ['--debug', 'customer', 'assets', 'MASK-1'], false],
    ['NDJSON events', ['breach', 'check', 'security@mask.example', 'cfo@mask.example', '--ndjson'], false],
    ['bulk rows, progress and summary', ['breach', 'check', ...many()], true],
    ['an error message', ['customer', 'magic-link', 'security@mask.example'], false],
  ])('masks %s, and shows the same unmasked without it', async (_form, argv, tty) => {
    const plain = await runInProcess(argv, { env, tty });
    expect(plain.stdout + plain.stderr).toMatch(FULL);
    const masked = await runInProcess(['--mask-pii', ...argv], { env, tty });
    expect(masked.code).toBe(plain.code);
    expect(masked.stdout + masked.stderr).not.toMatch(FULL);
    expect(masked.stdout + masked.stderr).toMatch(/\b[jcs]\*\*\*@mask\.example/);
    // Domains and references stay.
    if (argv.includes('MASK-1') && plain.code === 0) expect(masked.stdout).toContain('mask.example');
  });

  it('masks a usage error said before the flags are parsed', async () => {
    const r = await runInProcess(['--mask-pii', 'security@mask.example'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 's***@mask.example'");
    const json = await runInProcess(['--mask-pii', '--json', 'security@mask.example'], { env });
    expect(json.stderr).toContain("unknown command 's***@mask.example'");
    expect((await runInProcess(['security@mask.example'], { env })).stderr).toMatch(FULL);
  });

  it('is the profile default with maskPii, and --no-mask-pii shows the data for one command', async () => {
    expect((await runInProcess(['profile', 'set', 'sb', '--mask-pii'], { env })).code).toBe(0);
    const masked = await runInProcess(['customer', 'assets', 'MASK-1', '--json'], { env });
    expect(masked.stdout).not.toMatch(FULL);
    const shown = await runInProcess(['customer', 'assets', 'MASK-1', '--json', '--no-mask-pii'], { env });
    expect(shown.stdout).toMatch(FULL);
    const show = await runInProcess(['profile', 'show', '--json'], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ maskPii: true });
    expect((await runInProcess(['profile', 'set', 'sb', '--no-mask-pii'], { env })).code).toBe(0);
    expect((await runInProcess(['customer', 'assets', 'MASK-1', '--json'], { env })).stdout).toMatch(FULL);
  });

  it('never masks files written for later use: a results journal, the local record, the audit log', async () => {
    const results = path.join(dir, 'checked.ndjson');
    const r = await runInProcess(['--mask-pii', 'breach', 'check', 'security@mask.example', '--results', results], {
      env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(FULL);
    expect(readFileSync(results, 'utf8')).toContain('security@mask.example');
    const record = path.join(dir, 'ledger', readdirSync(path.join(dir, 'ledger'))[0]!);
    expect(readFileSync(record, 'utf8')).toContain('jane.doe@mask.example');
    const updated = await runInProcess(
      ['--mask-pii', 'customer', 'update', 'MASK-1', '--contact-email', 'cfo@mask.example'],
      {
        env,
      },
    );
    expect(updated.code, updated.stderr).toBe(0);
    const audit = path.join(dir, 'audit', readdirSync(path.join(dir, 'audit'))[0]!);
    expect(readFileSync(audit, 'utf8')).toContain('--contact-email cfo@mask.example');
  });
});

function many(): string[] {
  return Array.from({ length: 24 }, (_, i) => (i === 0 ? 'security@mask.example' : `user${i}@mask.example`));
}
