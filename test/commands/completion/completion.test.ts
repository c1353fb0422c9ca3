import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChange, recordOnboarded } from '../../../src/customers/local-record.js';
import { accountKey } from '../../../src/io/account-files.js';
import { BIN, ROOT, cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';

const FILES = {
  bash: 'completions/safeweb.bash',
  zsh: 'completions/_safeweb',
  fish: 'completions/safeweb.fish',
} as const;

function has(shell: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('safeweb completion', () => {
  it.each(Object.entries(FILES))(
    'the committed %s script matches the live command tree (run `npm run completions` if not)',
    async (shell, file) => {
      const r = await runInProcess(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(readFileSync(path.join(ROOT, file), 'utf8'));
    },
  );

  it('an unknown shell is exit 2', async () => {
    const r = await runInProcess(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish. (see --help)\n",
    );
  });
});

// The scripts are exercised in the real shells, with a `safeweb` on PATH and two stored profiles.
let dir: string;
let cleanup: () => void;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const bin = path.join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(path.join(bin, 'safeweb'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(bin, 'safeweb'), 0o755);
  env = cleanEnv({
    PATH: `${bin}:${process.env['PATH']}`,
    SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg'),
  }) as NodeJS.ProcessEnv;
  for (const name of ['prod', 'staging']) {
    await runInProcess(['profile', 'add', name, '--partner-id', 'P', '--api-key-stdin'], {
      env,
      stdin: 'swk_completion_key_000',
    });
  }
  // The local record of two accounts: partner P (the profiles') and partner Q.
  const cfg = path.join(dir, 'cfg');
  const now = new Date();
  const p = accountKey('P', 'https://connect.safeweb.co');
  await recordOnboarded(cfg, p, { reference: 'ACME-001', id: IDS[0], companyName: 'Acme' }, now);
  await recordOnboarded(cfg, p, { reference: 'ACME-002', id: IDS[1], companyName: 'Acme Two' }, now);
  await recordOnboarded(cfg, p, { reference: 'GLOBEX-7', id: IDS[2], companyName: 'Globex' }, now);
  await recordChange(cfg, p, IDS[1], { status: 'offboarded' }, now);
  const q = accountKey('Q', 'https://connect.safeweb.co');
  await recordOnboarded(cfg, q, { reference: 'OTHER-1', id: IDS[3], companyName: 'Other' }, now);
});

const IDS = [1, 2, 3, 4].map((n) => `00000000-0000-4000-8000-00000000000${n}`) as [string, string, string, string];
afterAll(() => cleanup());

const cases: Array<[string[], string[]]> = [
  [
    ['safeweb', ''],
    [
      'health',
      'customer',
      'breach',
      'webhook',
      'partner',
      'portfolio',
      'findings',
      'outbox',
      'api',
      'plan',
      'apply',
      'export',
      'integrations',
      'psa',
      'notify',
      'serve',
      'audit',
      'login',
      'doctor',
      'profile',
      'secret',
      'sandbox',
      'schema',
      'completion',
      'whoami',
      'mcp',
    ],
  ],
  [
    ['safeweb', 'partner', ''],
    ['analytics', 'plans'],
  ],
  [
    ['safeweb', '--json', 'partner', ''],
    ['analytics', 'plans'],
  ],
  [
    ['safeweb', '--profile', 'prod', 'partner', ''],
    ['analytics', 'plans'],
  ],
  [
    ['safeweb', 'profile', 'use', ''],
    ['prod', 'staging'],
  ],
  [
    ['safeweb', '--profile', ''],
    ['prod', 'staging'],
  ],
  [
    ['safeweb', 'profile', 'add', 'x', '--env', ''],
    ['production', 'staging'],
  ],
  [
    ['safeweb', 'completion', ''],
    ['bash', 'zsh', 'fish'],
  ],
  [
    ['safeweb', 'customer', 'onboard', '--currency', ''],
    ['AUD', 'GBP', 'USD'],
  ],
  [
    ['safeweb', 'customer', ''],
    [
      'onboard',
      'list',
      'link',
      'import',
      'offboard',
      'reactivate',
      'update',
      'assets',
      'breaches',
      'threat-score',
      'magic-link',
    ],
  ],
  [
    ['safeweb', 'webhook', 'trigger', ''],
    ['breach.new', 'breach.resolved', 'breach.unresolved', 'email.added', 'email.removed', 'customer.breach.found'],
  ],
  [
    ['safeweb', 'api', ''],
    ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  ],
  // Customer references from the local record of the account in use (offboard offers the
  // active ones, reactivate the offboarded ones); a file read, no request.
  [
    ['safeweb', 'customer', 'breaches', ''],
    ['ACME-001', 'ACME-002', 'GLOBEX-7'],
  ],
  [
    ['safeweb', '--json', 'customer', 'threat-score', ''],
    ['ACME-001', 'ACME-002', 'GLOBEX-7'],
  ],
  [
    ['safeweb', 'customer', 'offboard', ''],
    ['ACME-001', 'GLOBEX-7'],
  ],
  [['safeweb', 'customer', 'reactivate', ''], ['ACME-002']],
  [['safeweb', '--partner-id', 'Q', 'customer', 'assets', ''], ['OTHER-1']],
];

/** Runs the bash script's completer on these words, the cursor on word `cword`: one candidate a line. */
function bashCompletion(words: string, cword: number): string {
  return (
    `source ${path.join(ROOT, FILES.bash)}; COMP_WORDS=(${words}); COMP_CWORD=${cword}; ` +
    `_safeweb; printf '%s\\n' "\${COMPREPLY[@]}"`
  );
}

describe('the completion scripts in their shells', () => {
  it.each(cases)('bash completes %j', (words, expected) => {
    const script = bashCompletion(words.map((w) => `'${w}'`).join(' '), words.length - 1);
    const out = execFileSync('bash', ['-c', script], { env, encoding: 'utf8' });
    expect(out.trim().split('\n').sort()).toEqual([...expected].sort());
  });

  it('bash completes a customer reference from what is typed of it', () => {
    const script = bashCompletion("safeweb customer magic-link 'AC'", 3);
    const out = execFileSync('bash', ['-c', script], { env, encoding: 'utf8' });
    expect(out.trim().split('\n').sort()).toEqual(['ACME-001', 'ACME-002']);
  });

  it('bash completes flags of the command being typed', () => {
    const script = bashCompletion('safeweb partner plans --a', 3);
    expect(execFileSync('bash', ['-c', script], { env, encoding: 'utf8' }).trim()).toBe('--all');
  });

  it.skipIf(!has('zsh')).each(cases)('zsh completes %j', (words, expected) => {
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const script =
      `source ${path.join(ROOT, FILES.zsh)}; compadd() { shift; print -l -- "$@"; }; ` +
      `words=(${quoted}); CURRENT=${words.length}; _safeweb`;
    const out = execFileSync('zsh', ['-c', script], { env, encoding: 'utf8' });
    expect(out.trim().split('\n').sort()).toEqual([...expected].sort());
  });

  it.skipIf(!has('fish')).each(cases)('fish completes %j', (words, expected) => {
    const line = words.join(' ');
    const out = execFileSync(
      'fish',
      ['--no-config', '-c', `source ${path.join(ROOT, FILES.fish)}; complete -C '${line}'`],
      { env, encoding: 'utf8' },
    );
    const got = out
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[0]!)
      .filter((w) => !w.startsWith('-'));
    expect(got.sort()).toEqual([...expected].sort());
  });
});
