#!/usr/bin/env node
// Builds dist/ from src/ with esbuild: the whole start-up path (our modules, commander, chalk,
// ky) in a few files, each verb and heavy dependency in a chunk loaded only when used.
//
// Why a bundle and not tsc's one-file-per-module output: on Node 20 (no compile cache) a
// profile of `safeweb --help` showed about a third of its time in ESM resolution and loading,
// and in cjs-module-lexer parsing commander to find its exports. Measured with npm run bench.
// Type-checking stays with tsc (npm run typecheck), which emits nothing.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Bundled: what nearly every run loads. Everything else stays an ordinary import, loaded lazily.
const BUNDLED = new Set(['commander', 'chalk', 'ky']);
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
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
  logLevel: 'warning',
});
