/**
 * A plan as people and programs read it: `psa plan --json`, the MCP `psa_plan` tool and the
 * table of `psa plan` all come from here. Never a secret: the plan holds the book's findings
 * and the PSA's ticket IDs only.
 */
import type { Cell, Column } from '../outcome.js';
import type { PsaAction, PsaPlan, TicketMessage } from './plan.js';

/** The actions that change something (at the PSA or in SafeWeb): what `--exit-status` counts. */
const CHANGES = ['create', 'note', 'close', 'reopen', 'resolve', 'unresolve'] as const;
type Change = (typeof CHANGES)[number];

interface PlannedAction {
  action: Change;
  reference: string;
  customerId: string;
  ticketKey: string;
  /** The PSA's ticket ID; null for one to be created. */
  ticketId: number | null;
  /** Why, in words: "new breach", "resolved in SafeWeb", "a technician closed it". */
  why: string;
  /** Where SafeWeb resolves or unresolves, and what the ticket covers. */
  findings: Array<{ key: string; breachId: string; title: string | null }>;
  /** A create under the fallback company (the customer has none mapped). */
  unmapped?: boolean;
}

export interface PlanSummary {
  connection: string;
  actions: PlannedAction[];
  counts: Record<Change, number>;
  conflicts: PsaPlan['conflicts'];
  /** Findings left alone because they existed when their customer was first synced. */
  baselined: number;
  /** The baseline this run takes (customers synced for the first time, and their findings then). */
  baseline: { customers: number; findings: number };
  /** Creates over --max-creates, for the next run. */
  held: number;
  unmapped: PsaPlan['unmapped'];
  /** The messages about tickets a sync would cause, per channel (only routes that name ticket events make any). */
  messages: TicketMessage[];
}

function why(action: PsaAction): string {
  switch (action.kind) {
    case 'create':
      return action.generation > 1 ? 'back after its reopen window: a new ticket' : 'new finding';
    case 'note':
      return action.reason === 'added' ? 'new finding for the open ticket' : 'resolved in SafeWeb';
    case 'close':
      return action.reason === 'offboarded'
        ? 'customer offboarded'
        : action.reason === 'conflict'
          ? 'resolved in SafeWeb after the ticket was reopened'
          : 'resolved in SafeWeb';
    case 'reopen':
      return 'back in SafeWeb within the reopen window';
    case 'resolve':
      return 'a technician closed the ticket';
    case 'unresolve':
      return 'a technician reopened the ticket';
    default:
      return '';
  }
}

function isChange(action: PsaAction): action is Extract<PsaAction, { kind: Change }> {
  return (CHANGES as readonly string[]).includes(action.kind);
}

export function planSummary(connection: string, plan: PsaPlan): PlanSummary {
  const counts = Object.fromEntries(CHANGES.map((c) => [c, 0])) as Record<Change, number>;
  const actions: PlannedAction[] = [];
  for (const a of plan.actions) {
    if (!isChange(a)) continue;
    counts[a.kind] += 1;
    actions.push({
      action: a.kind,
      reference: a.reference,
      customerId: a.customerId,
      ticketKey: a.key,
      ticketId: a.kind === 'create' ? null : a.ticketId,
      why: why(a),
      findings: a.findings.map((f) => ({
        key: f.key,
        breachId: f.breachId,
        title: f.breach ? f.breach.title || f.breach.breachName : null,
      })),
      ...(a.kind === 'create' && a.unmapped ? { unmapped: true } : {}),
    });
  }
  return {
    connection,
    actions,
    counts,
    conflicts: plan.conflicts,
    baselined: plan.baselined,
    baseline: { customers: plan.baseline.customers.length, findings: plan.baseline.findings.length },
    held: plan.held,
    unmapped: plan.unmapped,
    messages: plan.messages ?? [],
  };
}

/** Whether a sync would change anything (`--exit-status` 8): ticket events a killed sync left to hand over count. */
export function hasWork(summary: PlanSummary): boolean {
  return (
    summary.actions.length > 0 ||
    summary.held > 0 ||
    summary.unmapped.some((u) => !u.fallback) ||
    summary.messages.some((m) => m.pending)
  );
}

export const PLAN_COLUMNS: Column[] = [
  { key: 'reference', header: 'Reference' },
  { key: 'action', header: 'Action' },
  { key: 'ticketId', header: 'Ticket', align: 'right' },
  { key: 'findings', header: 'Breaches', wrap: true, rank: 2 },
  { key: 'why', header: 'Why', wrap: true, rank: 1 },
];

/** Which channels hear of a row's ticket: its creation, or its closing (by the sync, or a technician's that a resolve follows). */
const TELLS_COLUMN: Column = { key: 'tells', header: 'Tells', wrap: true, rank: 1 };

/** The plan's columns: with `Tells` only when a route names ticket events (else the table is as it always was). */
export function planColumns(summary: PlanSummary): Column[] {
  return summary.messages.length ? [...PLAN_COLUMNS, TELLS_COLUMN] : PLAN_COLUMNS;
}

function tells(summary: PlanSummary, a: PlannedAction): string {
  const event = a.action === 'create' ? 'ticket.created' : 'ticket.closed';
  if (!['create', 'close', 'resolve'].includes(a.action)) return '';
  const channels = summary.messages
    .filter((m) => !m.pending && m.event === event && m.ticketKey === a.ticketKey)
    .map((m) => m.channel);
  return [...new Set(channels)].join(', ');
}

export function planRows(summary: PlanSummary): Cell[][] {
  const told = summary.messages.length > 0;
  return summary.actions.map((a) => [
    a.reference,
    a.action,
    a.ticketId ?? 'new',
    a.findings.map((f) => f.title ?? f.breachId).join(', '),
    `${a.why}${a.unmapped ? ' (fallback company)' : ''}`,
    ...(told ? [tells(summary, a)] : []),
  ]);
}
