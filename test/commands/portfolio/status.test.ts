import { describe, expect, it } from 'vitest';
import { recordOnboarded } from '../../../src/customers/local-record.js';
import { startSandbox } from '../../../src/sandbox/server.js';
import { cleanEnv, runInProcess, runInPty, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { importSeed, onboardMany } from '../../portfolio/fixture.js';

const fx = useSandbox();

interface Row {
  reference: string;
  customerId: string;
  threatScore: number | null;
  band: string | null;
  unresolvedBreaches: number | null;
  resolvedBreaches: number | null;
  monitoredDomains: number | null;
  monitoredEmails: number | null;
  error?: { message: string; exitCode: number };
}

async function status(args: string[] = []) {
  const r = await runInProcess(['portfolio', 'status', '--json', ...args], { env: fx().env });
  return {
    ...r,
    doc: r.stdout ? (JSON.parse(r.stdout) as { customers: Row[]; summary: Record<string, unknown> }) : undefined,
  };
}

describe('portfolio status', () => {
  it('reads every active customer of the record: numbers as the API gives them, most exposed first', async () => {
    const { sandbox, env } = fx();
    const seed = await importSeed(sandbox, env);
    const r = await status();
    expect(r.code, r.stderr).toBe(0);
    const active = seed.filter((c) => c.status === 'active');
    expect(r.doc!.customers.map((c) => c.reference).sort()).toEqual(active.map((c) => c.customerReference).sort());
    for (const c of r.doc!.customers) {
      const record = active.find((s) => s.customerReference === c.reference)!;
      const breaches = sandbox.state.breaches.filter((b) => b.customerId === record.id);
      const score = JSON.parse(
        (await runInProcess(['customer', 'threat-score', c.reference, '--json'], { env })).stdout,
      );
      expect(c).toEqual({
        reference: record.customerReference,
        customerId: record.id,
        companyName: record.companyName,
        threatScore: score.threatScore,
        band: score.band,
        unresolvedBreaches: breaches.filter((b) => !b.resolved).length,
        resolvedBreaches: breaches.filter((b) => b.resolved).length,
        monitoredDomains: record.domains.length,
        monitoredEmails: record.emails.length,
      });
    }
    const scores = r.doc!.customers.map((c) => c.threatScore!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const unresolved = r.doc!.customers.reduce((n, c) => n + c.unresolvedBreaches!, 0);
    expect(r.doc!.summary).toMatchObject({
      customers: active.length,
      read: active.length,
      failed: 0,
      unresolvedBreaches: unresolved,
    });
    const byBand = r.doc!.summary['byBand'] as Record<string, number>;
    expect(Object.values(byBand).reduce((a, b) => a + b, 0)).toBe(active.length);
    for (const [band, n] of Object.entries(byBand))
      expect(r.doc!.customers.filter((c) => c.band === band)).toHaveLength(n);
    // The summary line is said on stderr, stdout stays one document.
    expect(r.stderr).toContain(`${active.length} customers: ${unresolved} unresolved breaches`);
  });

  it('piped: tab-separated rows in the same order; --csv: a header of field names, RFC 4180 quoting', async () => {
    const { env } = fx();
    const onboard = ['customer', 'onboard', '--company-name', 'Quote "Q", Ltd', '--reference', 'QUOTE-1'];
    const flags = ['--email', 'jane@quote.co', '--alert-recipient', 'a@quote.co', '--price', '1', '--currency', 'USD'];
    expect((await runInProcess([...onboard, ...flags, '--billed-from', 'now+1d'], { env })).code).toBe(0);
    const json = (await status()).doc!;
    const piped = await runInProcess(['portfolio', 'status'], { env });
    expect(piped.code).toBe(0);
    const rows = piped.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(json.customers.map((c) => c.reference));
    expect(rows.at(-1)).toEqual([
      'QUOTE-1',
      json.customers.at(-1)!.customerId,
      'Quote "Q", Ltd',
      '0',
      'low',
      '0',
      '0',
      '0',
      '1',
    ]);
    const csv = await runInProcess(['portfolio', 'status', '--csv'], { env });
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(
      'reference,customerId,companyName,threatScore,band,unresolvedBreaches,resolvedBreaches,monitoredDomains,monitoredEmails',
    );
    expect(lines).toContain(`QUOTE-1,${json.customers.at(-1)!.customerId},"Quote ""Q"", Ltd",0,low,0,0,0,1`);
    expect(lines).toHaveLength(json.customers.length + 2);
  });

  it('--customers picks (by reference or ID, whatever the status); --include-offboarded adds the offboarded', async () => {
    const seed = fx().sandbox.state.customers.filter((c) => c.partnerId === fx().sandbox.partnerId);
    const offboarded = seed.find((c) => c.status === 'offboarded')!;
    const some = await status(['--customers', 'nw-001', offboarded.id]);
    expect(some.code).toBe(0);
    expect(some.doc!.customers.map((c) => c.reference).sort()).toEqual(['NW-001', offboarded.customerReference].sort());
    const all = await status(['--include-offboarded']);
    expect(all.doc!.customers.map((c) => c.reference)).toContain(offboarded.customerReference);
    expect((await status()).doc!.customers.map((c) => c.reference)).not.toContain(offboarded.customerReference);
    const unknown = await runInProcess(['portfolio', 'status', '--customers', 'NW-001,NOPE-9'], { env: fx().env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no customer with reference "NOPE-9"');
    expect(unknown.stdout).toBe('');
  });

  it('--fail-on: 8 when a customer meets it, 0 when none does; a malformed expression is exit 2', async () => {
    const { customers } = (await status()).doc!;
    const top = customers[0]!.threatScore!;
    expect((await status(['--fail-on', `threat-score>=${top}`])).code).toBe(8);
    const met = await status(['--fail-on', `threat-score>=${top}`]);
    expect((met.doc!.summary['failOn'] as { met: string[] }).met).toEqual(
      customers.filter((c) => c.threatScore! >= top).map((c) => c.reference),
    );
    expect((await status(['--fail-on', `threat-score>${top}`])).code).toBe(0);
    expect((await status(['--fail-on', `threat-score=${top}`])).code).toBe(8);
    const most = Math.max(...customers.map((c) => c.unresolvedBreaches!));
    expect((await status(['--fail-on', `unresolved>=${most + 1}`])).code).toBe(0);
    expect((await status(['--fail-on', `unresolved>=${most + 1}`, '--fail-on', `unresolved>=${most}`])).code).toBe(8);
    // Without the flag a finding is not a failure.
    expect((await status()).code).toBe(0);
    for (const bad of ['score>=5', 'threat-score>=', 'unresolved<3', 'threat-score>=-1']) {
      const r = await runInProcess(['portfolio', 'status', '--fail-on', bad], { env: fx().env });
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('use threat-score>=N or unresolved>=N');
    }
  });

  it('Ctrl+C: stops reading, shows what it has, and exits 130', async () => {
    const r = await runInProcess(['portfolio', 'status', '--json'], {
      env: fx().env,
      signal: Promise.resolve('SIGINT'),
    });
    expect(r.code).toBe(130);
    const doc = JSON.parse(r.stdout) as { customers: Row[]; summary: Record<string, unknown> };
    expect(doc.summary['interrupted']).toBe(true);
    expect(r.stderr).toContain(`Interrupted: ${doc.customers.length} of `);
  });

  it('lists a customer whose reads fail with its error, reads the rest, and exits as the worst failure', async () => {
    const { sandbox, env, configDir } = fx();
    const account = `${sandbox.partnerId}@${new URL(sandbox.url).host}`;
    const foreign = sandbox.state.customers.find((c) => c.partnerId !== sandbox.partnerId)!;
    await recordOnboarded(
      configDir,
      account,
      { reference: 'FOREIGN-1', id: foreign.id, companyName: 'Not ours' },
      new Date(),
    );
    await recordOnboarded(configDir, account, { reference: 'IDLESS-1', id: null, companyName: 'No ID' }, new Date());
    const r = await status(['--fail-on', 'threat-score>=0']);
    // A rejected read (3) and an unknown ID (2): 3 wins, and a finding counts for nothing when something failed.
    expect(r.code).toBe(3);
    const failed = r.doc!.customers.filter((c) => c.error);
    expect(failed.map((c) => c.reference)).toEqual(['FOREIGN-1', 'IDLESS-1']);
    expect(failed[0]).toMatchObject({ threatScore: null, band: null, error: { exitCode: 3 } });
    expect(failed[0]!.error!.message).toContain('Customer not found or does not belong to partner');
    expect(failed[1]!.error).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('customer ID is not in the local record'),
    });
    // The others were read, and come first.
    const read = r.doc!.customers.filter((c) => !c.error);
    expect(read.length).toBeGreaterThanOrEqual(3);
    expect(r.doc!.customers.slice(0, read.length).every((c) => c.threatScore !== null)).toBe(true);
    expect(r.doc!.summary).toMatchObject({ failed: 2, read: read.length });
    expect(r.stderr).toContain('FOREIGN-1: Customer not found');
    const piped = await runInProcess(['portfolio', 'status'], { env });
    expect(piped.stdout).toMatch(/^FOREIGN-1\t[^\n]*\t\t\t\t\t\t\tCustomer not found/m);
  });
});

describe('portfolio status over a larger book', () => {
  it('slows down on 429, reads every customer, and shows progress on a terminal only', async () => {
    const log: string[] = [];
    const sandbox = await startSandbox({ port: 0, faults: { rateLimit: 40 }, log: (line) => log.push(line) });
    const { dir, cleanup } = tempDir();
    const env = cleanEnv({
      SAFEWEB_CONFIG_DIR: dir,
      SAFEWEB_BASE_URL: sandbox.url,
      SAFEWEB_PARTNER_ID: sandbox.partnerId,
      SAFEWEB_API_KEY: sandbox.apiKey,
    });
    try {
      await onboardMany(env, 24, 'Bulk');
      log.length = 0;
      const r = await runInProcess(['portfolio', 'status', '--json', '--concurrency', '16'], { env });
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { customers: Row[] };
      expect(doc.customers).toHaveLength(24);
      expect(doc.customers.every((c) => c.threatScore !== null)).toBe(true);
      // The server did say 429, and the run slowed down instead of failing.
      expect(log.some((l) => l.includes('/threat-score → 429'))).toBe(true);
      // Varied, as a real book is: bulk-onboarded customers do not all look alike.
      expect(new Set(doc.customers.map((c) => c.threatScore)).size).toBeGreaterThanOrEqual(4);
      expect(r.stderr).not.toContain('Reading [');
      const pty = runInPty(['portfolio', 'status', '--concurrency', '2'], { env });
      expect(await pty.exit).toBe(0);
      expect(pty.screen()).toMatch(/Reading \[[^\]]*\] \d+\/24/);
      expect(pty.screen()).toMatch(/│ Reference\s+│ Company\s+│ Score │ Band\s+│ Unresolved │/);
    } finally {
      await sandbox.close();
      cleanup();
    }
  });
});
