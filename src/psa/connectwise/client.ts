/**
 * The ConnectWise PSA (Manage) client: PsaClient (psa/types.ts) over the REST API
 * (`https://<site>/v4_6_release/apis/3.0`, the vendor's OpenAPI document in ../shared/psa/), on
 * the one HTTP engine (psa/http.ts). Auth is Basic `<company>+<publicKey>:<privateKey>` plus the
 * integrator's `clientId` header; answers are asked for in the vendor's content type, the one the
 * spec declares. Lists are read 1000 a page, every page, in ID order; ticket and company lists ask
 * only for the fields the tool reads (`fields=`), so a page of tickets stays small.
 *
 * Every answer is checked before anything is taken from it: a list must be a list of records with
 * numeric IDs, a ticket must have its ID. What is not is exit 5 ("ConnectWise answered 200 to GET
 * … but …"), never a half-read record.
 */
import { UnavailableError } from '../../errors.js';
import { id, list, optionalText, psaAddress, record, shapeError, str, text } from '../answer.js';
import { createPsaHttp, type PsaHints, type PsaHttpSettings } from '../http.js';
import type {
  NewTicket,
  NoteKind,
  PsaBoard,
  PsaClient,
  PsaCompany,
  PsaNote,
  PsaPriority,
  PsaStatus,
  PsaTicket,
} from '../types.js';

const CONNECTWISE = 'ConnectWise';
/** The REST base below the site. */
export const CW_API_PATH = '/v4_6_release/apis/3.0';
/** The version the tool was written against; the spec declares its answers in this type alone. */
export const CW_ACCEPT = 'application/vnd.connectwise.com+json; version=2025.8';
/** ConnectWise's largest page. */
const PAGE_SIZE = 1000;
/** ConnectWise refuses a longer summary (the spec says so only in a description). */
const MAX_SUMMARY = 100;
/** Only what PsaTicket is read from (plus `summary` and `company`, which the spec's Ticket requires). */
const TICKET_FIELDS =
  'id,summary,board,status,company,priority,externalXRef,integratorTags,closedFlag,closedDate,closedBy,_info';
const COMPANY_FIELDS = 'id,identifier,name';
const NOTE_FIELDS = 'id,text,dateCreated,_info';

interface ConnectWiseCredentials {
  /** The company ID people log in with (not the numeric record ID). */
  company: string;
  publicKey: string;
  privateKey: string;
  /** The integrator's registered clientId (not secret). */
  clientId: string;
}

export interface ConnectWiseClientOptions {
  /** A host (https implied) or a URL: https://host[:port], http:// only to this machine. */
  site: string;
  credentials: ConnectWiseCredentials;
  http: PsaHttpSettings;
  /** What a failure tells the user to check (psa/connection.ts names the connection and its secret). */
  hints?: PsaHints | undefined;
}

/**
 * The REST base for a site: `na.myconnectwise.net` → https://na.myconnectwise.net/v4_6_release/apis/3.0.
 * A URL keeps its scheme and port; plain http:// is refused except to loopback (the private key
 * would cross the network in clear text). Exit 2 for anything else.
 */
export function connectWiseApiBase(site: string): URL {
  const what = {
    name: 'ConnectWise site',
    secret: 'the private key',
    example: 'na.myconnectwise.net',
    shape: 'a host or https://host[:port]',
    added: 'The API path (/v4_6_release/apis/3.0) is added by the tool.',
  };
  const url = psaAddress(site, what);
  if (url.pathname.replace(/\/+$/, '') !== '') throw shapeError(site, what);
  url.pathname = CW_API_PATH;
  return url;
}

/** The client. Nothing is sent until a method is called. */
export function createConnectWiseClient(options: ConnectWiseClientOptions): PsaClient {
  const { company, publicKey, privateKey, clientId } = options.credentials;
  const token = Buffer.from(`${company}+${publicKey}:${privateKey}`).toString('base64');
  const http = createPsaHttp({
    farSide: CONNECTWISE,
    baseUrl: connectWiseApiBase(options.site),
    headers: { authorization: `Basic ${token}`, clientid: clientId, accept: CW_ACCEPT },
    // The header is hidden by its name already; the key and the token wherever else they appear.
    secrets: [privateKey, token],
    settings: options.http,
    hints: options.hints,
  });

  /**
   * Every page of a list, 1000 a page in ID order, until the `Link` header names no next page
   * (without one, until a page shorter than that).
   */
  async function all<T extends { id: number }>(
    path: string,
    read: (item: unknown, n: number) => T,
    query: Record<string, string> = {},
  ): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const { items, next } = await http.request({
        method: 'GET',
        path,
        query: { ...query, orderBy: 'id asc', page: String(page), pageSize: String(PAGE_SIZE) },
        read: (data, headers) => ({ items: list(data).map(read), next: hasNext(headers['link']) }),
      });
      // A server that ignores `page` would answer the first page forever.
      const last = out.at(-1);
      if (last && items.length && items[0]!.id <= last.id)
        throw new UnavailableError(
          `${CONNECTWISE} answered page ${page} of ${path} with records already read (it ignored the page asked for)`,
          undefined,
          options.hints?.address,
          CONNECTWISE,
        );
      out.push(...items);
      if (items.length < PAGE_SIZE || next === false) return out;
    }
  }

  const ticketQuery = (conditions: string) => ({ conditions, fields: TICKET_FIELDS });

  return {
    farSide: CONNECTWISE,
    async systemInfo() {
      return http.request({
        method: 'GET',
        path: '/system/info',
        read: (data) => ({ version: text(record(data, 'the answer')['version'], 'the answer’s version') }),
      });
    },
    companies: () =>
      all(
        '/company/companies',
        (item, n) => {
          const r = record(item, `company ${n + 1}`);
          return { id: id(r['id'], `company ${n + 1}`), identifier: str(r['identifier']), name: str(r['name']) };
        },
        { fields: COMPANY_FIELDS },
      ) satisfies Promise<PsaCompany[]>,
    boards: () =>
      all('/service/boards', (item, n) => {
        const r = record(item, `board ${n + 1}`);
        return { id: id(r['id'], `board ${n + 1}`), name: str(r['name']) };
      }) satisfies Promise<PsaBoard[]>,
    statuses: (boardId) =>
      all(`/service/boards/${boardId}/statuses`, (item, n) => {
        const r = record(item, `status ${n + 1}`);
        return {
          id: id(r['id'], `status ${n + 1}`),
          name: str(r['name']),
          closed: r['closedStatus'] === true,
          inactive: r['inactive'] === true,
          default: r['defaultFlag'] === true,
        };
      }) satisfies Promise<PsaStatus[]>,
    priorities: () =>
      all('/service/priorities', (item, n) => {
        const r = record(item, `priority ${n + 1}`);
        return { id: id(r['id'], `priority ${n + 1}`), name: str(r['name']) };
      }) satisfies Promise<PsaPriority[]>,
    async ownedTickets(tag) {
      // `contains` finds the tag among a ticket's integrator tags; a longer tag that contains ours
      // ("safeweb-test") is a different integration's, and is left out here.
      const found = await all(
        '/service/tickets',
        readTicketWithTags,
        ticketQuery(`integratorTags contains ${quote(tag)}`),
      );
      return found
        .filter((t) => t.tags === undefined || t.tags.some((x) => x.toLowerCase() === tag.toLowerCase()))
        .map((t) => t.ticket);
    },
    async ticketByKey(key) {
      const found = await all('/service/tickets', readTicketWithTags, ticketQuery(`externalXRef=${quote(key)}`));
      // Two tickets with one key (a technician's copy): the first made is the tool's. ConnectWise
      // compares without case, as this does when no spelling is exact: a second ticket is worse.
      const same = (t: { ticket: PsaTicket }) => t.ticket.externalXRef?.toLowerCase() === key.toLowerCase();
      return (found.find((t) => t.ticket.externalXRef === key) ?? found.find(same))?.ticket;
    },
    ticket: (ticketId) =>
      http.request({
        method: 'GET',
        path: `/service/tickets/${ticketId}`,
        read: (data) => readTicket(data, 'the ticket'),
        missingIsUndefined: true,
      }),
    createTicket: (t: NewTicket, tag) =>
      http.request({
        method: 'POST',
        path: '/service/tickets',
        body: {
          summary: t.summary.length > MAX_SUMMARY ? `${t.summary.slice(0, MAX_SUMMARY - 1)}…` : t.summary,
          initialDescription: t.description,
          company: { id: t.companyId },
          board: { id: t.boardId },
          status: { id: t.statusId },
          ...(t.priorityId === undefined ? {} : { priority: { id: t.priorityId } }),
          ...(t.sourceId === undefined ? {} : { source: { id: t.sourceId } }),
          ...(t.typeId === undefined ? {} : { type: { id: t.typeId } }),
          externalXRef: t.externalXRef,
          integratorTags: [tag],
        },
        read: (data) => readTicket(data, 'the ticket made'),
        write: { action: 'create ticket', key: t.externalXRef },
      }),
    setStatus: (ticketId, statusId, key) =>
      http.request({
        method: 'PATCH',
        path: `/service/tickets/${ticketId}`,
        body: [{ op: 'replace', path: 'status', value: { id: statusId } }],
        // Moving a ticket to a status twice leaves it where once does.
        idempotent: true,
        read: (data) => readTicket(data, 'the ticket'),
        write: { action: 'set status', ticketId, key },
      }),
    notes: (ticketId) =>
      all(`/service/tickets/${ticketId}/notes`, (item, n) => readNote(item, `note ${n + 1}`), {
        fields: NOTE_FIELDS,
      }) satisfies Promise<PsaNote[]>,
    addNote: (ticketId, noteText, kind: NoteKind, key?: string) =>
      http.request({
        method: 'POST',
        path: `/service/tickets/${ticketId}/notes`,
        body: {
          text: noteText,
          detailDescriptionFlag: kind === 'detail',
          internalAnalysisFlag: kind === 'internal',
          resolutionFlag: kind === 'resolution',
        },
        read: (data) => readNote(data, 'the note made'),
        write: { action: 'add note', ticketId, key },
      }),
  };
}

/** A string as a `conditions` value: quoted, with `\` and `"` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Whether a `Link` header names a next page; undefined when there is none to tell. */
function hasNext(link: string | string[] | undefined): boolean | undefined {
  if (!link || link.length === 0) return undefined;
  return /rel="?next"?/i.test(String(link));
}

/** `{id: 3, name: …}` → 3; absent → null; anything else is not the API's answer. */
function refId(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  return id(record(value, what)['id'], what);
}

function readTicket(value: unknown, what: string): PsaTicket {
  const r = record(value, what);
  const info = r['_info'] !== null && typeof r['_info'] === 'object' ? (r['_info'] as Record<string, unknown>) : {};
  const ticketId = id(r['id'], what);
  const closed = r['closedFlag'] === true;
  return {
    id: ticketId,
    summary: str(r['summary']),
    boardId: refId(r['board'], `the board of ticket ${ticketId}`),
    statusId: refId(r['status'], `the status of ticket ${ticketId}`),
    companyId: refId(r['company'], `the company of ticket ${ticketId}`),
    priorityId: refId(r['priority'], `the priority of ticket ${ticketId}`),
    externalXRef: optionalText(r['externalXRef']),
    closed,
    closedAt: closed ? optionalText(r['closedDate']) : null,
    closedBy: closed ? optionalText(r['closedBy']) : null,
    updatedAt: optionalText(info['lastUpdated']),
    updatedBy: optionalText(info['updatedBy']),
  };
}

function readTicketWithTags(value: unknown, n: number): { id: number; ticket: PsaTicket; tags?: string[] } {
  const ticket = readTicket(value, `ticket ${n + 1}`);
  const tags = (value as { integratorTags?: unknown }).integratorTags;
  return {
    id: ticket.id,
    ticket,
    ...(Array.isArray(tags) ? { tags: tags.filter((t): t is string => typeof t === 'string') } : {}),
  };
}

function readNote(value: unknown, what: string): PsaNote {
  const r = record(value, what);
  const info = r['_info'] !== null && typeof r['_info'] === 'object' ? (r['_info'] as Record<string, unknown>) : {};
  return {
    id: id(r['id'], what),
    text: str(r['text']),
    createdAt: optionalText(r['dateCreated']) ?? optionalText(info['dateEntered']),
  };
}
