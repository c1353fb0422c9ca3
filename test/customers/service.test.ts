/**
 * The customer service's one rule per answer (customers/service.ts), driven through every front
 * door that onboards: the CLI verb, a bulk file's row, the MCP tool and `apply`. Each gets the
 * same scripted answers from a strict HTTP stub and must leave the same local record and the
 * same audit lines.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/customers/local-record.js';
import { accountKey } from '../../src/io/account-files.js';
import { connectMcp } from '../mcp/helpers.js';
import { cleanEnv, runBinary, tempDir, type CliResult } from '../helpers/cli.js';
import { stubServer, type Reply } from '../helpers/stub-server.js';

const PARTNER = 'P-RULE';
const REF = 'RULE-1';
const ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const ONBOARD = '/api/v1/integrations/customer/onboard';

const created: Reply = { status: 201, body: JSON.stringify({ success: true, customerId: ID }) };
const duplicate: Reply = {
  status: 409,
  body: JSON.stringify({ success: false, error: `Customer reference ${REF} already exists for this partner` }),
};
const noId: Reply = { status: 200, body: JSON.stringify({ success: true, message: 'Customer onboarded' }) };
const hang: Reply = { hang: true };

const FIELDS = {
  companyName: 'Rule Co',
  customerReference: REF,
  assetsDomains: ['rule.example'],
  alertRecipients: ['soc@rule.example'],
  price: 10,
  currencyCode: 'USD',
  billedFromDate: '2099-01-01T00:00:00.000Z',
};

/** One front door: each call is one attempt (a run, a resumed run, a tool call), its exit code. */
interface Caller {
  name: string;
  attempt(world: World): Promise<number>;
}

interface World {
  dir: string;
  env: Record<string, string | undefined>;
}

const cli = (world: World, argv: string[]): Promise<CliResult> =>
  runBinary(['--timeout', '2s', ...argv], { env: world.env });

const CALLERS: Caller[] = [
  {
    name: 'customer onboard',
    attempt: async (world) => {
      const file = path.join(world.dir, 'rule.json');
      writeFileSync(file, JSON.stringify(FIELDS));
      return (await cli(world, ['customer', 'onboard', '--file', file])).code;
    },
  },
  {
    name: 'a bulk row',
    attempt: async (world) => {
      const file = path.join(world.dir, 'rows.ndjson');
      writeFileSync(file, `${JSON.stringify(FIELDS)}\n`);
      const results = path.join(world.dir, 'results.ndjson');
      const resume = readdirSync(world.dir).includes('results.ndjson');
      return (await cli(world, ['customer', 'onboard', '--file', file, resume ? '--resume' : '--results', results]))
        .code;
    },
  },
  {
    name: 'the customer_onboard tool',
    attempt: async (world) => {
      const mcp = await connectMcp(['--allow-writes', '--timeout', '2s'], world.env);
      try {
        const result = await mcp.call('customer_onboard', FIELDS);
        if (!result.isError) return 0;
        const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
        return /409|already exists/.test(text) ? 3 : /no answer|not known|customer ID/.test(text) ? 5 : 1;
      } finally {
        await mcp.close();
      }
    },
  },
  {
    name: 'apply',
    attempt: async (world) => {
      const file = path.join(world.dir, 'book.json');
      writeFileSync(file, JSON.stringify({ customers: [FIELDS] }));
      return (await cli(world, ['apply', '--file', file, '--yes'])).code;
    },
  },
];

interface Case {
  name: string;
  /** The answers to each attempt in turn, and the exit code each attempt must end with. */
  attempts: Array<{ reply: Reply; code: number }>;
  record: Array<{ reference: string; id: string | null }>;
  /** [outcome, status] of each audit line, in order. */
  audit: Array<[string, number | null]>;
}

const CASES: Case[] = [
  {
    name: '201 with an ID: created, recorded with the ID',
    attempts: [{ reply: created, code: 0 }],
    record: [{ reference: REF, id: ID }],
    audit: [['ok', 201]],
  },
  {
    name: '409 on a first send: refused (exit 3), nothing recorded',
    attempts: [{ reply: duplicate, code: 3 }],
    record: [],
    audit: [['rejected', 409]],
  },
  {
    name: '2xx without the ID: exit 5, nothing recorded, audited as unknown',
    attempts: [{ reply: noId, code: 5 }],
    record: [],
    audit: [['unknown', 200]],
  },
  {
    name: 'no answer, then 409 on the re-send: already there, recorded without an ID',
    attempts: [
      { reply: hang, code: 5 },
      { reply: duplicate, code: 0 },
    ],
    record: [{ reference: REF, id: null }],
    audit: [
      ['unknown', null],
      ['rejected', 409],
    ],
  },
  {
    name: 'no answer, then 201 on the re-send: the earlier attempt had not arrived',
    attempts: [
      { reply: hang, code: 5 },
      { reply: created, code: 0 },
    ],
    record: [{ reference: REF, id: ID }],
    audit: [
      ['unknown', null],
      ['ok', 201],
    ],
  },
];

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function auditOf(dir: string): Array<[string, number | null, string | undefined]> {
  const folder = path.join(dir, 'audit');
  return readdirSync(folder)
    .flatMap((f) => readFileSync(path.join(folder, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as { path: string; outcome: string; status: number | null; customerRef?: string })
    .filter((e) => e.path === ONBOARD)
    .map((e) => [e.outcome, e.status, e.customerRef]);
}

describe.each(CALLERS)('onboarding through $name', (caller) => {
  it.each(CASES)('$name', async (c) => {
    const stub = await stubServer([]);
    const temp = tempDir();
    cleanups.push(temp.cleanup, () => stub.close());
    const world: World = {
      dir: temp.dir,
      env: cleanEnv({
        SAFEWEB_CONFIG_DIR: temp.dir,
        SAFEWEB_BASE_URL: stub.url,
        SAFEWEB_PARTNER_ID: PARTNER,
        SAFEWEB_API_KEY: 'swk_rule_test_key_0000000000',
      }),
    };
    for (const [n, { reply, code }] of c.attempts.entries()) {
      stub.answer(reply);
      const got = await caller.attempt(world);
      expect(got, `attempt ${n + 1}, answered ${JSON.stringify(reply).slice(0, 60)}`).toBe(code);
      expect(stub.unexpected).toEqual([]);
      // Each attempt sent the create once: never doubled, never retried blindly.
      expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual(Array(n + 1).fill(`POST ${ONBOARD}`));
    }
    const { customers } = readRecord(temp.dir, accountKey(PARTNER, stub.url));
    expect(customers.map((e) => ({ reference: e.reference, id: e.id }))).toEqual(c.record);
    expect(auditOf(temp.dir)).toEqual(c.audit.map(([outcome, status]) => [outcome, status, REF]));
  });
});
