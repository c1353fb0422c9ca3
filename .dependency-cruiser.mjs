// The layers of src/, checked by dependency-cruiser in `npm test` (`npm run layers`; the why of
// each line: docs/architecture.md). An import runs down this table, never up, and never sideways
// between two modules on one line. Type-only imports count (tsPreCompilationDeps): a service that
// names a type of a layer above is coupled to it as surely as one that calls it. Dynamic imports
// count too. Lines for directories that do not exist yet (serve/, psa/, notify/, findings/) hold
// the moment those appear. A file or directory of src/ that is on no line fails the check.
//
//   line                      modules (a directory, or a file at src/'s root)
//   entry                     main.ts
//   program                   program.ts
//   front doors               commands/  mcp/
//   front-door helpers        help/  completion/  report.ts
//   sandbox                   sandbox/
//   service wiring            services.ts
//   wiring                    context.ts
//   clients                   clients.ts
//   receiver                  serve/
//   sinks                     psa/  notify/
//   manifest                  manifest/
//   portfolio                 portfolio/
//   breaches                  breaches/
//   one customer, webhooks    customers/  webhooks/
//   findings                  findings/
//   bulk machinery            bulk/
//   presentation              output/  prompt/
//   safety                    safety/
//   engine, files, settings   api/  io/  config/
//   results                   outcome.ts  errors.ts
//   facts                     bounded-cache.ts  version.ts  exit-codes.ts  environments.ts  globals.ts  book-vocabulary.ts
//
// Front doors, besides: `commands/<a>/` never imports `commands/<b>/` (the shared helpers at
// commands/'s root, parse.ts and the like, are for every noun, and import no noun); mcp/ never
// imports commands/; `commands/mcp/` is the one command that may import mcp/ (it starts that
// front door).
//
// Known violations, each in a file being rewritten elsewhere, are listed in
// .dependency-cruiser-known-violations.json and ignored (--ignore-known) until they are fixed;
// a new one fails. `npm run layers:baseline` rewrites that list: only ever to shorten it.

/** Top to bottom. */
const LAYERS = [
  ['entry', ['main.ts']],
  ['run', ['app.ts']],
  ['program', ['program.ts']],
  ['front doors', ['commands/', 'mcp/']],
  ['front-door helpers', ['help/', 'completion/', 'report.ts']],
  ['sandbox', ['sandbox/']],
  ['service wiring', ['services.ts']],
  ['wiring', ['context.ts']],
  ['clients', ['clients.ts']],
  ['receiver', ['serve/']],
  ['sinks', ['psa/', 'notify/']],
  ['manifest', ['manifest/']],
  ['portfolio', ['portfolio/']],
  ['breaches', ['breaches/']],
  ['one customer, webhooks', ['customers/', 'webhooks/']],
  ['findings', ['findings/']],
  ['bulk machinery', ['bulk/']],
  ['presentation', ['output/', 'prompt/']],
  ['safety', ['safety/']],
  ['engine, files, settings', ['api/', 'io/', 'config/']],
  ['results', ['outcome.ts', 'errors.ts']],
  ['facts', ['bounded-cache.ts', 'version.ts', 'exit-codes.ts', 'environments.ts', 'globals.ts', 'book-vocabulary.ts']],
];

/**
 * Edges the table forbids that are right all the same, each with its reason. `typeOnly`: only
 * an `import type` may cross; a value import still fails.
 */
const ALLOWED = [
  // The request body's type is made from the one field table (issue 24 item 4), so api/ names
  // that type rather than keep a second list; no code of customers/ runs for it.
  { from: 'api/', to: 'customers/fields.ts', typeOnly: true },
  // The integration settings are written through the one writer (atomic, 0600, no links) into a
  // private directory; config/ and io/ share a line, and this is the one config module that writes a file itself.
  { from: 'config/integrations.ts', to: 'io/' },
  // `safeweb mcp` starts the MCP server: the one command that loads the other front door.
  { from: 'commands/mcp/', to: 'mcp/' },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A module's paths: everything under a directory, or the one file. */
const re = (module) => (module.endsWith('/') ? `^src/${escape(module)}` : `^src/${escape(module)}$`);
const any = (modules) => modules.map(re);
const slug = (module) => module.replace(/\/$/, '').replace(/\.ts$/, '');

/** `from` (one module) may not import any of `to`, but for the edges ALLOWED names. */
function forbid(name, comment, from, to) {
  const rule = (f, t) => ({ name, comment, severity: 'error', from: f, to: t });
  const allowed = ALLOWED.filter((a) => a.from.startsWith(from) && to.includes(moduleOf(a.to)));
  return [
    rule({ path: re(from), pathNot: allowed.map((a) => re(a.from)) }, { path: any(to) }),
    ...allowed.flatMap((a) => [
      rule({ path: re(a.from) }, { path: any(to), pathNot: re(a.to) }),
      ...(a.typeOnly ? [rule({ path: re(a.from) }, { path: re(a.to), dependencyTypesNot: ['type-only'] })] : []),
    ]),
  ];
}

const MODULES = LAYERS.flatMap(([, modules]) => modules);
/** The module of the table a path lies in: `customers/fields.ts` -> `customers/`. */
function moduleOf(path) {
  return MODULES.find((m) => (m.endsWith('/') ? path.startsWith(m) : path === m)) ?? path;
}

const layerRules = LAYERS.flatMap(([line, modules], i) => {
  const above = LAYERS.slice(0, i).flatMap(([, m]) => m);
  return modules.flatMap((module) => [
    ...(above.length
      ? forbid(`upward-from-${slug(module)}`, `${module} (${line}) imports a layer above it`, module, above)
      : []),
    ...(modules.length > 1
      ? forbid(
          `sideways-from-${slug(module)}`,
          `${module} imports another module of its own line (${line})`,
          module,
          modules.filter((m) => m !== module),
        )
      : []),
  ]);
});

export default {
  forbidden: [
    ...layerRules,
    {
      name: 'noun-to-noun',
      comment: 'a command imports another noun\u2019s verb: move what both need below, or to commands/\u2019s root',
      severity: 'error',
      from: { path: '^src/commands/([^/]+)/' },
      to: { path: '^src/commands/[^/]+/', pathNot: '^src/commands/$1/' },
    },
    {
      name: 'shared-to-noun',
      comment: 'a helper at commands/\u2019s root is shared by every noun, so imports none',
      severity: 'error',
      from: { path: '^src/commands/[^/]+$' },
      to: { path: '^src/commands/[^/]+/' },
    },
    ...[
      { from: { path: '^src/', pathNot: any(MODULES) }, to: {} },
      { from: { path: '^src/' }, to: { path: '^src/', pathNot: any(MODULES) } },
      { from: { path: '^src/', pathNot: any(MODULES), orphan: true }, to: {} },
    ].map(({ from, to }) => ({
      name: 'not-in-a-layer',
      comment: 'every file of src/ sits on a line of the table in .dependency-cruiser.mjs: add it there',
      severity: 'error',
      from,
      to,
    })),
    {
      // A cycle of types alone changes nothing at run time (the layers above still count types);
      // a cycle of values decides which module sees the other half-loaded.
      name: 'no-runtime-cycle',
      comment: 'modules that import each other at run time: one of them sees the other half-loaded',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Node's own condition names and extensions, so `./x.js` finds x.ts as tsc does.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
    },
  },
};
