/**
 * `safeweb mcp` end to end: the SDK's client spawns the built binary over stdio against the
 * sandbox. Listing and the write gate, every tool once with its structured result checked
 * against its output schema and against the CLI's --json for the same question, and the
 * confirmation round trip of destructive tools.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv } from 'ajv';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookEvent } from '../../src/findings/event.js';
import { Outbox } from '../../src/findings/outbox.js';
import { accountKey } from '../../src/io/account-files.js';
import { READ_TOOLS, WRITE_TOOLS } from '../../src/mcp/names.js';
import { runInProcess } from '../helpers/cli.js';
import { connectMcp, requestsSince, textOf, useMcpSandbox, type McpSessionUnderTest } from './helpers.js';

const fixture = useMcpSandbox();
const ajv = new Ajv({ strict: false, allErrors: true });

const ACME = {
  companyName: 'Acme Corporation',
  contactEmail: 'contact@acme.co',
  customerReference: 'ACME-001',
  assetsDomains: ['acme.co'],
  assetsEmails: ['admin@acme.co', 'security@acme.co'],
  alertRecipients: ['alerts@acme.co'],
  price: 49.99,
  billedFromDate: '2030-01-01T00:00:00.000Z',
  currencyCode: 'USD',
  planType: 'safeweb-basic',
};

/** The CLI's --json document for the same question, run in this process against the same sandbox. */
async function cliJson(argv: string[]): Promise<unknown> {
  const r = await runInProcess([...argv, '--json'], { env: fixture().env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function names(tools: Tool[]): string[] {
  return tools.map((t) => t.name).sort();
}

describe('a read-only server (the default)', () => {
  let mcp: McpSessionUnderTest;
  beforeAll(async () => {
    mcp = await connectMcp([], fixture().env);
  });
  afterAll(async () => mcp?.close());

  it('lists only the reading tools, each with schemas and read-only annotations', async () => {
    const tools = await mcp.tools();
    expect(names(tools)).toEqual([...READ_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    }
  });

  it.each([...WRITE_TOOLS])('refuses %s called by name, naming --allow-writes, and sends nothing', async (name) => {
    const before = fixture().requests.length;
    const result = await mcp.call(name, { reference: 'ACME-001', confirmationToken: 'x' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('--allow-writes');
    expect(textOf(result)).toContain('nothing was sent');
    expect(requestsSince(fixture(), before)).toEqual([]);
  });

  it('answers an unknown tool with -32602 (a protocol error, per MCP) listing the tools', async () => {
    await expect(mcp.call('customer_delete_everything')).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/Unknown tool: "customer_delete_everything".*customer_list/),
    });
  });

  it('says on stderr that it serves reads only, and tells the assistant at initialize', async () => {
    expect(await mcp.stderrWith('reads only')).toContain('safeweb mcp: serving');
    expect(mcp.client.getInstructions()).toContain('This server is read-only');
    expect(mcp.client.getInstructions()).toContain('masked');
  });
});

describe('--tools narrows the set', () => {
  it('says at start that the writes it was given are refused without --allow-writes', async () => {
    const mcp = await connectMcp(['--tools', 'customer_get,customer_offboard'], fixture().env);
    try {
      expect(names(await mcp.tools())).toEqual(['customer_get']);
      await mcp.stderrWith('customer_offboard change data: without --allow-writes they are refused');
    } finally {
      await mcp.close();
    }
  });

  it('lists only the named tools and refuses the others by name', async () => {
    const mcp = await connectMcp(['--allow-writes', '--tools', 'customer_list,customer_offboard'], fixture().env);
    try {
      expect(names(await mcp.tools())).toEqual(['customer_list', 'customer_offboard']);
      const before = fixture().requests.length;
      const result = await mcp.call('partner_analytics');
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('--tools customer_list,customer_offboard');
      expect(requestsSince(fixture(), before)).toEqual([]);
    } finally {
      await mcp.close();
    }
  });
});

describe('every tool, with --allow-writes, against the sandbox', () => {
  let mcp: McpSessionUnderTest;
  let tools: Map<string, Tool>;
  let customerId: string;
  let magicLink = '';

  /** Calls a tool, expects success, and checks the structured result against the tool's output schema. */
  async function ok(name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const result = await mcp.call(name, args);
    expect(result.isError, textOf(result)).toBeFalsy();
    const schema = tools.get(name)?.outputSchema;
    expect(schema).toBeDefined();
    const validate = ajv.compile(schema!);
    expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
    return result.structuredContent as Record<string, unknown>;
  }

  beforeAll(async () => {
    mcp = await connectMcp(['--allow-writes', '--no-mask-pii'], fixture().env);
    tools = new Map((await mcp.tools()).map((t) => [t.name, t]));
  });
  afterAll(async () => mcp?.close());

  it('lists every tool, writes with their annotations', () => {
    expect([...tools.keys()].sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
    expect(tools.get('customer_offboard')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tools.get('customer_onboard')?.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
    expect(tools.get('customer_magic_link')?.annotations?.readOnlyHint).toBe(false);
    // The onboarding fields come from the field table, as `safeweb schema onboarding` publishes them.
    const onboarding = tools.get('customer_onboard')!.inputSchema;
    expect(onboarding.required).toEqual(expect.arrayContaining(['companyName', 'customerReference']));
    expect(Object.keys(onboarding.properties ?? {})).not.toContain('$schema');
  });

  it('customer_onboard reports every violation at once and sends nothing', async () => {
    const before = fixture().requests.length;
    const result = await mcp.call('customer_onboard', { ...ACME, contactEmail: 'nope', price: -1, colour: 'red' });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain('3 problems');
    expect(text).not.toContain('alertRecipients');
    expect(text).toMatch(/contactEmail/);
    expect(text).toMatch(/price/);
    expect(text).toMatch(/colour: unknown field/);
    expect(text).toContain('call customer_onboard again');
    expect(text).not.toMatch(/--allow-unknown-fields|--dry-run/);
    expect(requestsSince(fixture(), before)).toEqual([]);
  });

  it('customer_onboard creates the customer and records it', async () => {
    const data = await ok('customer_onboard', ACME);
    expect(data).toMatchObject({ customerReference: 'ACME-001', companyName: 'Acme Corporation' });
    customerId = data['customerId'] as string;
    expect(fixture().sandbox.state.customers.some((c) => c.id === customerId)).toBe(true);
  });

  it('customer_list is `customer list --json` under "customers"', async () => {
    const data = await ok('customer_list');
    expect(data).toEqual({ customers: await cliJson(['customer', 'list']) });
    expect((data['customers'] as unknown[]).length).toBe(1);
  });

  it('customer_get is assets, threat score and breaches as the CLI gives them', async () => {
    const data = await ok('customer_get', { reference: 'ACME-001' });
    expect(data).toMatchObject({ customerId, reference: 'ACME-001', companyName: 'Acme Corporation' });
    expect(data['assets']).toEqual(await cliJson(['customer', 'assets', 'ACME-001']));
    expect(data['threatScore']).toEqual(await cliJson(['customer', 'threat-score', 'ACME-001']));
    expect(data['breaches']).toEqual(await cliJson(['customer', 'breaches', 'ACME-001']));
    expect((data['breaches'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('customer_get by ID answers the same customer', async () => {
    const data = await ok('customer_get', { id: customerId });
    expect(data['reference']).toBe('ACME-001');
  });

  it('customer_get with both reference and id is refused before anything is sent', async () => {
    const before = fixture().requests.length;
    const result = await mcp.call('customer_get', { reference: 'ACME-001', id: customerId });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('exactly one of reference and id');
    expect(requestsSince(fixture(), before)).toEqual([]);
  });

  it('portfolio_status is `portfolio status --json`', async () => {
    const data = await ok('portfolio_status');
    expect(data).toEqual(await cliJson(['portfolio', 'status']));
    expect(data['customers']).toEqual([expect.objectContaining({ reference: 'ACME-001', band: expect.any(String) })]);
  });

  it('findings_list is `findings --json` under "findings", each with its stable key', async () => {
    const data = await ok('findings_list');
    expect(data).toEqual({ findings: await cliJson(['findings']) });
    const findings = data['findings'] as Array<{ reference: string; key: string }>;
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.reference === 'ACME-001' && f.key.length <= 64)).toBe(true);
    expect(await ok('findings_list', { customers: ['ACME-001'] })).toEqual(data);
    const unknown = await mcp.call('findings_list', { customers: ['NOBODY-9'] });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('no customer with reference "NOBODY-9"');
  });

  it('outbox_status is `outbox status --json`: per sink, a dead-lettered item and its error', async () => {
    const { sandbox, configDir } = fixture();
    const before = await ok('outbox_status');
    expect(before).toMatchObject({ items: 0, sinks: [] });
    const outbox = new Outbox({ configDir, account: accountKey(sandbox.partnerId, sandbox.url), sinks: ['psa'] });
    const event = bookEvent(
      sandbox.partnerId,
      { type: 'breach.new', reference: 'ACME-001', customerId, breachId: 'b-1' },
      new Date().toISOString(),
    );
    await outbox.enqueue([event]);
    await outbox.record('psa', event.key, { ok: false, error: 'ConnectWise answered 400', permanent: true });
    const data = await ok('outbox_status');
    expect(data).toEqual(await cliJson(['outbox', 'status']));
    expect(data).toMatchObject({
      journal: outbox.file,
      items: 1,
      sinks: [
        { sink: 'psa', dead: 1, lastError: { key: event.key, error: 'ConnectWise answered 400', state: 'dead' } },
      ],
    });
  });

  it('plan is `plan --json`, for a manifest inline (text or object) or in a file', async () => {
    const file = path.join(fixture().configDir, '..', `book-${process.pid}.yaml`);
    const manifest = {
      defaults: { currencyCode: 'USD', billedFromDate: '2030-01-01T00:00:00Z', alertRecipients: ['soc@msp.example'] },
      customers: [{ customerReference: 'BOOK-1', companyName: 'Book One', assetsDomains: ['one.example'], price: 10 }],
    };
    writeFileSync(file, JSON.stringify(manifest).replace(/^/, '# a manifest\n'));
    try {
      const cli = await cliJson(['plan', '--file', file]);
      expect(await ok('plan', { file })).toEqual(cli);
      // Inline, the warnings name "the manifest" rather than the file; the rest is the same.
      const { warnings: _w, ...changes } = cli as Record<string, unknown>;
      expect(await ok('plan', { manifest })).toMatchObject(changes);
      expect(await ok('plan', { manifest: JSON.stringify(manifest) })).toMatchObject(changes);
      expect((cli as { summary: { create: number } }).summary.create).toBe(1);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('plan reads no file in the config directory, and only manifest file names', async () => {
    for (const file of [path.join(fixture().configDir, 'config.json'), '/etc/passwd']) {
      const result = await mcp.call('plan', { file });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/config directory|\.yaml, \.yml or \.json/);
    }
  });

  it('plan follows no symlink into the config directory, of a file or of a folder', async () => {
    const { configDir } = fixture();
    const outside = path.join(configDir, '..', `links-${process.pid}`);
    mkdirSync(outside);
    try {
      writeFileSync(path.join(configDir, 'inside.yaml'), 'customers: []\n');
      symlinkSync(path.join(configDir, 'inside.yaml'), path.join(outside, 'file.yaml'));
      symlinkSync(configDir, path.join(outside, 'folder'));
      const files = [
        path.join(outside, 'file.yaml'),
        path.join(outside, 'folder', 'inside.yaml'),
        // A name that starts with ".." is still in the folder, not above it.
        path.join(configDir, '..notes.yaml'),
      ];
      for (const file of files) {
        const result = await mcp.call('plan', { file });
        expect(result.isError, file).toBe(true);
        expect(textOf(result)).toMatch(/config directory/);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(path.join(configDir, 'inside.yaml'), { force: true });
    }
  });

  it('breach_check is `breach check --json` under "results"', async () => {
    const emails = ['admin@acme.co', 'jane@acme.co'];
    const data = await ok('breach_check', { emails });
    expect(data).toEqual({ results: await cliJson(['breach', 'check', ...emails]) });
    expect(data['results']).toEqual([
      { email: 'admin@acme.co', breached: true },
      { email: 'jane@acme.co', breached: false },
    ]);
  });

  it('breach_check takes at most 100 addresses', async () => {
    const result = await mcp.call('breach_check', { emails: Array.from({ length: 101 }, (_, i) => `u${i}@acme.co`) });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/emails: .*100/);
  });

  it('breach_lookup is `breach get --json`', async () => {
    const data = await ok('breach_lookup', { name: 'Adobe' });
    expect(data).toEqual(await cliJson(['breach', 'get', '--name', 'Adobe']));
    expect(data['name']).toBe('Adobe');
  });

  it('partner_analytics is `partner analytics --json`', async () => {
    const data = await ok('partner_analytics');
    expect(data).toEqual(await cliJson(['partner', 'analytics']));
  });

  it('customer_update_assets adds without asking', async () => {
    const data = await ok('customer_update_assets', { reference: 'ACME-001', addEmails: ['cfo@acme.co'] });
    expect(data['changes']).toEqual([{ kind: 'email', op: '+', value: 'cfo@acme.co' }]);
    expect(data['emails']).toContain('cfo@acme.co');
  });

  it('breach_resolve marks a breach resolved', async () => {
    const { breaches } = await ok('customer_get', { reference: 'ACME-001', unresolvedOnly: true });
    const uuid = (breaches as Array<{ uuid: string }>)[0]!.uuid;
    expect(await ok('breach_resolve', { breachId: uuid })).toEqual({ breachId: uuid, resolved: true });
    const after = (await ok('customer_get', { reference: 'ACME-001' }))['breaches'] as Array<{
      uuid: string;
      resolved: boolean;
    }>;
    expect(after.find((b) => b.uuid === uuid)?.resolved).toBe(true);
  });

  it('customer_magic_link answers the URL, the one secret a result may carry', async () => {
    const data = await ok('customer_magic_link', { reference: 'ACME-001' });
    expect(data['customerId']).toBe(customerId);
    expect(String(data['url'])).toMatch(/^https?:\/\/.+[?&]token_hash=[0-9a-f]{16,}/);
    magicLink = String(data['url']);
  });

  describe('confirmation of destructive calls', () => {
    it('customer_update_assets: a removal previews, sends no change, and the token works once', async () => {
      const before = fixture().requests.length;
      const args = { reference: 'ACME-001', removeEmails: ['cfo@acme.co'] };
      const preview = await ok('customer_update_assets', args);
      expect(preview).toMatchObject({
        confirmationRequired: true,
        preview: { changes: [{ kind: 'email', op: '-', value: 'cfo@acme.co' }] },
      });
      // Only the read of the current lists: no change was sent.
      expect(requestsSince(fixture(), before).every((line) => line.startsWith('GET '))).toBe(true);
      expect(fixture().sandbox.state.customers.find((c) => c.id === customerId)?.emails).toContain('cfo@acme.co');

      const token = preview['confirmationToken'] as string;
      const done = await ok('customer_update_assets', { ...args, confirmationToken: token });
      expect(done['changes']).toEqual([{ kind: 'email', op: '-', value: 'cfo@acme.co' }]);

      const again = await mcp.call('customer_update_assets', { ...args, confirmationToken: token });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/used already|does not fit/);
    });

    it('customer_offboard: the preview sends nothing; a token for other arguments is refused; the right one works once', async () => {
      const before = fixture().requests.length;
      const preview = await ok('customer_offboard', { reference: 'ACME-001' });
      expect(preview).toMatchObject({
        confirmationRequired: true,
        preview: { customerId, reference: 'ACME-001', statusAfter: 'offboarded' },
      });
      expect(requestsSince(fixture(), before)).toEqual([]);
      const token = preview['confirmationToken'] as string;

      const other = await mcp.call('customer_offboard', { id: customerId, confirmationToken: token });
      expect(other.isError).toBe(true);
      expect(textOf(other)).toContain('does not fit this call');
      const forged = await mcp.call('customer_offboard', { reference: 'ACME-001', confirmationToken: `${token}x` });
      expect(forged.isError).toBe(true);
      expect(requestsSince(fixture(), before)).toEqual([]);

      const done = await ok('customer_offboard', { reference: 'ACME-001', confirmationToken: token });
      expect(done).toEqual({ customerId, reference: 'ACME-001', status: 'offboarded', changed: true });
      expect(requestsSince(fixture(), before).some((line) => line.startsWith('POST '))).toBe(true);

      const reuse = await mcp.call('customer_offboard', { reference: 'ACME-001', confirmationToken: token });
      expect(reuse.isError).toBe(true);
    });

    it('customer_reactivate undoes it', async () => {
      expect(await ok('customer_reactivate', { reference: 'ACME-001' })).toEqual({
        customerId,
        reference: 'ACME-001',
        status: 'active',
        changed: true,
      });
    });
  });

  it('audit_search is `audit --json` under "entries": every write marked via mcp with its tool', async () => {
    const data = await ok('audit_search', { since: '1h' });
    expect(data).toEqual({ entries: await cliJson(['audit', '--since', '1h']) });
    const entries = data['entries'] as Array<{ via: string; tool?: string; outcome: string; method: string }>;
    expect(entries.length).toBeGreaterThanOrEqual(6);
    expect(entries.every((e) => e.via === 'mcp')).toBe(true);
    expect(new Set(entries.map((e) => e.tool))).toEqual(
      new Set([
        'customer_onboard',
        'customer_update_assets',
        'breach_resolve',
        'customer_magic_link',
        'customer_offboard',
        'customer_reactivate',
      ]),
    );
    // Reads are not changes: the previews and customer_get left no entry.
    expect(entries.every((e) => e.method !== 'GET')).toBe(true);
    const forAcme = (await ok('audit_search', { customer: 'ACME-001' }))['entries'] as unknown[];
    expect(forAcme.length).toBeGreaterThan(0);
  });

  it('no message carries the API key, and the magic link only in its own result', () => {
    const key = fixture().sandbox.apiKey;
    const texts = mcp.messages.map((m) => JSON.stringify(m));
    expect(texts.some((t) => t.includes(key))).toBe(false);
    const secret = /token_hash=([0-9a-f]+)/.exec(magicLink)![1]!;
    const withLink = mcp.messages.filter((m) => JSON.stringify(m).includes(secret));
    expect(withLink).toHaveLength(1);
    expect(withLink[0]).toMatchObject({ result: { structuredContent: { url: magicLink } } });
  });

  it('a removal token no longer fits once the lists changed since the preview', async () => {
    const args = { reference: 'ACME-001', setEmails: ['admin@acme.co'] };
    const preview = await ok('customer_update_assets', args);
    expect((preview['preview'] as { changes: unknown[] }).changes).toContainEqual({
      kind: 'email',
      op: '-',
      value: 'security@acme.co',
    });
    // Someone adds an address meanwhile: the same call would now remove it too.
    const added = await runInProcess(['customer', 'assets', 'ACME-001', '--add-email', 'new@acme.co'], {
      env: fixture().env,
    });
    expect(added.code, added.stderr).toBe(0);
    const before = fixture().requests.length;
    const result = await mcp.call('customer_update_assets', {
      ...args,
      confirmationToken: preview['confirmationToken'],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('no longer what the preview showed');
    expect(requestsSince(fixture(), before).filter((line) => !line.startsWith('GET '))).toEqual([]);
    expect(fixture().sandbox.state.customers.find((c) => c.id === customerId)?.emails).toContain('new@acme.co');
  });
});

describe('personal data is masked by default', () => {
  let mcp: McpSessionUnderTest;
  beforeAll(async () => {
    mcp = await connectMcp([], fixture().env);
  });
  afterAll(async () => mcp?.close());

  it('in results: the addresses of breach_check and the record of customer_list', async () => {
    const check = await mcp.call('breach_check', { emails: ['admin@acme.co'] });
    expect(check.structuredContent).toEqual({ results: [{ email: 'a***@acme.co', breached: true }] });
    const list = JSON.stringify((await mcp.call('customer_list')).structuredContent);
    expect(list).toContain('c***@acme.co');
    expect(list).not.toMatch(/contact@|alerts@/);
    // Domains, references and IDs stay readable.
    expect(list).toContain('ACME-001');
    // The same document `--mask-pii --json` prints.
    expect(JSON.parse(list)).toEqual({ customers: await cliJson(['customer', 'list', '--mask-pii']) });
  });

  it('in errors', async () => {
    const result = await mcp.call('customer_get', { reference: 'jane.doe@acme.co' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('j***@acme.co');
    expect(textOf(result)).not.toContain('jane.doe@');
  });

  it('and --no-mask-pii turns it off, saying so on stderr at start', async () => {
    const open = await connectMcp(['--no-mask-pii'], fixture().env);
    try {
      const check = await open.call('breach_check', { emails: ['admin@acme.co'] });
      expect(check.structuredContent).toEqual({ results: [{ email: 'admin@acme.co', breached: true }] });
      await open.stderrWith('NOT masked');
      expect(await mcp.stderrWith('serving')).not.toContain('NOT masked');
    } finally {
      await open.close();
    }
  });
});

describe('a read-only profile refuses writes even with --allow-writes', () => {
  let mcp: McpSessionUnderTest;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    const fx = fixture();
    env = { ...fx.env, SAFEWEB_BASE_URL: undefined, SAFEWEB_PARTNER_ID: undefined, SAFEWEB_API_KEY: undefined };
    const add = await runInProcess(
      [
        'profile',
        'add',
        'reporting',
        '--base-url',
        fx.sandbox.url,
        '--partner-id',
        fx.sandbox.partnerId,
        '--api-key-stdin',
      ],
      { env, stdin: fx.sandbox.apiKey },
    );
    expect(add.code, add.stderr).toBe(0);
    const set = await runInProcess(['profile', 'set', 'reporting', '--read-only'], { env });
    expect(set.code, set.stderr).toBe(0);
    mcp = await connectMcp(['--profile', 'reporting', '--allow-writes'], env);
  });
  afterAll(async () => mcp?.close());

  it('says so at start, still reads, and refuses each write with nothing sent', async () => {
    await mcp.stderrWith('profile "reporting" is read-only: every write will be refused');
    expect((await mcp.call('customer_list')).isError).toBeFalsy();
    const before = fixture().requests.length;
    for (const [name, args] of [
      ['customer_onboard', { ...ACME, customerReference: 'ACME-RO' }],
      ['customer_update_assets', { reference: 'ACME-001', addEmails: ['ro@acme.co'] }],
      ['breach_resolve', { breachId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }],
      ['customer_magic_link', { reference: 'ACME-001' }],
    ] as const) {
      const result = await mcp.call(name, args);
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toContain('profile "reporting" is read-only');
    }
    // Refused in the API client, before sending: only the read of the current assets reached the sandbox.
    expect(requestsSince(fixture(), before).filter((line) => !line.startsWith('GET '))).toEqual([]);
    expect(fixture().sandbox.state.customers.find((c) => c.customerReference === 'ACME-001')?.emails).not.toContain(
      'ro@acme.co',
    );
    expect(fixture().sandbox.state.customers.some((c) => c.customerReference === 'ACME-RO')).toBe(false);
  });

  it('refuses an offboarding confirmed with its token too', async () => {
    const before = fixture().requests.length;
    const preview = await mcp.call('customer_offboard', { reference: 'ACME-001' });
    const token = (preview.structuredContent as { confirmationToken: string }).confirmationToken;
    const result = await mcp.call('customer_offboard', { reference: 'ACME-001', confirmationToken: token });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('read-only');
    expect(requestsSince(fixture(), before)).toEqual([]);
  });
});
