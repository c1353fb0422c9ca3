/**
 * The receiver's HTTP side (node:http, plain HTTP behind the partner's TLS proxy): one path for
 * deliveries (POST only), and /healthz, /readyz and /metrics on the same port or on an admin port
 * of their own. Built for traffic nobody vouches for:
 *
 * - the path is compared as sent, byte for byte (no `..` resolved, no decoding): anything else is 404;
 * - headers over 16 KiB are refused by Node (431) before any code runs; headers must arrive within
 *   5 s and the whole request within 10 s, checked every second, so a slow client holds a socket
 *   for seconds, not forever; at most 1024 connections at once;
 * - a body over the limit is refused with 413 (webhooks/intake.ts reads at most a bounded excess);
 * - while draining, a request on a connection still open is answered 503 with `connection: close`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBoundedBody } from '../webhooks/intake.js';
import type { RefusalReason } from './metrics.js';

export interface Answer {
  status: number;
  body: Record<string, unknown> | string;
  headers?: Record<string, string> | undefined;
}

export interface ServerOptions {
  host: string;
  port: number;
  path: string;
  /** A port of its own for /healthz, /readyz, /metrics; undefined: the delivery port. */
  adminPort?: number | undefined;
  maxBody: number;
  /** A delivery's body, read whole and within the limit; `started` is when its request arrived (ms). */
  deliver(req: http.IncomingMessage, raw: Buffer, started: number): Promise<Answer>;
  admin: { healthz(): Answer; readyz(): Answer; metrics(): Promise<Answer> };
  refused(reason: RefusalReason): void;
}

export interface Listening {
  url: string;
  adminUrl: string;
  /** Stops accepting (new connections refused, idle ones closed) and resolves when no request is in flight. */
  drain(): Promise<void>;
  /** Ends every connection at once (the drain ran out of time, or it is done). */
  close(): Promise<void>;
}

const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_CONNECTIONS = 1024;

function send(res: http.ServerResponse, answer: Answer, close: boolean): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
    ...answer.headers,
  });
  res.end(text);
}

const error = (status: number, message: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { error: message },
  headers,
});

export async function listen(options: ServerOptions): Promise<Listening> {
  let draining = false;
  let inFlight = 0;
  let settled: (() => void) | undefined;
  const track = (res: http.ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) settled?.();
    });
  };

  const adminRoute = async (req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    const route = { '/healthz': 'healthz', '/readyz': 'readyz', '/metrics': 'metrics' }[path] as
      'healthz' | 'readyz' | 'metrics' | undefined;
    if (!route) return false;
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, error(405, `${path} answers GET`, { allow: 'GET, HEAD' }), draining);
      return true;
    }
    const answer = route === 'metrics' ? await options.admin.metrics() : options.admin[route]();
    send(res, answer, draining);
    return true;
  };

  const onDeliveryPort = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    track(res);
    const path = (req.url ?? '').split('?')[0]!;
    if (path !== options.path) {
      void (async () => {
        if (options.adminPort === undefined && (await adminRoute(req, res, path))) return;
        req.resume();
        options.refused('path');
        send(res, error(404, `deliveries go to ${options.path}`), draining);
      })();
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      options.refused('method');
      return send(res, error(405, 'deliveries are POST requests', { allow: 'POST' }), draining);
    }
    if (draining) {
      req.resume();
      options.refused('draining');
      return send(res, error(503, 'the receiver is stopping; retry', { 'retry-after': '5' }), true);
    }
    readBoundedBody(
      req,
      options.maxBody,
      (raw) => {
        options
          .deliver(req, raw, started)
          .then((answer) => send(res, answer, draining))
          .catch(() => send(res, error(503, 'the delivery could not be kept; retry'), true));
      },
      () => {
        options.refused('too-large');
        send(res, error(413, `body over ${options.maxBody} bytes`), true);
      },
    );
  };

  const servers: http.Server[] = [];
  const make = (handler: http.RequestListener) => {
    const server = http.createServer(
      { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: 1000, requestTimeout: REQUEST_TIMEOUT_MS },
      handler,
    );
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.keepAliveTimeout = HEADERS_TIMEOUT_MS;
    server.maxConnections = MAX_CONNECTIONS;
    servers.push(server);
    return server;
  };
  const main = make(onDeliveryPort);
  const admin =
    options.adminPort === undefined
      ? undefined
      : make((req, res) => {
          const path = (req.url ?? '').split('?')[0]!;
          void adminRoute(req, res, path).then((done) => {
            if (!done) send(res, error(404, 'this port answers /healthz, /readyz and /metrics'), false);
          });
        });
  const bound = async (server: http.Server, port: number) => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  };
  const base = await bound(main, options.port);
  let adminBase = base;
  try {
    if (admin) adminBase = await bound(admin, options.adminPort!);
  } catch (e) {
    main.close();
    throw e;
  }

  return {
    url: `${base}${options.path}`,
    adminUrl: adminBase,
    async drain() {
      draining = true;
      for (const s of servers) {
        s.close();
        s.closeIdleConnections();
      }
      if (inFlight > 0) await new Promise<void>((resolve) => (settled = resolve));
    },
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
