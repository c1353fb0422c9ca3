#!/usr/bin/env node
// Builds dist/ from src/ with esbuild: the whole start-up path (our modules, commander, chalk)
// in a few files, each verb and heavy dependency in a chunk loaded only when used. ky is bundled
// too, but only into the HTTP engine's chunk (src/api/engine.ts), which nothing imports
// statically from main.ts or program.ts: `--help`, `--version`, completion and usage errors
// never load it nor the runtime's fetch machinery it starts (checked by test/api/lazy.test.ts).
//
// Why a bundle and not tsc's one-file-per-module output: on Node 20 (no compile cache) a
// profile of `safeweb --help` showed about a third of its time in ESM resolution and loading,
// and in cjs-module-lexer parsing commander to find its exports. Measured with npm run bench.
// Type-checking stays with tsc (npm run typecheck), which emits nothing.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Bundled: what most runs load. Everything else stays an ordinary import, loaded lazily.
const BUNDLED = new Set(['commander', 'chalk', 'ky']);
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

/**
 * commander requires node:child_process at load, for executable subcommands, which safeweb
 * does not use; loading it (and dgram, which it pulls in) costs a few ms on every start,
 * `--help` included. Here commander gets it on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "let real; const load = () => (real ??= require('node:child_process'));\n" +
        'module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });\n',
      loader: 'js',
    }));
  },
};

// Built beside dist/ and swapped in only when the build succeeds: a failed build (an import
// the bundler cannot resolve mid-edit) leaves the last good dist/ for the binary tests.
const staging = `dist.building-${process.pid}`;
rmSync(new URL(`../${staging}`, import.meta.url), { recursive: true, force: true });
try {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/main.ts'],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    define: { __SAFEWEB_VERSION__: JSON.stringify(pkg.version) },
    // commander is CommonJS; its require() of Node built-ins needs a real require in ESM chunks.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [lazyChildProcess],
    logLevel: 'warning',
  });
} catch (error) {
  rmSync(new URL(`../${staging}`, import.meta.url), { recursive: true, force: true });
  throw error;
}
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
renameSync(new URL(`../${staging}`, import.meta.url), new URL('../dist', import.meta.url));
