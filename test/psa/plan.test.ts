/** The ticket plan's rules (issue 29 items 3, 4, 6 and the first-run baseline of issue 28 item 6), one by one. */
import { describe, expect, it } from 'vitest';
import { findingKey, ticketKey } from '../../src/findings/keys.js';
import { planSync, type PlanBreach, type PlanCustomer, type TicketPolicy } from '../../src/psa/plan.js';
import { foldIndex, type IndexLine } from '../../src/psa/ticket-index.js';
import type { PsaTicket } from '../../src/psa/types.js';

const P = 'P1';
const NOW = new Date('2026-12-07T12:00:00Z');
const policy: TicketPolicy = {
  boardId: 2,
  newStatusId: 11,
  closedStatusId: 13,
  priorityByBand: { critical: 1, high: 2 },
  grouping: 'per-breach',
  reopenDays: 30,
  resolveOnClose: true,
  offboard: 'close',
  fallbackCompanyId: null,
};

function breach(id: string, over: Partial<PlanBreach> = {}): PlanBreach {
  return {
    breachId: id,
    breachName: `Breach${id}`,
    title: `Breach ${id}`,
    breachDate: '2024-03-01',
    emails: [`a${id}@acme.co`],
    dataClasses: ['Passwords'],
    nextSteps: [],
    resolved: false,
    ...over,
  };
}

function customer(breaches: PlanBreach[] | undefined, over: Partial<PlanCustomer> = {}): PlanCustomer {
  return {
    customerId: 'C1',
    reference: 'ACME-1',
    companyName: 'Acme Ltd',
    band: 'high',
    companyId: 250,
    offboarded: false,
    breaches,
    ...over,
  };
}

const fkey = (b: string, c = 'C1') => findingKey({ partnerId: P, customer: c, breachId: b });
const tkey = (b: string, generation = 1, c = 'C1') =>
  ticketKey({ partnerId: P, customer: c, group: { breachId: b }, generation });

function ticketLine(b: string, id: number, generation = 1, at = '2026-12-01T00:00:00Z'): IndexLine {
  return {
    op: 'ticket',
    key: tkey(b, generation),
    id,
    customerId: 'C1',
    reference: 'ACME-1',
    breachId: b,
    generation,
    findings: [{ key: fkey(b), breachId: b }],
    companyId: 250,
    written: { summary: 's', boardId: 2, priorityId: 2 },
    at,
  };
}

function psaTicket(key: string, id: number, closed = false, over: Partial<PsaTicket> = {}): PsaTicket {
  return {
    id,
    summary: 's',
    boardId: 2,
    statusId: closed ? 13 : 11,
    companyId: 250,
    priorityId: 2,
    externalXRef: key,
    closed,
    closedAt: closed ? '2026-12-05T00:00:00Z' : null,
    closedBy: closed ? 'tech1' : null,
    updatedAt: '2026-12-05T00:00:00Z',
    updatedBy: 'tech1',
    ...over,
  };
}

const baselineLine = (keys: string[] = []): IndexLine => ({
  op: 'baseline',
  customers: ['C1'],
  findings: keys,
  at: '2026-11-01T00:00:00Z',
});
const kinds = (plan: ReturnType<typeof planSync>) => plan.actions.map((a) => a.kind);
const opts = { partnerId: P, now: NOW, maxCreates: 50 };

describe('psa plan: first run and caps', () => {
  it('takes a baseline on the first run and sends nothing for what already exists', () => {
    const plan = planSync(
      policy,
      [customer([breach('1'), breach('2', { resolved: true })])],
      new Map(),
      foldIndex([]),
      opts,
    );
    expect(plan.actions).toEqual([]);
    expect(plan.baseline).toEqual({ customers: ['C1'], findings: [fkey('1')] });
    expect(plan.baselined).toBe(1);
  });

  it('--include-existing tickets every finding; --since only those dated on or after it', () => {
    const book = [customer([breach('1', { breachDate: '2026-11-30' }), breach('2')])];
    const all = planSync(policy, book, new Map(), foldIndex([]), { ...opts, includeExisting: true });
    expect(kinds(all)).toEqual(['create', 'create']);
    expect(all.baseline).toEqual({ customers: [], findings: [] });
    const since = planSync(policy, book, new Map(), foldIndex([]), { ...opts, since: '2026-11-01' });
    expect(since.actions.map((a) => a.key)).toEqual([tkey('1')]);
    expect(since.baseline).toEqual({ customers: ['C1'], findings: [fkey('2')] });
  });

  it('a finding after the baseline gets a ticket, priced by band; over --max-creates waits and is counted', () => {
    const index = foldIndex([baselineLine([fkey('1')])]);
    const plan = planSync(policy, [customer([breach('1'), breach('2'), breach('3')])], new Map(), index, {
      ...opts,
      maxCreates: 1,
    });
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]).toMatchObject({ kind: 'create', key: tkey('2'), companyId: 250, priorityId: 2 });
    expect(plan.held).toBe(1);
    expect(plan.baselined).toBe(1);
  });
});

describe('psa plan: both ways', () => {
  const index = (...lines: IndexLine[]) => foldIndex([baselineLine(), ...lines]);

  it('does nothing when both sides agree', () => {
    const plan = planSync(
      policy,
      [customer([breach('1')])],
      new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]),
      index(ticketLine('1', 1001)),
      opts,
    );
    expect(plan.actions).toEqual([]);
  });

  it('closes a ticket with a resolution note when SafeWeb resolves the breach, once', () => {
    const lines = [ticketLine('1', 1001)];
    const tickets = new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]);
    const plan = planSync(policy, [customer([breach('1', { resolved: true })])], tickets, index(...lines), opts);
    expect(plan.actions).toMatchObject([{ kind: 'close', reason: 'resolved', ticketId: 1001 }]);
    // A breach no longer reported at all closes its ticket too.
    expect(kinds(planSync(policy, [customer([])], tickets, index(...lines), opts))).toEqual(['close']);
    // Once the index knows the ticket is closed, there is nothing more to do.
    const closed = new Map([[tkey('1'), psaTicket(tkey('1'), 1001, true)]]);
    const after = index(...lines, {
      op: 'state',
      key: tkey('1'),
      state: 'closed',
      by: 'safeweb',
      at: NOW.toISOString(),
    });
    expect(planSync(policy, [customer([breach('1', { resolved: true })])], closed, after, opts).actions).toEqual([]);
  });

  it('a technician closing a ticket resolves its breach in SafeWeb (unless resolveOnClose is off)', () => {
    const tickets = new Map([[tkey('1'), psaTicket(tkey('1'), 1001, true)]]);
    const plan = planSync(policy, [customer([breach('1')])], tickets, index(ticketLine('1', 1001)), opts);
    expect(kinds(plan)).toEqual(['observe', 'resolve']);
    expect(plan.actions[1]).toMatchObject({ findings: [{ breachId: '1' }] });
    const off = planSync(
      { ...policy, resolveOnClose: false },
      [customer([breach('1')])],
      tickets,
      index(ticketLine('1', 1001)),
      opts,
    );
    expect(kinds(off)).toEqual(['observe']);
  });

  it('a technician reopening a ticket unresolves its breach', () => {
    const lines = [
      ticketLine('1', 1001),
      { op: 'state', key: tkey('1'), state: 'closed', by: 'psa', at: '2026-12-02T00:00:00Z' } as IndexLine,
    ];
    const seen: IndexLine = { op: 'seen', findings: { [fkey('1')]: true }, at: '2026-12-02T00:00:00Z' };
    const plan = planSync(
      policy,
      [customer([breach('1', { resolved: true })])],
      new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]),
      index(...lines, seen),
      opts,
    );
    expect(kinds(plan)).toEqual(['observe', 'unresolve']);
  });

  it('a breach back within the reopen window reopens its ticket; after it, a new ticket of the next generation', () => {
    const closedAt = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
    const lines = (days: number): IndexLine[] => [
      ticketLine('1', 1001),
      { op: 'state', key: tkey('1'), state: 'closed', by: 'safeweb', at: closedAt(days) },
      { op: 'seen', findings: { [fkey('1')]: true }, at: closedAt(days) },
    ];
    const tickets = new Map([[tkey('1'), psaTicket(tkey('1'), 1001, true)]]);
    const soon = planSync(policy, [customer([breach('1')])], tickets, index(...lines(3)), opts);
    expect(soon.actions).toMatchObject([{ kind: 'reopen', ticketId: 1001 }]);
    const late = planSync(policy, [customer([breach('1')])], tickets, index(...lines(45)), opts);
    expect(late.actions).toMatchObject([{ kind: 'create', key: tkey('1', 2), generation: 2 }]);
  });

  it('shows a conflict when a technician closed the ticket while the breach came back; the newest change wins', () => {
    const lines: IndexLine[] = [
      ticketLine('1', 1001),
      { op: 'seen', findings: { [fkey('1')]: true }, at: '2026-12-01T00:00:00Z' },
    ];
    const closedLate = psaTicket(tkey('1'), 1001, true, { closedAt: '2026-12-06T00:00:00Z' });
    const book = [customer([breach('1')])];
    // SafeWeb's change (an event's time) is older than the technician's close: the close wins.
    const psaWins = planSync(policy, book, new Map([[tkey('1'), closedLate]]), index(...lines), {
      ...opts,
      changedAt: new Map([[fkey('1'), '2026-12-03T00:00:00Z']]),
    });
    expect(psaWins.conflicts).toMatchObject([{ winner: 'psa', psa: 'closed', safeweb: 'came back' }]);
    expect(kinds(psaWins)).toEqual(['observe', 'resolve']);
    // Without an event, SafeWeb's change is dated when this sync sees it: the breach wins, the ticket reopens.
    const safewebWins = planSync(policy, book, new Map([[tkey('1'), closedLate]]), index(...lines), opts);
    expect(safewebWins.conflicts).toMatchObject([{ winner: 'safeweb' }]);
    expect(kinds(safewebWins)).toEqual(['observe', 'reopen']);
  });

  it('finds a ticket the index lost by its key instead of making a second one', () => {
    const plan = planSync(
      policy,
      [customer([breach('1')])],
      new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]),
      index(),
      opts,
    );
    expect(kinds(plan)).toEqual(['adopt']);
    // Its breach resolved meanwhile: the ticket is still that breach's (its key names it), and closes.
    const resolved = planSync(
      policy,
      [customer([breach('1', { resolved: true })])],
      new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]),
      index(),
      opts,
    );
    expect(resolved.actions).toMatchObject([
      { kind: 'adopt', findings: [{ key: fkey('1'), breachId: '1' }] },
      { kind: 'close', reason: 'resolved', findings: [{ key: fkey('1') }] },
    ]);
  });
});

describe('psa plan: per-customer grouping, unmapped and offboarded customers', () => {
  const grouped = { ...policy, grouping: 'per-customer' as const };
  const ckey = (generation = 1) => ticketKey({ partnerId: P, customer: 'C1', group: 'customer', generation });
  const groupLine: IndexLine = {
    op: 'ticket',
    key: ckey(),
    id: 2001,
    customerId: 'C1',
    reference: 'ACME-1',
    generation: 1,
    findings: [{ key: fkey('1'), breachId: '1' }],
    companyId: 250,
    written: { summary: 's', boardId: 2, priorityId: 2 },
    at: '2026-12-01T00:00:00Z',
  };

  it('adds a new finding to the open ticket as a note, notes a resolved one, and closes when all are resolved', () => {
    const tickets = new Map([[ckey(), psaTicket(ckey(), 2001)]]);
    const idx = foldIndex([baselineLine(), groupLine]);
    const added = planSync(grouped, [customer([breach('1'), breach('2')])], tickets, idx, opts);
    expect(added.actions).toMatchObject([{ kind: 'note', reason: 'added', findings: [{ breachId: '2' }] }]);
    const two = foldIndex([
      baselineLine(),
      groupLine,
      { op: 'covers', key: ckey(), findings: [{ key: fkey('2'), breachId: '2' }], at: NOW.toISOString() },
    ]);
    const one = planSync(grouped, [customer([breach('1', { resolved: true }), breach('2')])], tickets, two, opts);
    expect(one.actions).toMatchObject([{ kind: 'note', reason: 'resolved', findings: [{ breachId: '1' }] }]);
    const all = planSync(
      grouped,
      [customer([breach('1', { resolved: true }), breach('2', { resolved: true })])],
      tickets,
      two,
      opts,
    );
    expect(kinds(all)).toEqual(['close']);
  });

  it('adopts a ticket a killed run made with the findings its intent names, resolved since or not', () => {
    const tickets = new Map([[ckey(), psaTicket(ckey(), 2001)]]);
    const made = [
      { key: fkey('1'), breachId: '1' },
      { key: fkey('2'), breachId: '2' },
    ];
    const book = [customer([breach('1', { resolved: true }), breach('2'), breach('3')])];
    const killed = foldIndex([
      baselineLine(),
      { op: 'intent', key: ckey(), action: 'create', findings: made, at: '2026-12-01T00:00:00Z' },
    ]);
    const plan = planSync(grouped, book, tickets, killed, opts);
    expect(plan.actions).toMatchObject([
      { kind: 'adopt', findings: made },
      // Breach 3 came after the ticket was made: a note adds it; breach 1, resolved since, is noted as such.
      { kind: 'note', reason: 'added', findings: [{ breachId: '3' }] },
      { kind: 'note', reason: 'resolved', findings: [{ breachId: '1' }] },
    ]);
    // An intent of an older run names no findings: the ticket covers what is open now.
    const older = foldIndex([
      baselineLine(),
      { op: 'intent', key: ckey(), action: 'create', at: '2026-12-01T00:00:00Z' },
    ]);
    expect(planSync(grouped, book, tickets, older, opts).actions).toMatchObject([
      { kind: 'adopt', findings: [{ breachId: '2' }, { breachId: '3' }] },
    ]);
  });

  it("files a customer's tickets on its own board, and closes each with the statuses of the board it is on", () => {
    const filing = { boardId: 7, newStatusId: 71, closedStatusId: 73 };
    const made = planSync(policy, [customer([breach('1')], { filing })], new Map(), foldIndex([baselineLine()]), opts);
    expect(made.actions).toMatchObject([{ kind: 'create', boardId: 7, statusId: 71 }]);
    const idx = foldIndex([baselineLine(), ticketLine('1', 1001)]);
    const resolved = [customer([breach('1', { resolved: true })], { filing })];
    const onOwn = new Map([[tkey('1'), psaTicket(tkey('1'), 1001, false, { boardId: 7 })]]);
    expect(planSync(policy, resolved, onOwn, idx, opts).actions).toMatchObject([{ kind: 'close', statusId: 73 }]);
    // A technician moved it to the connection's board: that board's closed status.
    const moved = new Map([[tkey('1'), psaTicket(tkey('1'), 1001, false, { boardId: 2 })]]);
    expect(planSync(policy, resolved, moved, idx, opts).actions).toMatchObject([{ kind: 'close', statusId: 13 }]);
  });

  it('files an unmapped customer under the fallback company, naming it; without one, lists it and sends nothing', () => {
    const book = [customer([breach('1')], { companyId: null })];
    const idx = foldIndex([baselineLine()]);
    const withFallback = planSync({ ...policy, fallbackCompanyId: 999 }, book, new Map(), idx, opts);
    expect(withFallback.actions).toMatchObject([{ kind: 'create', companyId: 999, unmapped: true }]);
    expect(withFallback.unmapped).toEqual([
      { reference: 'ACME-1', companyName: 'Acme Ltd', findings: 1, fallback: true },
    ]);
    const without = planSync(policy, book, new Map(), idx, opts);
    expect(without.actions).toEqual([]);
    expect(without.unmapped).toMatchObject([{ reference: 'ACME-1', fallback: false }]);
  });

  it("closes an offboarded customer's open tickets with a note, or leaves them by policy", () => {
    const tickets = new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]);
    const idx = foldIndex([baselineLine(), ticketLine('1', 1001)]);
    const gone = [customer(undefined, { offboarded: true })];
    expect(planSync(policy, gone, tickets, idx, opts).actions).toMatchObject([{ kind: 'close', reason: 'offboarded' }]);
    expect(planSync({ ...policy, offboard: 'leave' }, gone, tickets, idx, opts).actions).toEqual([]);
  });

  it('leaves the tickets of a customer whose breaches could not be read as they are', () => {
    const tickets = new Map([[tkey('1'), psaTicket(tkey('1'), 1001)]]);
    const idx = foldIndex([baselineLine(), ticketLine('1', 1001)]);
    expect(planSync(policy, [customer(undefined)], tickets, idx, opts).actions).toEqual([]);
  });
});
