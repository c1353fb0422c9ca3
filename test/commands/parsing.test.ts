/**
 * argv -> the options each verb receives, or commander's usage error (exit 2), for every verb.
 * The verbs' run functions are replaced, so this is the commander tree alone: defaults,
 * repeatable flags, choices, conflicts and the shared argument parsers of src/commands/parse.ts.
 */
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';

const { stub } = vi.hoisted(() => ({ stub: () => vi.fn(async () => ({ data: undefined })) }));

vi.mock('../../src/commands/health/check.js', () => ({ runHealth: stub() }));
vi.mock('../../src/commands/customer/onboard.js', () => ({ runCustomerOnboard: stub() }));
vi.mock('../../src/commands/customer/list.js', () => ({ runCustomerList: stub() }));
vi.mock('../../src/commands/customer/offboard.js', () => ({ runCustomerOffboard: stub() }));
vi.mock('../../src/commands/customer/reactivate.js', () => ({ runCustomerReactivate: stub() }));
vi.mock('../../src/commands/customer/update.js', () => ({ runCustomerUpdate: stub() }));
vi.mock('../../src/commands/customer/assets.js', () => ({ runCustomerAssets: stub() }));
vi.mock('../../src/commands/customer/breaches.js', () => ({ runCustomerBreaches: stub() }));
vi.mock('../../src/commands/customer/threat-score.js', () => ({ runCustomerThreatScore: stub() }));
vi.mock('../../src/commands/customer/magic-link.js', () => ({ runCustomerMagicLink: stub() }));
vi.mock('../../src/commands/customer/link.js', () => ({ runCustomerLink: stub() }));
vi.mock('../../src/commands/breach/check.js', () => ({ runBreachCheck: stub() }));
vi.mock('../../src/commands/breach/retrieve.js', () => ({ runBreachRetrieve: stub() }));
vi.mock('../../src/commands/breach/status.js', () => ({ runBreachSetStatus: stub() }));
vi.mock('../../src/commands/breach/get.js', () => ({ runBreachGet: stub() }));
vi.mock('../../src/commands/breach/categories.js', () => ({ runBreachCategories: stub() }));
vi.mock('../../src/commands/webhook/create.js', () => ({ runWebhookCreate: stub() }));
vi.mock('../../src/commands/webhook/list.js', () => ({ runWebhookList: stub() }));
vi.mock('../../src/commands/webhook/update.js', () => ({ runWebhookUpdate: stub() }));
vi.mock('../../src/commands/webhook/delete.js', () => ({ runWebhookDelete: stub() }));
vi.mock('../../src/commands/webhook/verify.js', () => ({ runWebhookVerify: stub() }));
vi.mock('../../src/commands/webhook/listen.js', () => ({ runWebhookListen: stub() }));
vi.mock('../../src/commands/webhook/trigger.js', () => ({ runWebhookTrigger: stub() }));
vi.mock('../../src/commands/webhook/secret.js', () => ({
  runWebhookSecretIssue: stub(),
  runWebhookSecretDeactivate: stub(),
}));
vi.mock('../../src/commands/partner/analytics.js', () => ({ runPartnerAnalytics: stub() }));
vi.mock('../../src/commands/partner/plans.js', () => ({ runPartnerPlans: stub() }));
vi.mock('../../src/commands/api/request.js', () => ({ runApi: stub() }));
vi.mock('../../src/commands/login/login.js', () => ({ runLogin: stub() }));
vi.mock('../../src/commands/doctor/check.js', () => ({ runDoctor: stub() }));
vi.mock('../../src/commands/profile/add.js', () => ({ runProfileAdd: stub() }));
vi.mock('../../src/commands/profile/list.js', () => ({ runProfileList: stub() }));
vi.mock('../../src/commands/profile/use.js', () => ({ runProfileUse: stub() }));
vi.mock('../../src/commands/profile/show.js', () => ({ runProfileShow: stub() }));
vi.mock('../../src/commands/profile/remove.js', () => ({ runProfileRemove: stub() }));
vi.mock('../../src/commands/sandbox/start.js', () => ({ runSandboxStart: stub() }));
vi.mock('../../src/commands/sandbox/deliveries.js', () => ({ runSandboxDeliveries: stub() }));
vi.mock('../../src/commands/sandbox/exec.js', () => ({ runSandboxExec: stub() }));
vi.mock('../../src/commands/completion/print.js', () => ({ runCompletion: stub() }));
vi.mock('../../src/commands/completion/customers.js', () => ({ runCompleteCustomers: stub() }));
vi.mock('../../src/commands/whoami/whoami.js', () => ({ runWhoami: stub() }));
vi.mock('../../src/commands/schema/onboarding.js', () => ({ runSchemaOnboarding: vi.fn(() => ({ data: undefined })) }));

const verbs = {
  health: (await import('../../src/commands/health/check.js')).runHealth,
  onboard: (await import('../../src/commands/customer/onboard.js')).runCustomerOnboard,
  customerList: (await import('../../src/commands/customer/list.js')).runCustomerList,
  offboard: (await import('../../src/commands/customer/offboard.js')).runCustomerOffboard,
  reactivate: (await import('../../src/commands/customer/reactivate.js')).runCustomerReactivate,
  customerUpdate: (await import('../../src/commands/customer/update.js')).runCustomerUpdate,
  assets: (await import('../../src/commands/customer/assets.js')).runCustomerAssets,
  customerBreaches: (await import('../../src/commands/customer/breaches.js')).runCustomerBreaches,
  threatScore: (await import('../../src/commands/customer/threat-score.js')).runCustomerThreatScore,
  magicLink: (await import('../../src/commands/customer/magic-link.js')).runCustomerMagicLink,
  link: (await import('../../src/commands/customer/link.js')).runCustomerLink,
  check: (await import('../../src/commands/breach/check.js')).runBreachCheck,
  retrieve: (await import('../../src/commands/breach/retrieve.js')).runBreachRetrieve,
  setStatus: (await import('../../src/commands/breach/status.js')).runBreachSetStatus,
  get: (await import('../../src/commands/breach/get.js')).runBreachGet,
  categories: (await import('../../src/commands/breach/categories.js')).runBreachCategories,
  create: (await import('../../src/commands/webhook/create.js')).runWebhookCreate,
  webhookList: (await import('../../src/commands/webhook/list.js')).runWebhookList,
  webhookUpdate: (await import('../../src/commands/webhook/update.js')).runWebhookUpdate,
  webhookDelete: (await import('../../src/commands/webhook/delete.js')).runWebhookDelete,
  verify: (await import('../../src/commands/webhook/verify.js')).runWebhookVerify,
  listen: (await import('../../src/commands/webhook/listen.js')).runWebhookListen,
  trigger: (await import('../../src/commands/webhook/trigger.js')).runWebhookTrigger,
  secretIssue: (await import('../../src/commands/webhook/secret.js')).runWebhookSecretIssue,
  secretDeactivate: (await import('../../src/commands/webhook/secret.js')).runWebhookSecretDeactivate,
  analytics: (await import('../../src/commands/partner/analytics.js')).runPartnerAnalytics,
  plans: (await import('../../src/commands/partner/plans.js')).runPartnerPlans,
  api: (await import('../../src/commands/api/request.js')).runApi,
  login: (await import('../../src/commands/login/login.js')).runLogin,
  doctor: (await import('../../src/commands/doctor/check.js')).runDoctor,
  profileAdd: (await import('../../src/commands/profile/add.js')).runProfileAdd,
  profileList: (await import('../../src/commands/profile/list.js')).runProfileList,
  profileUse: (await import('../../src/commands/profile/use.js')).runProfileUse,
  profileShow: (await import('../../src/commands/profile/show.js')).runProfileShow,
  profileRemove: (await import('../../src/commands/profile/remove.js')).runProfileRemove,
  sandboxStart: (await import('../../src/commands/sandbox/start.js')).runSandboxStart,
  deliveries: (await import('../../src/commands/sandbox/deliveries.js')).runSandboxDeliveries,
  exec: (await import('../../src/commands/sandbox/exec.js')).runSandboxExec,
  completion: (await import('../../src/commands/completion/print.js')).runCompletion,
  completeCustomers: (await import('../../src/commands/completion/customers.js')).runCompleteCustomers,
  whoami: (await import('../../src/commands/whoami/whoami.js')).runWhoami,
  schema: (await import('../../src/commands/schema/onboarding.js')).runSchemaOnboarding,
} as unknown as Record<string, Mock>;

type Verb = keyof typeof verbs;

const env = cleanEnv({ SAFEWEB_CONFIG_DIR: tempDir().dir });

beforeEach(() => vi.clearAllMocks());

/** Runs argv; exactly one verb ran, once: its first argument and the context it got. */
async function parsed(argv: string[], verb: Verb) {
  vi.clearAllMocks();
  const r = await runInProcess(argv, { env });
  expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  const called = Object.entries(verbs).filter(([, fn]) => fn.mock.calls.length > 0);
  expect(called.map(([name]) => name)).toEqual([verb]);
  expect(verbs[verb]!).toHaveBeenCalledTimes(1);
  const [opts, ctx] = verbs[verb]!.mock.calls[0]! as [unknown, { globals: Record<string, unknown> } | undefined];
  return { opts, globals: ctx?.globals };
}

/** Runs argv: commander's one-line usage error, exit 2, and no verb ran. */
async function refused(argv: string[]): Promise<string> {
  const r = await runInProcess(argv, { env });
  expect(r.code, argv.join(' ')).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^error: [^\n]+ \(see --help\)\n$/);
  for (const fn of Object.values(verbs)) expect(fn).not.toHaveBeenCalled();
  return r.stderr;
}

const UUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe.each<[string, string[], Verb, unknown]>([
  ['health', ['health'], 'health', {}],

  ['customer list: no filter', ['customer', 'list'], 'customerList', { status: undefined }],
  ['customer list --status', ['customer', 'list', '--status', 'offboarded'], 'customerList', { status: 'offboarded' }],
  [
    'customer offboard',
    ['customer', 'offboard', 'ACME-1'],
    'offboard',
    { customer: 'ACME-1', yes: false, force: false },
  ],
  [
    'customer offboard -y',
    ['customer', 'offboard', 'ACME-1', '-y'],
    'offboard',
    { customer: 'ACME-1', yes: true, force: false },
  ],
  [
    'customer offboard --force',
    ['customer', 'offboard', 'ACME-1', '--force'],
    'offboard',
    { customer: 'ACME-1', yes: false, force: true },
  ],
  ['customer reactivate', ['customer', 'reactivate', 'ACME-1'], 'reactivate', { customer: 'ACME-1', force: false }],
  [
    'customer reactivate --force',
    ['customer', 'reactivate', 'ACME-1', '--force'],
    'reactivate',
    { customer: 'ACME-1', force: true },
  ],
  [
    'customer update',
    ['customer', 'update', 'ACME-1', '--price', '79', '--plan', 'safeweb-plus', '--contact-email', 'it@acme.co'],
    'customerUpdate',
    { customer: 'ACME-1', price: '79', plan: 'safeweb-plus', contactEmail: 'it@acme.co' },
  ],
  ['customer assets: show', ['customer', 'assets', 'ACME-1'], 'assets', { customer: 'ACME-1' }],
  [
    'customer assets: repeatable edits',
    ['customer', 'assets', 'ACME-1', '--add-domain', 'a.co', '--add-domain', 'b.co', '--remove-email', 'x@a.co'],
    'assets',
    { customer: 'ACME-1', addDomain: ['a.co', 'b.co'], removeEmail: ['x@a.co'] },
  ],
  [
    'customer breaches',
    ['customer', 'breaches', 'ACME-1'],
    'customerBreaches',
    { customer: 'ACME-1', locale: undefined, unresolved: false },
  ],
  [
    'customer breaches --locale --unresolved',
    ['customer', 'breaches', 'ACME-1', '--locale', 'da-DK', '--unresolved'],
    'customerBreaches',
    { customer: 'ACME-1', locale: 'da-DK', unresolved: true },
  ],
  ['customer threat-score', ['customer', 'threat-score', 'ACME-1'], 'threatScore', { customer: 'ACME-1' }],
  ['customer magic-link', ['customer', 'magic-link', 'ACME-1'], 'magicLink', { customer: 'ACME-1' }],
  [
    'customer link',
    ['customer', 'link', 'ACME-1', '--id', '550e8400-e29b-41d4-a716-446655440000'],
    'link',
    { reference: 'ACME-1', id: '550e8400-e29b-41d4-a716-446655440000', companyName: undefined },
  ],

  ['breach retrieve', ['breach', 'retrieve', 'a@b.co'], 'retrieve', { email: 'a@b.co', locale: undefined }],
  [
    'breach retrieve --locale',
    ['breach', 'retrieve', 'a@b.co', '--locale', 'fi-FI'],
    'retrieve',
    { email: 'a@b.co', locale: 'fi-FI' },
  ],
  ['breach resolve', ['breach', 'resolve', UUID], 'setStatus', { breachId: UUID, resolved: true }],
  ['breach unresolve', ['breach', 'unresolve', UUID], 'setStatus', { breachId: UUID, resolved: false }],
  [
    'breach resolve --customer',
    ['breach', 'resolve', `${UUID}-Adobe-0`, '--customer', 'ACME-1'],
    'setStatus',
    { breachId: `${UUID}-Adobe-0`, resolved: true, customer: 'ACME-1' },
  ],
  ['breach get --name', ['breach', 'get', '--name', 'Adobe'], 'get', { name: 'Adobe' }],
  [
    'breach get --uuid --locale',
    ['breach', 'get', '--uuid', UUID, '--locale', 'sv-SE'],
    'get',
    { uuid: UUID, locale: 'sv-SE' },
  ],
  ['breach categories', ['breach', 'categories'], 'categories', {}],

  [
    'webhook create: repeatable --event',
    ['webhook', 'create', '--url', 'https://h.example/x', '--event', 'breach.new', '--event', 'email.added'],
    'create',
    { url: 'https://h.example/x', events: ['breach.new', 'email.added'], inactive: false, secretFile: undefined },
  ],
  [
    'webhook create: URL normalised, plain http to loopback',
    ['webhook', 'create', '--url', 'HTTP://LOCALHOST:9', '--inactive', '--secret-file', 's.secret'],
    'create',
    { url: 'http://localhost:9/', events: [], inactive: true, secretFile: 's.secret' },
  ],
  ['webhook list', ['webhook', 'list'], 'webhookList', {}],
  [
    'webhook update',
    ['webhook', 'update', '3', '--inactive', '--event', 'breach.new'],
    'webhookUpdate',
    { id: 3, url: undefined, events: ['breach.new'], active: undefined, inactive: true },
  ],
  [
    'webhook update --url',
    ['webhook', 'update', '3', '--url', 'https://h.example/y'],
    'webhookUpdate',
    { id: 3, url: 'https://h.example/y', events: undefined, active: undefined, inactive: undefined },
  ],
  ['webhook delete', ['webhook', 'delete', '12'], 'webhookDelete', { id: 12, yes: false }],
  ['webhook delete --yes', ['webhook', 'delete', '12', '--yes'], 'webhookDelete', { id: 12, yes: true }],
  [
    'webhook verify: repeatable --secret-file, payload from stdin by default',
    ['webhook', 'verify', '--secret-file', 'new', '--secret-file', 'old', '--signature', 'sha256=ab'],
    'verify',
    { secretFiles: ['new', 'old'], signature: 'sha256=ab', headers: undefined, token: undefined, payload: '-' },
  ],
  [
    'webhook verify: v1 --signature with --token',
    ['webhook', 'verify', '--secret-file', 's', '--signature', 'AB12', '--token', 't-1'],
    'verify',
    { secretFiles: ['s'], signature: 'AB12', headers: undefined, token: 't-1', payload: '-' },
  ],
  [
    'webhook verify --headers --payload',
    ['webhook', 'verify', '--secret-file', 's', '--headers', 'h.txt', '--payload', 'b.json'],
    'verify',
    { secretFiles: ['s'], signature: undefined, headers: 'h.txt', token: undefined, payload: 'b.json' },
  ],
  [
    'webhook listen: defaults',
    ['webhook', 'listen'],
    'listen',
    { port: 4020, path: undefined, secretFiles: [], forwardTo: undefined },
  ],
  [
    'webhook listen: every flag',
    ['webhook', 'listen', '--port', '0', '--path', '/hook', '--secret-file', 's', '--forward-to', 'https://a.example/'],
    'listen',
    { port: 0, path: '/hook', secretFiles: ['s'], forwardTo: 'https://a.example/' },
  ],
  [
    'webhook trigger',
    ['webhook', 'trigger', 'breach.new', '--url', 'http://127.0.0.1:4020/', '--secret-file', 's'],
    'trigger',
    { event: 'breach.new', url: 'http://127.0.0.1:4020/', secretFile: 's', data: undefined },
  ],
  [
    'webhook trigger customer.breach.found (v1)',
    ['webhook', 'trigger', 'customer.breach.found', '--url', 'http://127.0.0.1:4020/', '--secret-file', 's'],
    'trigger',
    { event: 'customer.breach.found', url: 'http://127.0.0.1:4020/', secretFile: 's', data: undefined },
  ],
  ['webhook secret create', ['webhook', 'secret', 'create'], 'secretIssue', { cycle: false, secretFile: undefined }],
  [
    'webhook secret cycle --secret-file',
    ['webhook', 'secret', 'cycle', '--secret-file', 'new.secret'],
    'secretIssue',
    { cycle: true, secretFile: 'new.secret' },
  ],
  [
    'webhook secret deactivate',
    ['webhook', 'secret', 'deactivate', 'abc-1'],
    'secretDeactivate',
    { id: 'abc-1', yes: false },
  ],
  [
    'webhook secret deactivate --yes',
    ['webhook', 'secret', 'deactivate', 'abc-1', '-y'],
    'secretDeactivate',
    { id: 'abc-1', yes: true },
  ],

  ['partner analytics', ['partner', 'analytics'], 'analytics', {}],
  ['partner plans', ['partner', 'plans'], 'plans', { all: false }],
  ['partner plans --all', ['partner', 'plans', '--all'], 'plans', { all: true }],

  [
    'api: method in any case, repeatable --query in order',
    ['api', 'post', '/x', '--query', 'a=1', '--query', 'a=2', '--query', 'b=c=d', '--data', '{}', '-i'],
    'api',
    {
      method: 'POST',
      path: '/x',
      data: '{}',
      input: undefined,
      query: [
        ['a', '1'],
        ['a', '2'],
        ['b', 'c=d'],
      ],
      idempotent: false,
      include: true,
    },
  ],
  [
    'api --input --idempotent',
    ['api', 'PATCH', '/y', '--input', '-', '--idempotent'],
    'api',
    { method: 'PATCH', path: '/y', data: undefined, input: '-', query: [], idempotent: true, include: false },
  ],

  ['login', ['login'], 'login', { verify: true, store: 'file' }],
  ['login --no-verify', ['login', '--no-verify'], 'login', { verify: false, store: 'file' }],
  ['doctor', ['doctor'], 'doctor', {}],

  [
    'profile add',
    ['profile', 'add', 'prod', '--api-key-stdin', '--env', 'staging', '--use'],
    'profileAdd',
    {
      name: 'prod',
      apiKeyStdin: true,
      apiKeyFile: undefined,
      env: 'staging',
      use: true,
      force: false,
      verify: false,
      store: 'file',
      readOnly: false,
    },
  ],
  [
    'profile add --api-key-file --force --verify',
    ['profile', 'add', 'prod', '--api-key-file', 'k.txt', '--force', '--verify'],
    'profileAdd',
    {
      name: 'prod',
      apiKeyStdin: false,
      apiKeyFile: 'k.txt',
      env: undefined,
      use: false,
      force: true,
      verify: true,
      store: 'file',
      readOnly: false,
    },
  ],
  ['profile list', ['profile', 'list'], 'profileList', { names: false }],
  ['profile list --names', ['profile', 'list', '--names'], 'profileList', { names: true }],
  ['profile use', ['profile', 'use', 'staging'], 'profileUse', { name: 'staging' }],
  ['profile show', ['profile', 'show'], 'profileShow', { name: undefined, revealKey: false }],
  [
    'profile show NAME --reveal-key',
    ['profile', 'show', 'p', '--reveal-key'],
    'profileShow',
    { name: 'p', revealKey: true },
  ],
  ['profile remove', ['profile', 'remove', 'old'], 'profileRemove', { name: 'old', yes: false }],
  ['profile rm -y', ['profile', 'rm', 'old', '-y'], 'profileRemove', { name: 'old', yes: true }],

  [
    'sandbox start: defaults',
    ['sandbox', 'start'],
    'sandboxStart',
    {
      port: 4010,
      state: undefined,
      saveProfile: undefined,
      quiet: false,
      faults: { latencyMs: undefined, errorRate: undefined, rateLimit: undefined, seed: undefined },
    },
  ],
  [
    'sandbox start: --save-profile without a name, and the fault knobs',
    [
      'sandbox',
      'start',
      '--save-profile',
      '--latency',
      '200',
      '--error-rate',
      '0.05',
      '--rate-limit',
      '20',
      '--seed',
      '42',
    ],
    'sandboxStart',
    {
      port: 4010,
      state: undefined,
      saveProfile: 'sandbox',
      quiet: false,
      faults: { latencyMs: 200, errorRate: 0.05, rateLimit: 20, seed: 42 },
    },
  ],
  [
    'sandbox start --save-profile NAME --port --state --quiet',
    ['sandbox', 'start', '--save-profile', 'local', '--port', '0', '--state', 's.json', '--quiet'],
    'sandboxStart',
    expect.objectContaining({ port: 0, state: 's.json', saveProfile: 'local', quiet: true }),
  ],
  ['sandbox deliveries', ['sandbox', 'deliveries'], 'deliveries', {}],
  [
    'sandbox exec: everything after -- is the command',
    ['sandbox', 'exec', '--error-rate', '0.3', '--seed', '7', '--', 'node', '-e', '1', '--json'],
    'exec',
    {
      command: ['node', '-e', '1', '--json'],
      state: undefined,
      faults: { latencyMs: undefined, errorRate: 0.3, rateLimit: undefined, seed: 7 },
    },
  ],

  ['completion', ['completion', 'fish'], 'completion', { shell: 'fish' }],
  ['__complete customers', ['__complete', 'customers'], 'completeCustomers', { status: undefined }],
  [
    '__complete customers --status',
    ['__complete', 'customers', '--status', 'active'],
    'completeCustomers',
    { status: 'active' },
  ],
  ['whoami', ['whoami'], 'whoami', {}],
  ['schema onboarding', ['schema', 'onboarding'], 'schema', undefined],
])('%s', (_name, argv, verb, expected) => {
  it('gives the verb these options', async () => {
    expect((await parsed(argv, verb)).opts).toEqual(expected);
  });
});

describe('verbs whose options another part of the tree assembles', () => {
  it('customer onboard: the field flags, repeatable lists and the bulk defaults', async () => {
    const { opts } = await parsed(
      ['customer', 'onboard', '--file', 'a.csv', '--domain', 'a.co', '--domain', 'b.co', '--currency', 'GBP'],
      'onboard',
    );
    expect(opts).toMatchObject({ file: 'a.csv', domain: ['a.co', 'b.co'], currency: 'GBP', concurrency: 8 });
    expect(
      (await parsed(['customer', 'onboard', '--concurrency', '16', '--max-rps', '2.5', '--format', 'csv'], 'onboard'))
        .opts,
    ).toMatchObject({ concurrency: 16, maxRps: 2.5, format: 'csv' });
  });

  it('breach check: addresses, the defaults, and --max-rps', async () => {
    expect((await parsed(['breach', 'check', 'a@b.co', 'c@d.co'], 'check')).opts).toMatchObject({
      emails: ['a@b.co', 'c@d.co'],
      exitStatus: false,
      concurrency: 8,
    });
    // --ndjson is the sink's business (the globals, below), not the verb's.
    expect((await parsed(['breach', 'check', 'a@b.co', '--ndjson'], 'check')).opts).not.toHaveProperty('ndjson');
    expect(
      (
        await parsed(
          ['breach', 'check', '--file', '-', '--unresolved', '--concurrency', '64', '--max-rps', '3'],
          'check',
        )
      ).opts,
    ).toMatchObject({ emails: [], file: '-', unresolved: true, concurrency: 64, maxRps: 3 });
  });
});

describe('global flags, before or after the verb', () => {
  it('parse --timeout as a duration and --retries as a count', async () => {
    const { globals } = await parsed(
      ['--timeout', '2m', 'partner', 'analytics', '--retries', '0', '--json'],
      'analytics',
    );
    expect(globals).toMatchObject({ timeout: 120_000, retries: 0, json: true });
    expect((await parsed(['health'], 'health')).globals).toMatchObject({ timeout: 30_000, retries: 3, json: false });
    expect((await parsed(['health', '--timeout', '500ms'], 'health')).globals).toMatchObject({ timeout: 500 });
  });

  it('--exit-status and --ndjson reach main through the globals', async () => {
    const { globals } = await parsed(['breach', 'check', 'a@b.co', '--exit-status', '--ndjson'], 'check');
    expect(globals).toMatchObject({ findingAsked: true, ndjson: true });
  });
});

describe.each<[string, string[], string | RegExp]>([
  // Shared parsers (src/commands/parse.ts), one refusal each.
  [
    'duration',
    ['--timeout', 'soon', 'health'],
    "option '--timeout <duration>' argument 'soon' is invalid. use a number",
  ],
  ['duration: above an hour', ['health', '--timeout', '2h'], "argument '2h' is invalid"],
  ['count: at most', ['health', '--retries', '11'], "'--retries <n>' argument '11' is invalid. must be at most 10."],
  [
    'count: whole',
    ['sandbox', 'start', '--latency', '1.5'],
    "'--latency <ms>' argument '1.5' is invalid. must be a whole",
  ],
  [
    'positive count',
    ['breach', 'check', 'a@b.co', '--concurrency', '0'],
    "argument '0' is invalid. must be at least 1.",
  ],
  ['positive count: at most', ['customer', 'onboard', '--concurrency', '65'], 'must be at most 64.'],
  ['positive number', ['breach', 'check', 'a@b.co', '--max-rps', '0'], "'--max-rps <n>' argument '0' is invalid"],
  ['uuid', ['customer', 'link', 'ACME-1', '--id', 'nope'], "'--id <uuid>' argument 'nope' is invalid. must be a UUID"],
  ['required --id', ['customer', 'link', 'ACME-1'], "required option '--id <uuid>' not specified"],
  ['port', ['sandbox', 'start', '--port', '70000'], "'--port <port>' argument '70000' is invalid. must be a port"],
  ['share', ['sandbox', 'exec', '--error-rate', '1.5', '--', 'true'], "'--error-rate <p>' argument '1.5' is invalid"],
  ['seed', ['sandbox', 'start', '--seed', 'x'], "'--seed <n>' argument 'x' is invalid. must be a whole number."],
  ['locale', ['breach', 'retrieve', 'a@b.co', '--locale', 'fi'], "'--locale <code>' argument 'fi' is invalid."],
  ['locale (customer)', ['customer', 'breaches', 'A', '--locale', 'english'], 'must look like en-GB or da-DK.'],
  ['UUID', ['breach', 'resolve', 'Adobe'], "value 'Adobe' is invalid for argument 'breachId'. must be a breach UUID"],
  ['http(s) URL', ['webhook', 'listen', '--forward-to', 'ftp://x.example/'], "'--forward-to <url>' argument 'ftp://"],
  [
    'http(s) URL (trigger)',
    ['webhook', 'trigger', 'breach.new', '--url', 'x'],
    "'--url <url>' argument 'x' is invalid",
  ],
  ['webhook URL: https only', ['webhook', 'create', '--url', 'http://h.example/'], 'must be an https:// URL'],
  ['webhook URL: a URL', ['webhook', 'update', '1', '--url', 'nope'], "argument 'nope' is invalid. is not a URL"],
  ['webhook ID', ['webhook', 'delete', 'abc'], "value 'abc' is invalid for argument 'id'. must be a whole number."],
  ['webhook ID from 1', ['webhook', 'update', '0', '--active'], "value '0' is invalid for argument 'id'"],
  [
    'URL path',
    ['webhook', 'listen', '--path', 'hook'],
    "'--path <path>' argument 'hook' is invalid. must start with /",
  ],
  ['method', ['api', 'FETCH', '/x'], "value 'FETCH' is invalid for argument 'method'. use one of GET, POST"],
  ['API path', ['api', 'GET', 'https://evil.example/x'], "for argument 'path'. the path must start with /"],
  ['query pair', ['api', 'GET', '/x', '--query', 'novalue'], "'--query <key=value>' argument 'novalue' is invalid"],

  // Choices.
  [
    'choices: status',
    ['customer', 'list', '--status', 'gone'],
    "argument 'gone' is invalid. Allowed choices are active",
  ],
  ['choices: plan', ['customer', 'update', 'A', '--plan', 'gold'], "'--plan <plan>' argument 'gold' is invalid."],
  ['choices: currency', ['customer', 'onboard', '--currency', 'XYZ'], "argument 'XYZ' is invalid. Allowed choices"],
  ['choices: format', ['customer', 'onboard', '--format', 'xml'], "'--format <format>' argument 'xml' is invalid."],
  ['choices: catalogue locale', ['breach', 'get', '--name', 'A', '--locale', 'de-DE'], "argument 'de-DE' is invalid."],
  ['choices: event', ['webhook', 'trigger', 'breach.gone', '--url', 'http://127.0.0.1/'], "value 'breach.gone'"],
  ['choices: env', ['profile', 'add', 'p', '--env', 'qa'], "'--env <environment>' argument 'qa' is invalid."],
  ['choices: shell', ['completion', 'powershell'], 'Allowed choices are bash, zsh, fish.'],

  // Conflicts, and pairs of which exactly one is needed.
  [
    'conflict: resolved',
    ['breach', 'check', 'a@b.co', '--resolved', '--unresolved'],
    "'--resolved' cannot be used with",
  ],
  ['conflict: active', ['webhook', 'update', '1', '--active', '--inactive'], "'--active' cannot be used with option"],
  ['conflict: body', ['api', 'POST', '/x', '--data', '{}', '--input', 'f'], "'--data <json>' cannot be used with"],
  ['conflict: key', ['profile', 'add', 'p', '--api-key-stdin', '--api-key-file', 'k'], "'--api-key-stdin' cannot be"],
  [
    'conflict: set',
    ['customer', 'assets', 'A', '--set-emails', 'a@b.co', '--add-email', 'c@d.co'],
    'cannot be used with',
  ],
  [
    'conflict: env and the global --base-url',
    ['--base-url', 'https://x.example', 'profile', 'add', 'p', '--env', 'staging'],
    '--env and --base-url cannot be used together',
  ],
  ['exactly one: neither', ['breach', 'get'], 'give exactly one of --name and --uuid'],
  ['exactly one: both', ['breach', 'get', '--name', 'A', '--uuid', UUID], 'give exactly one of --name and --uuid'],
  ['breach get --uuid', ['breach', 'get', '--uuid', 'nope'], '--uuid "nope" is not a UUID'],
  ['breach get --name ""', ['breach', 'get', '--name', ''], '--name must not be empty'],
  // One day parser (parse.ts parseDay) for every --since that takes a day: the calendar's days only.
  ...[
    ['psa', 'sync', '--since'],
    ['notify', 'send', '--since'],
    ['serve', '--catch-up-from'],
  ].map(
    (argv) =>
      [
        `${argv.join(' ')}: a day the calendar lacks`,
        [...argv, '2026-02-30'],
        "argument '2026-02-30' is invalid. use a date as YYYY-MM-DD (2026-01-31).",
      ] as [string, string[], string],
  ),
  [
    'exactly one: signature',
    ['webhook', 'verify', '--secret-file', 's'],
    'give exactly one of --signature and --headers',
  ],

  // Commander's own checks.
  ['required option', ['webhook', 'create', '--event', 'all'], "required option '--url <url>' not specified"],
  ['missing argument', ['customer', 'offboard'], "missing required argument 'customer'"],
  ['unknown option', ['partner', 'plans', '--every'], "unknown option '--every'"],
  ['unknown schema', ['schema', 'plan'], "unknown command 'plan'"],
  ['a secret is never a flag value', ['webhook', 'verify', '--secret', 'x'], "unknown option '--secret'"],
])('refuses %s', (_name, argv, message) => {
  it('with a usage error, before any verb runs', async () => {
    const stderr = await refused(argv);
    if (typeof message === 'string') expect(stderr).toContain(message);
    else expect(stderr).toMatch(message);
  });
});

vi.mock('../../src/mcp/serve.js', () => ({ runMcp: stub() }));

describe('mcp (issue 18)', async () => {
  const runMcp = (await import('../../src/mcp/serve.js')).runMcp as unknown as Mock;

  it.each<[string[], unknown]>([
    [['mcp'], { allowWrites: false, tools: undefined, maskPii: true }],
    [['mcp', '--allow-writes'], { allowWrites: true, tools: undefined, maskPii: true }],
    [['mcp', '--no-mask-pii'], { allowWrites: false, tools: undefined, maskPii: false }],
    [['--no-mask-pii', 'mcp'], { allowWrites: false, tools: undefined, maskPii: false }],
    [['mcp', '--mask-pii'], { allowWrites: false, tools: undefined, maskPii: true }],
    [
      ['mcp', '--tools', 'customer_get, breach_check,customer_get'],
      { allowWrites: false, tools: ['customer_get', 'breach_check'], maskPii: true },
    ],
  ])('safeweb %j', async (argv, opts) => {
    runMcp.mockClear();
    const r = await runInProcess(argv, { env });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(runMcp).toHaveBeenCalledTimes(1);
    expect(runMcp.mock.calls[0]![0]).toEqual(opts);
  });

  it.each<[string[], string]>([
    [['mcp', '--tools', 'customer_get,customer_delete'], 'unknown tool "customer_delete"'],
    [['mcp', '--tools', ','], 'name at least one tool'],
  ])('refuses %j', async (argv, message) => {
    runMcp.mockClear();
    expect(await refused(argv)).toContain(message);
    expect(runMcp).not.toHaveBeenCalled();
  });
});

// Issue 15: the portfolio verbs and `customer import`.
vi.mock('../../src/commands/portfolio/status.js', () => ({ runPortfolioStatus: stub() }));
vi.mock('../../src/commands/portfolio/watch.js', () => ({ runPortfolioWatch: stub() }));
vi.mock('../../src/commands/portfolio/report.js', () => ({ runPortfolioReport: stub() }));
vi.mock('../../src/commands/customer/import.js', () => ({ runCustomerImport: stub() }));

describe('portfolio and customer import argv', async () => {
  const book = {
    status: (await import('../../src/commands/portfolio/status.js')).runPortfolioStatus,
    watch: (await import('../../src/commands/portfolio/watch.js')).runPortfolioWatch,
    report: (await import('../../src/commands/portfolio/report.js')).runPortfolioReport,
    import: (await import('../../src/commands/customer/import.js')).runCustomerImport,
  } as unknown as Record<string, Mock>;

  async function optsOf(argv: string[], verb: string) {
    vi.clearAllMocks();
    const r = await runInProcess(argv, { env });
    expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    for (const [name, fn] of Object.entries(book)) expect(fn.mock.calls.length, name).toBe(name === verb ? 1 : 0);
    const [opts, ctx] = book[verb]!.mock.calls[0]! as [unknown, { globals: Record<string, unknown> }];
    return { opts, globals: ctx.globals };
  }

  it.each<[string[], string, unknown]>([
    [['portfolio', 'status'], 'status', { concurrency: 8 }],
    [
      ['portfolio', 'status', '--customers', 'A-1', 'B-2', '--include-offboarded', '--concurrency', '16'],
      'status',
      { customers: ['A-1', 'B-2'], includeOffboarded: true, concurrency: 16 },
    ],
    [
      ['portfolio', 'status', '--fail-on', 'threat-score>=50', '--fail-on', 'unresolved>3'],
      'status',
      { concurrency: 8, failOn: ['threat-score>=50', 'unresolved>3'] },
    ],
    [['portfolio', 'watch', '--state', 's.json'], 'watch', { state: 's.json', concurrency: 8 }],
    [
      ['portfolio', 'watch', '--state', 's.json', '--baseline', '--concurrency', '4'],
      'watch',
      { state: 's.json', baseline: true, concurrency: 4 },
    ],
    [['portfolio', 'report', '-o', 'b.html'], 'report', { output: 'b.html', concurrency: 8 }],
    [
      [
        'portfolio',
        'report',
        '--output',
        'b.html',
        '--title',
        'T',
        '--locale',
        'da-DK',
        '--force',
        '--customers',
        'A-1',
      ],
      'report',
      { output: 'b.html', title: 'T', locale: 'da-DK', force: true, customers: ['A-1'], concurrency: 8 },
    ],
    [['customer', 'import', '--file', 'x.csv'], 'import', { file: 'x.csv', concurrency: 8 }],
    [['customer', 'import', '-f', '-', '--concurrency', '2'], 'import', { file: '-', concurrency: 2 }],
  ])('%j', async (argv, verb, expected) => {
    expect((await optsOf(argv, verb)).opts).toEqual(expected);
  });

  it('--fail-on and --exit-status ask for a finding (exit 8); --csv and --json are the global ones', async () => {
    expect((await optsOf(['portfolio', 'status', '--fail-on', 'unresolved=0'], 'status')).globals).toMatchObject({
      findingAsked: true,
    });
    expect((await optsOf(['portfolio', 'status', '--csv'], 'status')).globals).toMatchObject({
      findingAsked: false,
      csv: true,
    });
    expect(
      (await optsOf(['portfolio', 'watch', '--state', 's', '--exit-status', '--json'], 'watch')).globals,
    ).toMatchObject({ findingAsked: true, json: true });
  });

  it.each<[string[], string]>([
    [['portfolio', 'status', '--fail-on', 'score>=5'], 'use threat-score>=N or unresolved>=N'],
    [['portfolio', 'status', '--fail-on', 'threat-score<5'], 'use threat-score>=N or unresolved>=N'],
    // Field names are looked up as own entries: an object's inherited members are not fields.
    [['portfolio', 'status', '--fail-on', 'constructor>=0'], 'use threat-score>=N or unresolved>=N'],
    [['portfolio', 'status', '--concurrency', '0'], 'must be at least 1'],
    [['portfolio', 'status', '--concurrency', '65'], 'must be at most 64'],
    [['portfolio', 'watch'], "required option '--state <file>' not specified"],
    [['portfolio', 'report'], "required option '-o, --output <file>' not specified"],
    [['portfolio', 'report', '-o', 'x.html', '--locale', 'danish'], 'must look like en-GB or da-DK'],
    [['customer', 'import'], "required option '-f, --file <file>' not specified"],
  ])('refuses %j', async (argv, message) => {
    expect(await refused(argv)).toContain(message);
    for (const fn of Object.values(book)) expect(fn).not.toHaveBeenCalled();
  });
});

// Customers as code (issue 16): plan, apply, export, schema manifest.
vi.mock('../../src/commands/plan/plan.js', () => ({ runPlan: stub() }));
vi.mock('../../src/commands/apply/apply.js', () => ({ runApply: stub() }));
vi.mock('../../src/commands/export/export.js', () => ({ runExport: stub() }));
vi.mock('../../src/commands/schema/manifest.js', () => ({ runSchemaManifest: vi.fn(() => ({ data: undefined })) }));

describe('customers as code: plan, apply, export', async () => {
  const asCode = {
    plan: (await import('../../src/commands/plan/plan.js')).runPlan as unknown as Mock,
    apply: (await import('../../src/commands/apply/apply.js')).runApply as unknown as Mock,
    export: (await import('../../src/commands/export/export.js')).runExport as unknown as Mock,
    schema: (await import('../../src/commands/schema/manifest.js')).runSchemaManifest as unknown as Mock,
  };
  async function gets(argv: string[], verb: keyof typeof asCode) {
    vi.clearAllMocks();
    const r = await runInProcess(argv, { env });
    expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(asCode[verb]).toHaveBeenCalledTimes(1);
    const [opts, ctx] = asCode[verb].mock.calls[0]! as [unknown, { globals: Record<string, unknown> } | undefined];
    return { opts, globals: ctx?.globals };
  }

  it.each<[string[], keyof typeof asCode, unknown]>([
    [['plan', '--file', 'b.yaml'], 'plan', { file: 'b.yaml', prune: false, state: undefined }],
    [
      ['plan', '-f', 'b.yaml', '--prune', '--state', 's.json'],
      'plan',
      { file: 'b.yaml', prune: true, state: 's.json' },
    ],
    [
      ['apply', '--file', 'b.yaml'],
      'apply',
      {
        file: 'b.yaml',
        prune: false,
        yes: false,
        secretDir: undefined,
        state: undefined,
        concurrency: 8,
        results: undefined,
        resume: undefined,
        force: false,
      },
    ],
    [
      ['apply', '-f', 'b.yaml', '--prune', '-y', '--secret-dir', 'sec', '--state', 's.json', '--concurrency', '3'],
      'apply',
      { file: 'b.yaml', prune: true, yes: true, secretDir: 'sec', state: 's.json', concurrency: 3 },
    ],
    [['apply', '-f', 'b.yaml', '--results', 'r.ndjson', '--force'], 'apply', { results: 'r.ndjson', force: true }],
    [['apply', '-f', 'b.yaml', '--resume', 'r.ndjson'], 'apply', { resume: 'r.ndjson' }],
    [['export', '--output', 'b.yaml'], 'export', { output: 'b.yaml', force: false }],
    [
      ['export', '-o', 'b.json', '--customers', 'A,B', '--customers', 'C', '--state', 's.json', '--force'],
      'export',
      { output: 'b.json', customers: ['A,B', 'C'], state: 's.json', force: true },
    ],
  ])('%j', async (argv, verb, expected) => {
    expect((await gets(argv, verb)).opts).toMatchObject(expected as object);
  });

  it('plan --exit-status reaches main through the globals', async () => {
    expect((await gets(['plan', '--file', 'b.yaml', '--exit-status'], 'plan')).globals).toMatchObject({
      findingAsked: true,
    });
  });

  it('schema manifest runs its verb', async () => {
    await gets(['schema', 'manifest'], 'schema');
  });

  it.each([
    [['plan'], "required option '-f, --file <file>' not specified"],
    [['apply'], "required option '-f, --file <file>' not specified"],
    [['export'], "required option '-o, --output <file>' not specified"],
    [['apply', '-f', 'b', '--results', 'r', '--resume', 'r'], "'--results <file>' cannot be used with option"],
    [['apply', '-f', 'b', '--concurrency', '0'], '--concurrency'],
    [['plan', '-f', 'b', '--yes'], "unknown option '--yes'"],
  ])('refuses %j with a usage error, before any verb runs', async (argv, message) => {
    vi.clearAllMocks();
    const r = await runInProcess(argv, { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    for (const fn of Object.values(asCode)) expect(fn).not.toHaveBeenCalled();
  });
});

// Issue 17 (operator safety): audit, profile set, the global --mask-pii / --no-mask-pii.
vi.mock('../../src/commands/audit/audit.js', async (original) => ({
  ...(await original<typeof import('../../src/commands/audit/audit.js')>()),
  runAudit: stub(),
}));
vi.mock('../../src/commands/profile/set.js', () => ({ runProfileSet: stub() }));

describe('operator safety flags (issue 17)', () => {
  const safety = async () => ({
    audit: (await import('../../src/commands/audit/audit.js')).runAudit as unknown as Mock,
    profileSet: (await import('../../src/commands/profile/set.js')).runProfileSet as unknown as Mock,
  });
  const run = async (argv: string[], verb: 'audit' | 'profileSet' | 'profileAdd' | 'whoami') => {
    const mocks = { ...(await safety()), profileAdd: verbs['profileAdd']!, whoami: verbs['whoami']! };
    for (const m of Object.values(mocks)) m.mockClear();
    const r = await runInProcess(argv, { env });
    expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(mocks[verb]).toHaveBeenCalledTimes(1);
    const [opts, ctx] = mocks[verb].mock.calls[0]! as [unknown, { globals: Record<string, unknown> }];
    return { opts, globals: ctx.globals };
  };

  it('audit: --since as a duration back from now or a date, --customer as given', async () => {
    const { opts } = await run(['audit', '--since', '7d', '--customer', 'ACME-001'], 'audit');
    const { since, customer } = opts as { since: Date; customer: string };
    expect(customer).toBe('ACME-001');
    expect(Date.now() - since.getTime()).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);
    expect(Date.now() - since.getTime()).toBeLessThan(7 * 86_400_000 + 60_000);
    expect((await run(['audit', '--since', '2026-01-31'], 'audit')).opts).toEqual({
      since: new Date('2026-01-31'),
      customer: undefined,
    });
    expect((await run(['audit'], 'audit')).opts).toEqual({ since: undefined, customer: undefined });
  });

  it.each([
    [['profile', 'set', 'p', '--read-only'], { name: 'p', readOnly: true, maskPii: undefined, store: undefined }],
    [['profile', 'set', 'p', '--read-write'], { name: 'p', readOnly: false, maskPii: undefined, store: undefined }],
    [['profile', 'set', 'p', '--mask-pii'], { name: 'p', readOnly: undefined, maskPii: true, store: undefined }],
    [['profile', 'set', 'p', '--no-mask-pii'], { name: 'p', readOnly: undefined, maskPii: false, store: undefined }],
    [
      ['profile', 'set', 'p', '--store', 'keyring'],
      { name: 'p', readOnly: undefined, maskPii: undefined, store: 'keyring' },
    ],
    [
      ['profile', 'set', 'p', '--display-name', 'Contoso IT'],
      { name: 'p', readOnly: undefined, maskPii: undefined, store: undefined, displayName: 'Contoso IT' },
    ],
  ])('profile set %j', async (argv, expected) => {
    expect((await run(argv, 'profileSet')).opts).toEqual(expected);
  });

  it('profile add --store keyring --read-only, and the global --mask-pii / --no-mask-pii', async () => {
    const add = await run(
      ['profile', 'add', 'p', '--api-key-stdin', '--store', 'keyring', '--read-only'],
      'profileAdd',
    );
    expect(add.opts).toMatchObject({ store: 'keyring', readOnly: true });
    expect((await run(['--mask-pii', 'whoami'], 'whoami')).globals).toMatchObject({ maskPii: true });
    expect((await run(['whoami', '--no-mask-pii'], 'whoami')).globals).toMatchObject({ maskPii: false });
    expect((await run(['whoami'], 'whoami')).globals['maskPii']).toBeUndefined();
  });

  it.each([
    [['profile', 'set', 'p', '--read-only', '--read-write'], 'cannot be used with'],
    [['profile', 'set', 'p', '--store', 'vault'], "argument 'vault' is invalid"],
    [['profile', 'add', 'p', '--api-key-stdin', '--store', 'vault'], "argument 'vault' is invalid"],
    [['login', '--store', 'vault'], "argument 'vault' is invalid"],
  ])('refuses %j with a usage error', async (argv, message) => {
    expect(await refused(argv)).toContain(message);
  });
});
