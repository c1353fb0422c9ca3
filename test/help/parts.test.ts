/**
 * The built tool is dist/main.js, dist/app.js and the chunks esbuild splits them into
 * (scripts/build.js), and a run builds only the noun it names (src/program.ts). Here: what a run
 * answers is the same as from the whole tree (the noun's own help, its exit codes, a suggestion
 * among every noun), no source module is in two files, and what every command loads holds none of
 * the big libraries. How long a run takes is speed, measured by `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/program.js';
import { BIN, ROOT, cleanEnv, quietContext, tempDir } from '../helpers/cli.js';

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
  const ctx = () => quietContext();

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
  const files = readdirSync(DIST).filter((f) => f.endsWith('.js'));
  const text = (file: string) => readFileSync(path.join(DIST, file), 'utf8');
  /** The source files a built file holds: esbuild heads each module's code with a comment naming it. */
  const sources = (file: string) => [...text(file).matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!);
  /** A file and every file it imports statically, as it is loaded. */
  const loadedWith = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const [, imported] of text(file).matchAll(/^import\s[^;]*?["']\.\/([^"']+)["'];$/gm))
      loadedWith(imported!, seen);
    return seen;
  };

  it('hold each module of src/ once: one instance of every module and class, whichever file runs', () => {
    const where = new Map<string, string[]>();
    for (const file of files)
      for (const source of sources(file).filter((s) => s.startsWith('src/')))
        where.set(source, [...(where.get(source) ?? []), file]);
    // The marks are read (so the check below can fail): these modules are each in one file.
    for (const source of ['src/context.ts', 'src/commands/partner/analytics.ts', 'src/main.ts'])
      expect(new Set(where.get(source)).size, source).toBe(1);
    expect(where.get('src/main.ts')).toEqual(['main.js']);
    const twice = [...where].filter(([, found]) => new Set(found).size > 1);
    expect(twice).toEqual([]);
  });

  it('main.js, which --version and the root help run, loads nothing else', () => {
    expect([...loadedWith('main.js')]).toEqual(['main.js']);
    expect(text('main.js')).toMatch(/import\(["']\.\/app\.js["']\)/);
  });

  it('leave the big libraries out of what every command loads (app.js and what it imports)', () => {
    const core = [...loadedWith('app.js')].flatMap(sources);
    const heavy = [
      'zod',
      'yaml',
      'csv-parse',
      '@modelcontextprotocol',
      'cli-table3',
      'conf',
      'nodemailer',
      'prom-client',
    ];
    expect(heavy.filter((lib) => core.some((s) => s.startsWith(`node_modules/${lib}/`)))).toEqual([]);
    // The marks are read: commander and ky, which every API command needs, are there.
    expect(core).toContain('src/context.ts');
    expect(core.some((s) => s.startsWith('node_modules/ky/'))).toBe(true);
    expect(core.some((s) => s.startsWith('node_modules/commander/'))).toBe(true);
  });
});
