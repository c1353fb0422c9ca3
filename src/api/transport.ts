/**
 * One HTTP exchange over node:http / node:https, and the `fetch` that ky is handed on top of it.
 *
 * Why not the global fetch: on Node 20 its first use costs several times a bare Node start
 * (measured in bench/), it ignores HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and its errors do not
 * say whether the request ever left the machine. This is the one place that choice is made.
 */
import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A failure below HTTP. `sent` is false only when the request provably never reached a server. */
export class TransportError extends Error {
  readonly code: string | undefined;
  readonly sent: boolean;
  constructor(message: string, code: string | undefined, sent: boolean) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.sent = sent;
  }
}

// Errors raised before a connection exists: nothing was written to any server.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
]);

export interface TransportOptions {
  env: Record<string, string | undefined>;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

// Loaded on first use (https is not needed for a local sandbox), then kept.
let httpModule: typeof import('node:http') | undefined;
let httpsModule: typeof import('node:https') | undefined;

export interface Exchange {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  env: Record<string, string | undefined>;
  signal?: AbortSignal | undefined;
}

/** Sends one request and reads the whole answer. Failures below HTTP are TransportErrors. */
export async function exchange(request: ExchangeRequest): Promise<Exchange> {
  const { url, body } = request;
  const mod =
    url.protocol === 'https:'
      ? (httpsModule ??= await import('node:https'))
      : (httpModule ??= await import('node:http'));
  const headers = body ? { ...request.headers, 'content-length': String(body.length) } : request.headers;
  const agent = await proxyAgentFor(url, request.env);
  return await new Promise<Exchange>((resolve, reject) => {
    let connected = false;
    let proxyRefusal: string | undefined;
    const req = mod.request(
      url,
      { method: request.method, headers, agent, signal: request.signal },
      (res: IncomingMessage) => {
        if (proxyRefusal) {
          // https-proxy-agent replays the proxy's own answer as if the API had sent it; a 403
          // from a proxy must not read as "your API key was refused".
          res.resume();
          reject(
            new TransportError(
              `the proxy refused to open a tunnel to ${url.host} (${proxyRefusal}); check HTTPS_PROXY and NO_PROXY`,
              'EPROXY',
              false,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          reject(
            new TransportError(
              `the connection broke while reading the response: ${error.message}`,
              (error as NodeJS.ErrnoException).code,
              true,
            ),
          ),
        );
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (!res.complete)
            reject(new TransportError('the connection closed before the whole response arrived', 'ECONNRESET', true));
          else if (status < 200 || status > 599)
            reject(new TransportError(`the server answered with an invalid HTTP status ${status}`, undefined, true));
          else
            resolve({ status, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('proxyConnect', (connect: { statusCode: number; statusText: string }) => {
      if (connect.statusCode !== 200) proxyRefusal = `${connect.statusCode} ${connect.statusText}`.trim();
    });
    req.on('socket', (socket) => {
      // A kept-alive socket is connected already; only a new one gets a (one-off) listener.
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError' || error.name === 'TimeoutError') {
        // A timeout aborts the request; pass the caller's reason on.
        reject(request.signal?.reason ?? error);
        return;
      }
      const sent = connected || !NOT_SENT_CODES.has(error.code ?? '');
      reject(new TransportError(describeNetworkError(error, url), error.code, sent));
    });
    req.end(body);
  });
}

/** Returns a fetch-compatible function backed by `exchange`, for ky. */
export function createTransport(options: TransportOptions): (input: Request, init?: RequestInit) => Promise<Response> {
  return async (input: Request) => {
    const headers: Record<string, string> = {};
    input.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
    const res = await exchange({
      url: new URL(input.url),
      method: input.method,
      headers,
      body,
      env: options.env,
      signal: input.signal,
    });
    return new Response(NULL_BODY_STATUSES.has(res.status) ? null : res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: toHeaders(res.headers),
    });
  };
}

/** node:http's header object as WHATWG Headers. */
export function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): string {
  const where = url.host;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `could not connect to ${where}: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve host ${url.hostname}`;
    case 'ECONNRESET':
      return `the connection to ${where} was reset`;
    case 'ETIMEDOUT':
      return `the connection to ${where} timed out`;
    default:
      return `network error talking to ${where}: ${error.message}`;
  }
}

/**
 * The agent for a proxy named by HTTPS_PROXY / HTTP_PROXY (NO_PROXY respected), or undefined.
 * proxy-from-env holds the NO_PROXY matching rules; the agents are loaded only when needed.
 */
async function proxyAgentFor(url: URL, env: Record<string, string | undefined>): Promise<HttpAgent | undefined> {
  const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];
  if (!names.some((name) => env[name])) return undefined;
  // proxy-from-env reads process.env itself; the CLI's env is process.env, so they agree.
  const { getProxyForUrl } = await import('proxy-from-env');
  const proxyUrl = getProxyForUrl(url.href);
  if (!proxyUrl) return undefined;
  if (url.protocol === 'https:') {
    const { HttpsProxyAgent } = await import('https-proxy-agent');
    return new HttpsProxyAgent(proxyUrl);
  }
  const { HttpProxyAgent } = await import('http-proxy-agent');
  return new HttpProxyAgent(proxyUrl);
}
