import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBinary, runInProcess, runInPty, tempDir } from '../../helpers/cli.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();
let env: Record<string, string | undefined>;
let id: string;

/** Onboards one customer (admin@ is breached by the sandbox's rule, security@ is clean). */
beforeAll(async () => {
  env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
  const r = await runInProcess(['customer', 'onboard', '--file', path.join(ROOT, 'examples/acme.json'), '--json'], {
    env,
  });
  expect(r.code).toBe(0);
  id = JSON.parse(r.stdout).customerId;
});

const stored = () => fx().sandbox.state.customers.find((c) => c.id === id)!;

describe('customer offboard / reactivate', () => {
  it('asks the operator to type the reference; a wrong answer changes nothing', async () => {
    const wrong = scriptedPrompter(['ACME-002']);
    const r = await runInProcess(['customer', 'offboard', 'ACME-001'], { env, tty: true, prompter: wrong });
    expect(r.code).toBe(130);
    expect(wrong.asked).toEqual(['Type the reference (ACME-001) to confirm']);
    expect(r.stderr).toContain('"ACME-002" does not match ACME-001; nothing was changed.');
    expect(stored().status).toBe('active');
  });

  it('without a terminal and without --yes: exit 2', async () => {
    const r = await runInProcess(['customer', 'offboard', 'ACME-001'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Pass --yes');
    expect(stored().status).toBe('active');
  });

  it('offboards on the typed reference, records it, and reactivates', async () => {
    const r = await runInProcess(['customer', 'offboard', 'ACME-001'], {
      env,
      tty: true,
      prompter: scriptedPrompter(['ACME-001']),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'Offboarded Acme Corporation (ACME-001). Undo with: safeweb customer reactivate ACME-001',
    );
    expect(stored().status).toBe('offboarded');
    const list = await runInProcess(['customer', 'list', '--status', 'offboarded'], { env });
    expect(list.stdout).toMatch(/^ACME-001\t[0-9a-f-]{36}\tAcme Corporation\t\d{4}-\d{2}-\d{2}\toffboarded\n$/);

    const again = await runInProcess(['customer', 'reactivate', id], { env });
    expect(again.code).toBe(0);
    expect(stored().status).toBe('active');
    expect((await runInProcess(['customer', 'list', '--json'], { env })).stdout).toContain('"status": "active"');
  });

  it('says "already" from the local record and sends nothing; --force sends it anyway', async () => {
    // --debug traces every request: there is none.
    const active = await runBinary(['--debug', 'customer', 'reactivate', 'ACME-001'], { env });
    expect(active.code).toBe(0);
    expect(active.stdout).toBe('');
    expect(active.stderr).toBe(
      'Acme Corporation (ACME-001) is already active (per the local record); nothing was sent. ' +
        'Add --force to send it anyway.\n',
    );
    // No confirmation is asked for what will not be sent, and --json says nothing changed.
    await runInProcess(['customer', 'offboard', 'ACME-001', '--yes'], { env });
    stored().status = 'active'; // the record is stale now: the API says active, the record offboarded
    const offboarded = await runInProcess(['customer', 'offboard', 'ACME-001', '--json'], { env });
    expect(offboarded.code).toBe(0);
    expect(JSON.parse(offboarded.stdout)).toEqual({
      customerId: id,
      reference: 'ACME-001',
      status: 'offboarded',
      changed: false,
    });
    expect(offboarded.stderr).toContain('is already offboarded (per the local record); nothing was sent.');
    expect(stored().status).toBe('active');
    const forced = await runInProcess(['customer', 'offboard', 'ACME-001', '--yes', '--force', '--json'], { env });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'offboarded', changed: true });
    expect(stored().status).toBe('offboarded');
    const back = await runInProcess(['customer', 'reactivate', 'ACME-001', '--json'], { env });
    expect(JSON.parse(back.stdout)).toMatchObject({ status: 'active', changed: true });
    expect(stored().status).toBe('active');
  });

  it('an unknown reference is exit 2 with a hint; an unknown ID is exit 3 with the API message', async () => {
    const ref = await runInProcess(['customer', 'offboard', 'NOPE-9', '--yes'], { env });
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain('no customer with reference "NOPE-9" in the local record');
    expect(ref.stderr).toContain('safeweb customer list');
    const other = fx().sandbox.state.customers.find((c) => c.partnerId !== fx().sandbox.partnerId)!;
    const foreign = await runInProcess(['customer', 'offboard', other.id, '--yes'], { env });
    expect(foreign.code).toBe(3);
    expect(foreign.stderr).toBe(
      `error: Customer not found or does not belong to partner (SafeWeb answered 404 to POST /api/v1/integrations/customer/offboard)\n`,
    );
    expect(other.status).toBe('active');
  });
});

describe('customer update', () => {
  it('changes the given fields', async () => {
    const r = await runInProcess(
      ['customer', 'update', 'ACME-001', '--plan', 'safeweb-plus', '--price', '79', '--company-name', 'Acme Corp'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(stored()).toMatchObject({ planType: 'safeweb-plus', price: 79, companyName: 'Acme Corp' });
    expect((await runInProcess(['customer', 'list'], { env })).stdout).toContain('Acme Corp\t');
  });

  it.each([
    [[], /nothing to update/],
    [['--price', '-1'], /price: must be 0 or more \(got -1\)/],
    [['--contact-email', 'nope'], /contactEmail: "nope" is not a valid email address/],
    [['--plan', 'gold'], /argument 'gold' is invalid/],
  ])('refuses %j with exit 2', async (flags, message) => {
    const r = await runInProcess(['customer', 'update', 'ACME-001', ...flags], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('customer assets', () => {
  it('shows domains and emails', async () => {
    const r = await runInProcess(['customer', 'assets', 'ACME-001'], { env });
    expect(r.stdout).toBe(
      'domain\tacme.co\ndomain\twww.acme.co\nemail\tadmin@acme.co\nemail\tsecurity@acme.co\nemail\tcontact@acme.co\n',
    );
  });

  it('adds and removes by reading, changing and writing the full lists, and shows the change', async () => {
    const r = await runInProcess(
      [
        'customer',
        'assets',
        'ACME-001',
        '--add-email',
        'ceo@acme.co',
        '--remove-email',
        'security@acme.co',
        '--add-domain',
        'acme.io',
        '--add-domain',
        'acme.co',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('+\tdomain\tacme.io\n+\temail\tceo@acme.co\n-\temail\tsecurity@acme.co\n');
    expect(r.stderr).toBe('warning: domain acme.co is already monitored\n');
    expect(stored().domains).toEqual(['acme.co', 'www.acme.co', 'acme.io']);
    expect(stored().emails).toEqual(['admin@acme.co', 'contact@acme.co', 'ceo@acme.co']);
  });

  it('--set-* replaces a list; nothing to change sends nothing', async () => {
    const r = await runInProcess(['customer', 'assets', 'ACME-001', '--set-domains', 'acme.co', '--json'], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({
      domains: ['acme.co'],
      changes: [
        { kind: 'domain', op: '-', value: 'www.acme.co' },
        { kind: 'domain', op: '-', value: 'acme.io' },
      ],
    });
    const same = await runInProcess(['customer', 'assets', 'ACME-001', '--set-domains', 'acme.co'], { env });
    expect(same.stderr).toBe('Nothing changed for Acme Corp (ACME-001).\n');
  });

  it('refuses to leave a customer with nothing to monitor, and invalid values before any request', async () => {
    const empty = await runInProcess(['customer', 'assets', 'ACME-001', '--set-domains', '', '--set-emails', ''], {
      env,
    });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('refusing to leave Acme Corp (ACME-001) with nothing to monitor');
    expect(stored().domains).toEqual(['acme.co']);
    const bad = await runInProcess(
      ['customer', 'assets', 'ACME-001', '--add-email', 'x@', '--add-domain', 'http://acme.co'],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"http://acme.co" is not a domain name');
    expect(bad.stderr).toContain('"x@" is not a valid email address');
    const mixed = await runInProcess(
      ['customer', 'assets', 'ACME-001', '--set-emails', 'a@b.co', '--add-email', 'c@d.co'],
      { env },
    );
    expect(mixed.code).toBe(2);
  });
});

describe('customer breaches and threat-score', () => {
  it('lists breaches as rows when piped, a top-level array of them with --json', async () => {
    const json = JSON.parse((await runInProcess(['customer', 'breaches', 'ACME-001', '--json'], { env })).stdout);
    // The resource, not the API's envelope.
    expect(Array.isArray(json)).toBe(true);
    expect(json.length).toBe(fx().sandbox.state.breaches.filter((b) => b.customerId === id).length);
    expect(json.length).toBeGreaterThan(0);
    // Only the breached addresses (admin@, ceo@ by the sandbox rule) appear.
    for (const b of json) for (const e of b.emails) expect(['admin@acme.co', 'ceo@acme.co']).toContain(e);
    const rows = (await runInProcess(['customer', 'breaches', 'ACME-001'], { env })).stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows).toHaveLength(json.length);
    expect(rows[0]).toEqual([
      json[0].uuid,
      json[0].title,
      json[0].breachDate.slice(0, 10),
      json[0].emails.join(', '),
      json[0].breachCategories.join(', '),
      'no',
    ]);
  });

  it('--locale localises titles; --unresolved filters', async () => {
    const da = JSON.parse(
      (await runInProcess(['customer', 'breaches', 'ACME-001', '--locale', 'da-DK', '--json'], { env })).stdout,
    );
    expect(da[0].title).toMatch(/^Databrud: /);
    const first = fx().sandbox.state.breaches.find((b) => b.customerId === id)!;
    first.resolved = true;
    const open = JSON.parse(
      (await runInProcess(['customer', 'breaches', 'ACME-001', '--unresolved', '--json'], { env })).stdout,
    );
    expect(open.map((b: { uuid: string }) => b.uuid)).not.toContain(first.id);
    expect(open.length).toBe(fx().sandbox.state.breaches.filter((b) => b.customerId === id && !b.resolved).length);
    first.resolved = false;
  });

  it('draws a table on a terminal: a line per breach, addresses whole, categories cut short or left out (said)', async () => {
    const breaches = JSON.parse(
      (await runInProcess(['customer', 'breaches', 'ACME-001', '--json'], { env })).stdout,
    ) as Array<{
      emails: string[];
      breachCategories: string[];
    }>;
    const rowsOf = (screen: string) => screen.split('\n').filter((l) => /^│ [0-9a-f]{8}-/.test(l));
    const onTerminal = (columns: number) =>
      runInProcess(['customer', 'breaches', 'ACME-001'], { env: { ...env, NO_COLOR: '1' }, tty: true, columns });
    const pty = runInPty(['customer', 'breaches', 'ACME-001'], { env });
    expect(await pty.exit).toBe(0);
    // 120 columns: a line per breach (no cell wraps onto a line of its own), the categories cut
    // short, or left out and said when the addresses need the room.
    expect(rowsOf(pty.screen())).toHaveLength(breaches.length);
    expect(pty.screen()).not.toMatch(/^│ {20,}│/m);
    const screen = pty.screen();
    if (screen.includes('Left out to fit 120 columns: Categories.'))
      expect(screen).toMatch(/│ Breach ID\s+│ Breach\s+│ Date\s+│ Emails\s+│ Resolved │/);
    else expect(screen).toMatch(/│ Breach ID\s+│ Breach\s+│ Date\s+│ Emails\s+│ Categories\s+│ Resolved │/);
    for (const b of breaches) expect(pty.screen()).toContain(`│ ${b.emails.join(', ')} `);
    // Wide enough: every list of categories whole.
    const wide = await onTerminal(200);
    for (const b of breaches) expect(wide.stdout).toContain(`│ ${b.breachCategories.join(', ')} `);
    expect(rowsOf(wide.stdout)).toHaveLength(breaches.length);
    // 80 columns: the least needed columns are left out, and said; what is left is cut to a line.
    const narrow = await onTerminal(80);
    expect(narrow.stdout).toMatch(/│ Breach ID\s+│ Breach\s+│ Emails\s+│/);
    expect(narrow.stderr).toContain('Left out to fit 80 columns: Date, Categories, Resolved. --json shows every field');
    const rows = rowsOf(narrow.stdout);
    expect(rows).toHaveLength(breaches.length);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(80);
  });

  it('gives a threat score that follows from the breaches, with its band in every form', async () => {
    const records = fx().sandbox.state.breaches.filter((b) => b.customerId === id);
    const r = await runInProcess(['customer', 'threat-score', 'ACME-001'], { env });
    // Piped: score<TAB>band.
    const [scoreText, band] = r.stdout.trim().split('\t');
    const score = Number(scoreText);
    expect(score).toBeGreaterThanOrEqual(15 * records.length);
    expect(score).toBeLessThanOrEqual(97);
    expect(band).toBe(score < 25 ? 'low' : score < 50 ? 'moderate' : score < 75 ? 'high' : 'critical');
    const json = JSON.parse((await runInProcess(['customer', 'threat-score', 'ACME-001', '--json'], { env })).stdout);
    expect(json).toEqual({ customerId: id, threatScore: score, band });
    const bare = await runInProcess(['customer', 'threat-score', 'ACME-001', '--fields', 'threatScore'], { env });
    expect(bare.stdout).toBe(`${score}\n`);
    const pty = runInPty(['customer', 'threat-score', 'ACME-001'], { env });
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain(`Threat score for Acme Corp (ACME-001): ${score}/97 (${band})`);
  });
});

describe('customer magic-link', () => {
  it('prints a one-time URL of the documented form that works exactly once', async () => {
    const r = await runInProcess(['customer', 'magic-link', 'ACME-001'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const url = r.stdout.trim();
    expect(url).toMatch(new RegExp(`^${fx().sandbox.url}/auth/confirm\\?token_hash=[0-9a-f]{48}&type=magiclink$`));
    const get = () =>
      new Promise<number>((resolve) => http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))));
    expect(await get()).toBe(200);
    expect(await get()).toBe(410);
  });

  it('says on a terminal that it expires and works once; is a field with --json; never in --debug', async () => {
    const pty = runInPty(['customer', 'magic-link', 'ACME-001'], { env });
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toContain('it works once and expires in an hour');
    const json = JSON.parse((await runInProcess(['customer', 'magic-link', 'ACME-001', '--json'], { env })).stdout);
    expect(json.url).toMatch(/token_hash=/);
    const debug = await runInProcess(['--debug', 'customer', 'magic-link', 'ACME-001'], { env });
    const token = /token_hash=([0-9a-f]+)/.exec(debug.stdout)![1]!;
    expect(debug.stderr).toContain('token_hash=[REDACTED]');
    expect(debug.stderr).not.toContain(token);
  });
});
