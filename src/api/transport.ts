/**
 * The `fetch` that ky is handed: one request over node:http / node:https.
 *
 * Why not the global fetch: on Node 20 its first use costs several times a bare Node start
 * (measured in bench/), it ignores HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and its errors do not
 * say whether the request ever left the machine. This is the one place that choice is made.
 */
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';

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
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

export interface TransportOptions {
  env: Record<string, string | undefined>;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Returns a fetch-compatible function backed by node:http(s), honouring proxy variables. */
export function createTransport(options: TransportOptions): (input: Request, init?: RequestInit) => Promise<Response> {
  return async (input: Request) => {
    const url = new URL(input.url);
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? await import('node:https') : await import('node:http');
    const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    input.headers.forEach((value, key) => {
      headers[key] = value;
    });
    if (body) headers['content-length'] = String(body.length);
    const agent = await proxyAgentFor(url, options.env);

    return await new Promise<Response>((resolve, reject) => {
      let connected = false;
      let proxyRefusal: string | undefined;
      const req = mod.request(url, { method: input.method, headers, agent, signal: input.signal }, (res: IncomingMessage) => {
        if (proxyRefusal) {
          // https-proxy-agent replays the proxy's own answer as if the API had sent it; a 403
          // from a proxy must not read as "your API key was refused".
          res.resume();
          reject(new TransportError(`the proxy refused to open a tunnel to ${url.host} (${proxyRefusal}); check HTTPS_PROXY and NO_PROXY`, 'EPROXY', false));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new TransportError(`the connection broke while reading the response: ${error.message}`, (error as NodeJS.ErrnoException).code, true)));
        res.on('end', () => {
          if (!res.complete) {
            reject(new TransportError('the connection closed before the whole response arrived', 'ECONNRESET', true));
            return;
          }
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
            else if (value !== undefined) responseHeaders.set(key, value);
          }
          const status = res.statusCode ?? 0;
          const payload = NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks);
          if (status < 200 || status > 599) {
            reject(new TransportError(`the server answered with an invalid HTTP status ${status}`, undefined, true));
            return;
          }
          resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        });
      });
      req.on('proxyConnect', (connect: { statusCode: number; statusText: string }) => {
        if (connect.statusCode !== 200) proxyRefusal = `${connect.statusCode} ${connect.statusText}`.trim();
      });
      req.on('socket', (socket) => {
        // A kept-alive socket is connected already; only a new one gets a (one-off) listener.
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') {
          // ky's timeout aborts the signal and raises its own TimeoutError; pass the reason on.
          reject(input.signal.reason ?? error);
          return;
        }
        const sent = connected || !NOT_SENT_CODES.has(error.code ?? '');
        reject(new TransportError(describeNetworkError(error, url), error.code, sent));
      });
      req.end(body);
    });
  };
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
