/**
 * A connection's ticket policy (names or IDs, as people write them in the settings) checked
 * against the PSA's live lists and turned into IDs: the board, its new and closed statuses, a
 * priority per band, the fallback company. A name that names nothing is exit 2 listing the valid
 * ones, so a typo is found before any ticket is made. `psa add`, `psa set` and `psa test` use it;
 * so can the plan.
 */
import type { PolicySettings } from '../config/integrations.js';
import { PRIORITY_BANDS } from '../config/integrations-schema.js';
import { UsageError } from '../errors.js';
import type { TicketPolicy } from './plan.js';
import type { PsaClient, PsaCompany, PsaStatus } from './types.js';

type Ref = number | string;
type Band = (typeof PRIORITY_BANDS)[number];

/**
 * What a PSA calls the policy's parts, for what a refusal says and which flag it names: ConnectWise
 * files tickets on a board whose statuses are its own; Autotask in a queue, with one list of
 * statuses for every queue. The kind's entry in psa/kinds.ts gives them.
 */
export interface PolicyWords {
  /** Whose lists: "ConnectWise". */
  farSide: string;
  /** "board", "queue". */
  board: string;
  /** Statuses belong to a board (ConnectWise), or are one list for every queue (Autotask). */
  statusesPerBoard: boolean;
  /** The `psa set` flags of the board and the type. */
  flags: { board: string; type: string };
  /** The key of a customer's own board in its `psa:` mapping (config/integrations.ts CustomerPsa). */
  customerBoard: 'board' | 'queue' | 'ticketType';
  /**
   * Priorities are taken as the PSA's IDs, unchecked: its API (as the tool reads it) lists none
   * (Halo's belong to its SLAs). A name is exit 2 asking for the ID.
   */
  prioritiesById?: boolean | undefined;
}

export const CONNECTWISE_WORDS: PolicyWords = {
  farSide: 'ConnectWise',
  board: 'board',
  statusesPerBoard: true,
  flags: { board: '--board', type: '--type' },
  customerBoard: 'board',
};

/** The IDs a ticket is made with. */
export interface ResolvedPolicy {
  board: { id: number; name: string };
  newStatus: { id: number; name: string };
  closedStatus: { id: number; name: string };
  priorities: Partial<Record<Band, { id: number; name: string }>>;
  sourceId?: number | undefined;
  typeId?: number | undefined;
}

/** An ID as the settings hold it: a number, or a string of digits (a name never is). */
const asId = (ref: Ref): number | undefined =>
  typeof ref === 'number' ? ref : /^\d+$/.test(ref.trim()) ? Number(ref) : undefined;

/** How a list is said in a refusal: at most 20 names, then how many more. */
function listed(names: string[]): string {
  const shown = names.slice(0, 20).map((n) => `"${n}"`);
  return names.length > 20 ? `${shown.join(', ')} and ${names.length - 20} more` : shown.join(', ');
}

/**
 * The record `ref` names in `list`: by ID, else by name (exact, then ignoring case); exit 2
 * naming `what` and listing the valid names.
 */
function pickNamed<T extends { id: number; name: string }>(
  list: readonly T[],
  ref: Ref,
  what: string,
  fix: string,
  among = "ConnectWise's",
): T {
  const id = asId(ref);
  const found =
    id !== undefined
      ? list.find((x) => x.id === id)
      : (list.find((x) => x.name === ref) ??
        (() => {
          const loose = list.filter((x) => x.name.toLowerCase() === String(ref).trim().toLowerCase());
          return loose.length === 1 ? loose[0] : undefined;
        })());
  if (found) return found;
  throw new UsageError(
    `${what} ${typeof ref === 'number' ? ref : `"${ref}"`} is not one of ${among}: ${listed(list.map((x) => x.name))}`,
    fix,
  );
}

/** A company by ID or identifier (ignoring case); exit 2 when it names none. */
export function pickCompany(
  companies: readonly PsaCompany[],
  ref: Ref,
  what: string,
  fix: string,
  farSide = 'ConnectWise',
): PsaCompany {
  const id = asId(ref);
  const found =
    id !== undefined
      ? companies.find((c) => c.id === id)
      : companies.find((c) => c.identifier.toLowerCase() === String(ref).trim().toLowerCase());
  if (found) return found;
  throw new UsageError(
    `${what} ${typeof ref === 'number' ? ref : `"${ref}"`} is no ${farSide} company (by ID or identifier)`,
    fix,
  );
}

/** The statuses a ticket may be put in: active ones; `closed` says which kind. */
export function usableStatuses(statuses: readonly PsaStatus[], closed: boolean): PsaStatus[] {
  return statuses.filter((s) => !s.inactive && s.closed === closed);
}

/** What of a policy was found at the PSA: whatever the settings name, each checked. */
export type CheckedPolicy = Partial<ResolvedPolicy> & { fallbackCompany?: PsaCompany | undefined };

/**
 * Checks what the settings name against the live lists, and gives the IDs: the board (or
 * `board`, a customer's own), its statuses, the priorities, source and type, the fallback
 * company. Exit 2 for a name that names nothing, saying how to set it on connection `name`.
 */
export async function checkPolicy(
  client: PsaClient,
  name: string,
  settings: Partial<PolicySettings>,
  board: Ref | undefined = settings.board,
  words: PolicyWords = CONNECTWISE_WORDS,
): Promise<CheckedPolicy> {
  const set = (flag: string) =>
    `Set it with \`safeweb psa set ${name} ${flag} …\` (\`safeweb psa show ${name}\` shows the settings).`;
  const checked: CheckedPolicy = {};
  const statuses = settings.statuses ?? {};
  const wantsStatuses = statuses.new !== undefined || statuses.closed !== undefined;
  if (board === undefined && wantsStatuses && words.statusesPerBoard)
    throw new UsageError(
      `PSA connection "${name}" names statuses but no ${words.board} they belong to`,
      set(words.flags.board),
    );
  const bands = PRIORITY_BANDS.filter((band) => settings.priorities?.[band] !== undefined);
  const farSides = `${words.farSide}'s`;
  const [boards, priorities, companies] = await Promise.all([
    board === undefined ? [] : client.boards(),
    bands.length && !words.prioritiesById ? client.priorities() : [],
    settings.fallbackCompany === undefined ? [] : client.companies(),
  ]);
  let chosen: { id: number; name: string } | undefined;
  if (board !== undefined) {
    chosen = pickNamed(boards, board, `the ${words.board}`, set(words.flags.board), farSides);
    checked.board = { id: chosen.id, name: chosen.name };
  }
  if (wantsStatuses) {
    const onBoard = await client.statuses(chosen?.id ?? 0);
    // ConnectWise's statuses are the board's (Halo's the ticket type's); Autotask's are one list, whatever the queue.
    const where = words.statusesPerBoard ? ` of ${words.board} "${chosen!.name}"` : '';
    const status = (ref: Ref, closed: boolean, flag: string) => {
      const usable = usableStatuses(onBoard, closed);
      const among = words.statusesPerBoard
        ? `the statuses of ${words.board} "${chosen!.name}"`
        : `${farSides} statuses`;
      const found = pickNamed(onBoard, ref, 'the status', set(flag), among);
      if (!usable.includes(found))
        throw new UsageError(
          `the status "${found.name}"${where} ${
            found.inactive ? 'is inactive' : closed ? 'does not close a ticket' : 'closes a ticket'
          }; ${closed ? 'closing' : 'open'} statuses${where ? ' there' : ''}: ${listed(usable.map((s) => s.name))}`,
          set(flag),
        );
      return { id: found.id, name: found.name };
    };
    if (statuses.new !== undefined) checked.newStatus = status(statuses.new, false, '--new-status');
    if (statuses.closed !== undefined) checked.closedStatus = status(statuses.closed, true, '--closed-status');
  }
  checked.priorities = {};
  for (const band of bands) {
    if (words.prioritiesById) {
      const given = settings.priorities![band]!;
      const id = asId(given);
      if (id === undefined)
        throw new UsageError(
          `the ${band} priority "${given}" of PSA connection "${name}" is a name; give its ${words.farSide} ID (a number)`,
          set(`--priority ${band}=`),
        );
      checked.priorities[band] = { id, name: `priority ${id}` };
      continue;
    }
    const p = pickNamed(
      priorities,
      settings.priorities![band]!,
      `the ${band} priority`,
      set(`--priority ${band}=`),
      farSides,
    );
    checked.priorities[band] = { id: p.id, name: p.name };
  }
  // Sources and types are not among the lists the client reads: only IDs are taken.
  for (const key of ['source', 'type'] as const) {
    const ref = settings[key];
    if (ref === undefined) continue;
    const id = asId(ref);
    if (id === undefined)
      throw new UsageError(
        `the ${key} "${ref}" of PSA connection "${name}" is a name; give its ${words.farSide} ID (a number)`,
        set(key === 'type' ? words.flags.type : '--source'),
      );
    checked[key === 'source' ? 'sourceId' : 'typeId'] = id;
  }
  if (settings.fallbackCompany !== undefined)
    checked.fallbackCompany = pickCompany(
      companies,
      settings.fallbackCompany,
      'the fallback company',
      set('--fallback-company'),
      words.farSide,
    );
  return checked;
}

/**
 * The policy a ticket is made with: checkPolicy, and exit 2 when the board or either status is
 * not set.
 */
export async function resolvePolicy(
  client: PsaClient,
  name: string,
  settings: PolicySettings,
  board: Ref | undefined = settings.board,
  words: PolicyWords = CONNECTWISE_WORDS,
): Promise<CheckedPolicy & Pick<ResolvedPolicy, 'board' | 'newStatus' | 'closedStatus'>> {
  const set = (flag: string) => `Set it with \`safeweb psa set ${name} ${flag} …\`.`;
  if (board === undefined)
    throw new UsageError(`PSA connection "${name}" has no ${words.board} for tickets`, set(words.flags.board));
  if (settings.statuses?.new === undefined)
    throw new UsageError(`PSA connection "${name}" has no status for new tickets`, set('--new-status'));
  if (settings.statuses.closed === undefined)
    throw new UsageError(`PSA connection "${name}" has no status that closes tickets`, set('--closed-status'));
  const checked = await checkPolicy(client, name, settings, board, words);
  return { ...checked, board: checked.board!, newStatus: checked.newStatus!, closedStatus: checked.closedStatus! };
}

/** A company named by ID or identifier (what mappings and the fallback hold); undefined when none. */
export function findCompany(companies: readonly PsaCompany[], ref: Ref): PsaCompany | undefined {
  const id = asId(ref);
  return id !== undefined
    ? companies.find((c) => c.id === id)
    : companies.find((c) => c.identifier.toLowerCase() === String(ref).trim().toLowerCase());
}

/** The policy fields a plan needs, with their defaults applied (config/integrations.ts withPolicyDefaults). */
export type PlanPolicySettings = PolicySettings &
  Pick<TicketPolicy, 'grouping' | 'reopenDays' | 'resolveOnClose' | 'offboard'>;

/** The policy a plan runs on: resolvePolicy's IDs and the connection's rules. */
export async function ticketPolicy(
  client: PsaClient,
  name: string,
  settings: PlanPolicySettings,
  words: PolicyWords = CONNECTWISE_WORDS,
): Promise<TicketPolicy> {
  const resolved = await resolvePolicy(client, name, settings, settings.board, words);
  return {
    boardId: resolved.board.id,
    newStatusId: resolved.newStatus.id,
    closedStatusId: resolved.closedStatus.id,
    priorityByBand: Object.fromEntries(
      Object.entries(resolved.priorities ?? {}).map(([band, p]) => [band, p.id]),
    ) as TicketPolicy['priorityByBand'],
    sourceId: resolved.sourceId,
    typeId: resolved.typeId,
    grouping: settings.grouping,
    reopenDays: settings.reopenDays,
    resolveOnClose: settings.resolveOnClose,
    offboard: settings.offboard,
    fallbackCompanyId: resolved.fallbackCompany?.id ?? null,
  };
}
