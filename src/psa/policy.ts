/**
 * The ticket policy as settings name it (names or IDs, from the integration settings or the
 * manifest's `psa:` block), checked against the PSA's live boards, statuses, priorities and
 * companies at plan time, and turned into IDs. An unknown name is exit 2 listing the valid ones:
 * a typo in a status must not send 2 000 tickets to the wrong place.
 */
import type { BANDS } from '../book-vocabulary.js';
import { UsageError } from '../errors.js';
import type { TicketPolicy } from './plan.js';
import type { PsaClient, PsaCompany } from './types.js';

type Band = (typeof BANDS)[number];
type Id = number | string;

/** The policy fields of a connection (config/integrations.ts), as far as a plan needs them. */
export interface PolicySettings {
  board?: Id | undefined;
  statuses?: { new?: Id | undefined; closed?: Id | undefined } | undefined;
  priorities?: Partial<Record<Band, Id>> | undefined;
  source?: Id | undefined;
  type?: Id | undefined;
  grouping?: 'per-breach' | 'per-customer' | undefined;
  reopenDays?: number | undefined;
  resolveOnClose?: boolean | undefined;
  offboard?: 'close' | 'leave' | undefined;
  fallbackCompany?: Id | undefined;
  /** Mask addresses in what is sent (tickets: off by default). */
  mask?: boolean | undefined;
}

export const POLICY_DEFAULTS = {
  grouping: 'per-breach',
  reopenDays: 30,
  resolveOnClose: true,
  offboard: 'close',
} as const;

function pick<T extends { id: number; name: string }>(list: readonly T[], wanted: Id, what: string, fix: string): T {
  const text = String(wanted).trim().toLowerCase();
  const found = list.find((x) => String(x.id) === text) ?? list.find((x) => x.name.trim().toLowerCase() === text);
  if (found) return found;
  const valid = list.map((x) => `${x.name} (${x.id})`).join(', ') || 'none';
  throw new UsageError(`${what} "${String(wanted)}" does not exist; valid: ${valid}`, fix);
}

/** A company named by ID or identifier (what mappings and the fallback hold). */
export function findCompany(companies: readonly PsaCompany[], wanted: Id): PsaCompany | undefined {
  const text = String(wanted).trim().toLowerCase();
  return (
    companies.find((c) => String(c.id) === text) ?? companies.find((c) => c.identifier.trim().toLowerCase() === text)
  );
}

function numericId(value: Id | undefined, what: string, fix: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isInteger(n) && n > 0) return n;
  throw new UsageError(`${what} must be the PSA's numeric ID, not "${String(value)}"`, fix);
}

/** The settings' names as IDs, read from the PSA's live lists. `connection` names the fix. */
export async function resolvePolicy(
  client: PsaClient,
  settings: PolicySettings,
  companies: readonly PsaCompany[],
  connection: string,
): Promise<TicketPolicy> {
  const fix = (key: string) =>
    `Set it with \`safeweb psa set ${connection} ${key}=…\` (or edit the integration settings)`;
  if (settings.board === undefined)
    throw new UsageError(`the connection ${connection} names no board for its tickets`, fix('board'));
  const board = pick(await client.boards(), settings.board, 'board', fix('board'));
  const statuses = (await client.statuses(board.id)).filter((s) => !s.inactive);
  const newStatus =
    settings.statuses?.new !== undefined
      ? pick(statuses, settings.statuses.new, `status on board ${board.name}`, fix('statuses.new'))
      : statuses.find((s) => s.default && !s.closed);
  const closedStatus =
    settings.statuses?.closed !== undefined
      ? pick(statuses, settings.statuses.closed, `status on board ${board.name}`, fix('statuses.closed'))
      : statuses.find((s) => s.closed);
  if (!newStatus || newStatus.closed)
    throw new UsageError(`board ${board.name} has no open status to give new tickets`, fix('statuses.new'));
  if (!closedStatus?.closed)
    throw new UsageError(
      `"${closedStatus?.name ?? 'none'}" is not a closed status of board ${board.name}`,
      fix('statuses.closed'),
    );
  const priorityByBand: TicketPolicy['priorityByBand'] = {};
  if (settings.priorities && Object.keys(settings.priorities).length) {
    const priorities = await client.priorities();
    for (const [band, wanted] of Object.entries(settings.priorities) as Array<[Band, Id]>)
      priorityByBand[band] = pick(priorities, wanted, `priority for ${band}`, fix(`priorities.${band}`)).id;
  }
  let fallbackCompanyId: number | null = null;
  if (settings.fallbackCompany !== undefined) {
    const company = findCompany(companies, settings.fallbackCompany);
    if (!company)
      throw new UsageError(
        `the fallback company "${String(settings.fallbackCompany)}" does not exist in ${client.farSide}`,
        fix('fallbackCompany'),
      );
    fallbackCompanyId = company.id;
  }
  return {
    boardId: board.id,
    newStatusId: newStatus.id,
    closedStatusId: closedStatus.id,
    priorityByBand,
    sourceId: numericId(settings.source, 'source', fix('source')),
    typeId: numericId(settings.type, 'type', fix('type')),
    grouping: settings.grouping ?? POLICY_DEFAULTS.grouping,
    reopenDays: settings.reopenDays ?? POLICY_DEFAULTS.reopenDays,
    resolveOnClose: settings.resolveOnClose ?? POLICY_DEFAULTS.resolveOnClose,
    offboard: settings.offboard ?? POLICY_DEFAULTS.offboard,
    fallbackCompanyId,
  };
}
