/**
 * The thin HTTP layer for the API: the only code that talks to it. Every request goes through
 * the one engine (engine.ts: ky over node:http) with the auth headers, a per-attempt timeout,
 * the API's retry rules (retry.ts), debug tracing with redaction, and every failure turned into
 * a typed error (errors.ts). Bulk runs use the same client (clients.ts `bulkApi`).
 */
import {
  ApiRejectedError,
  AuthError,
  CliError,
  ReadOnlyError,
  SAFEWEB,
  UnavailableError,
  type ReadOnlyReason,
} from '../errors.js';
import { remembered } from '../bounded-cache.js';
import { joinUrl } from './base-url.js';
import { createEngine, type Accepted } from './engine.js';
import { toCliError } from './errors.js';
import { classify, type Classified, type PathName } from './paths.js';
import { redactText } from './redact.js';
import { retryPolicy } from './retry.js';
import { toHeaders, type Wire } from './transport.js';

export interface ApiSettings {
  baseUrl: URL;
  partnerId: string;
  apiKey: string;
  userAgent: string;
  timeoutMs: number;
  retries: number;
  /** What requests are sent on (transport.ts `createWire`; tests may put a stub here). */
  wire: Wire;
  /** Receives debug lines (already redacted); undefined when --debug is off. */
  trace?: ((line: string) => void) | undefined;
  /** Extra strings to hide from traces, besides the API key. */
  secrets?: string[];
  /** Told of every 429 as it arrives, with the wait it asked for (bulk runs slow down). */
  onRateLimited?: ((retryAfterMs: number) => void) | undefined;
  /** What happens around every request that changes something (safety/guard.ts makes it). */
  guard?: WriteGuard | undefined;
}

/**
 * The one place writes are policed: whether a request writes comes from the path table
 * (paths.ts `classify`), never from the caller, so no command can forget it.
 */
export interface WriteGuard {
  /** Set when this run may not change anything: every write is refused before it is sent. */
  readOnly?: ReadOnlyReason | undefined;
  /** Before a write is sent (says where it goes on stderr, for production). */
  beforeWrite?: ((write: WriteRequest) => void) | undefined;
  /** After every write, sent or refused, with how it ended (the audit log). Must not throw. */
  afterWrite?: ((record: WriteRecord) => Promise<void>) | undefined;
}

/** A request that changes something, as the guard is told of it: never a body, a key or a query. */
export interface WriteRequest {
  method: string;
  /** The path without its query (a query may carry a token). */
  path: string;
  /** The path table's name for it; undefined for an `api` call the table does not know. */
  operation: PathName | undefined;
  /** The API's customer ID, from the path or the body, when the request names one. */
  customerId: string | undefined;
  /** The partner's customer reference, when the body carries one (onboarding). */
  customerRef: string | undefined;
  /** The breach instance a status change names (a uuid, no secret): `audit --customer` matches it to its customer. */
  breachId?: string | undefined;
}

/** How a write ended: `ok` (2xx), `rejected` (the API said no), `unknown` (it may have happened), `failed`, `refused`. */
export type WriteOutcome = 'ok' | 'rejected' | 'unknown' | 'failed' | 'refused';

export interface WriteRecord extends WriteRequest {
  status: number | null;
  outcome: WriteOutcome;
  /** Why it did not succeed, redacted. */
  error?: string | undefined;
  durationMs: number;
}

interface ApiRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** Safe to send twice. Defaults from the method: GET/HEAD/PUT/DELETE yes, POST/PATCH no. */
  idempotent?: boolean;
  /**
   * What counts as accepted beyond a 2xx: true, or false / why not. A 2xx it refuses is a failed
   * attempt, retried when the request is safe to repeat, then exit 5 naming the reason.
   */
  accepted?: Accepted | undefined;
  /**
   * The customer a write concerns when neither its path nor its body names one (a breach's
   * status names the breach alone): the audit log names the customer by it.
   */
  customerId?: string | undefined;
}

interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON and `raw` was asked for. */
  data: T;
  text: string;
}

export interface ApiClient {
  readonly baseUrl: URL;
  request<T = unknown>(req: ApiRequest, options?: { raw?: boolean }): Promise<ApiResponse<T>>;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Creates the client. Nothing is sent until `request` is called. */
export function createApiClient(settings: ApiSettings): ApiClient {
  const engine = createEngine({
    wire: settings.wire,
    trace: settings.trace,
    secrets: [settings.apiKey, ...(settings.secrets ?? [])],
  });
  // One header object per kind of request, shared by all of them (bulk runs send thousands).
  // Without credentials (health before login) the auth headers are left out altogether.
  const plain: Record<string, string> = {
    ...(settings.partnerId && settings.apiKey
      ? { 'sw-partner-id': settings.partnerId, 'sw-api-key': settings.apiKey }
      : {}),
    accept: 'application/json',
    'user-agent': settings.userAgent,
  };
  const withJson = { ...plain, 'content-type': 'application/json' };
  const policies = { safe: retryPolicy(settings, true), unsafe: retryPolicy(settings, false) };
  // What each request is (a write? which operation?) and its URL, worked out once per method and
  // path (a bulk run sends thousands to one); a fresh URL object per request, as its query is added.
  const kinds = remembered<Classified>();
  const hrefs = remembered<string>();
  const urlFor = (path: string): URL => new URL(hrefs(path, () => joinUrl(settings.baseUrl, path).href));

  return {
    baseUrl: settings.baseUrl,
    async request<T>(req: ApiRequest, options: { raw?: boolean } = {}): Promise<ApiResponse<T>> {
      const guard = settings.guard;
      const kind = guard ? kinds(`${req.method} ${req.path}`, () => classify(req.method, req.path)) : undefined;
      if (!guard || !kind?.write) return send<T>(req, options);
      const write = describeWrite(req, kind);
      const started = performance.now();
      const ended = (record: Omit<WriteRecord, keyof WriteRequest | 'durationMs'>, customerId = write.customerId) =>
        guard.afterWrite?.({ ...write, customerId, ...record, durationMs: Math.round(performance.now() - started) });
      if (guard.readOnly) {
        await ended({ status: null, outcome: 'refused', error: 'read-only' });
        throw new ReadOnlyError(guard.readOnly, `${write.method} ${write.path}${opName(write.operation)}`);
      }
      guard.beforeWrite?.(write);
      try {
        const res = await send<T>(req, options);
        await ended({ status: res.status, outcome: 'ok' }, write.customerId ?? madeCustomer(res.data));
        return res;
      } catch (error) {
        await ended(failedWrite(error, [settings.apiKey, ...(settings.secrets ?? [])]));
        throw error;
      }
    },
  };

  async function send<T>(req: ApiRequest, options: { raw?: boolean }): Promise<ApiResponse<T>> {
    const method = req.method.toUpperCase();
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(method);
    const url = urlFor(req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
    }
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    let answer;
    try {
      ({ answer } = await engine.send(
        { url, method, headers: body === undefined ? plain : withJson, body, accepted: req.accepted },
        idempotent ? policies.safe : policies.unsafe,
      ));
    } catch (error) {
      throw toCliError(error, method, url, settings.timeoutMs);
    }
    const text = answer.body.toString('utf8');
    let headers: Headers | undefined;
    const result = {
      status: answer.status,
      // Built only when asked for (doctor reads Date; `safeweb api` prints them).
      get headers(): Headers {
        return (headers ??= toHeaders(answer.headers));
      },
      text,
    };
    if (options.raw) {
      let data: unknown = text;
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: the raw text is the answer */
      }
      return Object.assign(result, { data: data as T });
    }
    try {
      return Object.assign(result, { data: (text ? JSON.parse(text) : {}) as T });
    } catch {
      const type = answer.headers['content-type'] ?? 'unknown content type';
      throw new UnavailableError(
        `${SAFEWEB} answered ${answer.status} to ${method} ${url.pathname} with ${type}, not JSON; ` +
          'a proxy or captive portal may be in the way',
        answer.status,
        'Check the base URL with `safeweb profile show`.',
      );
    }
  }
}

function describeWrite(req: ApiRequest, kind: Classified): WriteRequest {
  const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const path = req.path.split(/[?#]/)[0] ?? req.path;
  return {
    method: req.method.toUpperCase(),
    path: redactText(path),
    operation: kind.operation,
    customerId: kind.operation?.startsWith('customer')
      ? (kind.id ?? text(body['customerId']))
      : (text(body['customerId']) ?? text(req.customerId)),
    customerRef: text(body['customerReference']),
    ...(text(body['breachId']) ? { breachId: text(body['breachId']) } : {}),
  };
}

/**
 * The ID of the customer a write made, from its answer (onboarding answers `customerId`): the
 * request could not name it, and the audit entry of the change should.
 */
function madeCustomer(data: unknown): string | undefined {
  const id = data && typeof data === 'object' ? (data as { customerId?: unknown }).customerId : undefined;
  return typeof id === 'string' && id.trim() !== '' ? id : undefined;
}

/** " (customer offboard)": the operation's name in words, for a refusal. */
function opName(operation: PathName | undefined): string {
  return operation ? ` (${operation.replace(/([A-Z])/g, ' $1').toLowerCase()})` : '';
}

function failedWrite(error: unknown, secrets: string[]): Omit<WriteRecord, keyof WriteRequest | 'durationMs'> {
  const status = (error as { status?: unknown }).status;
  const message = redactText(error instanceof Error ? error.message : String(error), secrets.filter(Boolean));
  const outcome: WriteOutcome =
    error instanceof ApiRejectedError || error instanceof AuthError
      ? 'rejected'
      : error instanceof UnavailableError
        ? error.outcomeUnknown
          ? 'unknown'
          : 'failed'
        : error instanceof CliError
          ? 'failed'
          : 'unknown';
  return { status: typeof status === 'number' ? status : null, outcome, error: message };
}
