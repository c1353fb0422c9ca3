/**
 * A stateful emulator of the ConnectWise PSA (Manage) REST API, the operations a ticket sync uses
 * (ConnectWise's OpenAPI document; a copy is test/fixtures/psa/connectwise.openapi.json): tickets (create, get, list with conditions and paging,
 * PUT, JSON-Patch), notes, companies, boards and their statuses, priorities, /system/info. Same
 * auth as the real API (Basic `company+public:private` plus a clientId header), answers typed
 * `application/vnd.connectwise.com+json; version=2025.8` as the spec declares. Knobs for latency,
 * 503s and 429s, and an admin door (`/__emulator/…`, no auth) through which a test plays the
 * technician who closes or reopens a ticket. State is in memory only: it lives as long as the
 * process, which is what a sync test or a benchmark needs.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body.js';
import { compileConditions, ConditionError } from './conditions.js';
import { countOperation, emulatorControls, technicianRoute, writeRaw, type Technician } from './door.js';
import { hostileAnswer, matchHostile, type HostileRule, type RawAnswer } from './hostile.js';

const CW_API_PATH = '/v4_6_release/apis/3.0';
const CONTENT_TYPE = 'application/vnd.connectwise.com+json; version=2025.8';
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 1000;
/** The ticket fields a `conditions` query may name (those the emulator keeps). */
const TICKET_FIELDS = [
  'id',
  'summary',
  'recordType',
  'board',
  'status',
  'company',
  'priority',
  'externalXRef',
  'integratorTags',
  'closedFlag',
  'closedDate',
  'closedBy',
  '_info',
];

interface ConnectWiseCredentials {
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
}

export interface ConnectWiseFaults {
  /** Added to every API answer (the admin door is never slowed). */
  latencyMs?: number | undefined;
  /** Share of API requests (0 to 1) answered 503 before anything is done. */
  errorRate?: number | undefined;
  /** Share of API requests (0 to 1) answered 429 with Retry-After before anything is done. */
  throttleRate?: number | undefined;
  random?: () => number;
}

export interface ConnectWiseOptions {
  port?: number;
  host?: string;
  /** The SafeWeb customers to make companies for (the sandbox's seed customers). */
  customers?: readonly { companyName: string; customerReference: string }[];
  credentials?: Partial<ConnectWiseCredentials>;
  faults?: ConnectWiseFaults;
  log?: ((line: string) => void) | undefined;
  now?: () => Date;
}

interface Company {
  id: number;
  identifier: string;
  name: string;
}
interface Status {
  id: number;
  name: string;
  sortOrder: number;
  closedStatus: boolean;
  defaultFlag: boolean;
  inactive: boolean;
}
interface Board {
  id: number;
  name: string;
  statuses: Status[];
}
interface Priority {
  id: number;
  name: string;
  color: string;
  level: string;
  sortOrder: number;
  defaultFlag: boolean;
}
interface CwTicket {
  id: number;
  summary: string;
  boardId: number;
  statusId: number;
  companyId: number;
  priorityId: number;
  externalXRef?: string | undefined;
  integratorTags: string[];
  closedFlag: boolean;
  closedDate?: string | undefined;
  closedBy?: string | undefined;
  dateEntered: string;
  lastUpdated: string;
  updatedBy: string;
}
interface CwNote {
  id: number;
  ticketId: number;
  text: string;
  detailDescriptionFlag: boolean;
  internalAnalysisFlag: boolean;
  resolutionFlag: boolean;
  dateCreated: string;
  createdBy: string;
}

interface ConnectWiseState {
  companies: Company[];
  boards: Board[];
  priorities: Priority[];
  tickets: CwTicket[];
  notes: CwNote[];
  nextTicketId: number;
  nextNoteId: number;
  /** Every API request received (refused ones too), for a benchmark's or a test's count. */
  requests: RequestCount;
}

interface RequestCount {
  total: number;
  /** "POST /service/tickets", "GET /service/tickets/{id}/notes": IDs folded into `{id}`. */
  byOperation: Record<string, number>;
  /** Milliseconds from each request's arrival to its answer's end, summed: the latency actually served. */
  answeredMs: number;
}

export interface ConnectWiseEmulator {
  /** The site URL, as `psa add connectwise --site` takes it. */
  url: string;
  /** The REST base under it: `${url}/v4_6_release/apis/3.0`. */
  apiBase: string;
  port: number;
  credentials: ConnectWiseCredentials;
  state: ConnectWiseState;
  /** A technician closes (or reopens) ticket `id` in the PSA; false when there is no such ticket. */
  technicianClose(id: number): boolean;
  technicianReopen(id: number): boolean;
  /** Answers the requests these rules match with hostile answers (hostile.ts) until called again; [] stops. */
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
  headers: http.IncomingHttpHeaders;
  body: unknown;
  url: URL;
}

const error = (status: number, code: string, message: string, errors?: unknown[]): Answer => ({
  status,
  body: { code, message, ...(errors ? { errors } : {}) },
});

const invalid = (resource: string, field: string, message: string): Answer =>
  error(400, 'InvalidObject', `${resource} object is invalid`, [{ code: 'InvalidField', message, resource, field }]);

/**
 * The seed: one company per customer — every other one under the customer reference as its
 * identifier (matched by identifier), the rest under an identifier of its own (matched by name
 * only) — plus one that matches no customer; two boards whose statuses include closed ones;
 * ConnectWise's four standard priorities.
 */
function seedConnectWise(customers: ConnectWiseOptions['customers'] = []): ConnectWiseState {
  const companies: Company[] = customers.map((c, i) => ({
    id: 250 + i,
    identifier: i % 2 === 0 ? c.customerReference : c.companyName.replace(/[^A-Za-z0-9]/g, '').slice(0, 25),
    name: c.companyName,
  }));
  companies.push({ id: 250 + companies.length, identifier: 'ContosoMSP', name: 'Contoso Managed Services' });
  const status = (id: number, name: string, sortOrder: number, extra: Partial<Status> = {}): Status => ({
    id,
    name,
    sortOrder,
    closedStatus: false,
    defaultFlag: false,
    inactive: false,
    ...extra,
  });
  return {
    companies,
    boards: [
      {
        id: 1,
        name: 'Service Desk',
        statuses: [
          status(1, 'New', 0, { defaultFlag: true }),
          status(2, 'In Progress', 1),
          status(3, 'Waiting on Customer', 2),
          status(4, 'Resolved', 3, { closedStatus: true }),
          status(5, 'Closed', 4, { closedStatus: true }),
        ],
      },
      {
        id: 2,
        name: 'Security',
        statuses: [
          status(11, 'New', 0, { defaultFlag: true }),
          status(12, 'Assigned', 1),
          status(13, 'Completed', 2, { closedStatus: true }),
          status(14, 'Cancelled', 3, { closedStatus: true, inactive: true }),
        ],
      },
    ],
    priorities: [
      {
        id: 1,
        name: 'Priority 1 - Emergency Response',
        color: 'Red',
        level: 'Critical',
        sortOrder: 1,
        defaultFlag: false,
      },
      { id: 2, name: 'Priority 2 - Quick Response', color: 'Orange', level: 'High', sortOrder: 2, defaultFlag: false },
      {
        id: 3,
        name: 'Priority 3 - Normal Response',
        color: 'Yellow',
        level: 'Medium',
        sortOrder: 3,
        defaultFlag: true,
      },
      {
        id: 4,
        name: 'Priority 4 - Schedule Maintenance',
        color: 'Green',
        level: 'Low',
        sortOrder: 4,
        defaultFlag: false,
      },
    ],
    tickets: [],
    notes: [],
    nextTicketId: 1001,
    nextNoteId: 5001,
    requests: { total: 0, byOperation: {}, answeredMs: 0 },
  };
}

export async function startConnectWise(options: ConnectWiseOptions = {}): Promise<ConnectWiseEmulator> {
  const now = options.now ?? (() => new Date());
  const state = seedConnectWise(options.customers);
  const credentials: ConnectWiseCredentials = {
    companyId: options.credentials?.companyId ?? 'safeweb_sandbox',
    publicKey: options.credentials?.publicKey ?? randomBytes(8).toString('hex'),
    privateKey: options.credentials?.privateKey ?? randomBytes(8).toString('hex'),
    clientId: options.credentials?.clientId ?? '00000000-0000-4000-8000-5afe0eb00001',
  };
  const expectedAuth = `Basic ${Buffer.from(
    `${credentials.companyId}+${credentials.publicKey}:${credentials.privateKey}`,
  ).toString('base64')}`;
  const faults = options.faults ?? {};
  const random = faults.random ?? Math.random;
  const log = options.log;
  const api = routes(state, now);
  let hostile: HostileRule[] = [];

  const technician = (id: number, close: boolean): boolean => {
    const ticket = state.tickets.find((t) => t.id === id);
    if (!ticket) return false;
    const board = state.boards.find((b) => b.id === ticket.boardId)!;
    const target = close
      ? board.statuses.find((s) => s.closedStatus && !s.inactive)!
      : board.statuses.find((s) => s.defaultFlag)!;
    setStatus(ticket, target, 'technician', now());
    return true;
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const send = (answer: Answer) => {
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...answer.headers,
        ...(text ? { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) } : {}),
      });
      res.end(text);
      if (isApi) state.requests.answeredMs += performance.now() - started;
      log?.(`connectwise: ${req.method} ${req.url} → ${answer.status} (${Math.round(performance.now() - started)} ms)`);
    };
    // Absolute, so the Link headers name the address the client used.
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `127.0.0.1:${req.socket.localPort}`}`);
    const isApi = url.pathname.startsWith(`${CW_API_PATH}/`);
    if (isApi) countOperation(state.requests, req.method ?? 'GET', url.pathname.slice(CW_API_PATH.length));
    const delay = isApi ? (faults.latencyMs ?? 0) : 0;
    const later = (answer: Answer) => (delay ? setTimeout(() => send(answer), delay) : send(answer));
    const sendRaw = (answer: RawAnswer) => {
      writeRaw(res, answer);
      state.requests.answeredMs += performance.now() - started;
      log?.(`connectwise: ${req.method} ${req.url} → ${answer.status} (hostile)`);
    };
    readBody(req)
      .then((raw) => {
        if (raw === undefined) return later(error(413, 'RequestTooLarge', 'Request body too large'));
        if (isApi && faults.throttleRate && random() < faults.throttleRate)
          return later({ ...error(429, 'TooManyRequests', 'Too many requests'), headers: { 'retry-after': '1' } });
        if (isApi && faults.errorRate && random() < faults.errorRate)
          return later(error(503, 'ServiceUnavailable', 'Service temporarily unavailable'));
        let body: unknown;
        if (raw.length) {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            return later(error(400, 'InvalidObject', 'The request body is not valid JSON'));
          }
        }
        const method = (req.method ?? 'GET').toUpperCase();
        if (url.pathname.startsWith('/__emulator/')) return send(admin(method, url.pathname, technician, state));
        if (!isApi) return send(error(404, 'NotFound', `No route for ${url.pathname}`));
        if (req.headers.authorization !== expectedAuth)
          return later(
            error(401, 'Unauthorized', 'The credentials are not valid (Basic company+publicKey:privateKey)'),
          );
        if (req.headers['clientid'] !== credentials.clientId)
          return later(error(401, 'Unauthorized', 'The clientId header is missing or not a registered client ID'));
        const segments = url.pathname
          .slice(CW_API_PATH.length + 1)
          .split('/')
          .filter(Boolean);
        const request = { method, segments, query: url.searchParams, headers: req.headers, body, url };
        const rule = matchHostile(hostile, method, `/${segments.join('/')}`);
        if (!rule) return later(api(request));
        if (rule.afterDoing) api(request);
        const answer = hostileAnswer(rule.kind, `/${segments.join('/')}`, CONTENT_TYPE);
        return delay ? setTimeout(() => sendRaw(answer), delay) : sendRaw(answer);
      })
      .catch((e: unknown) => {
        log?.(`connectwise: internal error: ${(e as Error).message}`);
        send(error(500, 'InternalError', 'Internal server error'));
      });
  });
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
    apiBase: `${url}${CW_API_PATH}`,
    port: address.port,
    credentials,
    state,
    ...emulatorControls(server, technician, (rules) => {
      hostile = rules;
    }),
  };
}

/**
 * The admin door: `POST /__emulator/tickets/{id}/close` and `…/reopen` (what a technician does in
 * the PSA), `GET /__emulator/state` (every ticket and note, for a test's final count).
 */
function admin(method: string, pathname: string, technician: Technician, state: ConnectWiseState): Answer {
  const moved = technicianRoute(method, pathname, technician, {
    done: { status: 204 },
    notFound: (id): Answer => error(404, 'NotFound', `Ticket ${id} not found`),
  });
  if (moved) return moved;
  if (pathname === '/__emulator/state' && method === 'GET')
    return { status: 200, body: { tickets: state.tickets, notes: state.notes, requests: state.requests } };
  return error(404, 'NotFound', `No emulator route ${method} ${pathname}`);
}

function setStatus(ticket: CwTicket, status: Status, by: string, at: Date): void {
  ticket.statusId = status.id;
  if (status.closedStatus && !ticket.closedFlag) {
    ticket.closedFlag = true;
    ticket.closedDate = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    ticket.closedBy = by;
  } else if (!status.closedStatus) {
    ticket.closedFlag = false;
    ticket.closedDate = undefined;
    ticket.closedBy = undefined;
  }
  touch(ticket, by, at);
}

function touch(ticket: CwTicket, by: string, at: Date): void {
  ticket.lastUpdated = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  ticket.updatedBy = by;
}

/** The API routes; `segments` is the path after the REST base. */
function routes(state: ConnectWiseState, now: () => Date): (req: Request) => Answer {
  const companyRef = (c: Company) => ({ id: c.id, identifier: c.identifier, name: c.name, _info: {} });
  const boardOf = (id: number) => state.boards.find((b) => b.id === id)!;
  const ticketView = (t: CwTicket) => {
    const board = boardOf(t.boardId);
    const status = board.statuses.find((s) => s.id === t.statusId)!;
    const company = state.companies.find((c) => c.id === t.companyId)!;
    const priority = state.priorities.find((p) => p.id === t.priorityId)!;
    return {
      id: t.id,
      summary: t.summary,
      recordType: 'ServiceTicket',
      board: { id: board.id, name: board.name, _info: {} },
      status: { id: status.id, name: status.name, sort: status.sortOrder, _info: {} },
      company: companyRef(company),
      priority: { id: priority.id, name: priority.name, sort: priority.sortOrder, level: priority.level, _info: {} },
      ...(t.externalXRef !== undefined ? { externalXRef: t.externalXRef } : {}),
      integratorTags: [...t.integratorTags],
      closedFlag: t.closedFlag,
      ...(t.closedDate ? { closedDate: t.closedDate, closedBy: t.closedBy ?? '' } : {}),
      _info: { lastUpdated: t.lastUpdated, updatedBy: t.updatedBy, dateEntered: t.dateEntered, enteredBy: 'api' },
    };
  };
  const noteView = (n: CwNote) => ({ ...n, _info: { lastUpdated: n.dateCreated, updatedBy: n.createdBy } });
  const statusView = (board: Board, s: Status) => ({
    id: s.id,
    name: s.name,
    board: { id: board.id, name: board.name, _info: {} },
    sortOrder: s.sortOrder,
    displayOnBoard: true,
    inactive: s.inactive,
    closedStatus: s.closedStatus,
    defaultFlag: s.defaultFlag,
    _info: {},
  });
  const stamp = () =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');

  /** Resolves a `{id}` or `{name}` reference (or a bare id) against a list. */
  const resolveRef = <T extends { id: number; name: string }>(list: T[], ref: unknown): T | undefined => {
    if (typeof ref === 'number') return list.find((x) => x.id === ref);
    if (ref === null || typeof ref !== 'object') return undefined;
    const { id, name } = ref as { id?: unknown; name?: unknown };
    if (typeof id === 'number') return list.find((x) => x.id === id);
    if (typeof name === 'string') return list.find((x) => x.name.toLowerCase() === name.toLowerCase());
    return undefined;
  };
  const resolveCompany = (ref: unknown): Company | undefined => {
    if (ref !== null && typeof ref === 'object') {
      const { identifier } = ref as { identifier?: unknown };
      if (typeof identifier === 'string' && (ref as { id?: unknown }).id === undefined)
        return state.companies.find((c) => c.identifier.toLowerCase() === identifier.toLowerCase());
    }
    return resolveRef(state.companies, ref);
  };

  /** Applies ticket fields from a create, PUT or patch; an answer when one is refused. */
  const applyFields = (ticket: CwTicket, fields: Record<string, unknown>, by: string): Answer | undefined => {
    for (const [key, value] of Object.entries(fields)) {
      switch (key) {
        case 'summary':
          if (typeof value !== 'string' || !value.trim())
            return invalid('ticket', 'summary', 'The summary field is required.');
          if (value.length > 100) return invalid('ticket', 'summary', 'summary cannot be longer than 100 characters.');
          ticket.summary = value;
          break;
        case 'externalXRef':
          if (value !== null && typeof value !== 'string')
            return invalid('ticket', 'externalXRef', 'externalXRef must be text.');
          if (typeof value === 'string' && value.length > 100)
            return invalid('ticket', 'externalXRef', 'externalXRef cannot be longer than 100 characters.');
          ticket.externalXRef = value ?? undefined;
          break;
        case 'integratorTags':
          if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
            return invalid('ticket', 'integratorTags', 'integratorTags must be a list of text.');
          ticket.integratorTags = [...(value as string[])];
          break;
        case 'company': {
          const company = resolveCompany(value);
          if (!company) return invalid('ticket', 'company', 'Company not found.');
          ticket.companyId = company.id;
          break;
        }
        case 'priority': {
          const priority = resolveRef(state.priorities, value);
          if (!priority) return invalid('ticket', 'priority', 'Priority not found.');
          ticket.priorityId = priority.id;
          break;
        }
        case 'board': {
          const board = resolveRef(state.boards, value);
          if (!board) return invalid('ticket', 'board', 'Board not found.');
          if (board.id !== ticket.boardId) {
            ticket.boardId = board.id;
            // A ticket moved to another board takes that board's default status unless told one.
            if (fields['status'] === undefined)
              setStatus(
                ticket,
                board.statuses.find((s) => s.defaultFlag)!,
                by,
                now(),
              );
          }
          break;
        }
        case 'status':
          break; // after the board, which it belongs to
        case 'closedFlag': {
          if (typeof value !== 'boolean') return invalid('ticket', 'closedFlag', 'closedFlag must be true or false.');
          const board = boardOf(ticket.boardId);
          if (value !== ticket.closedFlag)
            setStatus(
              ticket,
              value
                ? board.statuses.find((s) => s.closedStatus && !s.inactive)!
                : board.statuses.find((s) => s.defaultFlag)!,
              by,
              now(),
            );
          break;
        }
        case 'initialDescription':
        case 'initialInternalAnalysis':
        case 'initialResolution':
        case 'id':
        case '_info':
          break; // handled by the create, or read-only
        default:
          // The rest of the Ticket schema is accepted and not kept: the sync does not use it.
          break;
      }
    }
    if (fields['status'] !== undefined) {
      const board = boardOf(ticket.boardId);
      const status = resolveRef(board.statuses, fields['status']);
      if (!status) return invalid('ticket', 'status', `Status not found on board ${board.name}.`);
      setStatus(ticket, status, by, now());
    }
    touch(ticket, by, now());
    return undefined;
  };

  const createTicket = (body: unknown): Answer => {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'InvalidObject', 'The ticket must be a JSON object');
    const fields = body as Record<string, unknown>;
    if (typeof fields['summary'] !== 'string' || !fields['summary'].trim())
      return invalid('ticket', 'summary', 'The summary field is required.');
    if (fields['company'] === undefined) return invalid('ticket', 'company', 'The company field is required.');
    const board = fields['board'] === undefined ? state.boards[0]! : resolveRef(state.boards, fields['board']);
    if (!board) return invalid('ticket', 'board', 'Board not found.');
    const at = stamp();
    const ticket: CwTicket = {
      id: state.nextTicketId,
      summary: '',
      boardId: board.id,
      statusId: board.statuses.find((s) => s.defaultFlag)!.id,
      companyId: 0,
      priorityId: state.priorities.find((p) => p.defaultFlag)!.id,
      integratorTags: [],
      closedFlag: false,
      dateEntered: at,
      lastUpdated: at,
      updatedBy: 'api',
    };
    const { board: _board, ...rest } = fields; // already placed on its board
    const refused = applyFields(ticket, rest, 'api');
    if (refused) return refused;
    state.nextTicketId += 1;
    state.tickets.push(ticket);
    const description = fields['initialDescription'];
    if (typeof description === 'string' && description)
      addNote(ticket.id, { text: description, detailDescriptionFlag: true });
    return { status: 201, body: ticketView(ticket) };
  };

  const addNote = (ticketId: number, fields: Record<string, unknown>): CwNote => {
    const note: CwNote = {
      id: state.nextNoteId++,
      ticketId,
      text: fields['text'] as string,
      detailDescriptionFlag: fields['detailDescriptionFlag'] === true,
      internalAnalysisFlag: fields['internalAnalysisFlag'] === true,
      resolutionFlag: fields['resolutionFlag'] === true,
      dateCreated: stamp(),
      createdBy: 'api',
    };
    state.notes.push(note);
    return note;
  };

  const patchTicket = (ticket: CwTicket, body: unknown): Answer => {
    if (!Array.isArray(body)) return error(400, 'InvalidObject', 'A PATCH body is a list of operations');
    const fields: Record<string, unknown> = {};
    for (const operation of body as unknown[]) {
      const { op, path, value } = (operation ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
      if (typeof op !== 'string' || typeof path !== 'string')
        return error(400, 'InvalidObject', 'Each operation needs op and path');
      // ConnectWise takes "status" and "/status", and the member of a reference: "status/id".
      const parts = path.replace(/^\//, '').split('/');
      const field = parts[0]!;
      if (op === 'remove') fields[field] = null;
      else if (op === 'replace' || op === 'add') fields[field] = parts.length === 2 ? { [parts[1]!]: value } : value;
      else return error(400, 'InvalidObject', `Unsupported operation "${op}"`);
    }
    const before = structuredClone(ticket);
    const refused = applyFields(ticket, fields, 'api');
    if (refused) {
      Object.assign(ticket, before); // all operations or none
      return refused;
    }
    return { status: 200, body: ticketView(ticket) };
  };

  return (req) => {
    const { method, segments: s, body } = req;
    const path = s.join('/');
    try {
      if (path === 'system/info' && method === 'GET')
        return {
          status: 200,
          body: {
            version: 'v2025.8.12345',
            isCloud: true,
            serverTimeZone: 'Eastern Standard Time',
            licenseBits: [],
            cloudRegion: 'NA',
          },
        };
      if (path === 'company/companies' && method === 'GET')
        return list(
          req,
          state.companies.map((c) => ({ ...companyRef(c), status: { id: 1, name: 'Active', _info: {} } })),
        );
      if (s[0] === 'company' && s[1] === 'companies' && s.length === 3 && method === 'GET') {
        const company = state.companies.find((c) => c.id === Number(s[2]));
        if (!company) return error(404, 'NotFound', `Company recId ${s[2]} not found`);
        return { status: 200, body: { ...companyRef(company), status: { id: 1, name: 'Active', _info: {} } } };
      }
      if (path === 'service/boards' && method === 'GET')
        return list(
          req,
          state.boards.map((b) => ({
            id: b.id,
            name: b.name,
            location: { id: 2, name: 'Main' },
            department: { id: 10, name: 'Services' },
            inactiveFlag: false,
            _info: {},
          })),
        );
      if (s[0] === 'service' && s[1] === 'boards' && s[3] === 'statuses' && s.length === 4 && method === 'GET') {
        const board = state.boards.find((b) => b.id === Number(s[2]));
        if (!board) return error(404, 'NotFound', `Board recId ${s[2]} not found`);
        return list(
          req,
          board.statuses.map((st) => statusView(board, st)),
        );
      }
      if (path === 'service/priorities' && method === 'GET')
        return list(
          req,
          state.priorities.map((p) => ({ ...p, _info: {} })),
        );
      if (path === 'service/tickets') {
        if (method === 'GET') return list(req, state.tickets.map(ticketView), TICKET_FIELDS);
        if (method === 'POST') return createTicket(body);
      }
      if (s[0] === 'service' && s[1] === 'tickets' && s.length >= 3) {
        if (!/^\d+$/.test(s[2]!)) return error(400, 'InvalidObject', `"${s[2]}" is not a ticket ID`);
        const ticket = state.tickets.find((t) => t.id === Number(s[2]));
        if (!ticket) return error(404, 'NotFound', `Ticket recId ${s[2]} not found`);
        if (s.length === 3) {
          if (method === 'GET') return { status: 200, body: ticketView(ticket) };
          if (method === 'PATCH') return patchTicket(ticket, body);
          if (method === 'PUT') {
            if (body === null || typeof body !== 'object' || Array.isArray(body))
              return error(400, 'InvalidObject', 'The ticket must be a JSON object');
            const fields = body as Record<string, unknown>;
            if (typeof fields['summary'] !== 'string' || fields['company'] === undefined)
              return invalid('ticket', 'summary', 'The summary and company fields are required.');
            return patchTicket(
              ticket,
              Object.entries(fields).map(([k, v]) => ({ op: 'replace', path: k, value: v })),
            );
          }
        }
        if (s.length === 4 && s[3] === 'notes') {
          if (method === 'GET') return list(req, state.notes.filter((n) => n.ticketId === ticket.id).map(noteView));
          if (method === 'POST') {
            const fields = (body ?? {}) as Record<string, unknown>;
            if (typeof fields['text'] !== 'string' || !fields['text'].trim())
              return invalid('serviceNote', 'text', 'The text field is required.');
            if (!fields['detailDescriptionFlag'] && !fields['internalAnalysisFlag'] && !fields['resolutionFlag'])
              return invalid(
                'serviceNote',
                'detailDescriptionFlag',
                'One of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true.',
              );
            const note = addNote(ticket.id, fields);
            touch(ticket, 'api', now());
            return { status: 201, body: noteView(note) };
          }
        }
      }
      return error(404, 'NotFound', `No route for ${method} /${path}`);
    } catch (e) {
      if (e instanceof ConditionError) return error(400, 'InvalidObject', e.message);
      throw e;
    }
  };
}

/**
 * A list answer: `conditions` filtered, `orderBy` sorted (id ascending by default), paged, then
 * cut to the `fields` asked for.
 * Page paging (`page`, `pageSize`: default 25, at most 1000) answers a `Link` header with
 * next/prev/first/last as ConnectWise does; forward-only paging (`pagination-type: forward-only`
 * header, then `pageId`) answers ids after `pageId` and a `Link` with the next `pageId` only.
 */
function list(req: Request, records: Record<string, unknown>[], fields?: readonly string[]): Answer {
  const conditions = req.query.get('conditions');
  let rows = records;
  if (conditions) {
    const known = fields ?? [...new Set(records.flatMap((r) => Object.keys(r))), 'id'];
    const predicate = compileConditions(conditions, known);
    rows = rows.filter(predicate);
  }
  const orderBy = req.query.get('orderBy');
  if (orderBy) {
    const [field, direction] = orderBy.trim().split(/\s+/);
    const sign = direction?.toLowerCase() === 'desc' ? -1 : 1;
    rows = [...rows].sort((a, b) => {
      const x = a[field!] as string | number;
      const y = b[field!] as string | number;
      return x === y ? 0 : (x > y ? 1 : -1) * sign;
    });
  }
  const sizeText = req.query.get('pageSize');
  const pageSize = sizeText === null ? DEFAULT_PAGE_SIZE : Number(sizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1)
    return error(400, 'InvalidObject', 'pageSize must be a positive whole number');
  const size = Math.min(pageSize, MAX_PAGE_SIZE);
  const link = (params: Record<string, string>, rel: string) => {
    const next = new URL(req.url);
    for (const [k, v] of Object.entries(params)) next.searchParams.set(k, v);
    return `<${next.href}>; rel="${rel}"`;
  };
  const forward = req.headers['pagination-type'] === 'forward-only' || req.query.get('pageId') !== null;
  if (forward) {
    const after = Number(req.query.get('pageId') ?? 0);
    if (!Number.isInteger(after)) return error(400, 'InvalidObject', 'pageId must be a whole number');
    const page = rows.filter((r) => (r['id'] as number) > after).slice(0, size);
    const more = rows.some((r) => (r['id'] as number) > ((page.at(-1)?.['id'] as number | undefined) ?? after));
    const headers: Record<string, string> =
      more && page.length ? { link: link({ pageId: String(page.at(-1)!['id']) }, 'next') } : {};
    return { status: 200, body: project(req, page), headers };
  }
  const pageText = req.query.get('page');
  const page = pageText === null ? 1 : Number(pageText);
  if (!Number.isInteger(page) || page < 1) return error(400, 'InvalidObject', 'page must be a positive whole number');
  const last = Math.max(1, Math.ceil(rows.length / size));
  const links = [
    page < last ? link({ page: String(page + 1), pageSize: String(size) }, 'next') : '',
    page > 1 ? link({ page: String(page - 1), pageSize: String(size) }, 'prev') : '',
    link({ page: '1', pageSize: String(size) }, 'first'),
    link({ page: String(last), pageSize: String(size) }, 'last'),
  ].filter(Boolean);
  return {
    status: 200,
    body: project(req, rows.slice((page - 1) * size, page * size)),
    headers: { link: links.join(', ') },
  };
}

/** `fields=id,summary,board/id`: only those top-level fields of each record (a nested path keeps its field whole). */
function project(req: Request, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const fields = req.query.get('fields');
  if (!fields) return rows;
  const wanted = new Set(fields.split(',').map((f) => f.trim().split('/')[0]!.toLowerCase()));
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => wanted.has(k.toLowerCase()))));
}
