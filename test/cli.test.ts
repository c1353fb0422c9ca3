/* eslint-disable no-control-regex -- these tests look for terminal escape codes on purpose */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBinary, runInProcess, runInPty } from './helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from './helpers/sandbox.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

let fx: SandboxFixture;
beforeAll(async () => {
  fx = await sandboxFixture();
});
afterAll(() => fx.close());

describe('discovering the tool', () => {
  it('--version prints the package version', async () => {
    const r = await runBinary(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    // As people type it, too.
    expect(await runBinary(['version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const json = await runBinary(['version', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ version: pkg.version, node: process.version });
  });

  it('--version on a terminal names the tool and the runtime', async () => {
    for (const argv of [['--version'], ['version'], ['-V']]) {
      const pty = runInPty(argv);
      expect(await pty.exit).toBe(0);
      expect(pty.screen()).toBe(`safeweb ${pkg.version} (node ${process.version})\n`);
    }
  });

  it('with no arguments: the help on stdout, exit 0', async () => {
    const r = await runBinary([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: safeweb \[options\] \[command\]/);
    expect(r.stdout).toContain('Exit codes:');
  });

  it('--help lists the whole command tree with descriptions, examples and exit codes', async () => {
    const r = await runBinary(['--help']);
    expect(r.code).toBe(0);
    for (const line of [
      'customer onboard',
      'customer assets <customer>',
      'partner analytics',
      'partner plans',
      'profile add <name>',
      'profile remove <name>',
      'sandbox start',
      'api <method> <path>',
      'completion <shell>',
      'login',
      'health',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${line.replace(/[[\]<>]/g, '\\$&')}\\s{2,}\\S`, 'm'));
    }
    expect(r.stdout).toContain('Examples:');
    // One exit-code table for every far side (SafeWeb, a PSA, a channel).
    expect(r.stdout).toMatch(
      /^\s+3 {2}the far side \(SafeWeb, a PSA, a channel\) refused the request \(400, 404, 409, 422\)$/m,
    );
    expect(r.stdout).toMatch(/^\s+4 {2}authentication at any far side: no credentials, 401, 403$/m);
    expect(r.stdout).toMatch(
      /^\s+5 {2}unavailable at any far side: network, timeout, 5xx or 429 after retries, a redirect,\n {7}an answer lacking what the contract promises or too large$/m,
    );
  });

  it.each(['customer', 'breach', 'webhook', 'partner', 'profile', 'sandbox', 'schema'])(
    '`%s --help` shows its verbs and examples',
    async (noun) => {
      const r = await runInProcess([noun, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Commands:\n/);
      expect(r.stdout).toMatch(/Examples:\n {2}\$ safeweb /);
    },
  );

  it('`webhook --help` names every event, v1 customer.breach.found included', async () => {
    const r = await runInProcess(['webhook', '--help']);
    for (const event of ['breach.new', 'breach.resolved', 'breach.unresolved', 'email.added', 'email.removed'])
      expect(r.stdout).toContain(event);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain("v1's customer.breach.found");
  });

  it('every command has examples in its help', async () => {
    for (const argv of [
      ['doctor'],
      ['webhook', 'create'],
      ['webhook', 'list'],
      ['webhook', 'update'],
      ['webhook', 'delete'],
      ['webhook', 'verify'],
      ['webhook', 'listen'],
      ['webhook', 'trigger'],
      ['sandbox', 'deliveries'],
      ['breach', 'check'],
      ['breach', 'retrieve'],
      ['breach', 'resolve'],
      ['breach', 'unresolve'],
      ['breach', 'get'],
      ['breach', 'categories'],
      ['customer', 'onboard'],
      ['customer', 'list'],
      ['customer', 'offboard'],
      ['customer', 'reactivate'],
      ['customer', 'update'],
      ['customer', 'assets'],
      ['customer', 'breaches'],
      ['customer', 'threat-score'],
      ['customer', 'magic-link'],
      ['health'],
      ['api'],
      ['login'],
      ['completion'],
      ['partner', 'analytics'],
      ['partner', 'plans'],
      ['profile', 'add'],
      ['profile', 'list'],
      ['profile', 'use'],
      ['profile', 'show'],
      ['profile', 'remove'],
      ['sandbox', 'start'],
      ['sandbox', 'exec'],
    ]) {
      const r = await runInProcess([...argv, '--help']);
      expect(r.stdout, argv.join(' ')).toMatch(/Examples:\n {2}\$ safeweb /);
    }
  });

  it('an unknown command or flag is exit 2 with one line and a suggestion laid out as gh does', async () => {
    const r = await runInProcess(['partner', 'analytic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'analytic' (see --help)\n\nDid you mean this?\n  analytics\n");
    const flag = await runInProcess(['partner', 'analytics', '--jsno']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("error: unknown option '--jsno' (see --help)\n\nDid you mean this?\n  --json\n");
    // Nothing close: one line.
    const far = await runInProcess(['partner', 'zzz']);
    expect(far.stderr).toBe("error: unknown command 'zzz' (see --help)\n");
  });

  it('a mistyped noun gets a suggestion too, on a terminal and piped', async () => {
    const piped = await runBinary(['custmer', 'list']);
    expect(piped).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown command 'custmer' (see --help)\n\nDid you mean this?\n  customer\n",
    });
    const pty = runInPty(['breech', 'check', 'a@b.co']);
    expect(await pty.exit).toBe(2);
    expect(pty.screen()).toBe("error: unknown command 'breech' (see --help)\n\nDid you mean this?\n  breach\n");
  });

  it('bad global flag values are exit 2 naming the fix', async () => {
    const r = await runInProcess(['--timeout', 'soon', 'health']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "option '--timeout <duration>' argument 'soon' is invalid. use a number of seconds, or a value like 500ms, 30s, 2m.",
    );
  });
});

describe('output modes', () => {
  it('colour on a terminal; none with NO_COLOR or --no-color', async () => {
    const coloured = runInPty(['partner', 'analytics'], { env: fx.env });
    expect(await coloured.exit).toBe(0);
    expect(coloured.raw()).toMatch(/\x1b\[1m/);
    for (const [env, args] of [
      [{ ...fx.env, NO_COLOR: '1' }, []],
      [fx.env, ['--no-color']],
    ] as const) {
      const plain = runInPty(['partner', 'analytics', ...args], { env });
      expect(await plain.exit).toBe(0);
      expect(plain.raw()).not.toMatch(/\x1b\[\d+m/);
      expect(plain.screen()).toContain('Total customers');
    }
  });

  it('no colour and no table when piped, even on errors', async () => {
    const r = await runBinary(['partner', 'analytics'], {
      env: { ...fx.env, SAFEWEB_API_KEY: 'swk_wrong_0000000000' },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });

  it('FORCE_COLOR colours even a pipe', async () => {
    const r = await runBinary(['partner', 'analytics'], {
      env: { ...fx.env, SAFEWEB_API_KEY: 'swk_wrong_0000000000', FORCE_COLOR: '1' },
    });
    expect(r.stderr).toMatch(/\x1b\[31merror:/);
  });

  it('--json keeps stdout to exactly one document, whatever goes to stderr', async () => {
    const r = await runBinary(['partner', 'plans', '--json'], { env: fx.env });
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toBe('');
  });

  it('an error whose message introduces a list: the list under it, then the hint on its own line', async () => {
    const r = await runBinary(['customer', 'onboard', '--company-name', 'Acme'], { env: fx.env });
    expect(r.code).toBe(2);
    const said = r.stderr.trimEnd().split('\n');
    expect(said[0]).toMatch(/^error: missing required fields; nothing was sent:$/);
    expect(said.slice(1, -1).every((l) => l.startsWith('  - '))).toBe(true);
    expect(said.at(-1)).toMatch(/^Supply them with the flags shown/);
    expect(r.stderr).not.toContain(': —');
    // Without a list, no dangling colon: "message — hint" on one line.
    const one = await runBinary(['customer', 'update', 'ACME-1'], { env: fx.env });
    expect(one.stderr).toBe(
      'error: nothing to update — Give at least one of --company-name, --contact-email, --plan, --price.\n',
    );
  });
});

describe('the README', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  // What a reader sees as text: fenced blocks and inline code are values to type, not links.
  const prose = readme.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

  it('links to nothing outside the repository', () => {
    expect(prose).not.toMatch(/https?:\/\//);
    const targets = [...prose.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    // A section here, or a file of the repository (a section of it too: docs/customers.md#…).
    for (const target of targets)
      expect(target, target).toMatch(/^(#[a-z0-9-]+|(?!\/)(?!\.\.\/)[\w./-]+(#[a-z0-9-]+)?)$/);
  });

  // The benchmark figures moved from the README to docs/speed.md (issue 33): there alone, once.
  it('states the 100 000-row memory figure once, in docs/speed.md', () => {
    const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
    const figures = pages.flatMap((page) =>
      page.endsWith('.md')
        ? readFileSync(path.join(ROOT, page), 'utf8')
            .split('\n')
            .filter((line) => /100 000 rows/.test(line) && /\d+(–\d+)? MB/.test(line))
            .map(() => page)
        : [],
    );
    expect(figures).toEqual(['docs/speed.md']);
  });
});

describe('the README quick start', () => {
  it('`npm run quickstart` onboards the example customer into a fresh sandbox', async () => {
    const { spawnSync } = await import('node:child_process');
    const { tempDir, cleanEnv } = await import('./helpers/cli.js');
    const r = spawnSync('npm', ['run', '--silent', 'quickstart'], {
      cwd: ROOT,
      // npm keeps its logs under HOME: a directory of this test's, not the shared temp dir.
      env: cleanEnv({
        SAFEWEB_CONFIG_DIR: tempDir().dir,
        HOME: tempDir().dir,
        npm_config_update_notifier: 'false',
      }) as NodeJS.ProcessEnv,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}\tACME-001\tAcme Corporation\n$/);
  });
});
