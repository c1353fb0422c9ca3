/**
 * The thin HTTP layer: the only code that talks to the API. One ky instance per run adds the
 * auth headers, a per-attempt timeout, retries (rules in retry.ts), debug tracing with
 * redaction, and turns every failure into a typed error.
 */
import ky, { HTTPError, type KyInstance } from 'ky';
import { UnavailableError } from '../errors.js';
import { joinUrl } from './base-url.js';
import { errorFromResponse } from './errors.js';
import { redactText } from './redact.js';
import { backoffDelay, isTimeout, parseRetryAfter, retryVerdict, RETRY_STATUSES } from './retry.js';
import { TransportError } from './transport.js';
import { sendDirect, type DirectOptions } from './direct.js';
import { traceFailure, traceRequest, traceResponse } from './trace.js';

export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

export interface ApiSettings {
  baseUrl: URL;
  partnerId: string;
  apiKey: string;
  userAgent: string;
  timeoutMs: number;
  retries: number;
  fetch: FetchLike;
  /** Receives debug lines (already redacted); undefined when --debug is off. */
  trace?: ((line: string) => void) | undefined;
  /** Extra strings to hide from traces, besides the API key. */
  secrets?: string[];
  /** Told of every 429 before its retry, with the wait it asked for (bulk runs slow down). */
  onRateLimited?: ((retryAfterMs: number) => void) | undefined;
  /**
   * 'ky' (the default) or 'direct': the same rules straight on node:http, for bulk runs where
   * ky's per-request cost shows (see direct.ts). `env` is what the direct engine reads proxy
   * variables from.
   */
  engine?: 'ky' | 'direct';
  env?: Record<string, string | undefined>;
}

export interface ApiRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** Safe to send twice. Defaults from the method: GET/HEAD/PUT/DELETE yes, POST/PATCH no. */
  idempotent?: boolean;
}

export interface ApiResponse<T> {
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
  const known = [settings.apiKey, ...(settings.secrets ?? [])].filter(Boolean);
  const trace = settings.trace;
  const fetchFn: FetchLike = trace ? tracingFetch(settings.fetch, trace, known) : settings.fetch;

  /** Per request: how many retries ky made (hooks write it; ky shallow-copies `context`). */
  interface RequestState {
    retries: number;
  }
  // One ky instance per retry policy, built once: per-request options stay small, which
  // matters when a bulk run sends thousands of requests.
  const make = (idempotent: boolean): KyInstance =>
    ky.create({
      fetch: fetchFn as typeof globalThis.fetch,
      timeout: settings.timeoutMs,
      throwHttpErrors: true,
      headers: {
        // Without credentials (health before login) the auth headers are left out altogether.
        ...(settings.partnerId && settings.apiKey
          ? { 'SW-PARTNER-ID': settings.partnerId, 'SW-API-KEY': settings.apiKey }
          : {}),
        Accept: 'application/json',
        'User-Agent': settings.userAgent,
      },
      retry: {
        limit: settings.retries,
        methods: ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'],
        statusCodes: [...RETRY_STATUSES],
        afterStatusCodes: [429, 503],
        maxRetryAfter: 60_000,
        retryOnTimeout: true,
        delay: (attempt) => backoffDelay(attempt),
        shouldRetry: ({ error }) => {
          const status = error instanceof HTTPError ? error.response.status : undefined;
          // 'retry' defers to ky, which then honours Retry-After; 'stop' vetoes.
          return retryVerdict({ idempotent, status, error }) === 'retry' ? undefined : false;
        },
      },
      hooks: {
        beforeRetry: [
          ({ options, retryCount, error }) => {
            (options.context['state'] as RequestState).retries = retryCount;
            if (error instanceof HTTPError && error.response.status === 429)
              settings.onRateLimited?.(parseRetryAfter(error.response.headers.get('retry-after')) ?? 1000);
            trace?.(`retry ${retryCount}/${settings.retries} after: ${redactText(error.message, known)}`);
          },
        ],
      },
    });
  const instances = { safe: make(true), unsafe: make(false) };
  const direct: DirectOptions = {
    headers: {
      ...(settings.partnerId && settings.apiKey
        ? { 'SW-PARTNER-ID': settings.partnerId, 'SW-API-KEY': settings.apiKey }
        : {}),
      Accept: 'application/json',
      'User-Agent': settings.userAgent,
    },
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    env: settings.env ?? {},
    trace,
    known,
    onRateLimited: settings.onRateLimited,
  };

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
      let response: { status: number; headers: Headers; text(): Promise<string> };
      if (settings.engine === 'direct') {
        const answer = await sendDirect(direct, method, url, req.body, idempotent);
        response = { status: answer.status, headers: answer.headers, text: async () => answer.text };
      } else {
        const state: RequestState = { retries: 0 };
        try {
          response = await (idempotent ? instances.safe : instances.unsafe)(url, {
            method,
            ...(req.body === undefined ? {} : { json: req.body }),
            context: { state },
          });
        } catch (error) {
          throw await toCliError(error, method, url, state.retries, settings.timeoutMs);
        }
      }
      const text = await response.text();
      if (options.raw) {
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: the raw text is the answer */
        }
        return { status: response.status, headers: response.headers, data: data as T, text };
      }
      try {
        const data = (text ? JSON.parse(text) : {}) as T;
        return { status: response.status, headers: response.headers, data, text };
      } catch {
        const type = response.headers.get('content-type') ?? 'unknown content type';
        throw new UnavailableError(
          `${method} ${url.pathname} answered ${response.status} with ${type}, not JSON; a proxy or captive portal may be in the way`,
          response.status,
          'Check the base URL with `safeweb profile show`.',
        );
      }
    },
  };
}

async function toCliError(
  error: unknown,
  method: string,
  url: URL,
  retries: number,
  timeoutMs: number,
): Promise<Error> {
  if (error instanceof HTTPError) {
    const res = error.response;
    let bodyText = '';
    try {
      bodyText = await res.text();
    } catch {
      /* body already consumed or broken; the status line still tells the story */
    }
    return errorFromResponse({
      status: res.status,
      statusText: res.statusText,
      contentType: res.headers.get('content-type') ?? '',
      bodyText,
      method,
      path: url.pathname,
      retries,
    });
  }
  const after = retries ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  if (isTimeout(error)) {
    return new UnavailableError(
      `no answer from ${url.host} within ${formatMs(timeoutMs)} (${method} ${url.pathname})${after}`,
      undefined,
      'Raise --timeout, or check the connection with `safeweb health`.',
    );
  }
  if (error instanceof TransportError) {
    const unavailable = new UnavailableError(
      `${error.message}${after}`,
      undefined,
      'Check the network and the base URL (`safeweb profile show`).',
    );
    unavailable.outcomeUnknown = error.sent;
    return unavailable;
  }
  return error instanceof Error ? error : new Error(String(error));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Wraps a fetch so every attempt is traced: method, URL, headers, body, status, timing. */
function tracingFetch(inner: FetchLike, trace: (line: string) => void, known: string[]): FetchLike {
  return async (input, init) => {
    const started = performance.now();
    traceRequest(
      trace,
      known,
      input.method,
      input.url,
      input.headers.entries(),
      input.body ? await input.clone().text() : '',
    );
    try {
      const response = await inner(input, init);
      traceResponse(
        trace,
        known,
        response.status,
        response.statusText,
        Math.round(performance.now() - started),
        response.headers.entries(),
        await response.clone().text(),
      );
      return response;
    } catch (error) {
      traceFailure(trace, known, input.method, Math.round(performance.now() - started), error);
      throw error;
    }
  };
}
