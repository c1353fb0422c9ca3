#!/usr/bin/env node
// Builds dist/ from src/ with esbuild's own bundling and code splitting (ESM):
//
// - dist/app.js and its chunks: everything a command needs, split by esbuild at every import()
//   that is left in src/: each noun with its verbs (src/program.ts), and the heavy subsystems few
//   runs use (the sandbox and emulators, the MCP server and its tools, the receiver, jq, the
//   keychain) and libraries (yaml, zod, conf, prompts, nodemailer, prom-client…);
// - dist/main.js: src/main.ts alone, the start of every run: `--version` and the root help,
//   whose parts it carries (taken from the built tree here: src/help/root.ts), are answered
//   without loading anything else; any other run imports ./app.js;
// - dist/root-help.txt and dist/version.txt: what a pipe gets, which bin/safeweb.js writes itself;
// - dist/sdk.js: the MCP SDK (src/mcp/sdk.ts), for `safeweb mcp` alone, without ajv;
// - dist/jq-child.js: the process a --jq filter runs in (src/output/jq.ts starts it).
//
// What each of these pieces buys, measured, is in docs/speed.md. Type-checking stays with tsc
// (npm run typecheck), which emits nothing. `node scripts/build.js --sizes` lists the files a
// run may load, biggest first, and what is in them.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const src = (file) => path.join(root, 'src', file);

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build esbuild cannot follow; its `module` is plain ESM.
  mainFields: ['module', 'main'],
  // A native addon, loaded in a child process (config/keyring.ts), and a WebAssembly build that
  // reads its .wasm beside it (output/jq-child.ts): both stay in node_modules.
  external: ['@napi-rs/keyring', 'jq-web'],
  define: { __SAFEWEB_VERSION__: JSON.stringify(pkg.version) },
  // The CommonJS libraries' require() of Node built-ins needs a real require in ESM output.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

/**
 * esbuild puts each module in the chunk of the entries that reach it, and counts every import()
 * as an entry: a module that app.ts and three nouns import would go in one chunk, one that
 * app.ts and two others import in another, and a run would load dozens of small files (each a
 * measurable part of a start, bench/startup.js). A module of src/ loaded with import() is
 * therefore made to import app.ts too, which is loaded before it anyway: then everything app.ts
 * reaches is reached from every entry alike, and is one chunk.
 */
const APP = src('app.ts');
const lazyWithApp = {
  name: 'lazy-with-app',
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData === 'lazy') return undefined;
      const {
        path: file,
        external,
        errors,
      } = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'lazy',
      });
      if (errors.length || external || file === APP || !file.startsWith(src(''))) return undefined;
      return { path: file, namespace: 'lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `import ${JSON.stringify(APP)};\nexport * from ${JSON.stringify(args.path)};\n`,
      resolveDir: root,
    }));
  },
};

/**
 * The root help's parts as JSON: a throwaway bundle builds the commander tree from src/ and
 * prints them (src/help/extract.ts); it runs with an empty environment and config directory.
 */
async function rootHelpParts(dir) {
  const file = path.join(dir, 'extract-root-help.mjs');
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
      resolveDir: src(''),
      sourcefile: 'extract-root-help.ts',
      loader: 'ts',
    },
    outfile: file,
  });
  const json = execFileSync(process.execPath, [file], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
  rmSync(file);
  return json.toString('utf8');
}

/** What `safeweb <flag>` writes to a pipe, from the built main.js (which answers it without app.js). */
async function pipedAnswer(mainJs, flag, expected) {
  const { run } = await import(pathToFileURL(mainJs).href);
  let text = '';
  const stdout = { isTTY: false, write: (chunk) => ((text += chunk), true) };
  const init = { stdout, stderr: stdout, stdin: process.stdin, env: {}, nodeVersion: process.version };
  const code = await run([flag], init);
  if (code !== 0 || !expected.test(text)) throw new Error(`safeweb ${flag} gave no answer to write (exit ${code})`);
  return text;
}

// Built aside (where git, eslint and prettier never look) and swapped in only when the build
// succeeds: a failed build (an import the bundler cannot resolve mid-edit) leaves the last good
// dist/ for the binary tests.
const staging = path.join(root, `node_modules/.cache/safeweb-build-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
try {
  const app = await build({
    ...common,
    entryPoints: { app: APP, 'jq-child': src('output/jq-child.ts') },
    outdir: staging,
    splitting: true,
    chunkNames: '[name]-[hash]',
    // src/mcp/serve.ts imports ./sdk.js: the bundle below.
    external: [...common.external, './sdk.js'],
    plugins: [lazyWithApp],
    metafile: true,
  });
  // The MCP SDK imports ajv for one thing, validating what a client sends back when a server asks
  // it for input; safeweb never asks (mcp/serve.ts gives the server a validator of its own).
  const ajvLeftOut = path.join(root, 'scripts/ajv-left-out.js');
  await build({
    ...common,
    entryPoints: [src('mcp/sdk.ts')],
    outfile: path.join(staging, 'sdk.js'),
    alias: { ajv: ajvLeftOut, 'ajv-formats': ajvLeftOut },
  });
  await build({
    ...common,
    entryPoints: [src('main.ts')],
    outfile: path.join(staging, 'main.js'),
    external: ['./app.js'],
    define: { ...common.define, __SAFEWEB_ROOT_HELP__: JSON.stringify(await rootHelpParts(staging)) },
  });
  // The root help and the version as a pipe or a file gets them (no terminal: 80 columns, the bare
  // version), written by main.js itself: bin/safeweb.js writes them without loading even main.js.
  const main = path.join(staging, 'main.js');
  writeFileSync(path.join(staging, 'root-help.txt'), await pipedAnswer(main, '--help', /^Usage: safeweb /));
  writeFileSync(path.join(staging, 'version.txt'), await pipedAnswer(main, '--version', /^\d+\.\d+\.\d+\S*\n$/));
  if (process.argv.includes('--sizes')) {
    for (const [file, { bytes, inputs }] of Object.entries(app.metafile.outputs).sort(
      (a, b) => b[1].bytes - a[1].bytes,
    )) {
      const biggest = Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
      console.log(
        `${String(bytes).padStart(8)}  ${path.basename(file)}  ${biggest
          .slice(0, 3)
          .map(([i]) => i)
          .join(' ')}`,
      );
    }
  }
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  throw error;
}
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
try {
  renameSync(staging, path.join(root, 'dist'));
} catch (error) {
  if (error.code !== 'EXDEV') throw error;
  // node_modules on another file system (a linked install): copy instead.
  cpSync(staging, path.join(root, 'dist'), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
}
