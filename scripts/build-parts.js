// dist/app.js and its parts: the verbs' code, and the subsystems only some runs use (the
// sandbox, the MCP server, manifests, the portfolio, webhooks, bulk runs), leave app.js for
// files of their own, dist/part-<group>.js, loaded with their first use. Node parses every byte
// of the file a run loads (a pre-parse, for functions never called), and app.js had grown to
// 770 kB, so `partner analytics` paid for the sandbox and the MCP server.
//
// Why not esbuild's code splitting: it makes a file of every dynamically imported module and of
// every set of modules shared by the same importers (157 files here), and a run that loads ten
// of them, one after another, is slower than one that loads the single bundle (bench/startup.js).
// Here the groups are few and chosen (groupOf below), and each module is in exactly one file:
//
// - a dynamic import() of a module in another group becomes an import of that group's file,
//   taking the module's namespace from it (`import('./part-sandbox.js').then((m) => m.__sandbox_server)`);
// - a part's import of a module that app.js holds is linked to app.js's instance, through a
//   function app.js exports, `__core(id)`, which initialises the module on first call as
//   esbuild's own lazy modules do: one instance of every module and class, whichever file runs;
// - a part's static import of a module of another group imports that group's part (loaded
//   with it: the groups of shared code, such as customers/ and bulk/, are there for this);
// - a module of no group that two parts would both hold moves to app.js (not run there until
//   asked for).
//
// The build repeats until nothing moves and checks the result: no source module in two files,
// and no cycle among the parts' static imports (a part would see another half-evaluated).
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Subsystems and their group; a noun's modules (src/commands/<noun>/: index.ts, which registers
// it with commander, and its verbs) are in the noun's group.
const SUBSYSTEMS = [
  // A bulk onboarding is a bulk run: its module goes with the runner, not with every customer verb.
  ['src/commands/customer/onboard-bulk.ts', 'bulk'],
  // So do the rows of a bulk file: they read with bulk/sources.ts.
  ['src/customers/bulk-rows.ts', 'bulk'],
  ['src/sandbox/', 'sandbox'],
  ['src/mcp/', 'mcp'],
  // The ticket machinery goes with the psa noun: the psa verbs, services.ts and the receiver all
  // load it; in no group, two parts would hold it and app.js (with zod) would take it.
  ['src/psa/', 'psa'],
  ['src/manifest/', 'manifest'],
  // The integration settings are checked with zod, as onboarding is: with the customers' part,
  // which holds zod. In any other part, zod (800 kB) would be shared by two parts and move to
  // app.js, which every run parses (partner analytics went from 1.05× to 1.39× a bare ky script).
  ['src/config/integrations', 'customers'],
  ['src/portfolio/', 'portfolio'],
  // The events' vocabulary and keys go with the book that produces them.
  ['src/findings/', 'portfolio'],
  ['src/webhooks/', 'webhook'],
  // The channels go with the notify noun, whoever else loads them (a sink runner, the receiver).
  ['src/notify/', 'notify'],
  // What doctor reads of a running receiver: not the receiver (its sinks, prom-client) with it.
  ['src/serve/status.ts', 'doctor'],
  ['src/serve/', 'serve'],
  ['src/bulk/', 'bulk'],
  ['src/completion/', 'completion'],
  // The breach services go with the breach noun: MCP's breach tools load that part, as the verbs do.
  ['src/breaches/', 'breach'],
  // The services wired from a Context serve the customer verbs, bulk runs and apply: not every run.
  ['src/services.ts', 'customers'],
  ['src/customers/', 'customers'],
  // (read-only.ts, production.ts and guard.ts decide what every API run may send: app.js)
  ['src/safety/audit.ts', 'safety'],
  // Searching the audit log goes with its reader (not with the portfolio verbs).
  ['src/portfolio/audit-search.ts', 'safety'],
  ['src/safety/mask.ts', 'safety'],
  ['src/config/keyring.ts', 'keyring'],
];
const NOUN_GROUP = {
  plan: 'manifest',
  apply: 'manifest',
  export: 'manifest',
  integrations: 'manifest',
  findings: 'portfolio',
  outbox: 'portfolio',
};

/** The group of a source module ('src/…', forward slashes), or undefined: app.js. */
export function groupOf(rel) {
  for (const [prefix, group] of SUBSYSTEMS) if (prefix.endsWith('.ts') && rel === prefix) return group;
  const verb = /^src\/commands\/([^/]+)\/[^/]+\.ts$/.exec(rel);
  if (verb) return NOUN_GROUP[verb[1]] ?? verb[1];
  for (const [prefix, group] of SUBSYSTEMS) if (rel.startsWith(prefix)) return group;
  return undefined;
}

/** The name a part exports a module's namespace under. */
const nsName = (rel) =>
  `__${rel
    .replace(/^src\//, '')
    .replace(/\.ts$/, '')
    .replace(/[^A-Za-z0-9]/g, '_')}`;
const partFile = (group) => `part-${group}.js`;

// import('./relative.js') in code: not `typeof import(…)` and not `import(…).Member` (types).
const DYNAMIC = /(?<![\w$.]|typeof\s+)import\(\s*(['"])(\.{1,2}\/[^'"\n]+)\1\s*\)(?!\s*\.\s*[A-Za-z_$])/g;

/**
 * Rewrites dynamic imports of another group's modules into imports of that group's file, for
 * the bundle of `group` (undefined: app.js), and records each module so reached in `found`.
 */
function crossGroupImports(root, group, found) {
  return {
    name: 'cross-group-imports',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(DYNAMIC, (whole, _quote, specifier) => {
          const target = path.resolve(path.dirname(args.path), specifier).replace(/\.js$/, '.ts');
          const rel = path.relative(root, target).split(path.sep).join('/');
          const to = existsSync(target) ? groupOf(rel) : undefined;
          if (to === undefined || to === group) return whole;
          if (!found.has(to)) found.set(to, new Set());
          found.get(to).add(rel);
          return `import('@safeweb-part/${to}').then((m) => m.${nsName(rel)})`;
        });
        return { contents, loader: 'ts' };
      });
      b.onResolve({ filter: /^@safeweb-part\// }, (args) => ({
        path: `./${partFile(args.path.slice('@safeweb-part/'.length))}`,
        external: true,
      }));
    },
  };
}

/**
 * In a part: every import of a module app.js holds is served by app.js's `__core`, and every
 * static import of a module of another group by that group's part (which then loads with this
 * one: `uses` records it, and the build refuses a cycle).
 */
function links(root, { group, inApp, linked, found, uses }) {
  return {
    name: 'links',
    setup(b) {
      b.onResolve({ filter: /^@safeweb-app$/ }, () => ({ path: './app.js', external: true }));
      b.onResolve({ filter: /^@safeweb-core$/ }, () => ({ path: 'core', namespace: 'core-fn' }));
      b.onLoad({ filter: /.*/, namespace: 'core-fn' }, () => ({
        contents: "export { __core } from '@safeweb-app';\n",
        loader: 'js',
      }));
      b.onResolve({ filter: /^@safeweb-part-ns\// }, (args) => ({
        path: args.path.slice('@safeweb-part-ns/'.length),
        namespace: 'part-ns',
      }));
      b.onLoad({ filter: /.*/, namespace: 'part-ns' }, (args) => ({
        contents: `export * as part from '@safeweb-part/${args.path}';\n`,
        loader: 'js',
      }));
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.linking || args.namespace !== 'file' || args.kind === 'entry-point') return undefined;
        if (args.path.startsWith('node:') || args.path.startsWith('@safeweb-')) return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { linking: true },
        });
        if (r.errors.length || r.external || r.namespace !== 'file') return undefined;
        const rel = path.relative(root, r.path).split(path.sep).join('/');
        // Not the module's own path: its extension (.mjs) would make esbuild read this as ESM.
        if (inApp.has(rel)) {
          linked.add(rel);
          return { path: `__core(${rel})`, namespace: 'core-link', pluginData: { rel } };
        }
        const owner = groupOf(rel);
        if (owner === undefined || owner === group) return undefined;
        if (!found.has(owner)) found.set(owner, new Set());
        found.get(owner).add(rel);
        uses.add(owner);
        return { path: `__part(${rel})`, namespace: 'part-link', pluginData: { rel, owner } };
      });
      b.onLoad({ filter: /.*/, namespace: 'core-link' }, (args) => ({
        contents: `module.exports = require('@safeweb-core').__core(${JSON.stringify(args.pluginData.rel)});\n`,
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'part-link' }, ({ pluginData: { rel, owner } }) => ({
        contents: `module.exports = require('@safeweb-part-ns/${owner}').part.${nsName(rel)};\n`,
        loader: 'js',
      }));
    },
  };
}

/** A cycle among the parts' static imports of each other, as a list of groups, or undefined. */
function cycleIn(uses) {
  const state = new Map();
  const visit = (group, trail) => {
    if (state.get(group) === 'done') return undefined;
    if (state.get(group) === 'open') return [...trail.slice(trail.indexOf(group)), group];
    state.set(group, 'open');
    for (const next of uses.get(group) ?? []) {
      const cycle = visit(next, [...trail, group]);
      if (cycle) return cycle;
    }
    state.set(group, 'done');
    return undefined;
  };
  for (const group of uses.keys()) {
    const cycle = visit(group, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The source files (not virtual modules) a build's output holds. */
const sourcesOf = (result) =>
  Object.keys(result.metafile.inputs).filter((input) => !input.includes(':') && input !== '<stdin>');

/**
 * Builds app.js (from `entry`, the source of its entry module) and its parts into `outdir`.
 * Returns app.js's build result and, per group, the modules its part holds.
 */
export async function buildAppAndParts({ root, common, plugins, entry, outdir }) {
  const exposed = new Set(); // modules app.js gives its parts, through __core
  const targets = new Map(); // group → the modules other files import from its part
  const abs = (rel) => path.join(root, rel);
  const add = (into, from) => {
    let grew = false;
    for (const [group, modules] of from) {
      if (!into.has(group)) into.set(group, new Set());
      for (const m of modules) {
        if (into.get(group).has(m)) continue;
        into.get(group).add(m);
        grew = true;
      }
    }
    return grew;
  };
  for (let round = 1; round <= 10; round++) {
    const found = new Map();
    const core = [...exposed]
      .sort()
      .map((rel) => `    case ${JSON.stringify(rel)}: return require(${JSON.stringify(abs(rel))});`);
    const app = await build({
      ...common,
      stdin: {
        contents: [
          entry,
          '/** A module of app.js, for a part (scripts/build-parts.js): initialised on first call. */',
          'export function __core(id: string): unknown {',
          '  switch (id) {',
          ...core,
          '    default: throw new Error(`app.js does not hold ${id}`);',
          '  }',
          '}',
        ].join('\n'),
        resolveDir: path.join(root, 'src'),
        sourcefile: 'app.ts',
        loader: 'ts',
      },
      outfile: path.join(outdir, 'app.js'),
      metafile: true,
      plugins: [crossGroupImports(root, undefined, found), ...plugins],
    });
    const inApp = new Set(sourcesOf(app));
    let moved = add(targets, found);
    const share = (rel) => {
      if (exposed.has(rel)) return;
      exposed.add(rel);
      moved = true;
    };
    const linked = new Set();
    const owner = new Map();
    const parts = new Map();
    const uses = new Map(); // group → the groups whose parts its part imports statically
    for (const [group, modules] of [...targets].sort()) {
      const part = await build({
        ...common,
        stdin: {
          contents: [...modules]
            .sort()
            .map((rel) => `export * as ${nsName(rel)} from ${JSON.stringify(abs(rel))};`)
            .join('\n'),
          resolveDir: root,
          sourcefile: `${partFile(group)}.ts`,
          loader: 'ts',
        },
        outfile: path.join(outdir, partFile(group)),
        metafile: true,
        plugins: [
          links(root, { group, inApp, linked, found, uses: uses.set(group, new Set()).get(group) }),
          crossGroupImports(root, group, found),
          ...plugins,
        ],
      });
      parts.set(group, sourcesOf(part));
      for (const input of sourcesOf(part)) {
        if (owner.has(input) && owner.get(input) !== group) share(input);
        owner.set(input, group);
      }
    }
    for (const rel of linked) share(rel);
    if (add(targets, found)) moved = true;
    if (!moved) {
      const seen = new Map([...inApp].map((input) => [input, 'app.js']));
      for (const [group, inputs] of parts)
        for (const input of inputs) {
          if (seen.has(input)) throw new Error(`${input} is in both ${seen.get(input)} and ${partFile(group)}`);
          seen.set(input, partFile(group));
        }
      const cycle = cycleIn(uses);
      if (cycle) throw new Error(`the parts import each other in a cycle: ${cycle.map(partFile).join(' → ')}`);
      return { app, parts };
    }
  }
  throw new Error('the parts of dist/app.js did not settle in 10 rounds');
}
