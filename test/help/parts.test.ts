/**
 * The built tool is dist/app.js and its parts, dist/part-<group>.js (scripts/build-parts.js): a
 * run loads app.js and the part of the noun it names (and the parts that one imports), and
 * builds that noun alone (src/program.ts). Checked on the built binary with Node's ESM debug log, which names every
 * module it loads, and on the files themselves: no source module is in two of them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { buildProgram } from '../../src/program.js';
import { BIN, ROOT, cleanEnv, tempDir } from '../helpers/cli.js';

const DIST = path.join(ROOT, 'dist');

function run(argv: string[]): { code: number | null; stdout: string; stderr: string; loaded: string[] } {
  const { dir, cleanup } = tempDir();
  try {
    const r = spawnSync(process.execPath, [BIN, ...argv], {
      // Credentials from the environment: the API run gets as far as its (refused) request.
      env: cleanEnv({
        SAFEWEB_CONFIG_DIR: dir,
        SAFEWEB_PARTNER_ID: 'partner_parts',
        SAFEWEB_API_KEY: 'swk_parts_test_key',
        NODE_DEBUG: 'esm',
      }) as NodeJS.ProcessEnv,
      encoding: 'utf8',
    });
    const loaded = [...new Set([...r.stderr.matchAll(/dist\/((?:app|part-[a-z]+)\.js)/g)].map((m) => m[1]!))].sort();
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
  } finally {
    cleanup();
  }
}

const parts = readdirSync(DIST).filter((f) => /^part-[a-z]+\.js$/.test(f));

describe('a run loads the part of the noun it names, and no other', () => {
  // The noun's part, and the parts of what its modules import (the onboarding rules, the
  // webhook protocol the sandbox speaks), never the rest.
  it.each([
    [['partner', 'analytics', '--base-url', 'http://127.0.0.1:1', '--retries', '0'], 5, ['part-partner.js']],
    [['customer', 'onboard', '--help'], 0, ['part-customer.js', 'part-customers.js']],
    [['sandbox', '--help'], 0, ['part-customers.js', 'part-sandbox.js', 'part-webhook.js']],
    // The root's options and their values are not the noun, in either spelling.
    [['--profile', 'customer', '--timeout', '5s', 'partner', '--help'], 0, ['part-partner.js']],
    [['--timeout=5s', '--json', 'partner', 'plans', '--help'], 0, ['part-partner.js']],
    [['help', 'portfolio'], 0, ['part-customers.js', 'part-portfolio.js']],
  ])('safeweb %j', (argv, code, loaded) => {
    const r = run(argv);
    expect(r.code, r.stderr.slice(-500)).toBe(code);
    expect(r.loaded).toEqual(['app.js', ...loaded]);
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
    expect(r.loaded).toEqual(expect.arrayContaining(['app.js', 'part-customer.js', 'part-sandbox.js', 'part-mcp.js']));
  });

  it('completion reads the whole tree: its script has every noun', () => {
    const r = run(['completion', 'bash']);
    expect(r.code).toBe(0);
    for (const noun of ['customer', 'sandbox', 'portfolio', 'mcp', 'audit']) expect(r.stdout).toContain(noun);
  });

  it('the parts exist, so the checks above can fail', () => {
    expect(parts).toEqual(expect.arrayContaining(['part-partner.js', 'part-customer.js', 'part-sandbox.js']));
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
      // Its noun (one or two top-level commands) and the root's hidden `version`, not the
      // whole tree — but for completion, which reads it all.
      if (name !== 'completion') expect(alone.length, name).toBeLessThanOrEqual(3);
    }
  });
});

describe('the built files', () => {
  it('hold each source module once: one instance of every module and class, whichever file runs', () => {
    // esbuild heads each module's code with a comment naming its source file.
    const where = new Map<string, string[]>();
    for (const file of ['app.js', ...parts]) {
      const text = readFileSync(path.join(DIST, file), 'utf8');
      for (const [, source] of text.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm))
        where.set(source!, [...(where.get(source!) ?? []), file]);
    }
    expect(where.get('src/context.ts')).toEqual(['app.js']);
    expect(where.get('src/commands/partner/analytics.ts')).toEqual(['part-partner.js']);
    const twice = [...where].filter(([, files]) => new Set(files).size > 1);
    expect(twice).toEqual([]);
  });

  it('app.js leaves the subsystems few runs use to their parts', () => {
    const app = readFileSync(path.join(DIST, 'app.js'), 'utf8');
    for (const source of ['src/sandbox/server.ts', 'src/mcp/serve.ts', 'src/manifest/plan.ts', 'src/portfolio/book.ts'])
      expect(app).not.toContain(`// ${source}\n`);
  });
});
