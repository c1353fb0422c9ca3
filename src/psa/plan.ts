/**
 * What a ticket sync would do, worked out from three things and nothing else: the book's findings
 * as SafeWeb has them now, the tickets the tool owns as the PSA has them now, and the ticket index
 * (what the tool last wrote and knew). Pure: no I/O, so `psa plan` and `psa sync` agree by
 * construction and every rule is tested on its own.
 *
 * Tickets cover a group of findings — one breach of a customer (`per-breach`) or all of a
 * customer's (`per-customer`) — and carry a generation: a finding back after its ticket's reopen
 * window gets a new ticket. For each group, by what changed since the last sync:
 * - a new finding (not in the baseline) with no ticket: create (a per-customer ticket open: a note);
 * - every finding of an open ticket resolved in SafeWeb (or no longer reported): a resolution note, then close;
 * - a ticket the tool closed whose finding came back: reopen with a note within the window, else a new ticket;
 * - a technician closed the ticket: resolve its findings in SafeWeb (`resolveOnClose`), only those
 *   whose every ticket is closed; they reopened it: unresolve them;
 * - both sides changed one finding since the last sync in opposite ways: a conflict, shown, and
 *   the newest change wins (the ticket's own time against SafeWeb's, which is an event's time
 *   when the receiver or watch saw one, else the time this sync first sees it).
 * A customer offboarded in SafeWeb has its open tickets closed with a note (`offboard: close`).
 */
import { createHash } from 'node:crypto';
import type { BANDS } from '../book-vocabulary.js';
import { findingKey, ticketKey, type TicketGroup } from '../findings/keys.js';
import { intentId, type CoveredFinding, type IndexedTicket, type TicketIndex } from './ticket-index.js';
import type { PsaTicket } from './types.js';

type Band = (typeof BANDS)[number];

/** The ticket policy with every name resolved to the PSA's IDs (psa/policy.ts). */
export interface TicketPolicy {
  boardId: number;
  newStatusId: number;
  closedStatusId: number;
  priorityByBand: Partial<Record<Band, number>>;
  sourceId?: number | undefined;
  typeId?: number | undefined;
  grouping: 'per-breach' | 'per-customer';
  reopenDays: number;
  resolveOnClose: boolean;
  offboard: 'close' | 'leave';
  /** Where an unmapped customer's tickets go; null: nowhere (they are listed, not dropped). */
  fallbackCompanyId: number | null;
}

/**
 * Where a customer's tickets are filed: the board (Autotask: queue; Halo: ticket type) and the
 * statuses of a new and a closed ticket there. A customer's own board (its mapping's `board`,
 * `queue` or `ticketType`) has its own, found by the connection's status names; else the policy's.
 */
export interface Filing {
  boardId: number;
  newStatusId: number;
  closedStatusId: number;
}

/** One breach of a customer as SafeWeb has it now. */
export interface PlanBreach {
  breachId: string;
  breachName: string;
  title: string;
  breachDate: string;
  emails: string[];
  dataClasses: string[];
  nextSteps: string[];
  resolved: boolean;
}

export interface PlanCustomer {
  customerId: string;
  reference: string;
  companyName: string;
  band: Band | null;
  /** The PSA company it maps to; null when unmapped. */
  companyId: number | null;
  /** Its own board and that board's statuses, when its mapping names one; else the policy's. */
  filing?: Filing | undefined;
  /** Offboarded customers are not read: their open tickets are closed (or left, by policy). */
  offboarded: boolean;
  /** Its breaches, or undefined when reading them failed (its tickets are then left as they are). */
  breaches: PlanBreach[] | undefined;
}

export interface PlanOptions {
  partnerId: string;
  now: Date;
  /** Send for findings that existed before the first run (no baseline is taken). */
  includeExisting?: boolean | undefined;
  /** On the first run, findings whose breach is dated on or after this (YYYY-MM-DD) are not baselined. */
  since?: string | undefined;
  /** At most this many creates this run; the rest wait for the next (and the plan says how many). */
  maxCreates: number;
  /** When SafeWeb changed a finding, as an event said (finding key → ISO time). */
  changedAt?: ReadonlyMap<string, string> | undefined;
}

/** A finding an action is about, with what the ticket text needs. */
export interface ActionFinding extends CoveredFinding {
  breach: PlanBreach | undefined;
}

interface ActionBase {
  /** The ticket key. */
  key: string;
  customerId: string;
  reference: string;
  companyName: string;
  /** The customer's band now (null: not known, or offboarded): what routes of ticket events match. */
  band: Band | null;
}

export type PsaAction =
  | (ActionBase & {
      kind: 'create';
      group: TicketGroup;
      generation: number;
      companyId: number;
      /** The board it is made on, and its status there: the customer's filing. */
      boardId: number;
      statusId: number;
      /** Filed under the fallback company: the ticket names the customer. */
      unmapped: boolean;
      priorityId: number | undefined;
      findings: ActionFinding[];
    })
  | (ActionBase & {
      kind: 'note';
      ticketId: number;
      marker: string;
      reason: 'added' | 'resolved';
      findings: ActionFinding[];
    })
  | (ActionBase & {
      kind: 'close';
      ticketId: number;
      marker: string;
      reason: 'resolved' | 'offboarded' | 'conflict';
      /** The closed status of the ticket's board. */
      statusId: number;
      findings: ActionFinding[];
    })
  | (ActionBase & {
      kind: 'reopen';
      ticketId: number;
      marker: string;
      /** The new status of the ticket's board. */
      statusId: number;
      findings: ActionFinding[];
    })
  | (ActionBase & { kind: 'resolve' | 'unresolve'; ticketId: number; findings: ActionFinding[] })
  /** No PSA write: the index learns a ticket it lost (found by key), or a technician's change. */
  | (ActionBase & {
      kind: 'adopt';
      ticket: PsaTicket;
      group: TicketGroup;
      generation: number;
      findings: CoveredFinding[];
    })
  | (ActionBase & { kind: 'observe'; ticketId: number; state: 'open' | 'closed' });

interface Conflict {
  key: string;
  ticketId: number;
  reference: string;
  finding: string;
  psa: 'closed' | 'reopened';
  safeweb: 'came back' | 'resolved';
  psaAt: string | null;
  safewebAt: string;
  winner: 'psa' | 'safeweb';
}

export interface PsaPlan {
  actions: PsaAction[];
  conflicts: Conflict[];
  /** The baseline this run takes: customers read for the first time, and their findings (no ticket for them). */
  baseline: { customers: string[]; findings: string[] };
  /** Findings left alone because they were in the baseline. */
  baselined: number;
  /** Creates over --max-creates, left for the next run. */
  held: number;
  /** Customers with findings and no PSA company, and whether a fallback company takes them. */
  unmapped: Array<{ reference: string; companyName: string; findings: number; fallback: boolean }>;
  /** What SafeWeb says now of every finding of the customers read: the index keeps it. */
  seen: Record<string, boolean>;
  /**
   * The messages about tickets this sync would cause (ticket.created, ticket.closed, for the
   * notification routes that name them): filled in beside the plan (psa/announce.ts), none without routes.
   */
  messages?: TicketMessage[] | undefined;
}

/** One message a sync would cause: a ticket event for one channel, by the route that sends it there. */
export interface TicketMessage {
  event: 'ticket.created' | 'ticket.closed';
  reference: string;
  ticketKey: string;
  /** The PSA's ticket ID; null for a ticket still to be created. */
  ticketId: number | null;
  findings: string[];
  channel: string;
  route: string;
  /** An event a sync kept and had not yet handed to the outbox (it was killed): this sync hands it over. */
  pending?: boolean | undefined;
}

/** The marker line a note carries: found again before the note is added twice. */
function noteMarker(parts: readonly string[]): string {
  return `safeweb:note:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24)}`;
}

const DAY = 86_400_000;

interface GroupView {
  group: TicketGroup;
  /** The group's breaches now: finding key → the breach. */
  breaches: Map<string, PlanBreach>;
}

export function planSync(
  policy: TicketPolicy,
  customers: readonly PlanCustomer[],
  tickets: ReadonlyMap<string, PsaTicket>,
  index: TicketIndex,
  options: PlanOptions,
): PsaPlan {
  const plan: PsaPlan = {
    actions: [],
    conflicts: [],
    baseline: { customers: [], findings: [] },
    baselined: 0,
    held: 0,
    unmapped: [],
    seen: {},
  };
  // --include-existing: what the baseline left alone is ticketed now too.
  const baseline = new Set(options.includeExisting ? [] : index.baseline.findings);
  const ctx = { policy, tickets, index, options, plan, baseline };
  for (const customer of customers) {
    if (customer.offboarded) {
      offboard(ctx, customer);
      continue;
    }
    if (!customer.breaches) continue;
    const keyed = customer.breaches.map((b) => ({
      key: findingKey({ partnerId: options.partnerId, customer: customer.customerId, breachId: b.breachId }),
      breach: b,
    }));
    // A customer's first sync takes its baseline: what it has then is not news (unless asked).
    const firstRun = !index.baseline.customers.has(customer.customerId) && !options.includeExisting;
    if (firstRun) plan.baseline.customers.push(customer.customerId);
    for (const { key, breach } of keyed) {
      plan.seen[key] = breach.resolved;
      if (firstRun && !breach.resolved && !(options.since && breach.breachDate.slice(0, 10) >= options.since)) {
        baseline.add(key);
        plan.baseline.findings.push(key);
      }
    }
    for (const view of groupsOf(policy, keyed)) planGroup(ctx, customer, view);
    for (const view of vanished(ctx, customer, keyed)) planGroup(ctx, customer, view);
  }
  capCreates(plan, options.maxCreates);
  return plan;
}

function groupsOf(policy: TicketPolicy, keyed: Array<{ key: string; breach: PlanBreach }>): GroupView[] {
  if (policy.grouping === 'per-customer')
    return [{ group: 'customer', breaches: new Map(keyed.map((k) => [k.key, k.breach])) }];
  return keyed.map((k) => ({ group: { breachId: k.breach.breachId }, breaches: new Map([[k.key, k.breach]]) }));
}

/** Per-breach groups whose breach SafeWeb no longer reports at all: their tickets are settled like resolved ones. */
function vanished(ctx: PlanCtx, customer: PlanCustomer, keyed: Array<{ breach: PlanBreach }>): GroupView[] {
  if (ctx.policy.grouping !== 'per-breach') return [];
  const present = new Set(keyed.map((k) => k.breach.breachId));
  const gone = new Set<string>();
  for (const t of ctx.index.tickets.values())
    if (t.customerId === customer.customerId && t.breachId !== undefined && !present.has(t.breachId))
      gone.add(t.breachId);
  return [...gone].map((breachId) => ({ group: { breachId }, breaches: new Map() }));
}

type PlanCtx = {
  policy: TicketPolicy;
  tickets: ReadonlyMap<string, PsaTicket>;
  index: TicketIndex;
  options: PlanOptions;
  plan: PsaPlan;
  baseline: Set<string>;
};

/** The group's latest ticket: from the index, or found at the PSA by its key (an index lost or behind). */
function currentTicket(
  ctx: PlanCtx,
  customerId: string,
  group: TicketGroup,
): { generation: number; key: string; known: IndexedTicket | undefined; psa: PsaTicket | undefined } | undefined {
  let found: ReturnType<typeof currentTicket>;
  for (let generation = 1; ; generation++) {
    const key = ticketKey({ partnerId: ctx.options.partnerId, customer: customerId, group, generation });
    const known = ctx.index.tickets.get(key);
    const psa = ctx.tickets.get(key);
    if (!known && !psa) return found;
    found = { generation, key, known, psa };
  }
}

function base(key: string, c: PlanCustomer): ActionBase {
  return { key, customerId: c.customerId, reference: c.reference, companyName: c.companyName, band: c.band };
}

function planGroup(ctx: PlanCtx, customer: PlanCustomer, view: GroupView): void {
  const { plan, policy, index } = ctx;
  const current = currentTicket(ctx, customer.customerId, view.group);
  const unresolved = [...view.breaches].filter(([, b]) => !b.resolved).map(([key]) => key);
  const fresh = unresolved.filter((k) => !index.byFinding.has(k) && !ctx.baseline.has(k));
  plan.baselined += unresolved.filter((k) => !index.byFinding.has(k) && ctx.baseline.has(k)).length;
  const finding = (key: string): ActionFinding => {
    const breach = view.breaches.get(key);
    return { key, breachId: breach?.breachId ?? coveredBreach(current?.known, key), breach };
  };

  if (!current || (!current.psa && current.known)) {
    // No ticket yet, or the one the index knows is gone from the PSA (deleted, or its tag removed).
    const lost = current?.known ? current.known.findings.map((f) => f.key).filter((k) => unresolved.includes(k)) : [];
    create(ctx, customer, view, (current?.generation ?? 0) + 1, [...lost, ...fresh].map(finding));
    return;
  }
  const psa = current.psa!;
  const known = current.known ?? adopt(ctx, customer, view, current.key, current.generation, psa, unresolved);
  const b = base(current.key, customer);
  const covered = known.findings.map((f) => f.key);
  const isResolved = (k: string) => view.breaches.get(k)?.resolved ?? true; // gone: no longer reported
  const changedSince = (k: string, wasResolved: boolean) =>
    index.seen.has(k) && index.seen.get(k) === wasResolved && isResolved(k) !== wasResolved;

  if (!psa.closed && known.state === 'closed') {
    // A technician reopened it: its resolved findings are not done.
    plan.actions.push({ ...b, kind: 'observe', ticketId: psa.id, state: 'open' });
    const back: string[] = [];
    for (const k of covered.filter(isResolved)) {
      if (changedSince(k, false) && newest(ctx, k, psa.updatedAt, 'reopened', 'resolved', b, psa.id) === 'safeweb')
        continue;
      back.push(k);
    }
    if (policy.resolveOnClose && back.length)
      plan.actions.push({ ...b, kind: 'unresolve', ticketId: psa.id, findings: back.map(finding) });
    if (covered.every(isResolved) && back.length === 0 && fresh.length === 0)
      closeTicket(ctx, b, known, filingOf(ctx, customer, psa), psa.id, 'conflict', covered.map(finding));
    return;
  }
  if (!psa.closed) {
    const added = fresh.filter((k) => !covered.includes(k));
    if (added.length)
      plan.actions.push({
        ...b,
        kind: 'note',
        ticketId: psa.id,
        reason: 'added',
        marker: noteMarker([current.key, 'added', ...added]),
        findings: added.map(finding),
      });
    const resolvedNow = covered.filter(isResolved);
    if (resolvedNow.length === covered.length && added.length === 0) {
      closeTicket(ctx, b, known, filingOf(ctx, customer, psa), psa.id, 'resolved', covered.map(finding));
    } else {
      const unnoted = resolvedNow.filter(
        (k) => !known.notes.has(noteMarker([current.key, 'resolved', k, known.stateAt])),
      );
      for (const k of unnoted)
        plan.actions.push({
          ...b,
          kind: 'note',
          ticketId: psa.id,
          reason: 'resolved',
          marker: noteMarker([current.key, 'resolved', k, known.stateAt]),
          findings: [finding(k)],
        });
    }
    return;
  }
  // Closed at the PSA.
  const cameBack = covered.filter((k) => !isResolved(k) && index.seen.get(k) === true);
  if (known.state === 'open') {
    // A technician closed it.
    plan.actions.push({ ...b, kind: 'observe', ticketId: psa.id, state: 'closed' });
    const reopenFor = cameBack.filter(
      (k) => newest(ctx, k, psa.closedAt, 'closed', 'came back', b, psa.id) === 'safeweb',
    );
    if (reopenFor.length) {
      reopen(
        ctx,
        b,
        known,
        filingOf(ctx, customer, psa),
        psa.id,
        [...reopenFor, ...fresh.filter((k) => !covered.includes(k))].map(finding),
      );
      return;
    }
    const toResolve = covered.filter((k) => !isResolved(k) && everyTicketClosed(ctx, k, current.key));
    if (policy.resolveOnClose && toResolve.length)
      plan.actions.push({ ...b, kind: 'resolve', ticketId: psa.id, findings: toResolve.map(finding) });
    const added = fresh.filter((k) => !covered.includes(k));
    if (added.length) create(ctx, customer, view, current.generation + 1, added.map(finding));
    return;
  }
  const added = fresh.filter((k) => !covered.includes(k));
  if (cameBack.length === 0) {
    if (added.length) create(ctx, customer, view, current.generation + 1, added.map(finding));
    return;
  }
  const closedAt = Date.parse(known.stateAt);
  if (ctx.options.now.getTime() - closedAt <= policy.reopenDays * DAY)
    reopen(ctx, b, known, filingOf(ctx, customer, psa), psa.id, [...cameBack, ...added].map(finding));
  else create(ctx, customer, view, current.generation + 1, [...cameBack, ...added].map(finding));
}

function coveredBreach(known: IndexedTicket | undefined, key: string): string {
  return known?.findings.find((f) => f.key === key)?.breachId ?? '';
}

/**
 * Whether every ticket covering `finding` other than `except` is closed as the PSA has it. One the
 * PSA no longer lists (deleted, or its tag removed) is not open: the plan gave it a successor, and
 * the index's last word on it ("open") must not hold the finding unresolved for ever.
 */
function everyTicketClosed(ctx: PlanCtx, finding: string, except: string): boolean {
  return (ctx.index.byFinding.get(finding) ?? [])
    .filter((k) => k !== except)
    .every((k) => ctx.tickets.get(k)?.closed ?? true);
}

/** Both sides changed `finding` since the last sync: the newest change wins, and the plan shows it. */
function newest(
  ctx: PlanCtx,
  finding: string,
  psaAt: string | null,
  psa: Conflict['psa'],
  safeweb: Conflict['safeweb'],
  b: ActionBase,
  ticketId: number,
): 'psa' | 'safeweb' {
  const safewebAt = ctx.options.changedAt?.get(finding) ?? ctx.options.now.toISOString();
  const winner = psaAt !== null && Date.parse(psaAt) > Date.parse(safewebAt) ? 'psa' : 'safeweb';
  ctx.plan.conflicts.push({
    key: b.key,
    ticketId,
    reference: b.reference,
    finding,
    psa,
    safeweb,
    psaAt,
    safewebAt,
    winner,
  });
  return winner;
}

function create(
  ctx: PlanCtx,
  customer: PlanCustomer,
  view: GroupView,
  generation: number,
  findings: ActionFinding[],
): void {
  if (findings.length === 0) return;
  const companyId = customer.companyId ?? ctx.policy.fallbackCompanyId;
  if (customer.companyId === null) noteUnmapped(ctx.plan, customer, findings.length, companyId !== null);
  if (companyId === null) return;
  const key = ticketKey({
    partnerId: ctx.options.partnerId,
    customer: customer.customerId,
    group: view.group,
    generation,
  });
  ctx.plan.actions.push({
    ...base(key, customer),
    kind: 'create',
    group: view.group,
    generation,
    companyId,
    boardId: customer.filing?.boardId ?? ctx.policy.boardId,
    statusId: customer.filing?.newStatusId ?? ctx.policy.newStatusId,
    unmapped: customer.companyId === null,
    priorityId: customer.band ? ctx.policy.priorityByBand[customer.band] : undefined,
    findings,
  });
}

function noteUnmapped(plan: PsaPlan, customer: PlanCustomer, findings: number, fallback: boolean): void {
  const row = plan.unmapped.find((u) => u.reference === customer.reference);
  if (row) row.findings += findings;
  else plan.unmapped.push({ reference: customer.reference, companyName: customer.companyName, findings, fallback });
}

function adopt(
  ctx: PlanCtx,
  customer: PlanCustomer,
  view: GroupView,
  key: string,
  generation: number,
  psa: PsaTicket,
  unresolved: string[],
): IndexedTicket {
  // The findings it was made for, as the run that made it wrote them in its intent before the kill;
  // else a per-breach ticket's are its breach's (the key names it), resolved since or not; else (a
  // per-customer ticket, the index lost) those open now. Resolved ones are covered too, so that a
  // breach resolved since and back later reopens this ticket within the window instead of making a new one.
  const intended = ctx.index.intents.get(intentId(key, 'create'))?.findings;
  const keys = ctx.policy.grouping === 'per-breach' ? [...view.breaches.keys()] : unresolved;
  const findings =
    intended?.map(({ key: k, breachId }) => ({ key: k, breachId })) ??
    keys.map((k) => ({ key: k, breachId: view.breaches.get(k)!.breachId }));
  ctx.plan.actions.push({
    ...base(key, customer),
    kind: 'adopt',
    ticket: psa,
    group: view.group,
    generation,
    findings,
  });
  return {
    key,
    id: psa.id,
    customerId: customer.customerId,
    reference: customer.reference,
    generation,
    findings,
    companyId: psa.companyId ?? 0,
    written: { summary: psa.summary, boardId: psa.boardId ?? 0, priorityId: psa.priorityId },
    state: psa.closed ? 'closed' : 'open',
    stateBy: 'safeweb',
    stateAt: psa.closedAt ?? psa.updatedAt ?? ctx.options.now.toISOString(),
    notes: new Set(),
  };
}

/**
 * The statuses a ticket is closed and reopened with: the connection's when it is on the policy's
 * board, else its customer's filing (its own board, where the tool made it).
 */
function filingOf(ctx: PlanCtx, customer: PlanCustomer, psa: PsaTicket): Filing {
  const { boardId, newStatusId, closedStatusId } = ctx.policy;
  return psa.boardId === boardId || !customer.filing ? { boardId, newStatusId, closedStatusId } : customer.filing;
}

function closeTicket(
  ctx: PlanCtx,
  b: ActionBase,
  known: IndexedTicket,
  filing: Filing,
  ticketId: number,
  reason: 'resolved' | 'offboarded' | 'conflict',
  findings: ActionFinding[],
): void {
  const marker = noteMarker([b.key, 'close', reason, known.stateAt]);
  ctx.plan.actions.push({ ...b, kind: 'close', ticketId, marker, reason, statusId: filing.closedStatusId, findings });
}

function reopen(
  ctx: PlanCtx,
  b: ActionBase,
  known: IndexedTicket,
  filing: Filing,
  ticketId: number,
  findings: ActionFinding[],
): void {
  const marker = noteMarker([b.key, 'reopen', known.stateAt]);
  ctx.plan.actions.push({ ...b, kind: 'reopen', ticketId, marker, statusId: filing.newStatusId, findings });
}

/** An offboarded customer's open tickets: closed with a note, unless the policy leaves them. */
function offboard(ctx: PlanCtx, customer: PlanCustomer): void {
  if (ctx.policy.offboard === 'leave') return;
  for (const known of ctx.index.tickets.values()) {
    if (known.customerId !== customer.customerId) continue;
    const psa = ctx.tickets.get(known.key);
    if (!psa || psa.closed) continue;
    const findings = known.findings.map((f) => ({ ...f, breach: undefined }));
    closeTicket(ctx, base(known.key, customer), known, filingOf(ctx, customer, psa), psa.id, 'offboarded', findings);
  }
}

/** Creates beyond the cap wait for the next run: the plan keeps the first `max` and counts the rest. */
function capCreates(plan: PsaPlan, max: number): void {
  let creates = 0;
  plan.actions = plan.actions.filter((a) => {
    if (a.kind !== 'create') return true;
    creates += 1;
    if (creates <= max) return true;
    plan.held += 1;
    return false;
  });
}
