/**
 * Carries a plan (plan.ts) out: one row of the bulk runner per ticket (its actions in order, the
 * tickets side by side at the run's concurrency, with its pacing, progress bar and Ctrl+C: the
 * tickets in flight finish, no new one starts).
 *
 * Never twice, whatever kills it: before each PSA write an `intent` line is on disk in the ticket
 * index, after it the outcome. A create whose intent is still open is looked up by its key first
 * (and every create is: the PSA has no idempotency key, and a lookup costs one read); a note
 * whose intent is open is looked for by its marker line among the ticket's notes. Status changes
 * and SafeWeb's resolve/unresolve set a value, so doing one twice changes nothing.
 *
 * A ticket created or closed is told of (psa/announce.ts) when a notification route names its
 * kind of event: kept in the index with the change itself, handed to the outbox at the run's end.
 */
import type { ApiClient } from '../api/client.js';
import { setBreachResolved } from '../api/breaches.js';
import { runBulk, type BulkReport, type BulkRow, type BulkRun } from '../bulk/runner.js';
import { CliError } from '../errors.js';
import { announceLines, announcePending, type Announcer, type TicketParts } from './announce.js';
import { BudgetError } from './budget.js';
import type { ActionFinding, PsaAction, PsaPlan, TicketPolicy } from './plan.js';
import { noteText, ticketDescription, ticketSummary, type TextOptions } from './ticket-text.js';
import { intentId, type CoveredFinding, type IndexLine, type TicketIndexFile } from './ticket-index.js';
import type { NoteKind, PsaClient } from './types.js';

/** The tag every ticket the tool makes carries: `ownedTickets` finds them all with one paged query. */
export const INTEGRATOR_TAG = 'safeweb';

export interface SyncDeps {
  client: PsaClient;
  index: TicketIndexFile;
  connection: string;
  policy: TicketPolicy;
  text: TextOptions;
  now: () => Date;
  /** Where ticket events go; none: nothing is told of tickets. */
  announce?: Announcer | undefined;
}

export interface SyncCounts {
  created: number;
  noted: number;
  closed: number;
  reopened: number;
  resolved: number;
  unresolved: number;
  /** Found at the PSA by key rather than made again (a run killed after the create). */
  foundByKey: number;
}

interface TicketRow extends BulkRow {
  key: string;
  actions: PsaAction[];
}

export interface SyncReport {
  bulk: BulkReport;
  counts: SyncCounts;
  /** Set when the hourly budget ran out: the tickets whose actions were not all done (the next run does them). */
  budget?: { left: number; max: number } | undefined;
  /** Ticket events handed to the outbox by this run (new to it), for the notification routes that name them. */
  announced: number;
}

/** Runs the plan's actions; the index records each as it is done, and the run's end (`synced`). */
export async function runSync(
  run: BulkRun,
  plan: PsaPlan,
  deps: SyncDeps,
  options: { concurrency: number },
): Promise<SyncReport> {
  try {
    const report = await syncActions(run, plan, deps, options);
    // Also what a run killed before its end kept and did not hand over.
    if (deps.announce) report.announced = await announcePending(deps.announce, deps.index, deps.now().toISOString());
    return report;
  } finally {
    // The index's lock is held from the run's first write on (ticket-index.ts append): let go however it ends.
    await deps.index.release();
  }
}

async function syncActions(
  run: BulkRun,
  plan: PsaPlan,
  deps: SyncDeps,
  options: { concurrency: number },
): Promise<SyncReport> {
  const at = () => deps.now().toISOString();
  if (plan.baseline.customers.length) await deps.index.append([{ op: 'baseline', ...plan.baseline, at: at() }]);
  const counts: SyncCounts = {
    created: 0,
    noted: 0,
    closed: 0,
    reopened: 0,
    resolved: 0,
    unresolved: 0,
    foundByKey: 0,
  };
  const seen = { ...plan.seen };
  const rows = groupRows(plan.actions);
  // Once the hourly budget is spent no ticket is started: the next run goes on from the plan.
  let spent: BudgetError | undefined;
  const bulk = await runBulk<TicketRow>(run, {
    label: 'Syncing tickets',
    noun: 'tickets',
    rows: (async function* () {
      for (const row of rows) {
        if (spent) return;
        yield row;
      }
    })(),
    total: rows.length,
    concurrency: options.concurrency,
    async work(row, api) {
      try {
        for (const action of row.actions) await act(action, deps, api, counts, seen);
        return { line: { row: row.row, status: 'ok', key: row.key } };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        if (error instanceof BudgetError) spent ??= error;
        return { line: { row: row.row, status: 'failed', key: row.key, error: error.message }, error };
      }
    },
  });
  if (!bulk.interrupted && bulk.counts.failed === 0) {
    await deps.index.append([
      { op: 'seen', findings: seen, at: at() },
      { op: 'synced', at: at() },
    ]);
    await deps.index.compact(at());
  } else {
    // What SafeWeb said is still worth keeping for the findings whose tickets are done.
    await deps.index.append([{ op: 'seen', findings: seen, at: at() }]);
  }
  return {
    bulk,
    counts,
    announced: 0,
    ...(spent ? { budget: { left: rows.length - bulk.counts.ok, max: spent.max } } : {}),
  };
}

function groupRows(actions: readonly PsaAction[]): TicketRow[] {
  const byKey = new Map<string, TicketRow>();
  for (const action of actions) {
    const row = byKey.get(action.key) ?? { row: byKey.size + 1, key: action.key, actions: [] };
    row.actions.push(action);
    byKey.set(action.key, row);
  }
  return [...byKey.values()];
}

async function act(
  action: PsaAction,
  deps: SyncDeps,
  api: ApiClient,
  counts: SyncCounts,
  seen: Record<string, boolean>,
): Promise<void> {
  const at = () => deps.now().toISOString();
  const { index, client } = deps;
  switch (action.kind) {
    case 'adopt': {
      const t = action.ticket;
      // Its create intent still open: the ticket this tool made when a run died before writing it down.
      const ours = index.read().intents.has(intentId(action.key, 'create'));
      await index.append([
        ticketLine(action, t.id, t.companyId ?? action.ticket.companyId ?? 0, t, at()),
        ...(ours ? created(action, t.id, deps, at()) : []),
      ]);
      if (t.closed) await index.append([{ op: 'state', key: action.key, state: 'closed', by: 'psa', at: at() }]);
      return;
    }
    case 'observe': {
      const when = at();
      const covered = index.read().tickets.get(action.key)?.findings ?? [];
      await index.append([
        { op: 'state', key: action.key, state: action.state, by: 'psa', at: when },
        ...(action.state === 'closed' ? closed(action, action.ticketId, covered, 'technician', deps, when) : []),
      ]);
      return;
    }
    case 'create':
      return create(action, deps, counts);
    case 'note':
      await addNote(action, action.reason === 'added' ? 'detail' : 'internal', deps);
      counts.noted += 1;
      if (action.reason === 'added')
        await index.append([
          {
            op: 'covers',
            key: action.key,
            findings: covered(action.findings),
            at: at(),
          },
        ]);
      return;
    case 'close': {
      await addNote(action, 'resolution', deps);
      await client.setStatus(action.ticketId, action.statusId, action.key);
      const when = at();
      const reason = action.reason === 'offboarded' ? 'offboarded' : 'resolved';
      await index.append([
        { op: 'state', key: action.key, state: 'closed', by: 'safeweb', at: when },
        ...closed(action, action.ticketId, action.findings, reason, deps, when),
      ]);
      counts.closed += 1;
      return;
    }
    case 'reopen': {
      await addNote(action, 'internal', deps);
      await client.setStatus(action.ticketId, action.statusId, action.key);
      const had = index.read().tickets.get(action.key)?.findings ?? [];
      const added = action.findings.filter((f) => f.breachId && !had.some((c) => c.key === f.key));
      await index.append([
        { op: 'state', key: action.key, state: 'open', by: 'safeweb', at: at() },
        ...(added.length
          ? [
              {
                op: 'covers' as const,
                key: action.key,
                findings: covered(added),
                at: at(),
              },
            ]
          : []),
      ]);
      counts.reopened += 1;
      return;
    }
    case 'resolve':
    case 'unresolve': {
      const resolved = action.kind === 'resolve';
      for (const f of action.findings) {
        await setBreachResolved(api, f.breachId, resolved, action.customerId);
        seen[f.key] = resolved;
        counts[resolved ? 'resolved' : 'unresolved'] += 1;
      }
      return;
    }
  }
}

/** What the index keeps of the findings an action is about: their keys and breach uuids. */
function covered(findings: readonly CoveredFinding[]): CoveredFinding[] {
  return findings.map(({ key, breachId }) => ({ key, breachId }));
}

function ticketLine(
  action: Extract<PsaAction, { kind: 'create' | 'adopt' }>,
  id: number,
  companyId: number,
  written: { summary: string; boardId: number | null; priorityId: number | null | undefined },
  at: string,
): IndexLine {
  return {
    op: 'ticket',
    key: action.key,
    id,
    customerId: action.customerId,
    reference: action.reference,
    ...(action.group === 'customer' ? {} : { breachId: action.group.breachId }),
    generation: action.generation,
    findings: covered(action.findings),
    companyId,
    written: { summary: written.summary, boardId: written.boardId ?? 0, priorityId: written.priorityId ?? null },
    at,
  };
}

async function create(action: Extract<PsaAction, { kind: 'create' }>, deps: SyncDeps, counts: SyncCounts) {
  const at = () => deps.now().toISOString();
  const { client, index, policy } = deps;
  // The intent goes to disk while the key is looked up: it must be there before the create is sent,
  // not before a read. Awaited first, its fsync sat between a worker's last answer and its next request:
  // 6 to 20 ms a ticket on a busy machine in the benchmark, against the ticket's 200 ms of answers.
  const intent = index.append([
    { op: 'intent', key: action.key, action: 'create', findings: covered(action.findings), at: at() },
  ]);
  let existing: Awaited<ReturnType<PsaClient['ticketByKey']>>;
  try {
    // Always looked up first: a run killed after the PSA made the ticket, before the index heard, finds it here.
    existing = await client.ticketByKey(action.key);
  } finally {
    await intent;
  }
  if (existing) {
    // Made by a run that died before writing it down: told of now (the outbox knows it if that run told of it).
    await index.append([
      ticketLine(action, existing.id, existing.companyId ?? action.companyId, existing, at()),
      ...created(action, existing.id, deps, at()),
    ]);
    counts.foundByKey += 1;
    return;
  }
  const summary = ticketSummary(action);
  const ticket = await client.createTicket(
    {
      summary,
      description: ticketDescription(action, deps.text),
      companyId: action.companyId,
      boardId: action.boardId,
      statusId: action.statusId,
      priorityId: action.priorityId,
      sourceId: policy.sourceId,
      typeId: policy.typeId,
      externalXRef: action.key,
    },
    INTEGRATOR_TAG,
  );
  await index.append([
    ticketLine(
      action,
      ticket.id,
      action.companyId,
      { summary, boardId: action.boardId, priorityId: action.priorityId },
      at(),
    ),
    ...created(action, ticket.id, deps, at()),
  ]);
  counts.created += 1;
}

type Covered = ReadonlyArray<{ key: string; breachId: string; breach?: ActionFinding['breach'] }>;

function parts(
  type: TicketParts['type'],
  action: Extract<PsaAction, { kind: 'create' | 'adopt' | 'close' | 'observe' }>,
  ticketId: number,
  findings: Covered,
): TicketParts {
  return {
    type,
    ticketId,
    ticketKey: action.key,
    reference: action.reference,
    customerId: action.customerId,
    findings: findings.map((f) => ({ key: f.key, breachId: f.breachId, breachName: f.breach?.breachName })),
  };
}

/** The index line telling of a ticket created (its occurrence: the ticket's ID); none when no route takes it. */
function created(
  action: Extract<PsaAction, { kind: 'create' | 'adopt' }>,
  ticketId: number,
  deps: SyncDeps,
  at: string,
): IndexLine[] {
  return announceLines(
    deps.announce,
    parts('ticket.created', action, ticketId, action.findings),
    action.band,
    String(ticketId),
    at,
  );
}

/** The index line telling of a ticket closed (its occurrence: when; a ticket may close again after a reopen). */
function closed(
  action: Extract<PsaAction, { kind: 'close' | 'observe' }>,
  ticketId: number,
  findings: Covered,
  reason: NonNullable<TicketParts['reason']>,
  deps: SyncDeps,
  at: string,
): IndexLine[] {
  return announceLines(
    deps.announce,
    { ...parts('ticket.closed', action, ticketId, findings), reason },
    action.band,
    at,
    at,
  );
}

/** Adds a note once: known by its marker in the index, or — after a run that died mid-write — among the ticket's notes. */
async function addNote(
  action: Extract<PsaAction, { kind: 'note' | 'close' | 'reopen' }>,
  kind: NoteKind,
  deps: SyncDeps,
) {
  const at = () => deps.now().toISOString();
  const { client, index } = deps;
  const current = index.read();
  if (current.tickets.get(action.key)?.notes.has(action.marker)) return;
  if (current.intents.has(intentId(action.key, 'note', action.marker))) {
    const notes = await client.notes(action.ticketId);
    if (notes.some((n) => n.text.includes(`[${action.marker}]`))) {
      await index.append([{ op: 'note', key: action.key, marker: action.marker, at: at() }]);
      return;
    }
  }
  await index.append([{ op: 'intent', key: action.key, action: 'note', marker: action.marker, at: at() }]);
  await client.addNote(action.ticketId, noteText(action, deps.text), kind, action.key);
  await index.append([{ op: 'note', key: action.key, marker: action.marker, at: at() }]);
}
