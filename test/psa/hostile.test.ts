/**
 * Hostile ConnectWise answers during a `psa sync` (issue 29, "Speed and reliability"): an HTML
 * error page, 200 with a body that is not what the operation answers, a 10 MB body, a redirect,
 * a 404 for a ticket the index knows. The emulator writes them on the socket (its `misbehave`
 * rules, src/sandbox/psa/hostile.ts), so what is tested is the client's own reading: its JSON
 * checks, its 8 MiB cap, its refusal to follow a redirect. Each ends with one line naming
 * ConnectWise and the exit code of the failure, and nothing wrongly in the ticket index: a create
 * answered with garbage records no ticket, and the next good sync finds the ticket by its key (or
 * makes it), once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TicketIndexFile, type TicketIndex } from '../../src/psa/ticket-index.js';
import type { HostileKind } from '../../src/sandbox/psa/hostile.js';
import { psaFixture, type PsaFixture } from './psa-fixture.js';

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
  /** What the one line says (besides naming ConnectWise). */
  says: RegExp;
  /** Whether the emulator makes the ticket before answering so (the answer lost on the way back). */
  made: boolean;
}

const CASES: Case[] = [
  { kind: 'html', exitCode: 5, says: /HTML page, not JSON .*ConnectWise answered 502/, made: true },
  { kind: 'unexpected', exitCode: 5, says: /ConnectWise answered 200 to \w+ \S+ but /, made: true },
  { kind: 'huge', exitCode: 5, says: /answer too large from ConnectWise: .*larger than 8 MiB/, made: true },
  { kind: 'redirect', exitCode: 5, says: /ConnectWise redirected \w+ \S+ \(302\)/, made: false },
  { kind: 'not-found', exitCode: 3, says: /ConnectWise answered 404/, made: false },
];

const index = (fx: PsaFixture): TicketIndex => new TicketIndexFile(fx.configDir, fx.account, 'cw').read();

/** The lines that report a failure: `error: …` (the run failed) or a failed ticket's line under the summary. */
function failureLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^error: /.test(l) || /^\s+row \d+ \(.*\): failed: /.test(l));
}

/** One failure line naming ConnectWise and saying `says`; no stack trace. */
function expectOneLine(stderr: string, says: RegExp): void {
  const lines = failureLines(stderr);
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/ConnectWise/);
  expect(lines[0]).toMatch(says);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** Every ticket once, the index's ticket IDs the emulator's, nothing half-known, and nothing left to do. */
async function expectSettled(fx: PsaFixture, tickets: number): Promise<void> {
  const keys = fx.cw.state.tickets.map((t) => t.externalXRef);
  expect(keys).toHaveLength(tickets);
  expect(new Set(keys).size).toBe(tickets);
  const known = index(fx);
  expect(Object.fromEntries([...known.tickets.values()].map((t) => [t.key, t.id]))).toEqual(
    Object.fromEntries(fx.cw.state.tickets.map((t) => [t.externalXRef, t.id])),
  );
  expect([...known.intents.keys()]).toEqual([]);
  const plan = await fx.run(['psa', 'plan', '--exit-status']);
  expect(plan.code, plan.stderr).toBe(0);
}

/** The spec check's complaints about anything but the operation answered hostilely. */
const otherProblems = (fx: PsaFixture, operation: string) =>
  fx.checked.problems.filter((p) => !p.startsWith(operation));

describe.each(CASES)('ConnectWise answers $kind', ({ kind, exitCode, says, made }) => {
  it(`to the plan's read of the owned tickets: exit ${exitCode}, one line, nothing sent or recorded`, async () => {
    fx = await psaFixture();
    fx.cw.misbehave([{ method: 'GET', path: /^\/service\/tickets$/, kind }]);
    const r = await fx.run(SYNC);
    expect(r.code, r.stderr).toBe(exitCode);
    expectOneLine(r.stderr, says);
    expect(fx.checked.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(fx.cw.state.tickets).toEqual([]);
    expect(index(fx).lines).toBe(0);
    expect(otherProblems(fx, 'GET /service/tickets')).toEqual([]);
  });

  it(`to a create${made ? ' it carried out' : ''}: that ticket fails with exit ${exitCode}; no ticket recorded for it; the next sync settles it once`, async () => {
    fx = await psaFixture();
    fx.cw.misbehave([{ method: 'POST', path: /^\/service\/tickets$/, kind, afterDoing: made, times: 1 }]);
    const r = await fx.run(SYNC);
    expect(r.code, r.stderr).toBe(exitCode);
    expectOneLine(r.stderr, says);
    const failedKey = /row \d+ \((sw:ticket:[0-9a-f]+)\): failed/.exec(r.stderr)![1]!;
    expect(fx.cw.state.tickets).toHaveLength(made ? FINDINGS : FINDINGS - 1);
    const known = index(fx);
    expect(known.tickets.size).toBe(FINDINGS - 1);
    expect(known.tickets.has(failedKey)).toBe(false);
    expect([...known.intents.values()]).toEqual([expect.objectContaining({ key: failedKey, action: 'create' })]);
    expect(otherProblems(fx, 'POST /service/tickets')).toEqual([]);

    fx.cw.misbehave([]);
    const again = await fx.run(SYNC);
    expect(again.code, again.stderr).toBe(0);
    await expectSettled(fx, FINDINGS);
    expect(fx.cw.state.tickets.filter((t) => t.externalXRef === failedKey)).toHaveLength(1);
  });
});

/** A breach SafeWeb resolves, and the ticket the first full sync made for it. */
async function resolvedBreachTicket(fx: PsaFixture): Promise<{ breachId: string; ticketId: number }> {
  const all = await fx.run(SYNC);
  expect(all.code, all.stderr).toBe(0);
  const [breach] = JSON.parse((await fx.run(['findings', '--json'])).stdout) as Array<{ breachId: string }>;
  const ticketId = fx.cw.state.notes.find((n) => n.text.includes(`Breach ID: ${breach!.breachId}`))!.ticketId;
  expect((await fx.run(['breach', 'resolve', breach!.breachId])).code).toBe(0);
  return { breachId: breach!.breachId, ticketId };
}

describe('ConnectWise and tickets the index knows', () => {
  it('a ticket the index knows that ConnectWise answers 404 for: exit 3 naming it; no note or close recorded; the next sync closes it once', async () => {
    fx = await psaFixture();
    const { ticketId } = await resolvedBreachTicket(fx);
    fx.cw.misbehave(
      ['GET', 'POST', 'PATCH', 'PUT'].map((method) => ({
        method,
        path: new RegExp(`^/service/tickets/${ticketId}(/|$)`),
        kind: 'not-found' as const,
      })),
    );
    const r = await fx.run(['psa', 'sync', '--yes']);
    expect(r.code, r.stderr).toBe(3);
    expectOneLine(r.stderr, new RegExp(`Ticket recId ${ticketId} not found \\(ConnectWise answered 404 to POST`));
    const key = fx.cw.state.tickets.find((t) => t.id === ticketId)!.externalXRef!;
    const known = index(fx).tickets.get(key)!;
    expect(known).toMatchObject({ id: ticketId, state: 'open' });
    expect(known.notes.size).toBe(0);
    expect(fx.cw.state.notes.filter((n) => n.ticketId === ticketId && n.resolutionFlag)).toEqual([]);

    fx.cw.misbehave([]);
    const again = await fx.run(['psa', 'sync', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(fx.cw.state.tickets.find((t) => t.id === ticketId)!.closedFlag).toBe(true);
    expect(fx.cw.state.notes.filter((n) => n.ticketId === ticketId && n.resolutionFlag)).toHaveLength(1);
    expect(index(fx).tickets.get(key)).toMatchObject({ state: 'closed', stateBy: 'safeweb' });
    await expectSettled(fx, FINDINGS);
  });

  it('a resolution note ConnectWise made and answered with an HTML page: exit 5; the next sync finds it by its marker, and closes the ticket with that one note', async () => {
    fx = await psaFixture();
    const { ticketId } = await resolvedBreachTicket(fx);
    const notes = new RegExp(`^/service/tickets/${ticketId}/notes$`);
    fx.cw.misbehave([{ method: 'POST', path: notes, kind: 'html', afterDoing: true, times: 1 }]);
    const r = await fx.run(['psa', 'sync', '--yes']);
    expect(r.code, r.stderr).toBe(5);
    expectOneLine(r.stderr, /HTML page.*ConnectWise answered 502 to POST/);
    expect(fx.cw.state.notes.filter((n) => n.ticketId === ticketId && n.resolutionFlag)).toHaveLength(1);
    expect(fx.cw.state.tickets.find((t) => t.id === ticketId)!.closedFlag).toBe(false);

    const again = await fx.run(['psa', 'sync', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(fx.cw.state.notes.filter((n) => n.ticketId === ticketId && n.resolutionFlag)).toHaveLength(1);
    expect(fx.cw.state.tickets.find((t) => t.id === ticketId)!.closedFlag).toBe(true);
    await expectSettled(fx, FINDINGS);
  });
});

describe('ConnectWise holds other tickets under the tool’s keys', () => {
  it('a technician’s copy of a ticket (its key and tag copied) is left alone: the tool closes the ticket it made', async () => {
    fx = await psaFixture();
    const { ticketId } = await resolvedBreachTicket(fx);
    const original = fx.cw.state.tickets.find((t) => t.id === ticketId)!;
    const { companyId, publicKey, privateKey } = fx.cw.credentials;
    const copy = await fetch(`${fx.cw.apiBase}/service/tickets`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64')}`,
        clientid: fx.cw.credentials.clientId,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        summary: `Copy of ${original.summary}`.slice(0, 100),
        company: { id: original.companyId },
        board: { id: original.boardId },
        externalXRef: original.externalXRef,
        integratorTags: original.integratorTags,
      }),
    });
    expect(copy.status).toBe(201);
    const copyId = ((await copy.json()) as { id: number }).id;

    const r = await fx.run(['psa', 'sync', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(fx.cw.state.tickets.find((t) => t.id === ticketId)!.closedFlag).toBe(true);
    expect(fx.cw.state.notes.filter((n) => n.ticketId === ticketId && n.resolutionFlag)).toHaveLength(1);
    expect(fx.cw.state.tickets.find((t) => t.id === copyId)!.closedFlag).toBe(false);
    expect(fx.cw.state.notes.filter((n) => n.ticketId === copyId)).toEqual([]);
    expect(index(fx).tickets.get(original.externalXRef!)).toMatchObject({ id: ticketId, state: 'closed' });
  });

  it('a ticket deleted in ConnectWise gets a successor; a technician closing that one resolves the breach in SafeWeb', async () => {
    fx = await psaFixture();
    const all = await fx.run(SYNC);
    expect(all.code, all.stderr).toBe(0);
    const [breach] = JSON.parse((await fx.run(['findings', '--json'])).stdout) as Array<{ breachId: string }>;
    const first = fx.cw.state.notes.find((n) => n.text.includes(`Breach ID: ${breach!.breachId}`))!.ticketId;
    // A technician deletes it (the emulator has no DELETE: its state is what ConnectWise holds).
    fx.cw.state.tickets.splice(
      fx.cw.state.tickets.findIndex((t) => t.id === first),
      1,
    );
    const again = await fx.run(['psa', 'sync', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 1 });
    const successor = fx.cw.state.notes.filter((n) => n.text.includes(`Breach ID: ${breach!.breachId}`)).at(-1)!;
    expect(successor.ticketId).not.toBe(first);

    expect(fx.cw.technicianClose(successor.ticketId)).toBe(true);
    const closed = await fx.run(['psa', 'sync', '--yes', '--json']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ resolved: 1 });
    const open = JSON.parse((await fx.run(['findings', '--json'])).stdout) as Array<{ breachId: string }>;
    expect(open.map((f) => f.breachId)).not.toContain(breach!.breachId);
    const plan = await fx.run(['psa', 'plan', '--exit-status']);
    expect(plan.code, plan.stderr).toBe(0);
  });
});
