/**
 * A stateful emulator of the Autotask PSA REST API (v1.0), the operations a ticket sync uses (the
 * vendor's Swagger 2.0 document; a copy is test/fixtures/psa/autotask.openapi.json): the zone
 * lookup, tickets (create, get, query with filters and `nextPageUrl` paging, PATCH), their notes,
 * companies, and the Ticket entity's information with its picklists (queues, statuses, priorities,
 * ticket types, sources, issue types) and which fields are required. Same auth as the real API
 * (`ApiIntegrationCode`, `UserName`, `Secret` on every call). Knobs for latency, 503s and 429s,
 * a count of requests (and of the most in flight at once), and an admin door (`/__emulator/…`, no
 * auth) through which a test plays the technician who completes or reopens a ticket. State is in
 * memory only, for as long as the process runs. A test may make it answer hostilely (`misbehave`,
 * hostile.ts): an HTML page, an unexpected body, 10 MB, a redirect, Autotask's own 404.
 *
 * Where the real API answers `null` for an empty field (and `nextPageUrl` on a last page), the
 * emulator leaves the field out: the spec types those fields without null, and the client takes both.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body.js';
import { countOperation, emulatorControls, technicianRoute, writeRaw, type Technician } from './door.js';
import { hostileAnswer, matchHostile, type HostileRule, type RawAnswer } from './hostile.js';

const API_PATH = '/atservicesrest/v1.0';
const ZONE_PATH = `${API_PATH}/zoneinformation`;
const CONTENT_TYPE = 'application/json; charset=utf-8';
const MAX_RECORDS = 500;
/** The system status that completes a ticket, and the one a reopened ticket gets. */
const COMPLETE = 5;
const NEW = 1;
/** The API user's resource, and a technician's (who completes or reopens a ticket in the UI). */
const API_RESOURCE = 29682885;
const TECHNICIAN_RESOURCE = 29682890;

interface AutotaskCredentials {
  username: string;
  integrationCode: string;
  secret: string;
}

export interface AutotaskFaults {
  /** Added to every API answer (the admin door is never slowed). */
  latencyMs?: number | undefined;
  /** Share of API requests (0 to 1) answered 503 before anything is done. */
  errorRate?: number | undefined;
  /** Share of API requests (0 to 1) answered 429 with Retry-After before anything is done. */
  throttleRate?: number | undefined;
  random?: () => number;
}

export interface AutotaskOptions {
  port?: number;
  host?: string;
  /** The SafeWeb customers to make companies for (the sandbox's seed customers). */
  customers?: readonly { companyName: string; customerReference: string }[];
  credentials?: Partial<AutotaskCredentials>;
  faults?: AutotaskFaults;
  /** Ticket fields to mark required without a default (as an MSP's own settings may): `issueType`. */
  requiredFields?: readonly string[];
  log?: ((line: string) => void) | undefined;
  now?: () => Date;
}

interface Company {
  id: number;
  companyName: string;
  companyNumber: string;
  companyType: number;
  isActive: boolean;
}

interface PicklistValue {
  value: number;
  label: string;
  isDefaultValue: boolean;
  sortOrder: number;
  isActive: boolean;
  isSystem: boolean;
}

interface AtTicket {
  id: number;
  ticketNumber: string;
  title: string;
  description?: string | undefined;
  companyID: number;
  queueID?: number | undefined;
  status: number;
  priority: number;
  ticketType?: number | undefined;
  source?: number | undefined;
  issueType?: number | undefined;
  externalID?: string | undefined;
  createDate: string;
  creatorResourceID: number;
  completedDate?: string | undefined;
  completedByResourceID?: number | undefined;
  lastActivityDate: string;
  lastActivityResourceID: number;
}

interface AtNote {
  id: number;
  ticketID: number;
  title: string;
  description: string;
  noteType: number;
  publish: number;
  createDateTime: string;
  creatorResourceID: number;
}

interface RequestCount {
  total: number;
  /** "POST /Tickets/query", "GET /Tickets/{id}/Notes": IDs folded into `{id}`. */
  byOperation: Record<string, number>;
  /** API requests being answered now, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
}

interface AutotaskState {
  companies: Company[];
  picklists: Record<string, PicklistValue[]>;
  tickets: AtTicket[];
  notes: AtNote[];
  nextTicketId: number;
  nextNoteId: number;
  requests: RequestCount;
}

export interface AutotaskEmulator {
  /** The emulator's origin. */
  url: string;
  /** The zone's REST base, as zoneInformation answers it and `psa add autotask --base-url` takes it. */
  zone: string;
  /** The zone-information endpoint, for `psa add autotask --zone-url`. */
  zoneUrl: string;
  port: number;
  credentials: AutotaskCredentials;
  state: AutotaskState;
  /** A technician completes (or reopens) ticket `id` in Autotask; false when there is no such ticket. */
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

const error = (status: number, ...errors: string[]): Answer => ({ status, body: { errors } });

const picklist = (values: Array<[number, string, Partial<PicklistValue>?]>): PicklistValue[] =>
  values.map(([value, label, extra], i) => ({
    value,
    label,
    isDefaultValue: false,
    sortOrder: i + 1,
    isActive: true,
    isSystem: false,
    ...extra,
  }));

/**
 * The seed: one company per customer — every other one with the customer reference as its account
 * number (matched by identifier), the rest with a number of their own (matched by name only) — plus
 * one that matches no customer; Autotask's picklists as a fresh instance has them.
 */
function seedAutotask(customers: AutotaskOptions['customers'] = []): AutotaskState {
  const companies: Company[] = customers.map((c, i) => ({
    id: 175 + i,
    companyName: c.companyName,
    companyNumber: i % 2 === 0 ? c.customerReference : String(100_200 + i),
    companyType: 1,
    isActive: true,
  }));
  companies.push({
    id: 175 + companies.length,
    companyName: 'Contoso Managed Services',
    companyNumber: 'ContosoMSP',
    companyType: 4,
    isActive: true,
  });
  return {
    companies,
    picklists: {
      status: picklist([
        [NEW, 'New', { isDefaultValue: true, isSystem: true }],
        [COMPLETE, 'Complete', { isSystem: true }],
        [7, 'Waiting Customer', { isSystem: true }],
        [8, 'In Progress'],
        [9, 'Waiting Materials'],
        [10, 'Dispatched'],
        [11, 'Escalate'],
        [12, 'Waiting Vendor'],
        [13, 'Waiting Approval'],
        [15, 'Change Order', { isActive: false }],
      ]),
      priority: picklist([
        [4, 'Critical'],
        [1, 'High'],
        [2, 'Medium', { isDefaultValue: true }],
        [3, 'Low'],
      ]),
      queueID: picklist([
        [5, 'Client Portal'],
        [6, 'Post Sale'],
        [8, 'Level I Support'],
        [29683481, 'Monitoring Alert'],
        [29683482, 'Security'],
      ]),
      ticketType: picklist([
        [1, 'Service Request', { isDefaultValue: true, isSystem: true }],
        [2, 'Incident', { isSystem: true }],
        [3, 'Problem', { isSystem: true }],
        [4, 'Change Request', { isSystem: true }],
        [5, 'Alert', { isSystem: true }],
      ]),
      source: picklist([
        [1, 'Phone'],
        [2, 'Email'],
        [4, 'Web Portal'],
        [8, 'Monitoring Alert'],
      ]),
      issueType: picklist([
        [1, 'Security'],
        [2, 'Hardware'],
        [3, 'Software'],
      ]),
      noteType: picklist([
        [1, 'General', { isDefaultValue: true }],
        [2, 'Task Summary'],
        [3, 'Resolution'],
      ]),
      publish: picklist([
        [1, 'All Autotask Users', { isDefaultValue: true }],
        [2, 'Internal Project Team'],
        [3, 'Internal & Co-managed'],
      ]),
    },
    tickets: [],
    notes: [],
    nextTicketId: 7001,
    nextNoteId: 30_777_001,
    requests: { total: 0, byOperation: {}, inFlight: 0, maxInFlight: 0 },
  };
}

/** The Ticket fields entityInformation describes (and a create or PATCH may set: not the read-only ones). */
interface FieldSpec {
  name: string;
  dataType: 'integer' | 'string' | 'datetime' | 'long';
  length?: number;
  required?: boolean;
  readOnly?: boolean;
  reference?: string;
  picklist?: string;
}

const TICKET_FIELDS: FieldSpec[] = [
  { name: 'id', dataType: 'long', required: true, readOnly: true },
  { name: 'ticketNumber', dataType: 'string', length: 50, readOnly: true },
  { name: 'title', dataType: 'string', length: 255, required: true },
  { name: 'description', dataType: 'string', length: 8000 },
  { name: 'companyID', dataType: 'integer', required: true, reference: 'Company' },
  { name: 'queueID', dataType: 'integer', required: true, picklist: 'queueID' },
  { name: 'status', dataType: 'integer', required: true, picklist: 'status' },
  { name: 'priority', dataType: 'integer', required: true, picklist: 'priority' },
  { name: 'ticketType', dataType: 'integer', required: true, picklist: 'ticketType' },
  { name: 'source', dataType: 'integer', picklist: 'source' },
  { name: 'issueType', dataType: 'integer', picklist: 'issueType' },
  { name: 'externalID', dataType: 'string', length: 50 },
  { name: 'createDate', dataType: 'datetime', readOnly: true },
  { name: 'creatorResourceID', dataType: 'integer', readOnly: true, reference: 'Resource' },
  { name: 'completedDate', dataType: 'datetime', readOnly: true },
  { name: 'completedByResourceID', dataType: 'integer', readOnly: true, reference: 'Resource' },
  { name: 'lastActivityDate', dataType: 'datetime', readOnly: true },
  { name: 'lastActivityResourceID', dataType: 'integer', readOnly: true, reference: 'Resource' },
];

export async function startAutotask(options: AutotaskOptions = {}): Promise<AutotaskEmulator> {
  const now = options.now ?? (() => new Date());
  const state = seedAutotask(options.customers);
  const credentials: AutotaskCredentials = {
    username: options.credentials?.username ?? 'safeweb-api@sandbox.example',
    integrationCode: options.credentials?.integrationCode ?? `SWSANDBOX${randomBytes(6).toString('hex').toUpperCase()}`,
    secret: options.credentials?.secret ?? randomBytes(12).toString('base64url'),
  };
  const fields = TICKET_FIELDS.map((f) => (options.requiredFields?.includes(f.name) ? { ...f, required: true } : f));
  const faults = options.faults ?? {};
  const random = faults.random ?? Math.random;
  const log = options.log;
  let origin = '';
  const api = routes(state, fields, now, () => origin);
  let hostile: HostileRule[] = [];

  const technician = (id: number, close: boolean): boolean => {
    const ticket = state.tickets.find((t) => t.id === id);
    if (!ticket) return false;
    setStatus(ticket, close ? COMPLETE : NEW, TECHNICIAN_RESOURCE, now());
    return true;
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `127.0.0.1:${req.socket.localPort}`}`);
    const lower = url.pathname.toLowerCase();
    const isApi = lower.startsWith(`${API_PATH}/`);
    const counts = state.requests;
    if (isApi) {
      countOperation(counts, req.method ?? 'GET', url.pathname.slice(API_PATH.length));
      counts.inFlight += 1;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    }
    let answered = false;
    const send = (answer: Answer) => {
      if (answered) return;
      answered = true;
      if (isApi) counts.inFlight -= 1;
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...answer.headers,
        ...(text ? { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) } : {}),
      });
      res.end(text);
      log?.(`autotask: ${req.method} ${req.url} → ${answer.status} (${Math.round(performance.now() - started)} ms)`);
    };
    const delay = isApi ? (faults.latencyMs ?? 0) : 0;
    const later = (answer: Answer) => (delay ? setTimeout(() => send(answer), delay) : send(answer));
    const sendRaw = (answer: RawAnswer) => {
      if (answered) return;
      answered = true;
      counts.inFlight -= 1;
      writeRaw(res, answer);
      log?.(`autotask: ${req.method} ${req.url} → ${answer.status} (hostile)`);
    };
    readBody(req)
      .then((raw) => {
        if (raw === undefined) return later(error(413, 'Request body too large'));
        if (isApi && faults.throttleRate && random() < faults.throttleRate)
          return later({ ...error(429, 'Too many requests'), headers: { 'retry-after': '1' } });
        if (isApi && faults.errorRate && random() < faults.errorRate)
          return later(error(503, 'Service temporarily unavailable'));
        let body: unknown;
        if (raw.length) {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            return later(error(400, 'The request body is not valid JSON'));
          }
        }
        const method = (req.method ?? 'GET').toUpperCase();
        if (url.pathname.startsWith('/__emulator/')) return send(admin(method, url.pathname, technician, state));
        if (!isApi) return send(error(404, `No route for ${url.pathname}`));
        // The zone lookup needs no credentials: it is how a client finds where to send them.
        if (lower === ZONE_PATH && method === 'GET') {
          const user = url.searchParams.get('user') ?? '';
          if (user.toLowerCase() !== credentials.username.toLowerCase())
            return later(error(404, `No zone found for user ${user}`));
          return later({
            status: 200,
            body: { zoneName: 'SafeWeb sandbox', url: `${origin}/ATServicesRest/`, webUrl: `${origin}/`, ci: 1 },
          });
        }
        const h = req.headers;
        if (
          h['apiintegrationcode'] !== credentials.integrationCode ||
          String(h['username'] ?? '').toLowerCase() !== credentials.username.toLowerCase() ||
          h['secret'] !== credentials.secret
        )
          return later(error(401, 'The UserName, Secret or ApiIntegrationCode headers are missing or not valid'));
        const segments = url.pathname
          .slice(API_PATH.length + 1)
          .split('/')
          .filter(Boolean);
        const path = `/${segments.join('/')}`;
        const rule = matchHostile(hostile, method, path);
        if (!rule) return later(api(method, segments, url.searchParams, body));
        if (rule.afterDoing) api(method, segments, url.searchParams, body);
        const answer = hostileAnswer(rule.kind, path, CONTENT_TYPE, 'autotask');
        return delay ? setTimeout(() => sendRaw(answer), delay) : sendRaw(answer);
      })
      .catch((e: unknown) => {
        log?.(`autotask: internal error: ${(e as Error).message}`);
        send(error(500, 'Internal server error'));
      });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.address}:${address.port}`;
  return {
    url: origin,
    zone: `${origin}/ATServicesRest`,
    zoneUrl: `${origin}/atservicesrest/v1.0/zoneInformation`,
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
 * Autotask), `GET /__emulator/state` (every ticket and note and the request count).
 */
function admin(method: string, pathname: string, technician: Technician, state: AutotaskState): Answer {
  const moved = technicianRoute(method, pathname, technician, {
    done: { status: 204 },
    notFound: (id): Answer => error(404, `Ticket ${id} not found`),
  });
  if (moved) return moved;
  if (pathname === '/__emulator/state' && method === 'GET')
    return { status: 200, body: { tickets: state.tickets, notes: state.notes, requests: state.requests } };
  return error(404, `No emulator route ${method} ${pathname}`);
}

const stamp = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

function setStatus(ticket: AtTicket, status: number, by: number, at: Date): void {
  if (status === COMPLETE && ticket.status !== COMPLETE) {
    ticket.completedDate = stamp(at);
    ticket.completedByResourceID = by;
  } else if (status !== COMPLETE) {
    ticket.completedDate = undefined;
    ticket.completedByResourceID = undefined;
  }
  ticket.status = status;
  ticket.lastActivityDate = stamp(at);
  ticket.lastActivityResourceID = by;
}

/** A record with its empty fields left out (the spec types none of them as null). */
function present(record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null));
}

type Filter = { op?: unknown; field?: unknown; value?: unknown; udf?: unknown; items?: unknown };

class FilterError extends Error {}

/** A query's filters (ANDed at the top) as a predicate over records whose fields are `known`. */
function compileFilter(filters: unknown, known: readonly string[]): (r: Record<string, unknown>) => boolean {
  if (!Array.isArray(filters) || filters.length === 0) throw new FilterError('A query needs at least one filter');
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const text = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
  const one = (f: Filter): ((r: Record<string, unknown>) => boolean) => {
    if (f === null || typeof f !== 'object') throw new FilterError('A filter must be an object');
    const op = typeof f.op === 'string' ? f.op.toLowerCase() : '';
    if (op === 'and' || op === 'or') {
      if (!Array.isArray(f.items) || f.items.length === 0) throw new FilterError(`"${op}" needs items`);
      const parts = (f.items as Filter[]).map(one);
      return op === 'and' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
    }
    if (f.udf === true) throw new FilterError('User-defined fields are not kept by this emulator');
    const field = typeof f.field === 'string' ? byLower.get(f.field.toLowerCase()) : undefined;
    if (!field) throw new FilterError(`Unknown field "${String(f.field)}"`);
    const want = f.value;
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (op !== 'exist' && op !== 'notexist') {
      const list = op === 'in' || op === 'notin';
      if (list ? !Array.isArray(want) || !want.every(scalar) : !scalar(want))
        throw new FilterError(
          `The value of "${op}" on ${field} must be ${list ? 'a list' : 'a number, text or boolean'}`,
        );
    }
    const cmp = (a: unknown, b: unknown) => {
      const x = text(a) as string | number;
      const y = text(b) as string | number;
      return x === y ? 0 : x > y ? 1 : -1;
    };
    switch (op) {
      case 'eq':
        return (r) => r[field] !== undefined && cmp(r[field], want) === 0;
      case 'noteq':
        return (r) => r[field] === undefined || cmp(r[field], want) !== 0;
      case 'gt':
        return (r) => r[field] !== undefined && cmp(r[field], want) > 0;
      case 'gte':
        return (r) => r[field] !== undefined && cmp(r[field], want) >= 0;
      case 'lt':
        return (r) => r[field] !== undefined && cmp(r[field], want) < 0;
      case 'lte':
        return (r) => r[field] !== undefined && cmp(r[field], want) <= 0;
      case 'beginswith':
        return (r) => typeof r[field] === 'string' && (text(r[field]) as string).startsWith(text(want) as string);
      case 'endswith':
        return (r) => typeof r[field] === 'string' && (text(r[field]) as string).endsWith(text(want) as string);
      case 'contains':
        return (r) => typeof r[field] === 'string' && (text(r[field]) as string).includes(text(want) as string);
      case 'exist':
        return (r) => r[field] !== undefined;
      case 'notexist':
        return (r) => r[field] === undefined;
      case 'in':
        return (r) => (want as unknown[]).some((w) => r[field] !== undefined && cmp(r[field], w) === 0);
      case 'notin':
        return (r) => !(want as unknown[]).some((w) => r[field] !== undefined && cmp(r[field], w) === 0);
      default:
        throw new FilterError(`Unknown operator "${String(f.op)}"`);
    }
  };
  const parts = (filters as Filter[]).map(one);
  return (r) => parts.every((p) => p(r));
}

/** The API routes; `segments` is the path after `/ATServicesRest/V1.0`, in any case. */
function routes(
  state: AutotaskState,
  fields: readonly FieldSpec[],
  now: () => Date,
  origin: () => string,
): (method: string, segments: string[], query: URLSearchParams, body: unknown) => Answer {
  const writable = new Map(fields.filter((f) => !f.readOnly).map((f) => [f.name.toLowerCase(), f]));
  const ticketView = (t: AtTicket) => present({ ...t });
  const noteView = (n: AtNote) => present({ ...n, lastActivityDate: n.createDateTime });
  const companyView = (c: Company) => present({ ...c });
  const valueOf = (list: string, value: unknown) => state.picklists[list]!.find((p) => p.value === value && p.isActive);

  const fieldInfo = () => ({
    fields: fields.map((f) => ({
      name: f.name,
      dataType: f.dataType,
      length: f.length ?? 0,
      isRequired: f.required === true,
      isReadOnly: f.readOnly === true,
      isQueryable: true,
      isReference: f.reference !== undefined,
      referenceEntityType: f.reference ?? '',
      isPickList: f.picklist !== undefined,
      ...(f.picklist
        ? {
            picklistValues: state.picklists[f.picklist]!.map((p) => ({
              ...p,
              value: String(p.value),
              parentValue: '',
            })),
            picklistParentValueField: '',
          }
        : {}),
    })),
  });

  /** `fields` of a ticket checked and set; the refusal when one is not valid (nothing changed then). */
  const apply = (ticket: AtTicket, given: Record<string, unknown>, creating: boolean): Answer | undefined => {
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(given)) {
      if (key.toLowerCase() === 'id') continue;
      const spec = writable.get(key.toLowerCase());
      if (!spec)
        return fields.some((f) => f.name.toLowerCase() === key.toLowerCase())
          ? error(400, `The field ${key} is read-only`)
          : error(400, `Unknown field ${key} on Ticket`);
      if (value === null) {
        if (spec.required) return error(400, `The field ${spec.name} is required`);
        changes[spec.name] = undefined;
        continue;
      }
      if (spec.dataType === 'string') {
        if (typeof value !== 'string') return error(400, `The field ${spec.name} must be text`);
        if (spec.length && value.length > spec.length)
          return error(400, `The field ${spec.name} is longer than ${spec.length} characters`);
      } else if (typeof value !== 'number' || !Number.isInteger(value))
        return error(400, `The field ${spec.name} must be a whole number`);
      if (spec.picklist && !valueOf(spec.picklist, value))
        return error(400, `${String(value)} is not an active value of the picklist ${spec.name}`);
      if (spec.name === 'companyID' && !state.companies.some((c) => c.id === value))
        return error(400, `Company ${String(value)} does not exist`);
      changes[spec.name] = value;
    }
    if (creating)
      for (const spec of fields) {
        if (!spec.required || spec.readOnly || changes[spec.name] !== undefined) continue;
        const fallback = spec.picklist ? state.picklists[spec.picklist]!.find((p) => p.isDefaultValue) : undefined;
        if (!fallback) return error(500, `The field ${spec.name} is required`);
        changes[spec.name] = fallback.value;
      }
    const status = changes['status'];
    delete changes['status'];
    Object.assign(ticket, changes);
    const at = now();
    if (typeof status === 'number') setStatus(ticket, status, API_RESOURCE, at);
    ticket.lastActivityDate = stamp(at);
    ticket.lastActivityResourceID = API_RESOURCE;
    return undefined;
  };

  const createTicket = (body: unknown): Answer => {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'The ticket must be a JSON object');
    const given = body as Record<string, unknown>;
    if (given['id'] !== undefined && given['id'] !== 0) return error(400, 'A new ticket has no id');
    const at = stamp(now());
    const ticket: AtTicket = {
      id: state.nextTicketId,
      ticketNumber: `T${at.slice(0, 10).replace(/-/g, '')}.${String(state.nextTicketId % 10_000).padStart(4, '0')}`,
      title: '',
      companyID: 0,
      status: NEW,
      priority: 0,
      createDate: at,
      creatorResourceID: API_RESOURCE,
      lastActivityDate: at,
      lastActivityResourceID: API_RESOURCE,
    };
    const refused = apply(ticket, given, true);
    if (refused) return refused;
    state.nextTicketId += 1;
    state.tickets.push(ticket);
    return { status: 200, body: { itemId: ticket.id } };
  };

  const patchTicket = (body: unknown): Answer => {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'The ticket must be a JSON object');
    const given = body as Record<string, unknown>;
    const ticket = state.tickets.find((t) => t.id === given['id']);
    if (typeof given['id'] !== 'number') return error(400, 'A PATCH needs the id of the ticket');
    if (!ticket) return error(404, `Ticket ${given['id']} not found`);
    const before = structuredClone(ticket);
    const refused = apply(ticket, given, false);
    if (refused) {
      Object.assign(ticket, before);
      return refused;
    }
    return { status: 200, body: { itemId: ticket.id } };
  };

  const addNote = (ticket: AtTicket, body: unknown): Answer => {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'The note must be a JSON object');
    const n = body as Record<string, unknown>;
    const known = new Set(['id', 'ticketid', 'title', 'description', 'notetype', 'publish']);
    const unknown = Object.keys(n).filter((k) => !known.has(k.toLowerCase()));
    if (unknown.length) return error(400, `Unknown field ${unknown[0]} on TicketNote`);
    if (n['ticketID'] !== undefined && n['ticketID'] !== ticket.id)
      return error(400, 'The ticketID of the note is not the ticket of the address');
    if (typeof n['title'] !== 'string' || !n['title'].trim()) return error(400, 'The field title is required');
    if (n['title'].length > 250) return error(400, 'The field title is longer than 250 characters');
    if (typeof n['description'] !== 'string' || !n['description'].trim())
      return error(400, 'The field description is required');
    if (n['description'].length > 32_000) return error(400, 'The field description is longer than 32000 characters');
    for (const key of ['noteType', 'publish'])
      if (!valueOf(key, n[key])) return error(400, `The field ${key} is required and must be a value of its picklist`);
    const note: AtNote = {
      id: state.nextNoteId++,
      ticketID: ticket.id,
      title: n['title'],
      description: n['description'],
      noteType: n['noteType'] as number,
      publish: n['publish'] as number,
      createDateTime: stamp(now()),
      creatorResourceID: API_RESOURCE,
    };
    state.notes.push(note);
    ticket.lastActivityDate = note.createDateTime;
    ticket.lastActivityResourceID = API_RESOURCE;
    return { status: 200, body: { itemId: note.id } };
  };

  /** A query's page: filtered, in ID order, at most maxRecords, `nextPageUrl` a GET of the rest. */
  const query = (
    entity: string,
    records: Record<string, unknown>[],
    known: readonly string[],
    raw: unknown,
  ): Answer => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return error(400, 'The query must be an object');
    const q = raw as { filter?: unknown; includeFields?: unknown; maxRecords?: unknown };
    let predicate: (r: Record<string, unknown>) => boolean;
    try {
      predicate = compileFilter(q.filter, known);
    } catch (e) {
      if (e instanceof FilterError) return error(400, e.message);
      throw e;
    }
    const max = q.maxRecords === undefined ? MAX_RECORDS : q.maxRecords;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RECORDS)
      return error(400, `maxRecords must be a whole number from 1 to ${MAX_RECORDS}`);
    const include = Array.isArray(q.includeFields) && q.includeFields.length ? q.includeFields : undefined;
    if (
      include &&
      !include.every((f) => typeof f === 'string' && known.some((k) => k.toLowerCase() === f.toLowerCase()))
    )
      return error(400, 'includeFields names a field the entity does not have');
    const rows = records.filter(predicate).sort((a, b) => (a['id'] as number) - (b['id'] as number));
    const page = rows.slice(0, max);
    const wanted = include ? new Set(['id', ...include.map((f) => (f as string).toLowerCase())]) : undefined;
    const items = wanted
      ? page.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => wanted.has(k.toLowerCase()))))
      : page;
    const last = page.at(-1)?.['id'];
    const next =
      rows.length > page.length && typeof last === 'number'
        ? `${origin()}/ATServicesRest/V1.0/${entity}/query?search=${encodeURIComponent(
            JSON.stringify({ ...q, filter: [...(q.filter as unknown[]), { op: 'gt', field: 'id', value: last }] }),
          )}`
        : undefined;
    return {
      status: 200,
      body: { items, pageDetails: present({ count: items.length, requestCount: max, nextPageUrl: next }) },
    };
  };
  const searchOf = (params: URLSearchParams): unknown => {
    const search = params.get('search');
    if (search === null) return undefined;
    try {
      return JSON.parse(search) as unknown;
    } catch {
      return null;
    }
  };
  const ticketFields = fields.map((f) => f.name);
  const companyFields = ['id', 'companyName', 'companyNumber', 'companyType', 'isActive'];

  return (method, segments, params, body) => {
    const s = segments.map((x) => x.toLowerCase());
    const path = s.join('/');
    if (path === 'tickets/entityinformation' && method === 'GET')
      return {
        status: 200,
        body: {
          info: {
            name: 'Ticket',
            canCreate: true,
            canDelete: false,
            canQuery: true,
            canUpdate: true,
            hasUserDefinedFields: true,
            supportsWebhookCallouts: true,
          },
        },
      };
    if (path === 'tickets/entityinformation/fields' && method === 'GET') return { status: 200, body: fieldInfo() };
    if (path === 'tickets/entityinformation/userdefinedfields' && method === 'GET')
      return { status: 200, body: { fields: [] } };
    if (path === 'tickets/query' && (method === 'POST' || method === 'GET')) {
      const q = method === 'POST' ? body : searchOf(params);
      if (q === undefined) return error(400, 'The search parameter is required');
      return query('Tickets', state.tickets.map(ticketView), ticketFields, q);
    }
    if (path === 'companies/query' && (method === 'POST' || method === 'GET')) {
      const q = method === 'POST' ? body : searchOf(params);
      if (q === undefined) return error(400, 'The search parameter is required');
      return query('Companies', state.companies.map(companyView), companyFields, q);
    }
    if (path === 'tickets') {
      if (method === 'POST') return createTicket(body);
      if (method === 'PATCH') return patchTicket(body);
    }
    if (s[0] === 'companies' && s.length === 2 && method === 'GET') {
      const company = state.companies.find((c) => String(c.id) === s[1]);
      if (!company) return error(404, `Company ${s[1]} not found`);
      return { status: 200, body: { item: companyView(company) } };
    }
    if (s[0] === 'tickets' && s.length >= 2) {
      if (!/^\d+$/.test(s[1]!)) return error(400, `"${segments[1]}" is not a ticket id`);
      const ticket = state.tickets.find((t) => t.id === Number(s[1]));
      if (!ticket) return error(404, `Ticket ${s[1]} not found`);
      if (s.length === 2 && method === 'GET') return { status: 200, body: { item: ticketView(ticket) } };
      if (s.length === 3 && s[2] === 'notes') {
        if (method === 'GET')
          return {
            status: 200,
            body: {
              items: state.notes.filter((n) => n.ticketID === ticket.id).map(noteView),
              pageDetails: present({
                count: state.notes.filter((n) => n.ticketID === ticket.id).length,
                requestCount: MAX_RECORDS,
              }),
            },
          };
        if (method === 'POST') return addNote(ticket, body);
      }
    }
    return error(404, `No route for ${method} /${segments.join('/')}`);
  };
}
