#!/usr/bin/env node
// Builds dist/ from src/ with esbuild:
//
// - dist/main.js: src/main.ts alone, the start of every run, which answers `--version` itself,
//   and the root help from its parts, taken from the built tree at build time and stored in
//   main.js (src/help/root.ts; about 60 commands cost ~25% of a Node start to build);
// - dist/app.js: what every other run needs (context, program, renderer, report, the HTTP
//   engine with ky, commander, chalk) and the modules several parts share;
// - dist/part-<group>.js: each noun (its registration and verbs) and each subsystem few runs
//   use (sandbox, MCP server, manifests, portfolio, webhooks, bulk), loaded with first use;
//   how, and why not esbuild's code splitting: scripts/build-parts.js;
// - dist/mcp-sdk.js: the MCP SDK, for `safeweb mcp` alone;
// - dist/jq-child.js: the child process a --jq filter runs in (src/output/jq.ts).
//
// Inside a file, a module runs only when first imported (esbuild wraps it), so `--help`,
// completion and usage errors never run ky or start the runtime's fetch machinery
// (test/api/lazy.test.ts). `safeweb partner analytics` loads app.js and part-partner.js
// (test/help/parts.test.ts). Why a bundle at all: a profile of `--help` from tsc's
// one-file-per-module output showed about a third of its time in ESM loading and in parsing
// commander's CommonJS. Type-checking stays with tsc (npm run typecheck), which emits nothing.
// `node scripts/build.js --sizes` lists what app.js holds, biggest first.
import { build } from 'esbuild';
import { buildAppAndParts } from './build-parts.js';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Bundled: what most runs load, and csv-parse, which a bulk run reads its file with before the
// first request (bundled into part-bulk.js it costs no load of its files from node_modules, ~20 ms).
// Everything else stays an ordinary import, loaded lazily.
const BUNDLED = new Set(['commander', 'chalk', 'ky', 'csv-parse']);
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

/**
 * In one ESM file, esbuild hoists every `import … from 'node:x'` to the top, so each built-in
 * any verb uses (http, crypto, readline, v8, child_process…) would load on every run. As
 * bundled CommonJS shims they load with the first module that needs them instead.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' ? undefined : { path: args.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

// What main.ts imports, and the names it takes from each: all of it but version.js comes from app.js.
const MAIN = path.join(root, 'src/main.ts');
const mainSource = readFileSync(MAIN, 'utf8');
const taken = [...mainSource.matchAll(/\{([^{}]*)\}\s*=\s*await\s+import\(\s*'(\.\/[^']+)'\s*\)/g)];
const appModules = [...new Set(taken.map((m) => m[2]))].filter((specifier) => specifier !== './version.js');
const appNames = taken
  .filter((m) => appModules.includes(m[2]))
  .flatMap((m) => m[1].split(',').map((name) => name.trim().split(/\s*:\s*/)[0]))
  .filter(Boolean);

/** main.ts's imports of those modules become one import of ./app.js. */
const toApp = {
  name: 'to-app',
  setup(b) {
    b.onResolve({ filter: /^\.\// }, (args) =>
      args.importer === MAIN && appModules.includes(args.path) ? { path: './app.js', external: true } : undefined,
    );
  },
};

/**
 * The MCP SDK (`safeweb mcp` only) is its own bundle, dist/mcp-sdk.js: app.js imports it lazily
 * from src/mcp/serve.ts. As hundreds of ESM files in node_modules it took longer to load than the
 * rest of the start (bench/mcp.js). ajv, which the SDK imports for client-side elicitation
 * only, is replaced by a stub: the server passes a validator of its own and never builds one.
 */
const MCP_SERVE = path.join(root, 'src/mcp/serve.ts');
const mcpSdkExternal = {
  name: 'mcp-sdk-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/sdk\.js$/ }, (args) =>
      args.importer === MCP_SERVE ? { path: './mcp-sdk.js', external: true } : undefined,
    );
  },
};
const noAjv = {
  name: 'no-ajv',
  setup(b) {
    b.onResolve({ filter: /^ajv(-formats)?$/ }, (args) => ({ path: args.path, namespace: 'no-ajv' }));
    b.onLoad({ filter: /.*/, namespace: 'no-ajv' }, () => ({
      contents: 'export default function ajvLeftOut() { throw new Error("ajv is not bundled with safeweb mcp"); }\n',
      loader: 'js',
    }));
  },
};

/**
 * zod stays an ordinary import for the MCP server (its SDK works with zod's own copy), but
 * `zod/mini`, which onboarding validation uses, is bundled: tree-shaken it is ~40 kB and loads in
 * a few ms, against ~80 ms for zod's hundred-odd files from node_modules (bench/bulk.js).
 */
const bundledZodMini = {
  name: 'bundled-zod-mini',
  setup(b) {
    b.onResolve({ filter: /^zod\/mini$/ }, () => ({ path: fileURLToPath(import.meta.resolve('zod/mini')) }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  define: { __SAFEWEB_VERSION__: JSON.stringify(pkg.version) },
  // commander is CommonJS; its require() of Node built-ins needs a real require in ESM output.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

/**
 * The root help's parts as JSON: a throwaway bundle builds the commander tree from src/ and
 * prints them (src/help/extract.ts); it runs with an empty environment and config directory.
 */
async function rootHelpParts() {
  const file = `${staging}/extract-root-help.mjs`;
  await build({
    ...common,
    stdin: {
      contents: [
        "import { Context } from './context.js';",
        "import { buildProgram } from './program.js';",
        "import { rootHelpParts } from './help/extract.js';",
        'const sink = { write: () => true };',
        'const ctx = new Context({ stdin: process.stdin, stdout: sink, stderr: sink, env: {}, nodeVersion: process.version,',
        '  waitForSignal: () => new Promise(() => {}) });',
        'process.stdout.write(JSON.stringify(rootHelpParts(await buildProgram(ctx))));',
      ].join('\n'),
      resolveDir: path.join(root, 'src'),
      sourcefile: 'extract-root-help.ts',
      loader: 'ts',
    },
    outfile: file,
    plugins: [lazyChildProcess, lazyBuiltins, mcpSdkExternal, bundledZodMini],
  });
  const json = execFileSync(process.execPath, [file], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
  rmSync(file);
  return JSON.parse(json.toString('utf8'));
}

// Built aside (where git, eslint and prettier never look) and swapped in only when the build
// succeeds: a failed build (an import the bundler cannot resolve mid-edit) leaves the last good
// dist/ for the binary tests.
const staging = `node_modules/.cache/safeweb-build-${process.pid}`;
rmSync(path.join(root, staging), { recursive: true, force: true });
try {
  const { app } = await buildAppAndParts({
    root,
    common,
    plugins: [lazyChildProcess, lazyBuiltins, mcpSdkExternal, bundledZodMini],
    entry: appModules.map((specifier) => `export * from '${specifier}';`).join('\n'),
    outdir: staging,
  });
  if (process.argv.includes('--sizes')) {
    // What app.js holds, biggest first: the place to look when a start grows slower.
    const inputs = Object.entries(app.metafile.outputs[`${staging}/app.js`].inputs);
    for (const [input, { bytesInOutput }] of inputs.sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput))
      if (bytesInOutput > 0) console.log(`${String(bytesInOutput).padStart(8)}  ${input}`);
  }
  await build({
    ...common,
    entryPoints: [path.join(root, 'src/mcp/sdk.ts')],
    outfile: `${staging}/mcp-sdk.js`,
    external: [],
    plugins: [noAjv],
  });
  // The process a --jq filter runs in (src/output/jq-child.ts): jq.ts, wherever it is bundled in
  // dist/, starts it as ./jq-child.js beside it; jq-web stays external, loaded from node_modules.
  await build({
    ...common,
    entryPoints: [path.join(root, 'src/output/jq-child.ts')],
    outfile: `${staging}/jq-child.js`,
  });
  const exported = new Set(app.metafile.outputs[`${staging}/app.js`].exports);
  const missing = appNames.filter((name) => !exported.has(name));
  if (appModules.length === 0 || missing.length)
    throw new Error(`dist/app.js does not export what src/main.ts takes from it: ${missing.join(', ') || 'anything'}`);
  // main.js carries the root help's parts, taken from the tree just built (src/help/root.ts).
  const rootHelp = await rootHelpParts();
  await build({
    ...common,
    entryPoints: [MAIN],
    outfile: `${staging}/main.js`,
    plugins: [toApp],
    define: { ...common.define, __SAFEWEB_ROOT_HELP__: JSON.stringify(rootHelp) },
  });
} catch (error) {
  rmSync(path.join(root, staging), { recursive: true, force: true });
  throw error;
}
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
try {
  renameSync(path.join(root, staging), path.join(root, 'dist'));
} catch (error) {
  if (error.code !== 'EXDEV') throw error;
  // node_modules on another file system (a linked install): copy instead.
  cpSync(path.join(root, staging), path.join(root, 'dist'), { recursive: true });
  rmSync(path.join(root, staging), { recursive: true, force: true });
}
