/**
 * `psa plan` and `psa sync` against each PSA emulator (ConnectWise, Autotask) and the SafeWeb
 * sandbox, over real HTTP on loopback, every PSA request and answer held to the vendor's spec
 * (issue 29 items 4 to 6, issue 32; the first-run baseline and caps of issue 28 item 6).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { setIntegration } from '../../src/config/integrations.js';
import { TicketIndexFile } from '../../src/psa/ticket-index.js';
import { FIXTURE_KINDS, psaFixture, type PsaFixture } from './psa-fixture.js';

interface SyncSummary {
  created: number;
  noted: number;
  closed: number;
  reopened: number;
  resolved: number;
  unresolved: number;
  foundByKey: number;
  held: number;
  baselined: number;
  baseline: { customers: number; findings: number };
}
interface PlanDoc {
  actions: Array<{ action: string; reference: string; ticketId: number | null; findings: Array<{ breachId: string }> }>;
  counts: Record<string, number>;
  held: number;
}

let fx: PsaFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const FINDINGS = 9; // examples/customers.csv in the sandbox: 1 + 5 + 3 unresolved breaches

describe.each(FIXTURE_KINDS)('%s', (kind) => {
  describe('psa sync', () => {
    it('baselines the first run, tickets what is new, and keeps both sides in step', async () => {
      fx = await psaFixture({}, { kind });
      const first = await fx.json<SyncSummary>(['psa', 'sync', '--yes']);
      expect(first).toMatchObject({ created: 0, baseline: { customers: 3, findings: FINDINGS } });
      expect(fx.psa.tickets()).toHaveLength(0);

      // --include-existing tickets what the baseline left alone; each ticket carries its key and the tag.
      const all = await fx.json<SyncSummary>(['psa', 'sync', '--include-existing', '--yes']);
      expect(all.created).toBe(FINDINGS);
      expect(fx.psa.tickets()).toHaveLength(FINDINGS);
      for (const t of fx.psa.tickets()) {
        expect(t.key).toMatch(/^sw:ticket:[0-9a-f]{32}$/);
        expect(t.owned).toBe(true);
        expect(t.summary.length).toBeLessThanOrEqual(100);
      }
      expect(new Set(fx.psa.tickets().map((t) => t.key)).size).toBe(FINDINGS);
      const quiet = await fx.run(['psa', 'plan', '--exit-status']);
      expect(quiet.code, quiet.stderr).toBe(0);

      // SafeWeb resolves a breach: its ticket closes with a resolution note.
      const plan0 = await fx.json<PlanDoc>(['findings']);
      const breach = (plan0 as unknown as Array<{ breachId: string; reference: string }>)[0]!;
      expect((await fx.run(['breach', 'resolve', breach.breachId])).code).toBe(0);
      // A technician closes another ticket in the PSA.
      const other = fx.psa.tickets().find((t) => !t.closed && t.id !== ticketOf(fx!, breach.breachId))!;
      expect(fx.psa.technicianClose(other.id)).toBe(true);

      const plan = await fx.run(['psa', 'plan', '--exit-status', '--json']);
      expect(plan.code).toBe(8);
      const doc = JSON.parse(plan.stdout) as PlanDoc;
      expect(doc.counts).toMatchObject({ close: 1, resolve: 1, create: 0 });
      const synced = await fx.json<SyncSummary>(['psa', 'sync', '--yes']);
      expect(synced).toMatchObject({ closed: 1, resolved: 1, created: 0 });
      const closed = fx.psa.tickets().find((t) => t.id === ticketOf(fx!, breach.breachId))!;
      expect(closed.closed).toBe(true);
      const resolution = fx.psa.notes().filter((n) => n.ticketId === closed.id && n.kind === 'resolution');
      expect(resolution).toHaveLength(1);
      expect(resolution[0]!.text).toMatch(/^\[safeweb:note:[0-9a-f]{24}\]/);
      // The technician's close resolved its breach in SafeWeb: the book no longer lists it.
      const findings = await fx.json<Array<{ breachId: string }>>(['findings']);
      expect(findings).toHaveLength(FINDINGS - 2);
      expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(0);

      // Both come back: SafeWeb unresolves, the technician reopens.
      expect((await fx.run(['breach', 'unresolve', breach.breachId])).code).toBe(0);
      expect(fx.psa.technicianReopen(other.id)).toBe(true);
      const again = await fx.json<SyncSummary>(['psa', 'sync', '--yes']);
      expect(again).toMatchObject({ reopened: 1, unresolved: 1, created: 0 });
      expect(fx.psa.tickets().filter((t) => t.closed)).toHaveLength(0);
      expect(await fx.json<Array<unknown>>(['findings'])).toHaveLength(FINDINGS);
      expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(0);
      expect(fx.checked.problems).toEqual([]);
    });

    it('creates at most --max-creates tickets a run, and says how many wait', async () => {
      fx = await psaFixture({}, { kind });
      const plan = await fx.json<PlanDoc>(['psa', 'plan', '--include-existing', '--max-creates', '4']);
      expect(plan.counts['create']).toBe(4);
      expect(plan.held).toBe(FINDINGS - 4);
      const sync = await fx.run(['psa', 'sync', '--include-existing', '--max-creates', '4', '--yes']);
      expect(sync.stderr).toContain(`${FINDINGS - 4} more tickets would be created than --max-creates allows`);
      expect(fx.psa.tickets()).toHaveLength(4);
      await fx.json(['psa', 'sync', '--include-existing', '--max-creates', '100', '--yes']);
      expect(fx.psa.tickets()).toHaveLength(FINDINGS);
    });

    it('finds its tickets again by key when the index is lost, and never makes a second one', async () => {
      fx = await psaFixture({}, { kind });
      await fx.json(['psa', 'sync', '--include-existing', '--yes']);
      rmSync(new TicketIndexFile(fx.configDir, fx.account, fx.connection).file);
      const plan = await fx.json<PlanDoc>(['psa', 'plan', '--include-existing']);
      expect(plan.counts['create']).toBe(0);
      const sync = await fx.json<SyncSummary>(['psa', 'sync', '--include-existing', '--yes']);
      expect(sync.created).toBe(0);
      expect(fx.psa.tickets()).toHaveLength(FINDINGS);
      expect(fx.checked.problems).toEqual([]);
    });

    it('a ticket adopted after a kill whose breach was resolved meanwhile is reopened when the breach returns', async () => {
      fx = await psaFixture({}, { kind });
      await fx.json(['psa', 'sync', '--include-existing', '--max-creates', '1', '--yes']);
      const [made] = fx.psa.tickets();
      const breachId = /Breach ID: (\S+)/.exec(made!.description)![1]!;
      // A kill -9 between the create and the index hearing of it: its intent is on disk, its ticket line not.
      const file = new TicketIndexFile(fx.configDir, fx.account, fx.connection).file;
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      writeFileSync(file, `${lines.filter((l) => !l.includes('"op":"ticket"')).join('\n')}\n`);
      expect((await fx.run(['breach', 'resolve', breachId])).code).toBe(0);
      // The next sync adopts the ticket with the breach it was made for, and closes it: the breach is resolved.
      expect(await fx.json<SyncSummary>(['psa', 'sync', '--max-creates', '0', '--yes'])).toMatchObject({
        created: 0,
        closed: 1,
      });
      // The breach returns within the reopen window: its ticket reopens, no second ticket.
      expect((await fx.run(['breach', 'unresolve', breachId])).code).toBe(0);
      expect(await fx.json<SyncSummary>(['psa', 'sync', '--max-creates', '0', '--yes'])).toMatchObject({
        created: 0,
        reopened: 1,
      });
      expect(fx.psa.tickets()).toHaveLength(1);
      expect(fx.psa.tickets()[0]).toMatchObject({ id: made!.id, closed: false });
      expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(0);
      expect(fx.checked.problems).toEqual([]);
    });

    it('a plan reads the company list once: the mappings and the fallback company share it', async () => {
      fx = await psaFixture({}, { kind });
      const op = { connectwise: 'GET /company/companies', autotask: 'POST /Companies/query', halo: 'GET /Client' }[
        kind
      ];
      const before = fx.psa.requests().byOperation[op] ?? 0;
      expect((await fx.run(['psa', 'plan'])).code).toBe(0);
      expect((fx.psa.requests().byOperation[op] ?? 0) - before).toBe(1);
    });

    it("files a customer's tickets on the board (queue, ticket type) its mapping names, and closes and reopens them there", async () => {
      fx = await psaFixture({}, { kind });
      const own = {
        connectwise: { key: 'board', name: 'Service Desk', id: 1, connection: 2 },
        autotask: { key: 'queue', name: 'Monitoring Alert', id: 29683481, connection: 29683482 },
        halo: { key: 'ticketType', name: 'Incident', id: 1, connection: 21 },
      }[kind];
      await setIntegration(fx.settingsFile, ['customers', 'ACME-W-001', 'psa'], {
        company: 'ContosoMSP',
        [own.key]: own.name,
      });
      if (kind === 'connectwise') {
        // A ConnectWise board has statuses of its own, found by the connection's names: Service Desk has no "Completed".
        const refused = await fx.run(['psa', 'plan']);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain(
          `customer ACME-W-001's own board for connection "cw": the status "Completed" is not one of the statuses of board "Service Desk"`,
        );
        fx.cw.state.boards[0]!.statuses.find((s) => s.name === 'Closed')!.name = 'Completed';
      }
      await fx.json(['psa', 'sync', '--include-existing', '--yes']);
      const acme = fx.psa.tickets().filter((t) => t.description.includes('ACME-W-001'));
      expect(acme.length).toBeGreaterThan(0);
      expect(acme.map((t) => t.board)).toEqual(acme.map(() => own.id));
      const others = fx.psa.tickets().filter((t) => !acme.some((a) => a.id === t.id));
      expect(others.map((t) => t.board)).toEqual(others.map(() => own.connection));

      // Closed with the closed status of its board, and reopened with its new status there.
      const breachId = /Breach ID: (\S+)/.exec(acme[0]!.description)![1]!;
      expect((await fx.run(['breach', 'resolve', breachId])).code).toBe(0);
      expect(await fx.json<SyncSummary>(['psa', 'sync', '--yes'])).toMatchObject({ closed: 1 });
      expect(fx.psa.tickets().find((t) => t.id === acme[0]!.id)).toMatchObject({ closed: true, board: own.id });
      expect((await fx.run(['breach', 'unresolve', breachId])).code).toBe(0);
      expect(await fx.json<SyncSummary>(['psa', 'sync', '--yes'])).toMatchObject({ reopened: 1, created: 0 });
      expect(fx.psa.tickets().find((t) => t.id === acme[0]!.id)).toMatchObject({ closed: false });
      expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(0);
      expect(fx.checked.problems).toEqual([]);
    });

    it('a read-only run refuses every PSA write before sending, and changes nothing', async () => {
      fx = await psaFixture({}, { kind });
      const r = await fx.run(['psa', 'sync', '--include-existing', '--yes'], {
        env: { ...fx.env, SAFEWEB_READ_ONLY: '1' },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/read-only/);
      expect(fx.psa.tickets()).toHaveLength(0);
      expect(fx.checked.requests.filter((q) => q.write)).toEqual([]);
    });

    it('off a terminal, sync needs --yes and sends nothing without it', async () => {
      fx = await psaFixture({}, { kind });
      const r = await fx.run(['psa', 'sync', '--include-existing']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--yes');
      expect(fx.checked.requests).toEqual([]);
    });

    it('an unknown board, status or priority name is exit 2 listing the valid ones, before anything is sent', async () => {
      const closed = { connectwise: 'Completed', autotask: 'Complete', halo: 'Closed' }[kind];
      fx = await psaFixture({ statuses: { new: 'Nieuw', closed } }, { kind });
      const r = await fx.run(['psa', 'plan']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        {
          connectwise: 'the status "Nieuw" is not one of the statuses of board "Security": "New"',
          autotask: `the status "Nieuw" is not one of Autotask's statuses: "New"`,
          // A Halo ticket type allows its own statuses.
          halo: 'the status "Nieuw" is not one of the statuses of ticket type "Security Alert": "New"',
        }[kind],
      );
      expect(fx.checked.requests.filter((q) => q.write)).toEqual([]);
    });
  });

  /** The emulator's ticket whose description names the breach. */
  function ticketOf(fx: PsaFixture, breachId: string): number | undefined {
    return fx.psa.tickets().find((t) => t.description.includes(`Breach ID: ${breachId}`))?.id;
  }

  describe('doctor and the outbox with a PSA connection', () => {
    it('doctor reaches the connection with a harmless read, and names the PSA when the key is wrong', async () => {
      fx = await psaFixture({}, { kind });
      const check = `psa ${fx.connection}`;
      const ok = await fx.json<Array<{ check: string; ok: boolean; detail: string }>>(['doctor']);
      expect(ok.find((c) => c.check === check)).toMatchObject({
        ok: true,
        detail: expect.stringContaining(`${fx.psa.farSide} answers`),
      });
      const wrongKey = `${fx.configDir}/wrong-key`;
      writeFileSync(wrongKey, 'not-the-key');
      const bad = await fx.run(['doctor', '--json'], { env: { ...fx.env, [fx.secretVariable]: wrongKey } });
      expect(bad.code).toBe(4);
      const lines = JSON.parse(bad.stdout) as Array<{ check: string; ok: boolean; detail: string }>;
      expect(lines.find((c) => c.check === check)).toMatchObject({
        ok: false,
        detail: expect.stringContaining(fx.psa.farSide),
      });
      expect(bad.stdout + bad.stderr).not.toContain('not-the-key');
    });

    it('watch puts breach events in the outbox for the connection; a sync acknowledges them', async () => {
      fx = await psaFixture({}, { kind });
      const state = `${fx.configDir}/watch.json`;
      await fx.run(['portfolio', 'watch', '--state', state, '--baseline']);
      await fx.json(['psa', 'sync', '--yes']);
      const findings = await fx.json<Array<{ breachId: string }>>(['findings']);
      expect((await fx.run(['breach', 'resolve', findings[0]!.breachId])).code).toBe(0);
      expect((await fx.run(['portfolio', 'watch', '--state', state])).code).toBe(0);
      const before = await fx.json<{ sinks: Array<{ sink: string; pending: number; acked: number }> }>([
        'outbox',
        'status',
      ]);
      expect(before.sinks).toMatchObject([{ sink: `psa:${fx.connection}`, pending: 1, acked: 0 }]);
      const sync = await fx.json<{ events: { acked: number } }>(['psa', 'sync', '--yes']);
      expect(sync.events.acked).toBe(1);
      const after = await fx.json<{ sinks: Array<{ sink: string; pending: number; acked: number }> }>([
        'outbox',
        'status',
      ]);
      expect(after.sinks).toMatchObject([{ sink: `psa:${fx.connection}`, pending: 0, acked: 1 }]);
    });
  });

  describe('locks', () => {
    it('a sync beside another of the same connection waits (--wait), then exits 2 naming the holder, sending nothing', async () => {
      fx = await psaFixture({}, { kind });
      const { acquireLock } = await import('../../src/io/lock.js');
      const { accountFileName } = await import('../../src/io/account-files.js');
      const held = await acquireLock(
        `${fx.configDir}/locks/${accountFileName(fx.account)}.psa-sync.${fx.connection}.lock`,
        {
          what: 'x',
          command: 'safeweb serve (main)',
        },
      );
      try {
        const before = fx.checked.requests.length;
        const r = await fx.run(['psa', 'sync', '--include-existing', '--yes', '--wait', '300ms']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/is in use by another `safeweb serve \(main\)` \(PID \d+/);
        expect(r.stderr).toContain('nothing was sent');
        expect(fx.checked.requests.slice(before).filter((q) => q.write)).toEqual([]);
        expect(fx.psa.tickets()).toHaveLength(0);
      } finally {
        held.release();
      }
      // Once the holder is gone, the sync runs.
      expect((await fx.run(['psa', 'sync', '--yes'])).code).toBe(0);
    });
  });

  describe('the audit log', () => {
    it('keeps every PSA write: the connection, the ticket, its key and the action; never a secret', async () => {
      fx = await psaFixture({}, { kind });
      await fx.json(['psa', 'sync', '--include-existing', '--max-creates', '2', '--yes']);
      const findings = await fx.json<Array<{ breachId: string }>>(['findings']);
      const ticketed = fx.psa
        .tickets()
        .map((t) => /Breach ID: (\S+)/.exec(t.description)?.[1])
        .filter(Boolean);
      const breach = findings.find((f) => ticketed.includes(f.breachId))!;
      expect((await fx.run(['breach', 'resolve', breach.breachId])).code).toBe(0);
      await fx.json(['psa', 'sync', '--max-creates', '0', '--yes']);
      const entries = await fx.json<
        Array<{ psa?: { connection: string; action: string; ticket: number; key: string } }>
      >(['audit']);
      const psa = entries.filter((e) => e.psa).map((e) => e.psa!);
      expect(psa.map((p) => p.action).sort()).toEqual(['add note', 'create ticket', 'create ticket', 'set status']);
      for (const p of psa) {
        expect(p.connection).toBe(fx.connection);
        expect(p.key).toMatch(/^sw:ticket:/);
        expect(p.ticket).toEqual(expect.any(Number));
      }
      const log = JSON.stringify(entries);
      expect(log).not.toContain(fx.psa.secret);
    });
  });
  describe('Ctrl+C', () => {
    it('stops starting tickets, lets the ones in flight finish, exits 130; the next sync makes the rest, none twice', async () => {
      // 20 ms a PSA answer: the nine tickets take long enough to interrupt in the middle.
      fx = await psaFixture({}, { kind, latencyMs: 20 });
      let interrupt: (signal: NodeJS.Signals) => void = () => {};
      const signal = new Promise<NodeJS.Signals>((resolve) => (interrupt = resolve));
      // Ctrl+C once the third ticket exists: the sync is then mid-way through the nine.
      const watcher = setInterval(() => {
        if (fx!.psa.tickets().length >= 3) interrupt('SIGINT');
      }, 1);
      const r = await fx.run(['psa', 'sync', '--include-existing', '--concurrency', '1', '--yes', '--json'], {
        signal,
      });
      clearInterval(watcher);
      expect(r.code).toBe(130);
      const partial = JSON.parse(r.stdout) as { created: number; interrupted: boolean };
      expect(partial.interrupted).toBe(true);
      expect(partial.created).toBeLessThan(FINDINGS);
      expect(fx.psa.tickets()).toHaveLength(partial.created);
      const rest = await fx.json<{ created: number }>(['psa', 'sync', '--include-existing', '--yes']);
      expect(partial.created + rest.created).toBe(FINDINGS);
      expect(new Set(fx.psa.tickets().map((t) => t.key)).size).toBe(FINDINGS);
      expect(fx.psa.tickets()).toHaveLength(FINDINGS);
    });
  });
});

describe('a sync of some customers', () => {
  it('acknowledges only their outbox events; the others wait for a sync that covers them', async () => {
    fx = await psaFixture();
    const state = `${fx.configDir}/watch.json`;
    await fx.run(['portfolio', 'watch', '--state', state, '--baseline']);
    await fx.json(['psa', 'sync', '--yes']);
    const findings = await fx.json<Array<{ breachId: string; reference: string }>>(['findings']);
    const [a, b] = [findings[0]!, findings.find((f) => f.reference !== findings[0]!.reference)!];
    for (const f of [a, b]) expect((await fx.run(['breach', 'resolve', f.breachId])).code).toBe(0);
    expect((await fx.run(['portfolio', 'watch', '--state', state])).code).toBe(0);
    const sync = await fx.json<{ events: { acked: number } }>(['psa', 'sync', '--customers', a.reference, '--yes']);
    expect(sync.events.acked).toBe(1);
    const after = await fx.json<{ sinks: Array<{ sink: string; pending: number; acked: number }> }>([
      'outbox',
      'status',
    ]);
    expect(after.sinks).toMatchObject([{ sink: 'psa:cw', pending: 1, acked: 1 }]);
  });
});
