import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../../src/io/lock.js';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { importSeed } from '../../portfolio/fixture.js';

const fx = useSandbox();
const dir = tempDir().dir;

interface Event {
  type: string;
  reference: string;
  customerId: string;
  breachId?: string;
  breachName?: string;
  emails?: string[];
  at: string;
}

async function watch(state: string, ...args: string[]) {
  const r = await runInProcess(['portfolio', 'watch', '--state', state, '--json', ...args], { env: fx().env });
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);
  return { ...r, events };
}

/** The partner's active customers in the sandbox, and their unresolved breach records. */
function book() {
  const { sandbox } = fx();
  const customers = sandbox.state.customers.filter((c) => c.partnerId === sandbox.partnerId && c.status === 'active');
  const ids = new Set(customers.map((c) => c.id));
  return { customers, open: sandbox.state.breaches.filter((b) => ids.has(b.customerId) && !b.resolved) };
}

describe('portfolio watch', () => {
  it('first run: every unresolved breach is new, as NDJSON; the state is saved 0600; nothing new next time', async () => {
    await importSeed(fx().sandbox, fx().env);
    const state = path.join(dir, 'first.json');
    const first = await watch(state, '--exit-status');
    expect(first.code, first.stderr).toBe(8);
    const { open, customers } = book();
    expect(first.events.every((e) => e.type === 'breach.new')).toBe(true);
    expect(first.events.map((e) => e.breachId).sort()).toEqual(open.map((b) => b.id).sort());
    const one = first.events[0]!;
    const record = open.find((b) => b.id === one.breachId)!;
    expect(one).toEqual({
      version: 1,
      key: expect.stringMatching(/^sw:breach\.new:[0-9a-f]{32}$/),
      finding: expect.stringMatching(/^sw:finding:[0-9a-f]{32}$/),
      partnerId: fx().sandbox.partnerId,
      type: 'breach.new',
      reference: customers.find((c) => c.id === record.customerId)!.customerReference,
      customerId: record.customerId,
      breachId: record.id,
      breachName: record.breachName,
      breachDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      emails: record.emails,
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(lstatSync(state).mode & 0o777).toBe(0o600);
    expect(first.stderr).toContain(`First run: ${open.length} unresolved breaches reported as new`);

    const again = await watch(state, '--exit-status');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    // Nothing at all, so cron mails nothing; --verbose says why.
    expect(again.stderr).toBe('');
    const verbose = await watch(state, '--verbose');
    expect(verbose.stderr).toContain('No changes since');
  });

  it('--baseline records silently; then a resolve, an asset change, an offboard and a return show up once', async () => {
    const { env, sandbox } = fx();
    const state = path.join(dir, 'baseline.json');
    const base = await watch(state, '--baseline', '--exit-status');
    expect(base.code).toBe(0);
    expect(base.stdout).toBe('');
    expect(base.stderr).toContain('Baseline recorded');

    const target = book().open[0]!;
    const owner = sandbox.state.customers.find((c) => c.id === target.customerId)!;
    expect((await runInProcess(['breach', 'resolve', target.id], { env })).code).toBe(0);
    const initech = 'INITECH-42';
    expect(
      (await runInProcess(['customer', 'assets', initech, '--add-email', 'sales@initech.example'], { env })).code,
    ).toBe(0);
    const changed = await watch(state, '--exit-status');
    expect(changed.code).toBe(8);
    expect(changed.events).toContainEqual(
      expect.objectContaining({ type: 'breach.resolved', reference: owner.customerReference, breachId: target.id }),
    );
    expect(changed.events).toContainEqual(
      expect.objectContaining({ type: 'email.added', reference: initech, emails: ['sales@initech.example'] }),
    );
    const initechId = sandbox.state.customers.find((c) => c.customerReference === initech)!.id;
    const found = sandbox.state.breaches.filter(
      (b) => b.customerId === initechId && b.emails.includes('sales@initech.example'),
    );
    const fresh = changed.events.filter((e) => e.type === 'breach.new').map((e) => e.breachId);
    expect(fresh.length).toBeGreaterThan(0);
    for (const id of fresh) expect(found.map((b) => b.id)).toContain(id);
    expect((await watch(state)).events).toEqual([]);

    // Unresolving it again, and dropping the address, are changes too (and may move a band).
    const onlyThere = found.filter((b) => b.emails.length === 1).length;
    expect((await runInProcess(['breach', 'unresolve', target.id], { env })).code).toBe(0);
    expect(
      (await runInProcess(['customer', 'assets', initech, '--remove-email', 'sales@initech.example'], { env })).code,
    ).toBe(0);
    const back = await watch(state);
    const types = back.events.map((e) => e.type).filter((t) => t !== 'band.changed');
    expect(types.sort()).toEqual(
      ['breach.unresolved', 'email.removed', ...Array(onlyThere).fill('breach.removed')].sort(),
    );

    expect((await runInProcess(['customer', 'offboard', 'GLOBEX-7', '--yes'], { env })).code).toBe(0);
    const gone = await watch(state);
    expect(gone.events).toEqual([expect.objectContaining({ type: 'customer.removed', reference: 'GLOBEX-7' })]);
    expect((await runInProcess(['customer', 'reactivate', 'GLOBEX-7'], { env })).code).toBe(0);
    const globex = sandbox.state.customers.find((c) => c.customerReference === 'GLOBEX-7')!;
    const globexOpen = sandbox.state.breaches.filter((b) => b.customerId === globex.id && !b.resolved);
    const added = await watch(state);
    expect(added.events[0]).toMatchObject({ type: 'customer.added', reference: 'GLOBEX-7' });
    expect(
      added.events
        .slice(1)
        .map((e) => e.breachId)
        .sort(),
    ).toEqual(globexOpen.map((b) => b.id).sort());
  });

  it('a customer that cannot be read keeps its previous state and is reported; its changes come once it can', async () => {
    const { sandbox } = fx();
    const state = path.join(dir, 'failing.json');
    await watch(state, '--baseline');
    const nw = sandbox.state.customers.find((c) => c.customerReference === 'NW-001')!;
    const saved = JSON.parse(readFileSync(state, 'utf8')).customers[nw.id];
    // NW-001 becomes unreadable (another partner's), and meanwhile one of its breaches is resolved.
    const record = sandbox.state.breaches.find((b) => b.customerId === nw.id && !b.resolved)!;
    record.resolved = true;
    nw.partnerId = sandbox.otherPartner.partnerId;
    try {
      const failing = await watch(state, '--exit-status');
      expect(failing.code).toBe(3);
      expect(failing.events).toEqual([
        expect.objectContaining({
          type: 'customer.error',
          reference: 'NW-001',
          error: expect.objectContaining({ exitCode: 3 }),
        }),
      ]);
      expect(JSON.parse(readFileSync(state, 'utf8')).customers[nw.id]).toEqual(saved);
      expect(failing.stderr).toContain('1 could not be read and keep their previous state');
    } finally {
      nw.partnerId = sandbox.partnerId;
    }
    const recovered = await watch(state);
    expect(recovered.events[0]).toMatchObject({ type: 'breach.resolved', breachId: record.id });
    // Resolving may also move its band; nothing else changed.
    expect(recovered.events.slice(1)).toEqual(
      recovered.events.length > 1 ? [expect.objectContaining({ type: 'band.changed', reference: 'NW-001' })] : [],
    );
    expect((await watch(state)).events).toEqual([]);
    record.resolved = false;
  });

  it('a run that reads nothing at all changes nothing and says so', async () => {
    const { sandbox } = fx();
    const state = path.join(dir, 'nothing.json');
    await watch(state, '--baseline');
    const before = readFileSync(state, 'utf8');
    const mine = sandbox.state.customers.filter((c) => c.partnerId === sandbox.partnerId);
    for (const c of mine) c.partnerId = sandbox.otherPartner.partnerId;
    try {
      const r = await watch(state);
      expect(r.code).toBe(3);
      expect(r.events.every((e) => e.type === 'customer.error')).toBe(true);
      expect(r.stderr).toContain('Nothing was read (no customer could be read)');
      expect(readFileSync(state, 'utf8')).toBe(before);
    } finally {
      for (const c of mine) c.partnerId = sandbox.partnerId;
    }
  });

  it('Ctrl+C: nothing is reported and the state is not changed', async () => {
    const state = path.join(dir, 'cancelled.json');
    await watch(state, '--baseline');
    const before = readFileSync(state, 'utf8');
    fx().sandbox.state.breaches.find((b) => !b.resolved)!.resolved = true;
    const r = await runInProcess(['portfolio', 'watch', '--state', state, '--json'], {
      env: fx().env,
      signal: Promise.resolve('SIGINT'),
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  it('refuses a file that is not its state, or the state of another account, before sending anything', async () => {
    const other = path.join(dir, 'notes.txt');
    writeFileSync(other, 'my notes\n');
    const r = await runInProcess(['portfolio', 'watch', '--state', other], { env: fx().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a portfolio state file; it was left untouched');
    expect(readFileSync(other, 'utf8')).toBe('my notes\n');

    const state = path.join(dir, 'account.json');
    await watch(state, '--baseline');
    // The same file under another account: a closed port, so anything sent would fail with 5, not 2.
    const elsewhere = cleanEnv({
      SAFEWEB_CONFIG_DIR: fx().configDir,
      SAFEWEB_BASE_URL: 'http://127.0.0.1:9',
      SAFEWEB_PARTNER_ID: 'partner_other',
      SAFEWEB_API_KEY: 'swk_x',
    });
    const wrong = await runInProcess(['portfolio', 'watch', '--state', state], { env: elsewhere });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('records the book of partner_sandbox@');
    const missingDir = await runInProcess(['portfolio', 'watch', '--state', path.join(dir, 'no/such/dir.json')], {
      env: fx().env,
    });
    expect(missingDir.code).toBe(2);
  });

  it('one run at a time per state file: a second refuses at once naming the first, and changes nothing', async () => {
    const state = path.join(dir, 'locked.json');
    await watch(state, '--baseline');
    expect(existsSync(`${state}.lock`)).toBe(false);
    const before = readFileSync(state, 'utf8');
    const held = await acquireLock(`${state}.lock`, { what: state, command: 'safeweb portfolio watch' });
    try {
      const r = await watch(state);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `is in use by another \`safeweb portfolio watch\` (PID ${process.pid} on ${hostname()}`,
      );
      expect(r.stderr).toContain('; nothing was sent');
      expect(readFileSync(state, 'utf8')).toBe(before);
    } finally {
      held.release();
    }
    expect((await watch(state)).code).toBe(0);
    expect(existsSync(`${state}.lock`)).toBe(false);
  });

  it('a lock left by a killed run is taken over at once; a fresh lock directory of an earlier version still refuses', async () => {
    const state = path.join(dir, 'killed.json');
    await watch(state, '--baseline');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const left = {
      pid: dead,
      host: hostname(),
      command: 'safeweb portfolio watch',
      startedAt: new Date().toISOString(),
    };
    writeFileSync(`${state}.lock`, JSON.stringify({ ...left, lockedAt: left.startedAt, token: 'killed' }));
    expect((await watch(state)).code).toBe(0);
    expect(existsSync(`${state}.lock`)).toBe(false);
    const release = await lockfile.lock(state, { realpath: false, lockfilePath: `${state}.lock` });
    try {
      const r = await watch(state);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is in use by another safeweb run (a lock directory from an earlier version)');
    } finally {
      await release();
    }
  });

  it('prints one line per event for people', async () => {
    const state = path.join(dir, 'people.json');
    const r = await runInProcess(['portfolio', 'watch', '--state', state], { env: fx().env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(book().open.length);
    for (const line of lines) expect(line).toMatch(/^breach\.new\t[A-Z0-9-]+\t.+ \(\d{4}-\d{2}-\d{2}\): \S+@\S+/);
  });
});
