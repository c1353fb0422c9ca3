/**
 * The Autotask PSA client: PsaClient (psa/types.ts) over Autotask's REST API v1.0 (the vendor's
 * Swagger 2.0 document in ../shared/psa/), on the one HTTP engine (psa/http.ts). Every request
 * carries the `ApiIntegrationCode`, `UserName` and `Secret` headers. The API's host is per zone:
 * found from the user name at the zone-information endpoint (lookUpZone), or given.
 *
 * What the policy's words mean here: a board is a queue (the `queueID` picklist), statuses are
 * the `status` picklist (one list for every queue; the system's "Complete", value 5, is the one
 * that closes a ticket), priorities the `priority` picklist. Picklists, field lengths and which
 * fields a ticket needs are read once per connection and run from `Tickets/entityInformation/fields`
 * (one request, shared by everything that needs it); a required picklist the tool does not set
 * gets its default value, and one without a default is named before any ticket is made.
 *
 * Tickets carry the tool's key in `externalID`. The tool's own tickets are those whose externalID
 * begins with `sw:ticket:`, found with one paged query (`beginsWith`), not a read per ticket:
 * Autotask has no integrator tags, and a user-defined field would be one more thing each MSP had
 * to create by hand; the key is already there, and `psa test`'s tickets (`safeweb-test:…`) are
 * left out by it. Lists are queries of at most 500 records a page, followed by `nextPageUrl`.
 *
 * Autotask's limits: at most 3 requests in flight per integration (a wire of 3 slots), and an
 * hourly budget (psa/budget.ts) counted on every request sent and checked before each.
 */
import { isLoopbackHost } from '../../api/base-url.js';
import type { Wire } from '../../api/transport.js';
import { UnavailableError, UsageError } from '../../errors.js';
import type { RequestBudget } from '../budget.js';
import { id, optionalId, optionalText, record, str } from '../answer.js';
import { BadAnswer, createPsaHttp, type PsaHints, type PsaHttpSettings } from '../http.js';
import type { NewTicket, NoteKind, PsaClient, PsaCompany, PsaNote, PsaStatus, PsaTicket } from '../types.js';

const AUTOTASK = 'Autotask';
/** Autotask's zone-information endpoint: `?user=<UserName>` answers the zone's REST base. */
export const AT_ZONE_URL = 'https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation';
/** The API version below the zone's REST base. */
const VERSION = 'V1.0';
/** Autotask's largest page. */
const PAGE_SIZE = 500;
/** Requests in flight per integration, as Autotask allows. */
export const AT_MAX_IN_FLIGHT = 3;
/** The status that completes a ticket: Autotask's system status "Complete". */
const COMPLETE = 5;
/** What every key the tool gives a ticket begins with (findings/keys.ts ticketKey). */
const OWNED_PREFIX = 'sw:ticket:';
/** The fields a ticket is read with (includeFields): only what PsaTicket is made from. */
const TICKET_FIELDS = [
  'id',
  'title',
  'queueID',
  'status',
  'companyID',
  'priority',
  'externalID',
  'completedDate',
  'completedByResourceID',
  'lastActivityDate',
  'lastActivityResourceID',
];
const COMPANY_FIELDS = ['id', 'companyName', 'companyNumber'];
/** The ticket fields the tool sets itself; any other required one needs a default (requirements). */
const SET_BY_TOOL = new Set(['companyID', 'title', 'description', 'status', 'priority', 'queueID', 'externalID']);
/** Note type and publish: a "General"-type note (1), published to all Autotask users (1), never the client portal. */
const NOTE_TYPE = 1;
const NOTE_PUBLISH = 1;
const NOTE_TITLES: Record<NoteKind, string> = {
  detail: 'SafeWeb: findings',
  internal: 'SafeWeb: update',
  resolution: 'SafeWeb: resolution',
};
const DEFAULT_LENGTHS: Record<string, number> = { title: 255, description: 8000, externalID: 50 };

interface AutotaskCredentials {
  username: string;
  /** The API tracking identifier of the integration (from a prompt, stdin or a file; kept as a secret). */
  integrationCode: string;
  secret: string;
}

export interface AutotaskClientOptions {
  /** The zone's REST base: `https://webservices5.autotask.net/ATServicesRest` (or the emulator's). */
  zone: string;
  credentials: AutotaskCredentials;
  http: PsaHttpSettings;
  hints?: PsaHints | undefined;
  /** The connection's hourly budget; none: not counted (psa add's checks). */
  budget?: RequestBudget | undefined;
}

interface Picklist {
  id: number;
  label: string;
  isDefault: boolean;
  isActive: boolean;
}

interface FieldInfo {
  name: string;
  length: number | undefined;
  isRequired: boolean;
  isReadOnly: boolean;
  picklist: Picklist[] | undefined;
}

/**
 * The REST base of a zone, checked: https (plain http:// only to this machine, for the emulator),
 * no credentials or query; `…/ATServicesRest[/V1.0][/]` → `…/ATServicesRest/V1.0`. Exit 2 otherwise.
 */
export function autotaskApiBase(zone: string): URL {
  let url: URL;
  try {
    url = new URL(zone.trim());
  } catch {
    throw new UsageError(
      `invalid Autotask zone "${zone}"`,
      'Give the REST base, such as https://webservices5.autotask.net/ATServicesRest.',
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    throw new UsageError(
      `refusing ${url.protocol}// to ${url.host}: the Autotask secret would travel unencrypted`,
      'Give an https:// address (plain http:// only for a local emulator on 127.0.0.1).',
    );
  if (url.username || url.password || url.search || url.hash)
    throw new UsageError(`the Autotask zone must be an address without credentials or a query: ${zone}`);
  url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/v1\.0$/i, '')}/${VERSION}`;
  return url;
}

/**
 * The zone's REST base for a user name, from the zone-information endpoint (`zoneUrl`, Autotask's
 * own unless a test's). It needs no credentials; an answer without an https `url` is exit 5.
 */
export async function lookUpZone(options: {
  zoneUrl: string;
  username: string;
  http: PsaHttpSettings;
  hints?: PsaHints | undefined;
}): Promise<string> {
  let url: URL;
  try {
    url = new URL(options.zoneUrl);
  } catch {
    throw new UsageError(`invalid zone-information URL "${options.zoneUrl}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    throw new UsageError(`the zone-information URL must use https:// (got ${url.protocol})`);
  const at = url.pathname.lastIndexOf('/');
  const leaf = url.pathname.slice(at + 1);
  url.pathname = url.pathname.slice(0, at) || '/';
  const http = createPsaHttp({ farSide: AUTOTASK, baseUrl: url, headers: {}, secrets: [], settings: options.http });
  const zone = await http.request({
    method: 'GET',
    path: leaf,
    query: { user: options.username },
    read: (data) => {
      const found = record(data, 'the answer')['url'];
      if (typeof found !== 'string' || !URL.canParse(found)) throw new BadAnswer('the answer has no zone url');
      return found;
    },
  });
  try {
    autotaskApiBase(zone);
  } catch {
    throw new UnavailableError(
      `${AUTOTASK} named the zone ${zone} for ${options.username}, which is no https address: not used`,
      undefined,
      options.hints?.address,
      AUTOTASK,
    );
  }
  return zone.replace(/\/+$/, '');
}

/** A wire that lets at most `slots` requests through at once and counts each on the budget. */
function limitedWire(inner: Wire, slots: number, budget: RequestBudget | undefined): Wire {
  let busy = 0;
  const waiting: Array<() => void> = [];
  return async (request) => {
    if (busy >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else busy += 1;
    try {
      budget?.spend();
      return await inner(request);
    } finally {
      // The slot passes straight to the next in line (busy stays), or is freed.
      const next = waiting.shift();
      if (next) next();
      else busy -= 1;
    }
  };
}

interface Query {
  filter: unknown[];
  includeFields?: string[] | undefined;
  maxRecords?: number | undefined;
}

/** The client. Nothing is sent until a method is called. */
export function createAutotaskClient(options: AutotaskClientOptions): PsaClient & {
  /** What a ticket needs that the tool does not set and Autotask has no default for: exit 2 naming it. */
  requirements(): Promise<void>;
} {
  const { username, integrationCode, secret } = options.credentials;
  const base = autotaskApiBase(options.zone);
  const budget = options.budget;
  const http = createPsaHttp({
    farSide: AUTOTASK,
    baseUrl: base,
    headers: { ApiIntegrationCode: integrationCode, UserName: username, Secret: secret, accept: 'application/json' },
    // The Secret and ApiIntegrationCode headers are hidden in --debug lines by these values.
    secrets: [secret, integrationCode],
    settings: { ...options.http, wire: limitedWire(options.http.wire, AT_MAX_IN_FLIGHT, budget) },
    hints: options.hints,
  });
  type Req<T> = Parameters<typeof http.request<T>>[0];
  function request<T>(req: Req<T> & { missingIsUndefined: true }): Promise<T | undefined>;
  function request<T>(req: Req<T>): Promise<T>;
  function request<T>(req: Req<T>): Promise<T | undefined> {
    budget?.check();
    return http.request(req);
  }

  /** A next page's address, below the REST base; another origin is refused (the secret would go there). */
  const nextPage = (next: string): { path: string; query: Record<string, string> } => {
    let url: URL | undefined;
    try {
      url = new URL(next, base);
    } catch {
      url = undefined;
    }
    const prefix = base.pathname.toLowerCase();
    if (!url || url.origin !== base.origin || !url.pathname.toLowerCase().startsWith(`${prefix}/`))
      throw new UnavailableError(
        `${AUTOTASK} answered a next page at ${url?.origin ?? next}, not below ${base.href}: not followed (the credentials would go there)`,
        undefined,
        options.hints?.address,
        AUTOTASK,
      );
    return { path: url.pathname.slice(prefix.length), query: Object.fromEntries(url.searchParams) };
  };

  /** Every page of a query (or of a child list, `GET`), following `nextPageUrl`; records in ID order. */
  async function all<T extends { id: number }>(
    first: { method: 'GET' | 'POST'; path: string; body?: Query | undefined },
    read: (item: unknown, n: number) => T,
  ): Promise<T[]> {
    const out: T[] = [];
    let page: { method: 'GET' | 'POST'; path: string; body?: Query | undefined; query?: Record<string, string> } =
      first;
    for (let n = 1; ; n++) {
      const { items, next } = await request({
        ...page,
        // A query reads: sending it twice is harmless.
        idempotent: true,
        read: (data) => {
          const r = record(data, 'the answer');
          if (!Array.isArray(r['items'])) throw new BadAnswer('the answer has no list of items');
          const details = r['pageDetails'];
          const link =
            details && typeof details === 'object' ? (details as Record<string, unknown>)['nextPageUrl'] : undefined;
          return {
            items: r['items'].map((item, i) => read(item, out.length + i)),
            next: typeof link === 'string' && link ? link : undefined,
          };
        },
      });
      // A server that ignores the page asked for would answer the first one for ever.
      const last = out.at(-1);
      if (last && items.length && items[0]!.id <= last.id)
        throw new UnavailableError(
          `${AUTOTASK} answered page ${n} of ${first.path} with records already read (it ignored the page asked for)`,
          undefined,
          options.hints?.address,
          AUTOTASK,
        );
      out.push(...items);
      if (!next || items.length === 0) return out;
      page = { method: 'GET', ...nextPage(next) };
    }
  }

  const query = (filter: unknown[], includeFields?: string[]): Query => ({
    filter,
    ...(includeFields ? { includeFields } : {}),
    maxRecords: PAGE_SIZE,
  });
  const tickets = (filter: unknown[]) =>
    all({ method: 'POST', path: '/Tickets/query', body: query(filter, TICKET_FIELDS) }, (item, n) =>
      readTicket(item, `ticket ${n + 1}`),
    );

  // Read once per connection and run: picklists, lengths, what is required.
  let fieldsRead: Promise<Map<string, FieldInfo>> | undefined;
  const fields = (): Promise<Map<string, FieldInfo>> => {
    fieldsRead ??= request({
      method: 'GET',
      path: '/Tickets/entityInformation/fields',
      read: (data) => readFields(data),
    }).catch((error: unknown) => {
      fieldsRead = undefined; // a failed read is tried again by the next caller
      throw error;
    });
    return fieldsRead;
  };
  const picklist = async (name: string): Promise<Picklist[]> => {
    const field = (await fields()).get(name.toLowerCase());
    if (!field?.picklist) throw new UsageError(`${AUTOTASK} lists no picklist for the ticket field ${name}`);
    return field.picklist;
  };
  const named = (list: Picklist[]) => list.filter((p) => p.isActive).map((p) => ({ id: p.id, name: p.label }));
  const isClosed = (statusId: number | null) => statusId === COMPLETE;
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const lengthOf = (map: Map<string, FieldInfo>, name: string) =>
    map.get(name.toLowerCase())?.length || DEFAULT_LENGTHS[name] || Number.MAX_SAFE_INTEGER;

  /** Required picklists the tool does not set, with the default each gets; exit 2 for one without. */
  const defaults = async (given: Set<string>): Promise<Record<string, number>> => {
    const map = await fields();
    const filled: Record<string, number> = {};
    const missing: string[] = [];
    for (const f of map.values()) {
      if (!f.isRequired || f.isReadOnly || f.name === 'id' || SET_BY_TOOL.has(f.name) || given.has(f.name)) continue;
      const fallback = f.picklist?.find((p) => p.isDefault && p.isActive);
      if (fallback) filled[f.name] = fallback.id;
      else missing.push(f.name);
    }
    if (missing.length)
      throw new UsageError(
        `${AUTOTASK} requires ${missing.join(', ')} on a ticket, which safeweb does not set and ${AUTOTASK} gives no default for`,
        'Give the field a default value in Autotask (Admin > Features & Settings > Service Desk), or make it optional for API tickets.',
      );
    return filled;
  };

  const withId = (id: unknown, what: string): number => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
      throw new BadAnswer(`${what} has no numeric itemId`);
    return id;
  };

  return {
    farSide: AUTOTASK,
    async systemInfo() {
      // A harmless read that needs all three credentials: the Ticket entity's description.
      return request({
        method: 'GET',
        path: '/Tickets/entityInformation',
        read: (data) => {
          const info = record(record(data, 'the answer')['info'], 'the entity information');
          if (typeof info['name'] !== 'string') throw new BadAnswer('the entity information has no name');
          return { version: `REST ${VERSION}` };
        },
      });
    },
    requirements: async () => {
      await defaults(new Set());
    },
    companies: () =>
      all(
        {
          method: 'POST',
          path: '/Companies/query',
          body: query([{ op: 'gt', field: 'id', value: 0 }], COMPANY_FIELDS),
        },
        (item, n): PsaCompany => {
          const r = record(item, `company ${n + 1}`);
          return {
            id: id(r['id'], `company ${n + 1}`),
            identifier: str(r['companyNumber']),
            name: str(r['companyName']),
          };
        },
      ),
    boards: async () => named(await picklist('queueID')),
    statuses: async (): Promise<PsaStatus[]> =>
      (await picklist('status')).map((p) => ({
        id: p.id,
        name: p.label,
        closed: isClosed(p.id),
        inactive: !p.isActive,
        default: p.isDefault,
      })),
    priorities: async () => named(await picklist('priority')),
    ownedTickets: () => tickets([{ op: 'beginsWith', field: 'externalID', value: OWNED_PREFIX }]),
    async ticketByKey(key) {
      const found = await tickets([{ op: 'eq', field: 'externalID', value: key }]);
      // Autotask compares without case: the exact spelling first, else the first made.
      return (
        found.find((t) => t.externalXRef === key) ??
        found.find((t) => t.externalXRef?.toLowerCase() === key.toLowerCase())
      );
    },
    ticket: (ticketId) =>
      request({
        method: 'GET',
        path: `/Tickets/${ticketId}`,
        read: (data): PsaTicket | undefined => {
          const item = record(data, 'the answer')['item'];
          return item === null || item === undefined ? undefined : readTicket(item, 'the ticket');
        },
        missingIsUndefined: true,
      }),
    async createTicket(t: NewTicket) {
      const map = await fields();
      const extra = {
        ...(t.priorityId === undefined ? {} : { priority: t.priorityId }),
        ...(t.sourceId === undefined ? {} : { source: t.sourceId }),
        ...(t.typeId === undefined ? {} : { ticketType: t.typeId }),
      };
      const filled = await defaults(new Set(Object.keys(extra)));
      const title = cut(t.summary, lengthOf(map, 'title'));
      const body = {
        companyID: t.companyId,
        title,
        description: cut(t.description, lengthOf(map, 'description')),
        queueID: t.boardId,
        status: t.statusId,
        externalID: t.externalXRef,
        ...filled,
        ...extra,
      };
      // Read as `{id}`, so the audit log names the ticket made.
      const { id: itemId } = await request({
        method: 'POST',
        path: '/Tickets',
        body,
        read: (data) => ({ id: withId(record(data, 'the answer')['itemId'], 'the ticket made') }),
        write: { action: 'create ticket', key: t.externalXRef },
      });
      // Autotask answers a create with the new ID alone: the ticket is what was sent.
      const priority = (body as { priority?: number }).priority;
      return {
        id: itemId,
        summary: title,
        boardId: t.boardId,
        statusId: t.statusId,
        companyId: t.companyId,
        priorityId: priority ?? null,
        externalXRef: t.externalXRef,
        closed: isClosed(t.statusId),
        closedAt: null,
        closedBy: null,
        updatedAt: null,
        updatedBy: null,
      };
    },
    async setStatus(ticketId, statusId, key) {
      await request({
        method: 'PATCH',
        path: '/Tickets',
        body: { id: ticketId, status: statusId },
        // Moving a ticket to a status twice leaves it where once does.
        idempotent: true,
        read: (data) => withId(record(data, 'the answer')['itemId'], 'the ticket changed'),
        write: { action: 'set status', ticketId, key },
      });
      // Autotask answers a PATCH with the ID alone; the ticket returned is what was set (a read
      // would spend a request of the hourly budget on nothing the sync uses).
      return {
        id: ticketId,
        summary: '',
        boardId: null,
        statusId,
        companyId: null,
        priorityId: null,
        externalXRef: key ?? null,
        closed: isClosed(statusId),
        closedAt: null,
        closedBy: null,
        updatedAt: null,
        updatedBy: null,
      };
    },
    notes: (ticketId) =>
      all({ method: 'GET', path: `/Tickets/${ticketId}/Notes` }, (item, n): PsaNote => {
        const r = record(item, `note ${n + 1}`);
        return {
          id: id(r['id'], `note ${n + 1}`),
          text: str(r['description']),
          createdAt: optionalText(r['createDateTime']),
        };
      }),
    async addNote(ticketId, text, kind, key) {
      const description = cut(text, 32_000);
      const noteId = await request({
        method: 'POST',
        path: `/Tickets/${ticketId}/Notes`,
        body: { ticketID: ticketId, title: NOTE_TITLES[kind], description, noteType: NOTE_TYPE, publish: NOTE_PUBLISH },
        read: (data) => withId(record(data, 'the answer')['itemId'], 'the note made'),
        write: { action: 'add note', ticketId, key },
      });
      return { id: noteId, text: description, createdAt: null };
    },
  };
}

/** What `entityInformation/fields` says of each field, by lower-case name. */
function readFields(data: unknown): Map<string, FieldInfo> {
  const list = record(data, 'the answer')['fields'];
  if (!Array.isArray(list)) throw new BadAnswer('the answer has no list of fields');
  const out = new Map<string, FieldInfo>();
  list.forEach((item, n) => {
    const r = record(item, `field ${n + 1}`);
    if (typeof r['name'] !== 'string') throw new BadAnswer(`field ${n + 1} has no name`);
    const values = r['picklistValues'];
    out.set(r['name'].toLowerCase(), {
      name: r['name'],
      length: typeof r['length'] === 'number' && r['length'] > 0 ? r['length'] : undefined,
      isRequired: r['isRequired'] === true,
      isReadOnly: r['isReadOnly'] === true,
      picklist:
        r['isPickList'] === true && Array.isArray(values)
          ? values.flatMap((v, i): Picklist[] => {
              const p = record(v, `value ${i + 1} of field ${r['name'] as string}`);
              // Picklist values are integers written as text; anything else is none the tool can send.
              const value = typeof p['value'] === 'string' ? Number(p['value']) : Number.NaN;
              if (!Number.isSafeInteger(value)) return [];
              return [
                {
                  id: value,
                  label: str(p['label']),
                  isDefault: p['isDefaultValue'] === true,
                  isActive: p['isActive'] !== false,
                },
              ];
            })
          : undefined,
    });
  });
  return out;
}

function readTicket(value: unknown, what: string): PsaTicket {
  const r = record(value, what);
  const ticketId = id(r['id'], what);
  const statusId = optionalId(r['status'], `the status of ticket ${ticketId}`);
  const closed = statusId === COMPLETE;
  const by = r['completedByResourceID'];
  const updatedBy = r['lastActivityResourceID'];
  return {
    id: ticketId,
    summary: str(r['title']),
    boardId: optionalId(r['queueID'], `the queue of ticket ${ticketId}`),
    statusId,
    // Company 0 is the MSP's own: a technician may move a ticket there.
    companyId:
      typeof r['companyID'] === 'number' && r['companyID'] === 0
        ? 0
        : optionalId(r['companyID'], `the company of ticket ${ticketId}`),
    priorityId: optionalId(r['priority'], `the priority of ticket ${ticketId}`),
    externalXRef: optionalText(r['externalID']),
    closed,
    closedAt: closed ? optionalText(r['completedDate']) : null,
    closedBy: closed && typeof by === 'number' ? String(by) : null,
    updatedAt: optionalText(r['lastActivityDate']),
    updatedBy: typeof updatedBy === 'number' ? String(updatedBy) : null,
  };
}
