/**
 * The local emulator of the SafeWeb Partner API (node:http). Same routes, shapes, error strings
 * and rules as CONTRACT.md. Start it in-process on port 0 for tests, or via `safeweb sandbox`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';
import { fail, matchRoute, type RouteResult } from './routes.js';
import { loadState, saveState, seededState, type SandboxState } from './state.js';
import './customer-routes.js';
import './breach-routes.js';
import './webhook-routes.js';
import { createDispatcher } from './dispatcher.js';
import type { DeliveryPolicy } from '../webhooks/deliver.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Persist state here: loaded at start when it exists, written after each change. */
  statePath?: string | undefined;
  /** Fixed credentials for the primary partner (tests); otherwise generated once per state. */
  credentials?: { partnerId?: string; apiKey?: string };
  /** One line per request, for the operator's console. */
  log?: ((line: string) => void) | undefined;
  now?: () => Date;
  /** Webhook delivery timing; SafeWeb's (2 s timeout, 3 retries, 0.5/1/2 s backoff) by default. */
  webhookPolicy?: DeliveryPolicy;
  /** Knobs for testing scripts against slow and failing servers (API routes only). */
  faults?: Faults;
}

export interface Faults {
  /** Added to every API answer. */
  latencyMs?: number;
  /** Share of API requests (0 to 1) answered 503 before anything is done. */
  errorRate?: number;
  /** API requests per second; beyond it, 429 with Retry-After. */
  rateLimit?: number;
  random?: () => number;
}

export interface Sandbox {
  url: string;
  port: number;
  partnerId: string;
  apiKey: string;
  state: SandboxState;
  /** Other partners' credentials, for ownership tests. */
  otherPartner: { partnerId: string; apiKey: string };
  /** Resolves when no webhook delivery is in flight. */
  deliveriesIdle(): Promise<void>;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? (() => new Date());
  const loaded = options.statePath ? loadState(options.statePath) : undefined;
  const state = loaded ?? seededState(now(), options.credentials);
  const persist = () => {
    if (options.statePath) saveState(options.statePath, state);
  };
  if (!loaded) persist();
  const log = options.log;
  const dispatcher = createDispatcher(state, { policy: options.webhookPolicy, log, persist });
  const fault = faultGate(options.faults ?? {});

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const finish = (result: RouteResult) => {
      const text = result.html ?? JSON.stringify(result.body);
      const type = result.html === undefined ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8';
      res.writeHead(result.status, {
        ...result.headers,
        'content-type': type,
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      log?.(`${req.method} ${req.url} → ${result.status} (${Math.round(performance.now() - started)} ms)`);
    };
    const at = now();
    const isApi = (req.url ?? '').startsWith('/api/');
    const injected = isApi ? fault() : undefined;
    const delay = isApi ? (options.faults?.latencyMs ?? 0) : 0;
    if (injected) {
      req.resume();
      setTimeout(() => finish(injected), delay);
      return;
    }
    handle(req, state, at)
      .then(async ({ result, partnerId }) => {
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
        if (result.changed) persist();
        finish(result);
        if (result.events?.length && partnerId) dispatcher.dispatch(partnerId, result.events, at);
      })
      .catch((error: unknown) => {
        log?.(`internal error: ${(error as Error).message}`);
        finish(fail(500, 'Internal server error'));
      });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const primary = state.partners[0]!;
  const other = state.partners[1]!;
  return {
    url: `http://${address.address}:${address.port}`,
    port: address.port,
    partnerId: primary.partnerId,
    apiKey: primary.apiKey,
    state,
    otherPartner: { partnerId: other.partnerId, apiKey: other.apiKey },
    deliveriesIdle: () => dispatcher.idle(),
    close: async () => {
      await dispatcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      persist();
    },
  };
}

/**
 * The fault knobs: a 429 beyond the rate limit (a token bucket refilled continuously), else a
 * 503 for the error-rate share of requests, else nothing.
 */
function faultGate(faults: Faults): () => RouteResult | undefined {
  const random = faults.random ?? Math.random;
  const rate = faults.rateLimit;
  let tokens = rate ?? 0;
  let last = Date.now();
  return () => {
    if (rate) {
      const t = Date.now();
      tokens = Math.min(rate, tokens + ((t - last) / 1000) * rate);
      last = t;
      if (tokens < 1) {
        const result = fail(429, 'Too many requests');
        return { ...result, headers: { 'retry-after': '1' } };
      }
      tokens -= 1;
    }
    if (faults.errorRate && random() < faults.errorRate) return fail(503, 'Service temporarily unavailable');
    return undefined;
  };
}

/** Routes one request; the partner it authenticated as comes back with the answer. */
async function handle(
  req: http.IncomingMessage,
  state: SandboxState,
  now: Date,
): Promise<{ result: RouteResult; partnerId?: string | undefined }> {
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  const method = (req.method ?? 'GET').toUpperCase();
  const matched = matchRoute(method, url.pathname);
  const raw = await readBody(req);
  if (raw === undefined) return { result: fail(413, 'Request body too large') };
  if (!matched) return { result: fail(404, `Route not found: ${method} ${url.pathname}`) };
  if ('allowed' in matched)
    return { result: fail(405, `Method ${method} not allowed on ${url.pathname}; use ${matched.allowed.join(', ')}`) };

  const partnerId = header(req, 'sw-partner-id');
  const apiKey = header(req, 'sw-api-key');
  const partner =
    partnerId && apiKey ? state.partners.find((p) => p.partnerId === partnerId && p.apiKey === apiKey) : undefined;
  if (matched.route.auth) {
    if (!partnerId || !apiKey) return { result: fail(401, 'Partner ID and API key are required in headers') };
    if (!partner) return { result: fail(401, 'Failed to verify org API key') };
  }
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return { result: fail(400, 'Invalid JSON in request body') };
    }
  }
  const origin = `http://${req.headers.host ?? `127.0.0.1:${req.socket.localPort}`}`;
  const result = await matched.route.handle({
    partner: partner ?? state.partners[0]!,
    origin,
    params: matched.params,
    query: url.searchParams,
    body,
    state,
    now,
  });
  return { result, partnerId: partner?.partnerId };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() ? text.trim() : undefined;
}
