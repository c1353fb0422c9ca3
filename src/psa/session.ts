/**
 * One plan of one PSA connection, from its parts: the policy checked against the PSA's live lists,
 * the customers' companies, the tickets the tool owns (one paged query by the integrator tag),
 * the ticket index and the book. `psa plan`, `psa sync` and the MCP `psa_plan` tool share it,
 * so what a plan shows is what a sync does.
 */
import type { BulkRun } from '../bulk/runner.js';
import type { Integrations } from '../config/integrations.js';
import { plannedMessages } from './announce.js';
import { readPlanBook, mappedCompanies, type MappingSettings, type PlanBook } from './book.js';
import { planSync, type PsaPlan, type TicketPolicy } from './plan.js';
import { ticketPolicy, type PlanPolicySettings, type PolicyWords } from './policy.js';
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
  const { client } = source;
  const companies = await client.companies();
  const policy = await ticketPolicy(client, source.connection, source.policy, source.words);
  // What a new ticket needs beyond the policy (Autotask's required fields) is said before anything is done.
  await client.requirements?.();
  const mapped = mappedCompanies(source.customers, source.connection, source.isDefault, companies, client.farSide);
  const owned = await client.ownedTickets(INTEGRATOR_TAG);
  const index = new TicketIndexFile(source.configDir, source.account, source.connection, source.command);
  const tickets = ticketsByKey(owned, index.read());
  const book = await readPlanBook(run, source, options, mapped);
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
