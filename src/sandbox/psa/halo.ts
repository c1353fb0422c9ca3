/**
 * A stateful emulator of the HaloPSA REST API v2, the operations a ticket sync uses (Halo's
 * OpenAPI document; a copy is test/fixtures/psa/halopsa.openapi.json): tickets (array bodies that
 * create, or with `id` update; get; list with filters and paging), actions (notes and status
 * changes), clients, ticket types, statuses, and the token endpoint of Halo's authorisation server
 * (`POST /auth/token`, OAuth2 client credentials) whose bearer tokens expire. Knobs for latency,
 * 503s and 429s, and an admin door (`/__emulator/…`, no auth) through which a test plays the
 * technician who closes or reopens a ticket, or revokes every token. State is in memory only. A
 * test may make it answer hostilely (`misbehave`, hostile.ts): an HTML page, an unexpected body,
 * 10 MB, a redirect, Halo's own 404.
 *
 * Like the real API it refuses a body field it does not know (Halo's schemas forbid additional
 * properties); it knows only the fields it keeps, a subset of the spec's, so it is stricter than
 * Halo, never looser.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body.js';
import { countOperation, emulatorControls, technicianRoute, writeRaw, type Technician } from './door.js';
import { hostileAnswer, matchHostile, type HostileRule, type RawAnswer } from './hostile.js';

const API_PATH = '/api';
const TOKEN_PATH = '/auth/token';
const MAX_PAGE_SIZE = 100;
const CONTENT_TYPE = 'application/json; charset=utf-8';
/** Halo's default SLA has four priorities. */
const PRIORITIES = [1, 2, 3, 4];
const DEFAULT_PRIORITY = 3;

/** The ticket fields a `POST /Tickets` item may carry (all in the spec's Faults). */
const TICKET_FIELDS = new Set([
  'id',
  'summary',
  'details',
  'client_id',
  'tickettype_id',
  'status_id',
  'priority_id',
  'source',
  'third_party_id',
  'third_party_id_string',
]);
/** The action fields a `POST /Actions` item may carry (all in the spec's Actions). */
const ACTION_FIELDS = new Set(['ticket_id', 'outcome', 'outcome_id', 'note', 'new_status', 'hiddenfromuser']);

interface HaloCredentials {
  clientId: string;
  clientSecret: string;
}

interface HaloFaults {
  /** Added to every API and token answer (the admin door is never slowed). */
  latencyMs?: number | undefined;
  /** Share of API and token requests (0 to 1) answered 503 before anything is done. */
  errorRate?: number | undefined;
  /** Share of API and token requests (0 to 1) answered 429 with Retry-After before anything is done. */
  throttleRate?: number | undefined;
  random?: () => number;
}

export interface HaloOptions {
  port?: number;
  host?: string;
  /** The SafeWeb customers to make clients for (the sandbox's seed customers). */
  customers?: readonly { companyName: string; customerReference: string }[];
  credentials?: Partial<HaloCredentials>;
  faults?: HaloFaults;
  /** How long a token lives: 3600 s unless said. */
  tokenSeconds?: number | undefined;
  /**
   * False: ticket lists leave out `third_party_id_string` and `third_party_id`, as a Halo whose list
   * columns do not include them would (a single ticket keeps them). True unless said.
   */
  listKeys?: boolean | undefined;
  log?: ((line: string) => void) | undefined;
  now?: () => Date;
}

interface HaloClient {
  id: number;
  name: string;
  ref: string;
  inactive: boolean;
}
interface HaloStatus {
  id: number;
  name: string;
  shortname: string;
  sequence: number;
  colour: string;
  closed: boolean;
}
interface HaloTicketType {
  id: number;
  name: string;
  /** The statuses a ticket of this type may have. */
  statusIds: number[];
}
interface HaloTicket {
  id: number;
  summary: string;
  details: string;
  client_id: number;
  tickettype_id: number;
  status_id: number;
  priority_id: number;
  source?: number | undefined;
  third_party_id?: number | undefined;
  third_party_id_string?: string | undefined;
  dateoccurred: string;
  dateclosed?: string | undefined;
  last_update: string;
  /** Who changed it last: "api" or "technician" (kept for tests; not in Halo's answers). */
  updatedBy: string;
}
interface HaloAction {
  id: number;
  ticket_id: number;
  outcome: string;
  note: string;
  new_status?: number | undefined;
  hiddenfromuser: boolean;
  datetime: string;
}

interface RequestCount {
  total: number;
  /** "POST /Tickets", "GET /Tickets/{id}", "POST /auth/token": IDs folded into `{id}`. */
  byOperation: Record<string, number>;
}

interface HaloState {
  clients: HaloClient[];
  statuses: HaloStatus[];
  ticketTypes: HaloTicketType[];
  tickets: HaloTicket[];
  actions: HaloAction[];
  /** Live tokens and when each expires (epoch ms). */
  tokens: Map<string, number>;
  /** How many tokens were issued (a test counts renewals). */
  tokensIssued: number;
  /** Every API and token request received (refused ones too), for a benchmark's or a test's count. */
  requests: RequestCount;
  nextTicketId: number;
  nextActionId: number;
}

export interface HaloEmulator {
  /** The tenant URL, as `psa add halo --tenant` takes it. */
  url: string;
  /** The REST base under it: `${url}/api`. */
  apiBase: string;
  /** The token endpoint: `${url}/auth/token`. */
  tokenUrl: string;
  port: number;
  credentials: HaloCredentials;
  state: HaloState;
  /** A technician closes (or reopens) ticket `id` in the PSA; false when there is no such ticket. */
  technicianClose(id: number): boolean;
  technicianReopen(id: number): boolean;
  /** Every token stops working at once (as when an application's secret is rotated). */
  revokeTokens(): void;
  /** Answers the API requests these rules match (paths below /api) with hostile answers until called again; [] stops. */
  misbehave(rules: HostileRule[]): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Request {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

/** Halo's error answers carry a short message (the spec declares 400, 401, 404 and 429 without a body schema). */
const error = (status: number, message: string): Answer => ({ status, body: { message } });
const refuse = (status: number, message: string) => ({ refused: error(status, message) });

/**
 * The seed: one client per customer — every other one under the customer reference as its `ref`
 * (matched by reference), the rest under a reference of its own (matched by name only) — plus one
 * that matches none; Halo's usual statuses, two of them closing; two ticket types, one with fewer
 * statuses.
 */
function seedHalo(customers: HaloOptions['customers'] = []): HaloState {
  const clients: HaloClient[] = customers.map((c, i) => ({
    id: 12 + i,
    name: c.companyName,
    ref:
      i % 2 === 0
        ? c.customerReference
        : c.companyName
            .replace(/[^A-Za-z0-9]/g, '')
            .toUpperCase()
            .slice(0, 12),
    inactive: false,
  }));
  clients.push({ id: 12 + clients.length, name: 'Contoso Managed Services', ref: 'ContosoMSP', inactive: false });
  const status = (id: number, name: string, sequence: number, colour: string, closed = false): HaloStatus => ({
    id,
    name,
    shortname: name.slice(0, 4).toUpperCase(),
    sequence,
    colour,
    closed,
  });
  return {
    clients,
    statuses: [
      status(1, 'New', 1, '#2b91d6'),
      status(2, 'In Progress', 2, '#f2a33a'),
      status(3, 'Action Required', 3, '#d64b2b'),
      status(4, 'With Supplier', 4, '#8a5cd6'),
      status(5, 'Waiting on User', 5, '#6c757d'),
      status(8, 'Resolved', 8, '#3aa655', true),
      status(9, 'Closed', 9, '#1f6b35', true),
    ],
    ticketTypes: [
      { id: 1, name: 'Incident', statusIds: [1, 2, 3, 4, 5, 8, 9] },
      { id: 21, name: 'Security Alert', statusIds: [1, 2, 5, 9] },
    ],
    tickets: [],
    actions: [],
    tokens: new Map(),
    tokensIssued: 0,
    requests: { total: 0, byOperation: {} },
    nextTicketId: 2001,
    nextActionId: 7001,
  };
}

export async function startHalo(options: HaloOptions = {}): Promise<HaloEmulator> {
  const now = options.now ?? (() => new Date());
  const state = seedHalo(options.customers);
  const credentials: HaloCredentials = {
    clientId: options.credentials?.clientId ?? '5afe0eb0-0000-4000-8000-4a10a4a10001',
    clientSecret: options.credentials?.clientSecret ?? randomBytes(16).toString('hex'),
  };
  const tokenSeconds = options.tokenSeconds ?? 3600;
  const faults = options.faults ?? {};
  const random = faults.random ?? Math.random;
  const log = options.log;
  const api = routes(state, now, options.listKeys ?? true);

  const technician = (id: number, close: boolean): boolean => {
    const ticket = state.tickets.find((t) => t.id === id);
    if (!ticket) return false;
    const target = statusesOf(state, ticket.tickettype_id).find((s) => s.closed === close)!;
    setStatus(state, ticket, target, 'technician', now());
    return true;
  };

  let hostile: HostileRule[] = [];
  const server = http.createServer((req, res) => {
    const started = performance.now();
    const sendRaw = (answer: RawAnswer) => {
      writeRaw(res, answer);
      log?.(`halo: ${req.method} ${req.url} → ${answer.status} (hostile)`);
    };
    const send = (answer: Answer) => {
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...answer.headers,
        ...(text ? { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) } : {}),
      });
      res.end(text);
      log?.(`halo: ${req.method} ${req.url} → ${answer.status} (${Math.round(performance.now() - started)} ms)`);
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith(`${API_PATH}/`);
    const isToken = url.pathname === TOKEN_PATH;
    const delay = isApi || isToken ? (faults.latencyMs ?? 0) : 0;
    const later = (answer: Answer) => (delay ? setTimeout(() => send(answer), delay) : send(answer));
    readBody(req)
      .then((raw) => {
        if (raw === undefined) return later(error(413, 'Request body too large'));
        const method = (req.method ?? 'GET').toUpperCase();
        if (url.pathname.startsWith('/__emulator/')) return send(admin(method, url.pathname, technician, state));
        if (!isApi && !isToken) return send(error(404, `No route for ${url.pathname}`));
        countOperation(state.requests, method, isToken ? url.pathname : url.pathname.slice(API_PATH.length));
        if (faults.throttleRate && random() < faults.throttleRate)
          return later({ ...error(429, 'Too many requests'), headers: { 'retry-after': '1' } });
        if (faults.errorRate && random() < faults.errorRate)
          return later(error(503, 'Service temporarily unavailable'));
        const text = raw.toString('utf8');
        if (isToken) return later(issueToken(method, req.headers['content-type'], text));
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
        const expires = token === undefined ? undefined : state.tokens.get(token);
        if (expires === undefined || expires <= now().getTime())
          return later(error(401, 'The access token is missing, expired or revoked'));
        let body: unknown;
        if (text.trim()) {
          try {
            body = JSON.parse(text);
          } catch {
            return later(error(400, 'The request body is not valid JSON'));
          }
        }
        const segments = url.pathname
          .slice(API_PATH.length + 1)
          .split('/')
          .filter(Boolean);
        const request = { method, segments, query: url.searchParams, body };
        const path = `/${segments.join('/')}`;
        const rule = matchHostile(hostile, method, path);
        if (!rule) return later(api(request));
        if (rule.afterDoing) api(request);
        // An action names its ticket in the body: Halo's 404 names it too.
        const about = Array.isArray(body) ? (body[0] as { ticket_id?: unknown } | undefined)?.ticket_id : undefined;
        const answer = hostileAnswer(
          rule.kind,
          path,
          CONTENT_TYPE,
          'halo',
          typeof about === 'number' ? about : undefined,
        );
        return delay ? setTimeout(() => sendRaw(answer), delay) : sendRaw(answer);
      })
      .catch((e: unknown) => {
        log?.(`halo: internal error: ${(e as Error).message}`);
        send(error(500, 'Internal server error'));
      });
  });

  /** `POST /auth/token`, form-encoded, client credentials only (RFC 6749 §4.4). */
  function issueToken(method: string, type: string | undefined, text: string): Answer {
    if (method !== 'POST') return error(405, 'The token endpoint takes POST');
    if (!/^application\/x-www-form-urlencoded\b/i.test(type ?? ''))
      return { status: 400, body: { error: 'invalid_request', error_description: 'The body must be form-encoded' } };
    const form = new URLSearchParams(text);
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (form.get('client_id') !== credentials.clientId || form.get('client_secret') !== credentials.clientSecret)
      return { status: 400, body: { error: 'invalid_client', error_description: 'Unknown client or wrong secret' } };
    if (form.get('scope') !== 'all') return { status: 400, body: { error: 'invalid_scope' } };
    const token = randomBytes(24).toString('base64url');
    state.tokens.set(token, now().getTime() + tokenSeconds * 1000);
    state.tokensIssued += 1;
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: tokenSeconds, scope: 'all' } };
  }

  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  return {
    url,
    apiBase: `${url}${API_PATH}`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    port: address.port,
    credentials,
    state,
    ...emulatorControls(server, technician, (rules) => {
      hostile = rules;
    }),
    revokeTokens: () => state.tokens.clear(),
  };
}

/**
 * The admin door: `POST /__emulator/tickets/{id}/close` and `…/reopen` (what a technician does in
 * the PSA), `POST /__emulator/tokens/revoke`, `GET /__emulator/state` (every ticket and action).
 */
function admin(method: string, pathname: string, technician: Technician, state: HaloState): Answer {
  const moved = technicianRoute(method, pathname, technician, {
    done: { status: 204 },
    notFound: (id): Answer => error(404, `Ticket ${id} not found`),
  });
  if (moved) return moved;
  if (pathname === '/__emulator/tokens/revoke' && method === 'POST') {
    state.tokens.clear();
    return { status: 204 };
  }
  if (pathname === '/__emulator/state' && method === 'GET')
    return {
      status: 200,
      body: {
        tickets: state.tickets,
        actions: state.actions,
        tokensIssued: state.tokensIssued,
        requests: state.requests,
      },
    };
  return error(404, `No emulator route ${method} ${pathname}`);
}

const stamp = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A ticket type's statuses, in their sequence. */
function statusesOf(state: HaloState, ticketTypeId: number): HaloStatus[] {
  const type = state.ticketTypes.find((t) => t.id === ticketTypeId);
  return state.statuses.filter((s) => type?.statusIds.includes(s.id) ?? true).sort((a, b) => a.sequence - b.sequence);
}

function setStatus(state: HaloState, ticket: HaloTicket, status: HaloStatus, by: string, at: Date): void {
  const wasClosed = state.statuses.find((s) => s.id === ticket.status_id)?.closed ?? false;
  ticket.status_id = status.id;
  if (status.closed && !wasClosed) ticket.dateclosed = stamp(at);
  else if (!status.closed) ticket.dateclosed = undefined;
  ticket.last_update = stamp(at);
  ticket.updatedBy = by;
}

/** The API routes; `segments` is the path after `/api`. */
function routes(state: HaloState, now: () => Date, listKeys: boolean): (req: Request) => Answer {
  const ticketView = (t: HaloTicket) => {
    const status = state.statuses.find((s) => s.id === t.status_id)!;
    return {
      id: t.id,
      summary: t.summary,
      details: t.details,
      client_id: t.client_id,
      client_name: state.clients.find((c) => c.id === t.client_id)?.name ?? null,
      tickettype_id: t.tickettype_id,
      tickettype_name: state.ticketTypes.find((x) => x.id === t.tickettype_id)?.name ?? null,
      status_id: t.status_id,
      status_name: status.name,
      priority_id: t.priority_id,
      ...(t.source === undefined ? {} : { source: t.source }),
      third_party_id: t.third_party_id ?? null,
      third_party_id_string: t.third_party_id_string ?? null,
      dateoccurred: t.dateoccurred,
      dateclosed: t.dateclosed ?? null,
      last_update: t.last_update,
      lastactiondate: t.last_update,
    };
  };
  const actionView = (a: HaloAction) => ({
    id: a.id,
    ticket_id: a.ticket_id,
    outcome: a.outcome,
    note: a.note,
    ...(a.new_status === undefined ? {} : { new_status: a.new_status }),
    hiddenfromuser: a.hiddenfromuser,
    datetime: a.datetime,
    actiondatecreated: a.datetime,
  });
  const unknownField = (item: Record<string, unknown>, known: Set<string>, what: string): Answer | undefined => {
    const extra = Object.keys(item).find((k) => !known.has(k));
    return extra === undefined ? undefined : error(400, `${what}: the field "${extra}" is not valid here`);
  };

  /** One item of `POST /Tickets`: a new ticket, or (with an `id`) a change to one. */
  const saveTicket = (item: Record<string, unknown>): { refused: Answer } | HaloTicket => {
    const refused = unknownField(item, TICKET_FIELDS, 'Ticket');
    if (refused) return { refused };
    const at = stamp(now());
    const existing =
      item['id'] === undefined || item['id'] === 0 ? undefined : state.tickets.find((t) => t.id === item['id']);
    if (item['id'] !== undefined && item['id'] !== 0 && !existing)
      return refuse(400, `Ticket ${String(item['id'])} not found`);
    const ticket: HaloTicket = existing
      ? structuredClone(existing)
      : {
          id: state.nextTicketId,
          summary: '',
          details: '',
          client_id: 0,
          tickettype_id: state.ticketTypes[0]!.id,
          status_id: 0,
          priority_id: DEFAULT_PRIORITY,
          dateoccurred: at,
          last_update: at,
          updatedBy: 'api',
        };
    const { summary, details, client_id: client, tickettype_id: type, status_id: status, priority_id: priority } = item;
    if (summary !== undefined) {
      if (typeof summary !== 'string' || !summary.trim()) return refuse(400, 'Ticket: summary is required');
      ticket.summary = summary;
    } else if (!existing) return refuse(400, 'Ticket: summary is required');
    if (details !== undefined) {
      if (details !== null && typeof details !== 'string') return refuse(400, 'Ticket: details must be text');
      ticket.details = details ?? '';
    }
    if (client !== undefined) {
      if (!state.clients.some((c) => c.id === client)) return refuse(400, `Ticket: client ${String(client)} not found`);
      ticket.client_id = client as number;
    } else if (!existing) return refuse(400, 'Ticket: client_id is required');
    if (type !== undefined) {
      if (!state.ticketTypes.some((t) => t.id === type))
        return refuse(400, `Ticket: ticket type ${String(type)} not found`);
      ticket.tickettype_id = type as number;
    }
    const allowed = statusesOf(state, ticket.tickettype_id);
    if (status !== undefined) {
      const found = allowed.find((s) => s.id === status);
      if (!found)
        return refuse(400, `Ticket: status ${String(status)} is not a status of ticket type ${ticket.tickettype_id}`);
      setStatus(state, ticket, found, 'api', now());
    } else if (!existing || !allowed.some((s) => s.id === ticket.status_id))
      setStatus(
        state,
        ticket,
        allowed.find((s) => !s.closed)!,
        'api',
        now(),
      );
    if (priority !== undefined) {
      if (!PRIORITIES.includes(priority as number))
        return refuse(400, `Ticket: priority ${String(priority)} not found`);
      ticket.priority_id = priority as number;
    }
    for (const key of ['source', 'third_party_id'] as const) {
      const value = item[key];
      if (value === undefined) continue;
      if (value !== null && (typeof value !== 'number' || !Number.isInteger(value)))
        return refuse(400, `Ticket: ${key} must be a whole number`);
      ticket[key] = value ?? undefined;
    }
    const key = item['third_party_id_string'];
    if (key !== undefined) {
      if (key !== null && typeof key !== 'string') return refuse(400, 'Ticket: third_party_id_string must be text');
      ticket.third_party_id_string = key ?? undefined;
    }
    ticket.last_update = at;
    ticket.updatedBy = 'api';
    if (existing) Object.assign(existing, ticket);
    else {
      state.nextTicketId += 1;
      state.tickets.push(ticket);
    }
    return existing ?? ticket;
  };

  /** One item of `POST /Actions`: a note, and with `new_status` a status change. */
  const addAction = (item: Record<string, unknown>): { refused: Answer } | HaloAction => {
    const refused = unknownField(item, ACTION_FIELDS, 'Action');
    if (refused) return { refused };
    const ticket = state.tickets.find((t) => t.id === item['ticket_id']);
    if (!ticket) return refuse(400, `Action: ticket ${String(item['ticket_id'])} not found`);
    const note = item['note'] ?? '';
    if (typeof note !== 'string') return refuse(400, 'Action: note must be text');
    const outcome = item['outcome'] ?? '';
    if (typeof outcome !== 'string') return refuse(400, 'Action: outcome must be text');
    const target = item['new_status'];
    let status: HaloStatus | undefined;
    if (target !== undefined && target !== null) {
      status = statusesOf(state, ticket.tickettype_id).find((s) => s.id === target);
      if (!status) return refuse(400, `Action: status ${String(target)} is not a status of ticket ${ticket.id}'s type`);
    }
    if (!note.trim() && !status) return refuse(400, 'Action: a note or a new status is required');
    const at = now();
    const action: HaloAction = {
      id: state.nextActionId++,
      ticket_id: ticket.id,
      outcome,
      note,
      ...(status ? { new_status: status.id } : {}),
      hiddenfromuser: item['hiddenfromuser'] === true,
      datetime: stamp(at),
    };
    state.actions.push(action);
    if (status) setStatus(state, ticket, status, 'api', at);
    else {
      ticket.last_update = stamp(at);
      ticket.updatedBy = 'api';
    }
    return action;
  };

  /**
   * A body of `POST /Tickets` or `POST /Actions`: an array of records, each saved in turn; the first
   * one refused ends the request with its 400 (the ones before it stay saved).
   */
  const saveAll = <T extends object>(
    body: unknown,
    save: (item: Record<string, unknown>) => { refused: Answer } | T,
    view: (saved: T) => unknown,
  ): Answer => {
    if (!Array.isArray(body) || body.length === 0 || !body.every((x) => x !== null && typeof x === 'object'))
      return error(400, 'The body must be an array of records');
    const saved: T[] = [];
    for (const item of body as Record<string, unknown>[]) {
      const done = save(item);
      if ('refused' in done) return done.refused;
      saved.push(done);
    }
    // One record made answers that record, as the spec declares; several, the list of them.
    return { status: 201, body: saved.length === 1 ? view(saved[0]!) : saved.map(view) };
  };

  return (req) => {
    const { method, segments: s, query, body } = req;
    const path = s.join('/');
    if (path === 'Client' && method === 'GET') {
      const clients = state.clients
        .filter((c) => !c.inactive)
        .map((c) => ({
          id: c.id,
          name: c.name,
          ref: c.ref,
          inactive: c.inactive,
          toplevel_id: 1,
          toplevel_name: 'Clients',
        }));
      return paged(query, clients, 'clients');
    }
    if (s[0] === 'Client' && s.length === 2 && method === 'GET') {
      const client = state.clients.find((c) => c.id === Number(s[1]));
      if (!client) return error(404, `Client ${s[1]} not found`);
      return { status: 200, body: { id: client.id, name: client.name, ref: client.ref, inactive: client.inactive } };
    }
    if (path === 'TicketType' && method === 'GET')
      return { status: 200, body: state.ticketTypes.map((t) => ({ id: t.id, name: t.name })) };
    if (path === 'Status' && method === 'GET') {
      const type = query.get('tickettype_id');
      let rows =
        type === null ? [...state.statuses].sort((a, b) => a.sequence - b.sequence) : statusesOf(state, Number(type));
      if (query.get('excludeclosed') === 'true') rows = rows.filter((x) => !x.closed);
      return {
        status: 200,
        body: rows.map((x) => ({
          id: x.id,
          name: x.name,
          shortname: x.shortname,
          colour: x.colour,
          sequence: x.sequence,
        })),
      };
    }
    if (path === 'Tickets') {
      if (method === 'POST') return saveAll(body, saveTicket, ticketView);
      if (method === 'GET') {
        const rows = listTickets(state, query).map(ticketView);
        const listed = listKeys
          ? rows
          : rows.map(({ third_party_id: _id, third_party_id_string: _key, ...rest }) => rest);
        return paged(query, listed, 'tickets');
      }
    }
    if (s[0] === 'Tickets' && s.length === 2 && method === 'GET') {
      if (!/^\d+$/.test(s[1]!)) return error(400, `"${s[1]}" is not a ticket ID`);
      const ticket = state.tickets.find((t) => t.id === Number(s[1]));
      if (!ticket) return error(404, `Ticket ${s[1]} not found`);
      return { status: 200, body: ticketView(ticket) };
    }
    if (path === 'Actions') {
      if (method === 'POST') return saveAll(body, addAction, actionView);
      if (method === 'GET') {
        const ticketId = Number(query.get('ticket_id'));
        const actions = state.actions.filter((a) => a.ticket_id === ticketId).map(actionView);
        return { status: 200, body: { ticket_id: ticketId, record_count: actions.length, actions } };
      }
    }
    return error(404, `No route for ${method} /api/${path}`);
  };
}

/** The tickets a `GET /Tickets` filter names: by key, by owner number, by client, open or closed only. */
function listTickets(state: HaloState, query: URLSearchParams): HaloTicket[] {
  const closedIds = new Set(state.statuses.filter((s) => s.closed).map((s) => s.id));
  // Read once, not per ticket: a benchmark's 2 000 lookups each scan every ticket.
  const key = query.get('third_party_id_string')?.toLowerCase() ?? null;
  const owner = query.get('third_party_id');
  const ownerId = owner === null ? null : Number(owner);
  const client = query.get('client_id');
  const clientId = client === null ? null : Number(client);
  const openOnly = query.get('open_only') === 'true';
  const closedOnly = query.get('closed_only') === 'true';
  return state.tickets.filter((t) => {
    // Halo's database compares text without case.
    const own = t.third_party_id_string;
    if (key !== null && (own === undefined || own.length !== key.length || own.toLowerCase() !== key)) return false;
    if (ownerId !== null && t.third_party_id !== ownerId) return false;
    if (clientId !== null && t.client_id !== clientId) return false;
    const closed = closedIds.has(t.status_id);
    return !(openOnly && closed) && !(closedOnly && !closed);
  });
}

/**
 * A list answer: ordered by `order` (ID unless said; `orderdesc=true` reverses), then with
 * `pageinate=true` one page of `page_size` (at most 100) at `page_no` (1-based), with
 * `record_count` the whole count; without it, every record.
 */
function paged(query: URLSearchParams, records: Record<string, unknown>[], field: string): Answer {
  const order = query.get('order') ?? 'id';
  const sign = query.get('orderdesc') === 'true' ? -1 : 1;
  const rows = [...records].sort((a, b) => {
    const x = a[order] as string | number;
    const y = b[order] as string | number;
    return x === y ? 0 : (x > y ? 1 : -1) * sign;
  });
  if (query.get('pageinate') !== 'true') return { status: 200, body: { record_count: rows.length, [field]: rows } };
  const size = Number(query.get('page_size') ?? 50);
  const page = Number(query.get('page_no') ?? 1);
  if (!Number.isInteger(size) || size < 1) return error(400, 'page_size must be a positive whole number');
  if (!Number.isInteger(page) || page < 1) return error(400, 'page_no must be a positive whole number');
  const take = Math.min(size, MAX_PAGE_SIZE);
  return {
    status: 200,
    body: {
      page_no: page,
      page_size: take,
      record_count: rows.length,
      [field]: rows.slice((page - 1) * take, page * take),
    },
  };
}
