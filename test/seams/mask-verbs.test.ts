/**
 * --mask-pii across the portfolio, customers-as-code and audit verbs: what is displayed is masked
 * in each form (a table on a terminal, piped lines, --json, --csv, NDJSON events), the same
 * command without it shows the data, and the files these verbs write for later use (watch state,
 * apply state and results, the exported manifest, the audit log) stay exact.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSeed } from '../portfolio/fixture.js';
import { bookWorld, type BookWorld } from '../manifest/world.js';

let w: BookWorld;
let seedEmails: string[];

/** A sole trader whose company name is her address, a contact and a monitored address. */
const SOLO = (contact: string, company = 'jo.bloggs@solo.example') =>
  [
    'defaults:',
    '  currencyCode: USD',
    '  billedFromDate: "2030-01-01T00:00:00Z"',
    '  alertRecipients: [soc@msp.example]',
    'customers:',
    '  - customerReference: SOLO-1',
    `    companyName: "${company}"`,
    '    assetsDomains: [solo.example]',
    '    assetsEmails: [cfo@solo.example]',
    `    contactEmail: ${contact}`,
    '    price: 10',
  ].join('\n');

beforeAll(async () => {
  w = await bookWorld();
  const seed = await importSeed(w.sandbox, w.env);
  seedEmails = seed.filter((c) => c.status === 'active').flatMap((c) => c.emails);
  const made = await w.cli(['apply', '--file', w.write('solo.yaml', SOLO('it@solo.example')), '--yes']);
  expect(made.code, made.stderr).toBe(0);
});
afterAll(() => w?.close());

const ADDRESS = /([A-Za-z0-9._%+*-]+)@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;
/** Addresses shown whole (a masked one is `x***@domain`). */
function whole(text: string): string[] {
  return [...text.matchAll(ADDRESS)].filter((m) => !/^[A-Za-z0-9_]\*\*\*$/.test(m[1]!)).map((m) => m[0]);
}
const masked = (email: string) => `${email[0]}***@${email.split('@')[1]}`;

/** Runs argv with and without --mask-pii: the plain run shows `expected` whole, the masked run nothing whole. */
async function both(argv: string[], expected: string[], tty = false) {
  // A terminal wide enough that no column is cut: what is checked is masking, not width.
  const options = { tty, columns: 400 };
  const plain = await w.cli(argv, options);
  expect(plain.code, plain.stderr).toBeLessThan(9);
  for (const e of expected) expect(plain.stdout + plain.stderr).toContain(e);
  const hidden = await w.cli(['--mask-pii', ...argv], options);
  expect(hidden.code, hidden.stderr).toBe(plain.code);
  expect(whole(hidden.stdout + hidden.stderr)).toEqual([]);
  for (const e of expected) expect(hidden.stdout + hidden.stderr).toContain(masked(e));
  return { plain, hidden };
}

describe('--mask-pii on the new verbs', () => {
  it.each([
    ['a table on a terminal', [], true],
    ['--json', ['--json'], false],
    ['--csv', ['--csv'], false],
  ])('portfolio status: %s', async (_form, flags, tty) => {
    const { hidden } = await both(['portfolio', 'status', ...flags], ['jo.bloggs@solo.example'], tty);
    expect(hidden.stdout).toContain('SOLO-1');
    expect(hidden.stdout).toContain('solo.example');
  });

  it('portfolio watch --json: breach events masked, the state file exact', async () => {
    const state = path.join(w.dir, 'watch-masked.json');
    const plainState = path.join(w.dir, 'watch-plain.json');
    const plain = await w.cli(['portfolio', 'watch', '--state', plainState, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    const shown = seedEmails.filter((e) => plain.stdout.includes(e));
    expect(shown.length).toBeGreaterThan(0);
    const hidden = await w.cli(['--mask-pii', 'portfolio', 'watch', '--state', state, '--json']);
    expect(hidden.code, hidden.stderr).toBe(0);
    const events = hidden.stdout.trim().split('\n');
    expect(events.length).toBe(plain.stdout.trim().split('\n').length);
    expect(events.some((l) => (JSON.parse(l) as { type: string }).type === 'breach.new')).toBe(true);
    expect(whole(hidden.stdout + hidden.stderr)).toEqual([]);
    for (const e of shown) expect(hidden.stdout).toContain(masked(e));
    const saved = readFileSync(state, 'utf8');
    for (const e of shown) expect(saved).toContain(e);
  });

  it('plan: the lines and --json masked; apply --mask-pii keeps the record and its results exact', async () => {
    const next = w.write('solo-next.yaml', SOLO('boss@solo.example'));
    await both(['plan', '--file', next], ['boss@solo.example', 'it@solo.example']);
    await both(['plan', '--file', next, '--json'], ['boss@solo.example', 'it@solo.example']);

    const results = path.join(w.dir, 'apply-results.ndjson');
    const r = await w.cli(['--mask-pii', 'apply', '--file', next, '--yes', '--results', results]);
    expect(r.code, r.stderr).toBe(0);
    expect(whole(r.stdout + r.stderr)).toEqual([]);
    expect(r.stderr).toContain(masked('boss@solo.example'));
    // The local record (what apply keeps for the next plan) is exact.
    const record = readdirSync(path.join(w.configDir, 'ledger'))
      .map((f) => readFileSync(path.join(w.configDir, 'ledger', f), 'utf8'))
      .join('');
    expect(record).toContain('"contactEmail":"boss@solo.example"');
    expect(record).not.toContain('***');
    expect(readFileSync(results, 'utf8')).toContain('SOLO-1');
    expect(readFileSync(results, 'utf8')).not.toContain('***');
    expect(w.customer('SOLO-1')!.contactEmail).toBe('boss@solo.example');
  });

  it('export --mask-pii writes the manifest exact', async () => {
    const out = path.join(w.dir, 'export.yaml');
    const r = await w.cli(['--mask-pii', 'export', '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(whole(r.stdout + r.stderr)).toEqual([]);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('cfo@solo.example');
    expect(text).toContain('jo.bloggs@solo.example');
    expect(text).not.toContain('***');
  });

  it.each([
    ['a table on a terminal', [], true],
    ['--json', ['--json'], false],
  ])('audit: %s masked, the log exact', async (_form, flags, tty) => {
    const up = await w.cli(['customer', 'update', 'SOLO-1', '--contact-email', 'ceo@solo.example']);
    expect(up.code, up.stderr).toBe(0);
    await both(['audit', ...flags], ['ceo@solo.example'], tty);
    const folder = path.join(w.configDir, 'audit');
    const log = readdirSync(folder)
      .map((f) => readFileSync(path.join(folder, f), 'utf8'))
      .join('');
    expect(log).toContain('--contact-email ceo@solo.example');
    expect(log).not.toContain('***');
  });
});
