/**
 * The thin HTTP layer for the API: the only code that talks to it. Every request goes through
 * the one engine (engine.ts: ky over node:http) with the auth headers, a per-attempt timeout,
 * the API's retry rules (retry.ts), debug tracing with redaction, and every failure turned into
 * a typed error (errors.ts). Bulk runs use the same client (context.ts `bulkApi`).
 */
import { UnavailableError } from '../errors.js';
import { joinUrl } from './base-url.js';
import { createEngine, type Accepted, type Failure, type RetryPolicy } from './engine.js';
import { toCliError } from './errors.js';
import { backoffDelay, retryVerdict } from './retry.js';
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

/** The API's retry rules for one kind of request, as the engine takes them. */
function apiPolicy(settings: ApiSettings, idempotent: boolean): RetryPolicy {
  return {
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    retryable: (f: Failure) =>
      retryVerdict(
        f.kind === 'answer'
          ? { idempotent, status: f.answer.status, notAccepted: f.notAccepted }
          : { idempotent, error: f.error },
      ) === 'retry',
    backoff: (retry) => backoffDelay(retry),
    honourRetryAfter: true,
    onRateLimited: settings.onRateLimited,
  };
}

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
  const policies = { safe: apiPolicy(settings, true), unsafe: apiPolicy(settings, false) };

  return {
    baseUrl: settings.baseUrl,
    async request<T>(req: ApiRequest, options: { raw?: boolean } = {}): Promise<ApiResponse<T>> {
      const method = req.method.toUpperCase();
      const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(method);
      const url = joinUrl(settings.baseUrl, req.path);
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
          `${method} ${url.pathname} answered ${answer.status} with ${type}, not JSON; ` +
            'a proxy or captive portal may be in the way',
          answer.status,
          'Check the base URL with `safeweb profile show`.',
        );
      }
    },
  };
}
