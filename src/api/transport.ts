/**
 * The wire under the HTTP engine: one exchange over node:http / node:https, proxies honoured,
 * failures below HTTP as TransportErrors that say whether the request ever left the machine.
 *
 * Why not the global fetch: on Node 20 its first use is costly (undici is loaded and set up), it
 * ignores HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and its errors do not say whether the request was
 * sent. ky drives every request (engine.ts); this is what it sends on.
 */
import http, { type Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { getProxyForUrl } from 'proxy-from-env';

/** A failure below HTTP. `sent` is false only when the request provably never reached a server. */
export class TransportError extends Error {
  readonly code: string | undefined;
  readonly sent: boolean;
  /** Trying again cannot help (a certificate this machine does not trust): never retried. */
  readonly final: boolean;
  constructor(message: string, code: string | undefined, sent: boolean, final = false) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.sent = sent;
    this.final = final;
  }
}

/**
 * A TLS handshake that failed: no request was written (HTTP starts after the handshake), and
 * the same certificate will fail the same way on a retry.
 */
function isTlsFailure(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? '';
  return code in TLS_REFUSALS || /^ERR_TLS_|^ERR_SSL_|CERT/.test(code);
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

/** One request as it goes on the wire. */
interface WireRequest {
  url: URL;
  method: string;
  /** Sent as given (node:http copies it), so one object can serve every request of a client. */
  headers: Readonly<Record<string, string>>;
  /** The exact bytes; node:http adds Content-Length. */
  body?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
}

/** A whole answer: status, node:http's header object (lower-case names) and the body bytes. */
export interface Answer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request and reads the whole answer. Failures below HTTP are TransportErrors. */
export type Wire = (request: WireRequest) => Promise<Answer>;

/** The largest answer read by default (--max-response-size, SAFEWEB_MAX_RESPONSE_SIZE): 16 MiB. */
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** `16 MiB`, `512 KiB`, `900 bytes`: a size as a person reads it. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * An answer larger than the run allows: it is not read on (memory stays bounded whatever a
 * server announces or sends), and trying again would fetch the same. The request was sent.
 */
export class TooLargeError extends TransportError {
  constructor(limit: number, announced?: number) {
    super(
      announced === undefined
        ? `the answer was larger than ${formatBytes(limit)}`
        : `the answer announced ${formatBytes(announced)}, more than ${formatBytes(limit)}`,
      'ETOOLARGE',
      true,
      true,
    );
  }
}

// Loaded on first use: a local sandbox or receiver never needs TLS.
let httpsModule: typeof import('node:https') | undefined;

/**
 * The wire for a run. `env` is where proxy variables are read from (an empty object: none, as
 * for webhook deliveries and forwarding to a local app).
 */
export function createWire(options: {
  env: Record<string, string | undefined>;
  /** The largest answer read (default DEFAULT_MAX_RESPONSE_BYTES); a larger one is a TooLargeError. */
  maxResponseBytes?: number | undefined;
}): Wire {
  const proxied = PROXY_VARIABLES.some((name) => options.env[name]);
  const agents = new Map<string, HttpAgent>();
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return async (request) => {
    const https = request.url.protocol === 'https:';
    if (https) httpsModule ??= await import('node:https');
    const agent = proxied ? await proxyAgentFor(request.url, agents) : undefined;
    return send(https ? httpsModule!.request : http.request, request, agent, limit);
  };
}

function send(
  requestFn: typeof http.request,
  request: WireRequest,
  agent: HttpAgent | undefined,
  limit: number,
): Promise<Answer> {
  const { url } = request;
  return new Promise<Answer>((resolve, reject) => {
    let connected = false;
    let proxyRefusal: string | undefined;
    const req = requestFn(
      url,
      { method: request.method, headers: request.headers, agent, signal: request.signal },
      (res: IncomingMessage) => {
        if (proxyRefusal) {
          // https-proxy-agent replays the proxy's own answer as if the API had sent it; a 403
          // from a proxy must not read as "your API key was refused".
          res.resume();
          const why = `the proxy refused to open a tunnel to ${url.host} (${proxyRefusal}); check HTTPS_PROXY and NO_PROXY`;
          reject(new TransportError(why, 'EPROXY', false));
          return;
        }
        read(res, request.signal, limit, resolve, reject);
      },
    );
    if (agent) {
      req.on('proxyConnect', (connect: { statusCode: number; statusText: string }) => {
        if (connect.statusCode !== 200) proxyRefusal = `${connect.statusCode} ${connect.statusText}`.trim();
      });
    }
    req.on('socket', (socket) => {
      // A kept-alive socket is connected already; only a new one gets a (one-off) listener.
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (request.signal?.aborted) {
        // The engine's timeout (or the caller) aborted: pass the reason on.
        reject(request.signal.reason ?? error);
        return;
      }
      if (isTlsFailure(error)) {
        reject(new TransportError(describeNetworkError(error, url), error.code, false, true));
        return;
      }
      const sent = connected || !NOT_SENT_CODES.has(error.code ?? '');
      reject(new TransportError(describeNetworkError(error, url), error.code, sent));
    });
    req.end(request.body);
  });
}

/** Reads the whole answer; a connection lost half-way is a TransportError, not a short body. */
function read(
  res: IncomingMessage,
  signal: AbortSignal | undefined,
  limit: number,
  resolve: (answer: Answer) => void,
  reject: (error: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  let ended = false;
  // Refused before a byte is read when the server announces more, and the moment it sends more.
  const announced = Number(res.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    ended = true;
    reject(new TooLargeError(limit, announced));
    res.destroy();
    return;
  }
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      ended = true;
      chunks.length = 0;
      reject(new TooLargeError(limit));
      res.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', (error: NodeJS.ErrnoException) => {
    if (signal?.aborted) return reject(signal.reason);
    const message = `the connection broke while reading the response: ${error.message}`;
    reject(new TransportError(message, error.code, true));
  });
  res.on('close', () => {
    // Destroyed before the end (an abort after the headers came): settle all the same.
    if (!ended)
      reject(signal?.aborted ? signal.reason : new TransportError('the connection closed', 'ECONNRESET', true));
  });
  res.on('end', () => {
    ended = true;
    const status = res.statusCode ?? 0;
    if (!res.complete)
      reject(new TransportError('the connection closed before the whole response arrived', 'ECONNRESET', true));
    else if (status < 200 || status > 599)
      reject(new TransportError(`the server answered with an invalid HTTP status ${status}`, undefined, true));
    else
      resolve({
        status,
        statusText: res.statusMessage ?? '',
        headers: res.headers,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      });
  });
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

/** TLS refusals, in words that do not change with the Node version. */
const TLS_REFUSALS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issuer unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer unknown',
  CERT_HAS_EXPIRED: 'certificate expired',
};

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): string {
  const where = url.host;
  const refusal = TLS_REFUSALS[error.code ?? ''];
  if (refusal)
    return `the TLS certificate of ${where} was not trusted (${refusal}); NODE_EXTRA_CA_CERTS can add its CA`;
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the TLS certificate of ${where} was issued for another name (${error.message})`;
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

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/**
 * The proxy HTTPS_PROXY / HTTP_PROXY name for `url` ('' for none, or when NO_PROXY excludes it).
 * proxy-from-env reads process.env itself; the CLI's env is process.env, so they agree. It is
 * given the parts of a WHATWG URL rather than a string: with a string it calls the legacy
 * url.parse(), which Node 24 warns about on stderr once the library is bundled into dist/.
 */
export function proxyFor(url: URL): string {
  return getProxyForUrl({ protocol: url.protocol, host: url.host, port: url.port } as Parameters<
    typeof getProxyForUrl
  >[0]);
}

/**
 * The agent for a proxy named by HTTPS_PROXY / HTTP_PROXY (NO_PROXY respected), or undefined;
 * one agent per proxy and scheme, so connections to the proxy are reused. proxy-from-env holds
 * the NO_PROXY matching rules; the agents are loaded only when needed.
 */
async function proxyAgentFor(url: URL, agents: Map<string, HttpAgent>): Promise<HttpAgent | undefined> {
  const proxyUrl = proxyFor(url);
  if (!proxyUrl) return undefined;
  const key = `${url.protocol} ${proxyUrl}`;
  let agent = agents.get(key);
  if (!agent) {
    if (url.protocol === 'https:') {
      const { HttpsProxyAgent } = (await import('https-proxy-agent')).default;
      agent = new HttpsProxyAgent(proxyUrl);
    } else {
      const { HttpProxyAgent } = (await import('http-proxy-agent')).default;
      agent = new HttpProxyAgent(proxyUrl);
    }
    agents.set(key, agent);
  }
  return agent;
}
