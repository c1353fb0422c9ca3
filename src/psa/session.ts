/**
 * One plan of one PSA connection, from its parts: the policy checked against the PSA's live lists,
 * the customers' companies, the tickets the tool owns (one paged query by the integrator tag),
 * the ticket index and the book. `psa plan`, `psa sync` and the MCP `psa_plan` tool share it,
 * so what a plan shows is what a sync does.
 */
import type { BulkRun } from '../bulk/runner.js';
import type { Integrations } from '../config/integrations.js';
import { UsageError } from '../errors.js';
import { plannedMessages } from './announce.js';
import { mappedCompanies, ownBoards, readPlanBook, type MappingSettings, type PlanBook } from './book.js';
import { planSync, type Filing, type PsaPlan, type TicketPolicy } from './plan.js';
import { CONNECTWISE_WORDS, resolvePolicy, ticketPolicy, type PlanPolicySettings, type PolicyWords } from './policy.js';
import { INTEGRATOR_TAG } from './sync.js';
import { TicketIndexFile, type TicketIndex } from './ticket-index.js';
import type { PsaClient, PsaTicket } from './types.js';

export interface PlanSource {
  /** The connection's name, and whether it is the default one (mappings naming none belong to it). */
  connection: string;
  isDefault: boolean;
  client: PsaClient;
  policy: PlanPolicySettings;
  /** What the PSA calls the policy's parts (psa/kinds.ts); ConnectWise's when left out. */
  words?: PolicyWords | undefined;
  /** Requests in flight the PSA allows (Autotask: 3): a sync's concurrency is capped to it. */
  maxInFlight?: number | undefined;
  /** The settings' (or the manifest's) per-customer blocks. */
  customers: Record<string, { psa?: MappingSettings | undefined }> | undefined;
  configDir: string;
  account: string;
  partnerId: string;
  /** Who holds the index's lock, as a refusal names it. */
  command: string;
  /**
   * The settings (or the manifest's blocks) whose notification routes get ticket events; left out,
   * a sync tells of no ticket.
   */
  integrations?: Integrations | undefined;
}

export interface PlanRunOptions {
  customers?: string[] | undefined;
  concurrency: number;
  includeExisting?: boolean | undefined;
  since?: string | undefined;
  maxCreates: number;
  now: Date;
  /** When SafeWeb changed a finding, from the outbox's events (plan.ts `changedAt`). */
  changedAt?: ReadonlyMap<string, string> | undefined;
}

export interface PreparedPlan {
  plan: PsaPlan;
  policy: TicketPolicy;
  index: TicketIndexFile;
  book: PlanBook;
  /** The owned tickets the PSA answered with (how many: the paged query's size). */
  tickets: Map<string, PsaTicket>;
}

export async function preparePlan(run: BulkRun, source: PlanSource, options: PlanRunOptions): Promise<PreparedPlan> {
  // The mappings, the policy's fallback company and the customers' own boards share one read of each list.
  const client = listsReadOnce(source.client);
  // The reads go side by side, each a wait on a far side: the tool's tickets (one page per 100 to
  // 1 000 of them) from the start until the book has been read, the lists meanwhile. A failure of
  // the tickets' query is said once the book is read; a ticket plan needs both.
  const ownedRead = client.ownedTickets(INTEGRATOR_TAG);
  ownedRead.catch(() => undefined);
  // What a new ticket needs beyond the policy (Autotask's required fields) is said before anything is done.
  const [companies, policy] = await Promise.all([
    client.companies(),
    ticketPolicy(client, source.connection, source.policy, source.words),
    client.requirements?.(),
  ]);
  const mapped = mappedCompanies(source.customers, source.connection, source.isDefault, companies, client.farSide);
  const filings = await customerFilings(client, source);
  const book = await readPlanBook(run, source, options, mapped, filings);
  const owned = await ownedRead;
  const index = new TicketIndexFile(source.configDir, source.account, source.connection, source.command);
  const tickets = ticketsByKey(owned, index.read());
  const plan = planSync(policy, book.customers, tickets, index.read(), {
    partnerId: source.partnerId,
    now: options.now,
    includeExisting: options.includeExisting,
    since: options.since,
    maxCreates: options.maxCreates,
    changedAt: options.changedAt,
  });
  if (source.integrations) plan.messages = plannedMessages(plan, index.read(), source.integrations);
  return { plan, policy, index, book, tickets };
}

/**
 * The client with its lists (companies, boards, statuses of a board, priorities) read at most once:
 * a plan asks for the companies for the mappings and again for the fallback company, and for the
 * boards and statuses again for each customer's own board.
 */
function listsReadOnce(client: PsaClient): PsaClient {
  const read = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, get: () => Promise<T>): Promise<T> => {
    let got = read.get(key) as Promise<T> | undefined;
    if (!got) read.set(key, (got = get()));
    return got;
  };
  return {
    ...client,
    companies: () => once('companies', () => client.companies()),
    boards: () => once('boards', () => client.boards()),
    statuses: (boardId) => once(`statuses ${boardId}`, () => client.statuses(boardId)),
    priorities: () => once('priorities', () => client.priorities()),
  };
}

/**
 * Reference → where its tickets go, for each customer whose mapping names a board of its own
 * (`board`, Autotask's `queue`, Halo's `ticketType`): that board, and the connection's new and
 * closed statuses found there by name. One that names nothing, or whose board lacks those
 * statuses, is exit 2 naming the customer, before anything is sent (as `psa test` does).
 */
async function customerFilings(client: PsaClient, source: PlanSource): Promise<Map<string, Filing>> {
  const words = source.words ?? CONNECTWISE_WORDS;
  const boards = ownBoards(source.customers, source.connection, source.isDefault, words.customerBoard);
  const filings = new Map<string, Filing>();
  for (const [reference, board] of boards) {
    let resolved;
    try {
      resolved = await resolvePolicy(client, source.connection, source.policy, board, words);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(
        `customer ${reference}'s own ${words.board} for connection "${source.connection}": ${error.message}`,
        `Change or remove customers.${reference}.psa.${words.customerBoard} in the integration settings ` +
          `(or the manifest), or ${error.hint ? error.hint.charAt(0).toLowerCase() + error.hint.slice(1) : 'fix the connection'}`,
      );
    }
    filings.set(reference, {
      boardId: resolved.board.id,
      newStatusId: resolved.newStatus.id,
      closedStatusId: resolved.closedStatus.id,
    });
  }
  return filings;
}

/**
 * The owned tickets by key. Two under one key (a technician copied a ticket, key and tag with it):
 * the tool's is the one its index knows, else the first made (the list is in ID order, and
 * `ticketByKey` picks it too); the copy is the technician's, never closed or noted by the tool.
 */
function ticketsByKey(owned: readonly PsaTicket[], index: TicketIndex): Map<string, PsaTicket> {
  const tickets = new Map<string, PsaTicket>();
  for (const t of owned) {
    if (!t.externalXRef) continue;
    const held = tickets.get(t.externalXRef);
    if (!held || t.id === index.tickets.get(t.externalXRef)?.id) tickets.set(t.externalXRef, t);
  }
  return tickets;
}
