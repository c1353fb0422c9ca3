import type { IncomingHttpHeaders } from 'node:http';
/**
 * What a PSA client stands on: the one HTTP engine (api/engine.ts over api/transport.ts's wire),
 * the API's retry rules (api/retry.ts: a request that creates something is sent again only when
 * it provably never arrived, or was refused with 429), failures turned into the one set of typed
 * errors (api/errors.ts toCliError, named for the PSA: 3 refused, 4 credentials, 5 unavailable, a
 * redirect, an answer that is not what the API promises or too large), every answer read as JSON
 * and checked before anything is taken from it, and the run's read-only guard refusing every
 * write before it is sent. ConnectWise uses it; Autotask and Halo too (Halo's bearer token through
 * `auth`, its token request through `form`).
 */
import type { WriteOutcome } from '../api/client.js';
import { joinUrl } from '../api/base-url.js';
import { createEngine, EngineError } from '../api/engine.js';
import { toCliError } from '../api/errors.js';
import { redactText } from '../api/redact.js';
import { retryPolicy } from '../api/retry.js';
import type { Trace } from '../api/trace.js';
import { TooLargeError, TransportError, type Answer, type Wire } from '../api/transport.js';
import {
  ApiRejectedError,
  AuthError,
  CliError,
  ReadOnlyError,
  UnavailableError,
  type ReadOnlyReason,
} from '../errors.js';

/**
 * The largest PSA answer read unless --max-response-size (or SAFEWEB_MAX_RESPONSE_SIZE) says
 * otherwise: 8 MiB. A page of 1000 tickets with the fields the tool asks for is well under 1 MiB;
 * the API's own 16 MiB default would let a runaway answer through.
 */
export const PSA_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** How a run talks to a PSA: its wire, its timeouts and retries, its trace and its guard (clients.ts makes it). */
export interface PsaHttpSettings {
  /** What requests go on (transport.ts createWire, with the PSA's answer-size cap). */
  wire: Wire;
  /** --debug lines; secrets are hidden before they reach it. */
  trace?: Trace | undefined;
  timeoutMs: number;
  retries: number;
  userAgent: string;
  guard?: PsaWriteGuard | undefined;
  /** Told of every 429 as it arrives, with the wait it asks for (a paced run slows down). */
  onRateLimited?: ((waitMs: number) => void) | undefined;
}

/** What happens around every request that changes something at the PSA. */
interface PsaWriteGuard {
  /** Set when this run may not change anything: every write is refused before it is sent. */
  readOnly?: ReadOnlyReason | undefined;
  /** After every write, sent or refused, with how it ended (for the audit log). Must not throw. */
  afterWrite?: ((record: PsaWriteRecord) => Promise<void>) | undefined;
}

type PsaWriteAction = 'create ticket' | 'set status' | 'add note';

/** What a write is, in the tool's words: never a body or a secret. */
interface PsaWrite {
  action: PsaWriteAction;
  /** The ticket it changes; for a create, the ticket it made (once known). */
  ticketId?: number | undefined;
  /** The tool's ticket key, when the write carries one. */
  key?: string | undefined;
}

export interface PsaWriteRecord extends PsaWrite {
  farSide: string;
  /** The connection's name in the settings (psa/connection.ts adds it). */
  connection?: string | undefined;
  method: string;
  path: string;
  status: number | null;
  outcome: WriteOutcome;
  error?: string | undefined;
  durationMs: number;
}

/** An answer that is not what the API promises: thrown by a `read`, said as "…but <message>" (exit 5). */
export class BadAnswer extends Error {}

interface PsaRequest<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** Below the REST base: `/service/tickets`. */
  path: string;
  query?: Record<string, string> | undefined;
  body?: unknown;
  /** Sent form-encoded instead of a JSON body (an OAuth2 token request, RFC 6749 §4.4.2). */
  form?: Record<string, string> | undefined;
  /** Safe to send twice; GET and PUT are, POST is not unless said. */
  idempotent?: boolean | undefined;
  /** What the caller takes from the answer's JSON (and headers); throws BadAnswer when it is not there. */
  read: (data: unknown, headers: IncomingHttpHeaders) => T;
  /** Set on requests that change something: guarded (read-only) and reported (afterWrite). */
  write?: PsaWrite | undefined;
  /** A JSON 404 means "no such record": undefined instead of exit 3. */
  missingIsUndefined?: boolean | undefined;
}

/** What a failure tells the user to check, beyond the generic words of api/errors.ts. */
export interface PsaHints {
  /** 401/403: which credentials, and where they are kept. */
  auth?: string | undefined;
  /** Unreachable, a redirect, an answer that is not the API's: which address. */
  address?: string | undefined;
}

/**
 * Credentials that change while a run lasts (Halo's OAuth2 bearer token), asked for before every
 * request instead of fixed headers.
 */
export interface PsaAuth {
  /** The headers that prove who asks (`authorization`), the token fetched or renewed when it is due. */
  headers(): Promise<Record<string, string>>;
  /**
   * The PSA answered 401 to a request sent with `sent`: the token is dropped (unless another
   * request renewed it already) and the request is sent once more with a new one. A 401 is a
   * refusal before anything was done, so even a create may go again; a second 401 is exit 4.
   */
  refused(sent: Record<string, string>): void;
}

export interface PsaHttp {
  readonly baseUrl: URL;
  request<T>(req: PsaRequest<T> & { missingIsUndefined: true }): Promise<T | undefined>;
  request<T>(req: PsaRequest<T>): Promise<T>;
}

const IDEMPOTENT = new Set(['GET', 'PUT']);

/** The answer's JSON, or why it is not JSON. */
function parseJson(answer: Answer): { data: unknown } | { why: string } {
  const text = answer.body.toString('utf8');
  if (text.trim() === '') return { why: 'the answer was empty' };
  const type = String(answer.headers['content-type'] ?? '');
  if (/html/i.test(type) || /^\s*</.test(text))
    return { why: 'the answer was an HTML page, not JSON (a proxy or a login page may be in the way)' };
  try {
    return { data: JSON.parse(text) as unknown };
  } catch {
    return { why: `the answer was not JSON (${type || 'no content type'})` };
  }
}

/**
 * The requests of one PSA connection. `headers` go on every request (auth among them); `secrets`
 * are hidden from --debug lines and from what the guard is told.
 */
export function createPsaHttp(options: {
  farSide: string;
  baseUrl: URL;
  headers: Record<string, string>;
  secrets: string[];
  settings: PsaHttpSettings;
  hints?: PsaHints | undefined;
  /** Credentials asked for per request, beside `headers` (Halo's bearer token). */
  auth?: PsaAuth | undefined;
}): PsaHttp {
  const { farSide, baseUrl, settings, auth } = options;
  const secrets = options.secrets.filter(Boolean);
  const engine = createEngine({ wire: settings.wire, trace: settings.trace, secrets });
  const plain = { ...options.headers, 'user-agent': settings.userAgent };
  const withJson = { ...plain, 'content-type': 'application/json' };
  const withForm = { ...plain, 'content-type': 'application/x-www-form-urlencoded' };
  const policies = { safe: retryPolicy(settings, true), unsafe: retryPolicy(settings, false) };
  // One header object per token, as the engine wants one per client (a bulk run sends thousands).
  const withAuth = new WeakMap<
    Record<string, string>,
    { plain: Record<string, string>; json: Record<string, string> }
  >();
  const headersFor = (credentials: Record<string, string> | undefined, json: boolean) => {
    if (!credentials) return json ? withJson : plain;
    let both = withAuth.get(credentials);
    if (!both)
      withAuth.set(
        credentials,
        (both = { plain: { ...plain, ...credentials }, json: { ...withJson, ...credentials } }),
      );
    return json ? both.json : both.plain;
  };

  async function send<T>(req: PsaRequest<T>): Promise<{ value: T; status: number } | undefined> {
    const url = joinUrl(baseUrl, req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, value);
    const form = req.form === undefined ? undefined : new URLSearchParams(req.form).toString();
    const body = form ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    const idempotent = req.idempotent ?? IDEMPOTENT.has(req.method);
    let taken: { value: T } | undefined;
    const accepted = (answer: Answer): true | string => {
      const parsed = parseJson(answer);
      if ('why' in parsed) return parsed.why;
      try {
        taken = { value: req.read(parsed.data, answer.headers) };
        return true;
      } catch (error) {
        return error instanceof BadAnswer ? error.message : `the answer could not be read (${String(error)})`;
      }
    };
    const attempt = (credentials: Record<string, string> | undefined) =>
      engine.send(
        {
          url,
          method: req.method,
          headers: form === undefined ? headersFor(credentials, body !== undefined) : withForm,
          body,
          accepted,
        },
        idempotent ? policies.safe : policies.unsafe,
      );
    try {
      let credentials = await auth?.headers();
      let sent: Awaited<ReturnType<typeof attempt>>;
      try {
        sent = await attempt(credentials);
      } catch (error) {
        if (!auth || !credentials || !isUnauthorized(error)) throw error;
        auth.refused(credentials);
        credentials = await auth.headers();
        sent = await attempt(credentials);
      }
      return { value: taken!.value, status: sent.answer.status };
    } catch (error) {
      if (req.missingIsUndefined && isJsonNotFound(error)) return undefined;
      throw withHint(toCliError(error, req.method, url, settings.timeoutMs, farSide), error, options.hints);
    }
  }

  async function request<T>(req: PsaRequest<T>): Promise<T | undefined> {
    const write = req.write;
    const guard = settings.guard;
    if (!write) return (await send(req))?.value;
    const path = joinUrl(baseUrl, req.path).pathname;
    const started = performance.now();
    const ended = (end: Pick<PsaWriteRecord, 'status' | 'outcome' | 'error'>, ticketId = write.ticketId) =>
      guard?.afterWrite?.({
        farSide,
        method: req.method,
        path,
        ...write,
        ticketId,
        ...end,
        durationMs: Math.round(performance.now() - started),
      });
    if (guard?.readOnly) {
      await ended({ status: null, outcome: 'refused', error: 'read-only' });
      throw new ReadOnlyError(guard.readOnly, `${req.method} ${path} (${write.action}) to ${farSide}`);
    }
    try {
      const sent = await send(req);
      await ended({ status: sent?.status ?? null, outcome: 'ok' }, write.ticketId ?? idOf(sent?.value));
      return sent?.value;
    } catch (error) {
      await ended(failedWrite(error, secrets));
      throw error;
    }
  }

  return { baseUrl, request } as PsaHttp;
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof EngineError && error.failure.kind === 'answer' && error.failure.answer.status === 401;
}

/** A 404 the PSA itself said (JSON): the record does not exist. An HTML 404 is a wrong address. */
function isJsonNotFound(error: unknown): boolean {
  if (!(error instanceof EngineError) || error.failure.kind !== 'answer') return false;
  const { answer, notAccepted } = error.failure;
  return answer.status === 404 && notAccepted === undefined && 'data' in parseJson(answer);
}

/** The error with the hint that names what to check for this connection. */
function withHint(error: Error, cause: unknown, hints: PsaHints | undefined): Error {
  if (!hints || !(error instanceof CliError) || !(cause instanceof EngineError)) return error;
  const { failure } = cause;
  if (error instanceof AuthError && hints.auth)
    return new AuthError(error.message, hints.auth, error.status, error.farSide);
  if (!(error instanceof UnavailableError) || !hints.address) return error;
  const aboutAddress =
    failure.kind === 'answer'
      ? failure.notAccepted !== undefined || (failure.answer.status >= 300 && failure.answer.status < 400)
      : failure.error instanceof TransportError && !(failure.error instanceof TooLargeError);
  if (!aboutAddress) return error;
  const hinted = new UnavailableError(error.message, error.status, hints.address, error.farSide);
  hinted.outcomeUnknown = error.outcomeUnknown;
  return hinted;
}

function idOf(value: unknown): number | undefined {
  const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'number' ? id : undefined;
}

function failedWrite(error: unknown, secrets: string[]): Pick<PsaWriteRecord, 'status' | 'outcome' | 'error'> {
  const status = (error as { status?: unknown }).status;
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
  return {
    status: typeof status === 'number' ? status : null,
    outcome,
    error: redactText(error instanceof Error ? error.message : String(error), secrets),
  };
}
