/**
 * The built tool is dist/app.js and its parts, dist/part-<group>.js (scripts/build-parts.js), and
 * a run builds only the noun it names (src/program.ts). Here: what a run answers is the same as
 * from the whole tree (the noun's own help, its exit codes, a suggestion among every noun), and
 * no source module is in two files. Which files a run loads is speed, measured by `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { buildProgram } from '../../src/program.js';
import { BIN, ROOT, cleanEnv, tempDir } from '../helpers/cli.js';

const DIST = path.join(ROOT, 'dist');

function run(argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const { dir, cleanup } = tempDir();
  try {
    const r = spawnSync(process.execPath, [BIN, ...argv], {
      // Credentials from the environment: the API run gets as far as its (refused) request.
      env: cleanEnv({
        SAFEWEB_CONFIG_DIR: dir,
        SAFEWEB_PARTNER_ID: 'partner_parts',
        SAFEWEB_API_KEY: 'swk_parts_test_key',
      }) as NodeJS.ProcessEnv,
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    cleanup();
  }
}

describe('a run that builds only the noun it names answers as the whole tree would', () => {
  it.each([
    [['customer', 'onboard', '--help'], 'Usage: safeweb customer onboard [options]'],
    [['sandbox', '--help'], 'Usage: safeweb sandbox [options] [command]'],
    // The root's options and their values are not the noun, in either spelling.
    [['--profile', 'customer', '--timeout', '5s', 'partner', '--help'], 'Usage: safeweb partner [options] [command]'],
    [['--timeout=5s', '--json', 'partner', 'plans', '--help'], 'Usage: safeweb partner plans [options]'],
    [['help', 'portfolio'], 'Usage: safeweb portfolio [options] [command]'],
  ])("safeweb %j shows that command's help", (argv, usage) => {
    const r = run(argv);
    expect(r.code, r.stderr.slice(-500)).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(usage);
  });

  it('a verb runs: an API call to a closed port is exit 5', () => {
    const r = run(['partner', 'analytics', '--base-url', 'http://127.0.0.1:1', '--retries', '0']);
    expect(r.code, r.stderr.slice(-500)).toBe(5);
  });

  it('the noun it builds is the whole noun: its help lists every verb', () => {
    const r = run(['--profile', 'customer', 'partner', '--help']);
    expect(r.stdout).toContain('analytics');
    expect(r.stdout).toContain('plans');
  });

  it('what names no noun is answered with the whole tree: a suggestion among every noun', () => {
    const r = run(['custmer', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('customer');
  });

  it('completion reads the whole tree: its script has every noun', () => {
    const r = run(['completion', 'bash']);
    expect(r.code).toBe(0);
    for (const noun of ['customer', 'sandbox', 'portfolio', 'mcp', 'audit']) expect(r.stdout).toContain(noun);
  });
});

describe('every top-level command builds alone', () => {
  const sink = { write: () => true } as never;
  const ctx = () =>
    new Context({
      stdin: process.stdin,
      stdout: sink,
      stderr: sink,
      env: {},
      nodeVersion: process.version,
      waitForSignal: () => new Promise(() => {}),
    });

  it('each command of the whole tree is in the tree a run naming it builds', async () => {
    const whole = (await buildProgram(ctx())).commands.map((c) => c.name());
    expect(whole).toEqual(expect.arrayContaining(['customer', 'partner', 'sandbox', '__complete', 'version']));
    for (const name of whole) {
      const alone = (await buildProgram(ctx(), { argv: [name, '--help'] })).commands.map((c) => c.name());
      expect(alone, name).toContain(name);
    }
  });
});

describe('the built files', () => {
  const parts = readdirSync(DIST).filter((f) => /^part-[a-z]+\.js$/.test(f));

  it('hold each source module once: one instance of every module and class, whichever file runs', () => {
    // esbuild heads each module's code with a comment naming its source file.
    const where = new Map<string, string[]>();
    for (const file of ['app.js', ...parts]) {
      const text = readFileSync(path.join(DIST, file), 'utf8');
      for (const [, source] of text.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm))
        where.set(source!, [...(where.get(source!) ?? []), file]);
    }
    // The marks are read (so the check below can fail): these two modules are each in one file.
    expect(where.get('src/context.ts')).toHaveLength(1);
    expect(where.get('src/commands/partner/analytics.ts')).toHaveLength(1);
    const twice = [...where].filter(([, files]) => new Set(files).size > 1);
    expect(twice).toEqual([]);
  });

  it('leave the big libraries out of app.js, which every run parses (zod alone is 800 kB)', () => {
    const app = readFileSync(path.join(DIST, 'app.js'), 'utf8');
    const heavy = ['zod', 'yaml', 'csv-parse', '@modelcontextprotocol', 'cli-table3', 'string-width'];
    const found = heavy.filter((lib) => app.includes(`// node_modules/${lib}/`));
    expect(found).toEqual([]);
    // The mark is read: ky, which every API run needs, is there.
    expect(app).toContain('// node_modules/ky/');
    // nodemailer stays outside the bundle, imported when the first email goes (notify/email.ts).
    expect(app).not.toMatch(/["']nodemailer["']/);
    expect(readFileSync(path.join(DIST, 'part-notify.js'), 'utf8')).toMatch(/import\(["']nodemailer["']\)/);
  });
});
