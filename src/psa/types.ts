/**
 * What a ticket sync needs of a PSA, in the tool's own words: the ConnectWise client implements
 * it (psa/connectwise/client.ts), the Autotask client (psa/autotask/client.ts) too, and HaloPSA's will. IDs are the PSA's own
 * (numbers at all three); text is as the PSA holds it. The plan and the sync (psa/plan.ts,
 * psa/sync.ts) see only this, so one machinery and one set of tests serve every PSA.
 */

export interface PsaCompany {
  id: number;
  /** ConnectWise's short identifier (often the MSP's own customer reference); Halo/Autotask: their code. */
  identifier: string;
  name: string;
}

export interface PsaBoard {
  id: number;
  name: string;
}

export interface PsaStatus {
  id: number;
  name: string;
  /** A status that closes the ticket (ConnectWise `closedStatus`). */
  closed: boolean;
  inactive: boolean;
  /** The board's default status for a new ticket. */
  default: boolean;
}

export interface PsaPriority {
  id: number;
  name: string;
}

/** A ticket as a sync reads it. */
export interface PsaTicket {
  id: number;
  summary: string;
  boardId: number | null;
  statusId: number | null;
  companyId: number | null;
  priorityId: number | null;
  /** The tool's ticket key, when the tool made it (ConnectWise `externalXRef`). */
  externalXRef: string | null;
  closed: boolean;
  /** When it was closed, and by whom (a technician's member ID, or the API member). */
  closedAt: string | null;
  closedBy: string | null;
  /** When anything in it last changed, and by whom. */
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface PsaNote {
  id: number;
  text: string;
  createdAt: string | null;
}

/** A ticket to create: every ID already resolved from the policy's names. */
export interface NewTicket {
  summary: string;
  /** The ticket's first description (ConnectWise `initialDescription`). */
  description: string;
  companyId: number;
  boardId: number;
  statusId: number;
  priorityId?: number | undefined;
  sourceId?: number | undefined;
  typeId?: number | undefined;
  /** The tool's ticket key: found again by it before any second create. */
  externalXRef: string;
}

export type NoteKind = 'detail' | 'internal' | 'resolution';

export interface PsaClient {
  /** Which PSA, as errors and the audit log name it: "ConnectWise". */
  readonly farSide: string;
  /** A harmless read that proves the credentials (ConnectWise `/system/info`). */
  systemInfo(): Promise<{ version: string }>;
  /**
   * Checks, before a plan, what the PSA requires of a new ticket beyond what the policy gives
   * (Autotask: a required field without a default): exit 2 naming it. None when nothing can be missing.
   */
  requirements?(): Promise<void>;
  /** Every company (all pages). */
  companies(): Promise<PsaCompany[]>;
  boards(): Promise<PsaBoard[]>;
  statuses(boardId: number): Promise<PsaStatus[]>;
  priorities(): Promise<PsaPriority[]>;
  /** Every ticket carrying the integrator tag, or (without tags) a key of the tool's: one paged query, not a read per ticket. */
  ownedTickets(tag: string): Promise<PsaTicket[]>;
  /** The ticket whose externalXRef is `key`, if any (the lookup before a create). */
  ticketByKey(key: string): Promise<PsaTicket | undefined>;
  /** One ticket by ID; undefined when the PSA has no such ticket (404). */
  ticket(id: number): Promise<PsaTicket | undefined>;
  /**
   * Creates a ticket carrying `tag` in its integrator tags (a PSA without tags finds its tickets by
   * their key instead). Never retried blindly: a retry is a lookup by key first.
   */
  createTicket(ticket: NewTicket, tag: string): Promise<PsaTicket>;
  /**
   * Moves a ticket to a status (closing or reopening it); `key` (the tool's ticket key) is for the
   * audit log. What it answers is at least the ticket's ID, status and `closed`.
   */
  setStatus(id: number, statusId: number, key?: string): Promise<PsaTicket>;
  notes(ticketId: number): Promise<PsaNote[]>;
  addNote(ticketId: number, text: string, kind: NoteKind, key?: string): Promise<PsaNote>;
}
