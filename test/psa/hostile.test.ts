/**
 * Hostile PSA answers during a `psa sync` (issue 29, "Speed and reliability"; issue 32: against
 * each emulator, ConnectWise and Autotask): an HTML error page, 200 with a body that is not what
 * the operation answers, a 10 MB body, a redirect, a 404 for a ticket the index knows. The emulator
 * writes them on the socket (its `misbehave` rules, src/sandbox/psa/hostile.ts), so what is tested
 * is the client's own reading: its JSON checks, its 8 MiB cap, its refusal to follow a redirect.
 * Each ends with one line naming the PSA and the exit code of the failure, and nothing wrongly in
 * the ticket index: a create answered with garbage records no ticket, and the next good sync finds
 * the ticket by its key (or makes it), once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TicketIndexFile, type TicketIndex } from '../../src/psa/ticket-index.js';
import type { HostileKind } from '../../src/sandbox/psa/hostile.js';
import { FIXTURE_KINDS, psaFixture, type FixtureKind, type PsaFixture } from './psa-fixture.js';

const FINDINGS = 9; // examples/customers.csv in the sandbox
const SYNC = ['psa', 'sync', '--include-existing', '--yes'];

let fx: PsaFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

interface Case {
  kind: HostileKind;
  exitCode: number;
  /** What the one line says (besides naming the PSA), given its name. */
  says: (psa: string) => RegExp;
  /** Whether the emulator makes the ticket before answering so (the answer lost on the way back). */
  made: boolean;
}

const CASES: Case[] = [
  { kind: 'html', exitCode: 5, says: (psa) => new RegExp(`HTML page, not JSON .*${psa} answered 502`), made: true },
  { kind: 'unexpected', exitCode: 5, says: (psa) => new RegExp(`${psa} answered 200 to \\w+ \\S+ but `), made: true },
  {
    kind: 'huge',
    exitCode: 5,
    says: (psa) => new RegExp(`answer too large from ${psa}: .*larger than 8 MiB`),
    made: true,
  },
  { kind: 'redirect', exitCode: 5, says: (psa) => new RegExp(`${psa} redirected \\w+ \\S+ \\(302\\)`), made: false },
  { kind: 'not-found', exitCode: 3, says: (psa) => new RegExp(`${psa} answered 404`), made: false },
];

const FAR_SIDE: Record<FixtureKind, string> = { connectwise: 'ConnectWise', autotask: 'Autotask', halo: 'HaloPSA' };

const index = (fx: PsaFixture): TicketIndex => new TicketIndexFile(fx.configDir, fx.account, fx.connection).read();

/** The lines that report a failure: `error: …` (the run failed) or a failed ticket's line under the summary. */
function failureLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^error: /.test(l) || /^\s+row \d+ \(.*\): failed: /.test(l));
}

/** One failure line naming the PSA and saying `says`; no stack trace. */
function expectOneLine(stderr: string, says: RegExp, psa: string): void {
  const lines = failureLines(stderr);
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toContain(psa);
  expect(lines[0]).toMatch(says);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** Every ticket once, the index's ticket IDs the emulator's, nothing half-known, and nothing left to do. */
async function expectSettled(fx: PsaFixture, tickets: number): Promise<void> {
  const keys = fx.psa.tickets().map((t) => t.key);
  expect(keys).toHaveLength(tickets);
  expect(new Set(keys).size).toBe(tickets);
  const known = index(fx);
  expect(Object.fromEntries([...known.tickets.values()].map((t) => [t.key, t.id]))).toEqual(
    Object.fromEntries(fx.psa.tickets().map((t) => [t.key, t.id])),
  );
  expect([...known.intents.keys()]).toEqual([]);
  const plan = await fx.run(['psa', 'plan', '--exit-status']);
  expect(plan.code, plan.stderr).toBe(0);
}

/** The spec check's complaints about anything but the operation answered hostilely. */
const otherProblems = (fx: PsaFixture, operation: string) =>
  fx.checked.problems.filter((p) => !p.startsWith(operation));

describe.each(FIXTURE_KINDS)('%s', (psaKind) => {
  const psa = FAR_SIDE[psaKind];
  const resolution = (fx: PsaFixture, ticketId: number) =>
    fx.psa.notes().filter((n) => n.ticketId === ticketId && n.kind === 'resolution');

  describe.each(CASES)(`${psa} answers $kind`, ({ kind, exitCode, says, made }) => {
    it(`to the plan's read of the owned tickets: exit ${exitCode}, one line, nothing sent or recorded`, async () => {
      fx = await psaFixture({}, { kind: psaKind });
      const owned = fx.psa.ops.owned;
      fx.psa.misbehave([{ method: owned.method, path: owned.path, kind }]);
      const r = await fx.run(SYNC);
      expect(r.code, r.stderr).toBe(exitCode);
      expectOneLine(r.stderr, says(psa), psa);
      expect(fx.checked.requests.filter((q) => q.write)).toEqual([]);
      expect(fx.psa.tickets()).toEqual([]);
      expect(index(fx).lines).toBe(0);
      expect(otherProblems(fx, owned.problem)).toEqual([]);
    });

    it(`to a create${made ? ' it carried out' : ''}: that ticket fails with exit ${exitCode}; no ticket recorded for it; the next sync settles it once`, async () => {
      fx = await psaFixture({}, { kind: psaKind });
      const create = fx.psa.ops.create;
      fx.psa.misbehave([{ method: create.method, path: create.path, kind, afterDoing: made, times: 1 }]);
      const r = await fx.run(SYNC);
      expect(r.code, r.stderr).toBe(exitCode);
      expectOneLine(r.stderr, says(psa), psa);
      const failedKey = /row \d+ \((sw:ticket:[0-9a-f]+)\): failed/.exec(r.stderr)![1]!;
      expect(fx.psa.tickets()).toHaveLength(made ? FINDINGS : FINDINGS - 1);
      const known = index(fx);
      expect(known.tickets.size).toBe(FINDINGS - 1);
      expect(known.tickets.has(failedKey)).toBe(false);
      expect([...known.intents.values()]).toEqual([expect.objectContaining({ key: failedKey, action: 'create' })]);
      expect(otherProblems(fx, create.problem)).toEqual([]);

      fx.psa.misbehave([]);
      const again = await fx.run(SYNC);
      expect(again.code, again.stderr).toBe(0);
      await expectSettled(fx, FINDINGS);
      expect(fx.psa.tickets().filter((t) => t.key === failedKey)).toHaveLength(1);
    });
  });

  /** A breach SafeWeb resolves, and the ticket the first full sync made for it. */
  async function resolvedBreachTicket(fx: PsaFixture): Promise<{ breachId: string; ticketId: number }> {
    const all = await fx.run(SYNC);
    expect(all.code, all.stderr).toBe(0);
    const [breach] = JSON.parse((await fx.run(['findings', '--json'])).stdout) as Array<{ breachId: string }>;
    const ticketId = fx.psa.tickets().find((t) => t.description.includes(`Breach ID: ${breach!.breachId}`))!.id;
    expect((await fx.run(['breach', 'resolve', breach!.breachId])).code).toBe(0);
    return { breachId: breach!.breachId, ticketId };
  }

  describe(`${psa} and tickets the index knows`, () => {
    it('a ticket the index knows that the PSA answers 404 for: exit 3 naming it; no note or close recorded; the next sync closes it once', async () => {
      fx = await psaFixture({}, { kind: psaKind });
      const { ticketId } = await resolvedBreachTicket(fx);
      fx.psa.misbehave(fx.psa.ticketGone(ticketId).map((rule) => ({ ...rule, kind: 'not-found' as const })));
      const r = await fx.run(['psa', 'sync', '--yes']);
      expect(r.code, r.stderr).toBe(3);
      const named = psaKind === 'connectwise' ? `Ticket recId ${ticketId} not found` : `Ticket ${ticketId} not found`;
      expectOneLine(r.stderr, new RegExp(`${named} \\(${psa} answered 404 to POST`), psa);
      const key = fx.psa.tickets().find((t) => t.id === ticketId)!.key!;
      const known = index(fx).tickets.get(key)!;
      expect(known).toMatchObject({ id: ticketId, state: 'open' });
      expect(known.notes.size).toBe(0);
      expect(resolution(fx, ticketId)).toEqual([]);

      fx.psa.misbehave([]);
      const again = await fx.run(['psa', 'sync', '--yes']);
      expect(again.code, again.stderr).toBe(0);
      expect(fx.psa.tickets().find((t) => t.id === ticketId)!.closed).toBe(true);
      expect(resolution(fx, ticketId)).toHaveLength(1);
      expect(index(fx).tickets.get(key)).toMatchObject({ state: 'closed', stateBy: 'safeweb' });
      await expectSettled(fx, FINDINGS);
    });

    it('a resolution note the PSA made and answered with an HTML page: exit 5; the next sync finds it by its marker, and closes the ticket with that one note', async () => {
      fx = await psaFixture({}, { kind: psaKind });
      const { ticketId } = await resolvedBreachTicket(fx);
      fx.psa.misbehave([{ ...fx.psa.noteTo(ticketId), kind: 'html', afterDoing: true, times: 1 }]);
      const r = await fx.run(['psa', 'sync', '--yes']);
      expect(r.code, r.stderr).toBe(5);
      expectOneLine(r.stderr, new RegExp(`HTML page.*${psa} answered 502 to POST`), psa);
      expect(resolution(fx, ticketId)).toHaveLength(1);
      expect(fx.psa.tickets().find((t) => t.id === ticketId)!.closed).toBe(false);

      const again = await fx.run(['psa', 'sync', '--yes']);
      expect(again.code, again.stderr).toBe(0);
      expect(resolution(fx, ticketId)).toHaveLength(1);
      expect(fx.psa.tickets().find((t) => t.id === ticketId)!.closed).toBe(true);
      await expectSettled(fx, FINDINGS);
    });
  });

  describe(`${psa} holds other tickets under the tool’s keys`, () => {
    it('a technician’s copy of a ticket (its key copied) is left alone: the tool closes the ticket it made', async () => {
      fx = await psaFixture({}, { kind: psaKind });
      const { ticketId } = await resolvedBreachTicket(fx);
      const original = fx.psa.tickets().find((t) => t.id === ticketId)!;
      const copyId = await fx.psa.copyTicket(ticketId);

      const r = await fx.run(['psa', 'sync', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(fx.psa.tickets().find((t) => t.id === ticketId)!.closed).toBe(true);
      expect(resolution(fx, ticketId)).toHaveLength(1);
      expect(fx.psa.tickets().find((t) => t.id === copyId)!.closed).toBe(false);
      expect(fx.psa.notes().filter((n) => n.ticketId === copyId)).toEqual([]);
      expect(index(fx).tickets.get(original.key!)).toMatchObject({ id: ticketId, state: 'closed' });
    });

    it('a ticket deleted in the PSA gets a successor; a technician closing that one resolves the breach in SafeWeb', async () => {
      fx = await psaFixture({}, { kind: psaKind });
      const all = await fx.run(SYNC);
      expect(all.code, all.stderr).toBe(0);
      const [breach] = JSON.parse((await fx.run(['findings', '--json'])).stdout) as Array<{ breachId: string }>;
      const about = () => fx!.psa.tickets().filter((t) => t.description.includes(`Breach ID: ${breach!.breachId}`));
      const first = about()[0]!.id;
      fx.psa.deleteTicket(first);
      const again = await fx.run(['psa', 'sync', '--yes', '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: 1 });
      const successor = about().at(-1)!;
      expect(successor.id).not.toBe(first);

      expect(fx.psa.technicianClose(successor.id)).toBe(true);
      const closed = await fx.run(['psa', 'sync', '--yes', '--json']);
      expect(closed.code, closed.stderr).toBe(0);
      expect(JSON.parse(closed.stdout)).toMatchObject({ resolved: 1 });
      const open = JSON.parse((await fx.run(['findings', '--json'])).stdout) as Array<{ breachId: string }>;
      expect(open.map((f) => f.breachId)).not.toContain(breach!.breachId);
      const plan = await fx.run(['psa', 'plan', '--exit-status']);
      expect(plan.code, plan.stderr).toBe(0);
    });
  });
});
