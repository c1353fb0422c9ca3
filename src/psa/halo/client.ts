/**
 * The HaloPSA client: PsaClient (psa/types.ts) over Halo's REST API v2 (`<tenant>/api`, the
 * vendor's OpenAPI document in ../shared/psa/), on the one HTTP engine (psa/http.ts).
 *
 * Auth is OAuth2 client credentials: a token from `<tenant>/auth/token` (`grant_type=
 * client_credentials`, the application's client ID and secret, `scope=all`), sent as `Bearer`. The
 * token lives in this process's memory only, is renewed shortly before it expires, and once more
 * when the API answers 401 (a token revoked early); a second 401 is exit 4.
 *
 * What Halo calls things: a client is a company (its reference, `ref`, the identifier), a ticket
 * type is the board, statuses are the ticket type's, and which of them close a ticket is asked of
 * Halo itself (`GET /Status?excludeclosed=true` beside the whole list): the spec declares no
 * answer schema for `/Status`, so no status field is guessed at. Bodies are arrays: `POST
 * /Tickets [ {...} ]` makes a ticket, `POST /Actions [ {...} ]` adds a note or changes a status.
 *
 * The tool's key is the ticket's `third_party_id_string`, found with that filter of `GET
 * /Tickets` (the spec declares it) before any create: Halo has no idempotency key. Halo has no
 * integrator tags either; the tag is carried as a number in `third_party_id` (ownerNumber), whose
 * filter finds every ticket of the tool in one paged query. Every body carries only fields the
 * spec has: Halo refuses unknown ones.
 *
 * Every answer is checked before anything is taken from it: a list must be a list of records with
 * numeric IDs, a ticket must have its ID. What is not is exit 5 ("HaloPSA answered 200 to GET …
 * but …"), never a half-read record.
 */
import { createHash } from 'node:crypto';
import { joinUrl } from '../../api/base-url.js';
import { ApiRejectedError, AuthError, UnavailableError } from '../../errors.js';
import { id, list, num, optionalText, psaAddress, record, str } from '../answer.js';
import { BadAnswer, createPsaHttp, type PsaAuth, type PsaHints, type PsaHttpSettings } from '../http.js';
import type { NoteKind, PsaClient, PsaCompany, PsaNote, PsaStatus, PsaTicket } from '../types.js';

const HALO = 'HaloPSA';
/** Halo's largest page of tickets (the spec: "Maximum size: 100"); clients are read alike. */
const PAGE_SIZE = 100;
/** A token whose answer names no lifetime is renewed after this long (RFC 6749 leaves it to the server). */
const DEFAULT_TOKEN_SECONDS = 300;
/** Renewed this long before it expires (at most a tenth of its life): a request never leaves with a dying token. */
const RENEW_EARLY_MS = 60_000;
/** The outcome of the actions the tool adds: Halo shows it as the action's title. */
const OUTCOMES: Record<NoteKind | 'status', string> = {
  detail: 'Note',
  internal: 'Private Note',
  resolution: 'Resolution',
  status: 'Status Change',
};
/** OAuth2 errors (RFC 6749 §5.2) that mean the credentials, not the request: exit 4. */
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope']);

interface HaloCredentials {
  /** The API application's client ID (not secret). */
  clientId: string;
  clientSecret: string;
}

export interface HaloClientOptions {
  /** The tenant: a host (https implied) or https://host[:port][/prefix]; http:// only to this machine. */
  tenant: string;
  credentials: HaloCredentials;
  http: PsaHttpSettings;
  /** What a failure tells the user to check (psa/connection.ts names the connection and its secret). */
  hints?: PsaHints | undefined;
  /** The clock the token's lifetime is counted on (a test moves it). */
  now?: () => number;
}

/**
 * The tenant's root: `msp.halopsa.com` → https://msp.halopsa.com. A URL keeps its scheme, port
 * and path prefix (a trailing `/api` or `/auth`, as Halo's API page shows them, is taken off);
 * plain http:// is refused except to loopback (the client secret would cross the network in clear
 * text). Exit 2 for anything else.
 */
export function haloTenant(tenant: string): URL {
  const url = psaAddress(tenant, {
    name: 'HaloPSA tenant',
    secret: 'the client secret',
    example: 'msp.halopsa.com',
    shape: 'a host or https://host[:port][/path]',
    added: 'The API (/api) and token (/auth/token) paths are added by the tool.',
  });
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/(api|auth)$/i, '');
  return url;
}

/** The tenant as the settings keep it: `https://msp.halopsa.com` (no trailing slash). */
export function haloTenantUrl(tenant: string): string {
  return haloTenant(tenant).href.replace(/\/+$/, '');
}

/** The REST base of a tenant: `<tenant>/api`. */
export function haloApiBase(tenant: string): URL {
  return joinUrl(haloTenant(tenant), '/api');
}

/**
 * The number a tag is carried as in `third_party_id` (Halo has no integrator tags): 31 bits of
 * SHA-256 of the tag, the same everywhere, so `safeweb` and `safeweb-test` never meet.
 */
export function ownerNumber(tag: string): number {
  return createHash('sha256').update(tag).digest().readUInt32BE(0) & 0x7fffffff || 1;
}

interface Token {
  headers: Record<string, string>;
  /** When it is renewed (epoch ms). */
  renewAt: number;
}

/** The client. Nothing is sent until a method is called; the first call fetches a token. */
export function createHaloClient(options: HaloClientOptions): PsaClient {
  const { clientId, clientSecret } = options.credentials;
  const now = options.now ?? Date.now;
  const root = haloTenant(options.tenant);
  const tokenHttp = createPsaHttp({
    farSide: HALO,
    baseUrl: joinUrl(root, '/auth'),
    headers: { accept: 'application/json' },
    secrets: [clientSecret],
    settings: options.http,
    hints: options.hints,
  });

  let token: Token | undefined;
  let fetching: Promise<Token> | undefined;
  const fetchToken = async (): Promise<Token> => {
    const asked = now();
    const answer = await tokenHttp
      .request({
        method: 'POST',
        path: '/token',
        form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'all' },
        // Asking for a token changes nothing at Halo: safe to send again.
        idempotent: true,
        read: readToken,
      })
      .catch((error: unknown) => {
        throw tokenFailure(error, options.hints);
      });
    const lifeMs = answer.expiresIn * 1000;
    return {
      headers: { authorization: `Bearer ${answer.accessToken}` },
      renewAt: asked + lifeMs - Math.min(RENEW_EARLY_MS, lifeMs / 10),
    };
  };
  const auth: PsaAuth = {
    async headers() {
      if (token && now() < token.renewAt) return token.headers;
      // Requests side by side wait for one token request, not one each.
      fetching ??= fetchToken().finally(() => (fetching = undefined));
      token = await fetching;
      return token.headers;
    },
    refused(sent) {
      if (token?.headers === sent) token = undefined;
    },
  };
  const http = createPsaHttp({
    farSide: HALO,
    baseUrl: joinUrl(root, '/api'),
    headers: { accept: 'application/json' },
    secrets: [clientSecret],
    settings: options.http,
    hints: options.hints,
    auth,
  });

  /**
   * Every page of a paged list (`pageinate=true`, 100 a page, in ID order) until `record_count`
   * records are read or a page comes back short.
   */
  async function paged<T extends { id: number }>(
    path: string,
    field: string,
    read: (item: unknown, n: number) => T,
    query: Record<string, string> = {},
  ): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await http.request({
        method: 'GET',
        path,
        query: { ...query, pageinate: 'true', page_size: String(PAGE_SIZE), page_no: String(page), order: 'id' },
        read: (data) => {
          const view = record(data, 'the answer');
          const count = view['record_count'];
          return {
            items: list(view[field], `the answer's ${field}`).map((item, n) => read(item, out.length + n)),
            total: typeof count === 'number' ? count : undefined,
          };
        },
      });
      // A server that ignores `page_no` would answer the first page forever.
      const last = out.at(-1);
      if (last && items.length && items[0]!.id <= last.id)
        throw new UnavailableError(
          `${HALO} answered page ${page} of ${path} with records already read (it ignored the page asked for)`,
          undefined,
          options.hints?.address,
          HALO,
        );
      out.push(...items);
      if (items.length < PAGE_SIZE || (total !== undefined && out.length >= total)) return out;
    }
  }

  /** The statuses that close a ticket: those Halo leaves out when asked to exclude closed ones. Read once. */
  let closedIds: Promise<Set<number>> | undefined;
  const closedStatuses = (): Promise<Set<number>> => {
    closedIds ??= Promise.all([statusList({}), statusList({ excludeclosed: 'true' })]).then(([all, open]) => {
      const openIds = new Set(open.map((s) => s.id));
      return new Set(all.filter((s) => !openIds.has(s.id)).map((s) => s.id));
    });
    // A failed read is not kept: the next call asks again.
    closedIds.catch(() => (closedIds = undefined));
    return closedIds;
  };
  const statusList = (query: Record<string, string>) =>
    http.request({
      method: 'GET',
      path: '/Status',
      query,
      read: (data) =>
        list(data, 'the answer').map((item, n) => {
          const r = record(item, `status ${n + 1}`);
          return { id: id(r['id'], `status ${n + 1}`), name: str(r['name']), sequence: num(r['sequence']) };
        }),
    });

  const readOne = async (ticketId: number): Promise<PsaTicket | undefined> => {
    const closed = await closedStatuses();
    return http.request({
      method: 'GET',
      path: `/Tickets/${ticketId}`,
      read: (data) => readTicket(data, 'the ticket', closed),
      missingIsUndefined: true,
    });
  };
  /**
   * The tickets a filter finds. A list record without the key field at all (Halo answers a list
   * with the columns of its profile, which may leave it out) is read by its ID: a key unknown is
   * never taken for no key, which would make a second ticket.
   */
  const ticketQuery = async (filter: Record<string, string>): Promise<PsaTicket[]> => {
    const closed = await closedStatuses();
    const found = await paged(
      '/Tickets',
      'tickets',
      (item, n) => ({
        ...readTicket(item, `ticket ${n + 1}`, closed),
        keyed: 'third_party_id_string' in record(item, `ticket ${n + 1}`),
      }),
      filter,
    );
    const out: PsaTicket[] = [];
    for (const { keyed, ...ticket } of found) {
      const whole = keyed ? ticket : await readOne(ticket.id);
      if (whole) out.push(whole);
    }
    return out;
  };

  return {
    farSide: HALO,
    async systemInfo() {
      // A token and one read: the application's credentials and its permission to use the API.
      await closedStatuses();
      return { version: 'Halo API v2' };
    },
    companies: () =>
      paged('/Client', 'clients', (item, n) => {
        const r = record(item, `client ${n + 1}`);
        return { id: id(r['id'], `client ${n + 1}`), identifier: str(r['ref']), name: str(r['name']) };
      }) satisfies Promise<PsaCompany[]>,
    boards: () =>
      http.request({
        method: 'GET',
        path: '/TicketType',
        read: (data) =>
          list(data, 'the answer').map((item, n) => {
            const r = record(item, `ticket type ${n + 1}`);
            return { id: id(r['id'], `ticket type ${n + 1}`), name: str(r['name']) };
          }),
      }),
    async statuses(ticketTypeId) {
      const closed = await closedStatuses();
      const found = await statusList(ticketTypeId > 0 ? { tickettype_id: String(ticketTypeId) } : {});
      const ordered = [...found].sort((a, b) => a.sequence - b.sequence || a.id - b.id);
      // Halo gives a new ticket the first open status of its type's workflow: offered as the default.
      const first = ordered.find((s) => !closed.has(s.id));
      return ordered.map((s): PsaStatus => ({
        id: s.id,
        name: s.name,
        closed: closed.has(s.id),
        inactive: false,
        default: s === first,
      }));
    },
    // Halo's priorities belong to its SLAs; the spec's operations read no list of them: IDs are taken as given.
    priorities: async () => [],
    async ownedTickets(tag) {
      const found = await ticketQuery({ third_party_id: String(ownerNumber(tag)) });
      return found.filter((t) => t.externalXRef !== null);
    },
    async ticketByKey(key) {
      const found = await ticketQuery({ third_party_id_string: key });
      // Two tickets with one key (a technician's copy): the first made is the tool's. Halo may
      // compare without case, as this does when no spelling is exact: a second ticket is worse.
      const same = (t: PsaTicket) => t.externalXRef?.toLowerCase() === key.toLowerCase();
      return found.find((t) => t.externalXRef === key) ?? found.find(same);
    },
    ticket: readOne,
    async createTicket(t, tag) {
      const closed = await closedStatuses();
      return http.request({
        method: 'POST',
        path: '/Tickets',
        body: [
          {
            summary: t.summary,
            details: t.description,
            client_id: t.companyId,
            tickettype_id: t.boardId,
            status_id: t.statusId,
            ...(t.priorityId === undefined ? {} : { priority_id: t.priorityId }),
            ...(t.sourceId === undefined ? {} : { source: t.sourceId }),
            // `typeId` has no Halo field of its own: the ticket type is the board.
            third_party_id_string: t.externalXRef,
            third_party_id: ownerNumber(tag),
          },
        ],
        read: (data) => readTicket(single(data), 'the ticket made', closed),
        write: { action: 'create ticket', key: t.externalXRef },
      });
    },
    async setStatus(ticketId, statusId, key) {
      const closed = await closedStatuses();
      const action = await http.request({
        method: 'POST',
        path: '/Actions',
        body: [
          {
            ticket_id: ticketId,
            outcome: OUTCOMES.status,
            note: `Status changed by safeweb.`,
            new_status: statusId,
            hiddenfromuser: true,
          },
        ],
        // Moving a ticket to a status twice leaves it where once does (with a second line in its history).
        idempotent: true,
        read: (data) => {
          const r = record(single(data), 'the action made');
          id(r['id'], 'the action made');
          const status = r['new_status'];
          return { statusId: typeof status === 'number' ? status : statusId, at: optionalText(r['datetime']) };
        },
        write: { action: 'set status', ticketId, key },
      });
      const isClosed = closed.has(action.statusId);
      // What the action's answer tells; the rest of the ticket is not read again (a sync needs no more).
      return {
        id: ticketId,
        summary: '',
        boardId: null,
        statusId: action.statusId,
        companyId: null,
        priorityId: null,
        externalXRef: key ?? null,
        closed: isClosed,
        closedAt: isClosed ? action.at : null,
        closedBy: null,
        updatedAt: action.at,
        updatedBy: null,
      } satisfies PsaTicket;
    },
    notes: (ticketId) =>
      http.request({
        method: 'GET',
        path: '/Actions',
        query: { ticket_id: String(ticketId), excludesys: 'true' },
        read: (data) =>
          list(record(data, 'the answer')['actions'], "the answer's actions").map((item, n) =>
            readNote(item, `action ${n + 1}`),
          ),
      }) satisfies Promise<PsaNote[]>,
    addNote: (ticketId, noteText, kind, key) =>
      http.request({
        method: 'POST',
        path: '/Actions',
        body: [{ ticket_id: ticketId, outcome: OUTCOMES[kind], note: noteText, hiddenfromuser: kind === 'internal' }],
        read: (data) => readNote(single(data), 'the note made'),
        write: { action: 'add note', ticketId, key },
      }),
  };
}

/** The token answer (RFC 6749 §5.1): a bearer token and its lifetime. */
function readToken(data: unknown): { accessToken: string; expiresIn: number } {
  const r = record(data, 'the token answer');
  const accessToken = r['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new BadAnswer('the token answer has no access_token');
  const type = r['token_type'];
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer'))
    throw new BadAnswer(`the token is not a bearer token (${String(type)})`);
  const expires = r['expires_in'];
  if (expires !== undefined && (typeof expires !== 'number' || !(expires > 0)))
    throw new BadAnswer('the token answer has no usable expires_in');
  return { accessToken, expiresIn: typeof expires === 'number' ? expires : DEFAULT_TOKEN_SECONDS };
}

/**
 * A token request refused: OAuth2 says bad credentials with 400 `invalid_client` (or the like),
 * which is exit 4 naming what to check, not a refused request; a 404 is a wrong tenant address.
 */
function tokenFailure(error: unknown, hints: PsaHints | undefined): unknown {
  if (!(error instanceof ApiRejectedError)) return error;
  const code = (error.body as { error?: unknown } | undefined)?.error;
  if (typeof code === 'string' && CREDENTIAL_ERRORS.has(code))
    return new AuthError(error.message, hints?.auth, error.status, HALO);
  if (error.status === 404)
    return new UnavailableError(`${error.message}: no token endpoint there`, 404, hints?.address, HALO);
  return error;
}

/** A create answers the record made; an array of one is taken as well (the body was an array). */
function single(data: unknown): unknown {
  if (!Array.isArray(data)) return data;
  if (data.length !== 1) throw new BadAnswer(`the answer is a list of ${data.length}, not the one record made`);
  return data[0];
}

/** A reference by ID: absent or null is none; 0 is Halo's "none" too; anything else is not the API's answer. */
function refId(value: unknown, what: string): number | null {
  if (value === undefined || value === null || value === 0) return null;
  return id(value, what);
}

function readTicket(value: unknown, what: string, closedStatuses: ReadonlySet<number>): PsaTicket {
  const r = record(value, what);
  const ticketId = id(r['id'], what);
  const statusId = refId(r['status_id'], `the status of ticket ${ticketId}`);
  const closed = statusId !== null && closedStatuses.has(statusId);
  return {
    id: ticketId,
    summary: str(r['summary']),
    boardId: refId(r['tickettype_id'], `the ticket type of ticket ${ticketId}`),
    statusId,
    companyId: refId(r['client_id'], `the client of ticket ${ticketId}`),
    priorityId: refId(r['priority_id'], `the priority of ticket ${ticketId}`),
    externalXRef: optionalText(r['third_party_id_string']),
    closed,
    closedAt: closed ? optionalText(r['dateclosed']) : null,
    closedBy: null,
    updatedAt: optionalText(r['last_update']) ?? optionalText(r['lastactiondate']),
    updatedBy: null,
  };
}

function readNote(value: unknown, what: string): PsaNote {
  const r = record(value, what);
  return {
    id: id(r['id'], what),
    text: str(r['note']),
    createdAt: optionalText(r['datetime']) ?? optionalText(r['actiondatecreated']),
  };
}
