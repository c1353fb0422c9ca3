/**
 * The local receiver behind `webhook listen`: verifies every delivery, answers at once (200
 * valid, 401 invalid), flags duplicates, and forwards verified deliveries untouched. A body
 * limit and request timeouts keep a bad client from hanging or exhausting it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, describeFailure, EngineError, type Engine, type RetryPolicy } from '../api/engine.js';
import { createWire } from '../api/transport.js';
import { answerHeaders, checkDelivery, dedupeKey, header, readBoundedBody } from './intake.js';
import { EVENT_HEADER, SIGNATURE_HEADER } from './signature.js';
import { V1_SIGNATURE_HEADER, V1_TOKEN_HEADER } from './v1.js';

export interface ReceivedDelivery {
  receivedAt: string;
  path: string;
  /** Only for v1 deliveries (X-Signature); the older protocol's records are as they were. */
  protocol?: 'v1';
  event: string | undefined;
  verified: boolean;
  /** 1-based index of the secret that matched. */
  secret?: number;
  reason?: string;
  duplicate: boolean;
  status: number;
  body: unknown;
  forward?: { url: string; status?: number; error?: string; ms: number };
}

export interface ReceiverOptions {
  port: number;
  path?: string | undefined;
  secrets: string[];
  forwardTo?: string | undefined;
  onDelivery: (d: ReceivedDelivery) => void;
  maxBodyBytes?: number;
}

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

const FORWARD_TIMEOUT_MS = 10_000;

/** One try, ten seconds: the sender already has its answer, and the app's own log shows the rest. */
const FORWARD_POLICY: RetryPolicy = {
  timeoutMs: FORWARD_TIMEOUT_MS,
  retries: 0,
  retryable: () => false,
  backoff: () => 0,
};

let forwarder: Engine | undefined;

/** The HTTP engine, made on the first forward: a listener that only prints never needs it. */
function forwardEngine(): Engine {
  return (forwarder ??= createEngine({ wire: createWire({ env: {} }) }));
}

/**
 * Sends a verified delivery on to the app, raw body and SafeWeb headers intact, over http or
 * https. Never rejects: a refused connection, a TLS error, a timeout or a non-2xx answer comes
 * back as the result, for the listener's console line; the listener keeps serving.
 */
async function forward(
  url: string,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<NonNullable<ReceivedDelivery['forward']>> {
  const started = Date.now();
  const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
  for (const name of [EVENT_HEADER, SIGNATURE_HEADER, V1_SIGNATURE_HEADER, V1_TOKEN_HEADER, 'user-agent']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const ms = () => Date.now() - started;
  try {
    const engine = forwardEngine();
    try {
      const { answer } = await engine.send({ url: new URL(url), method: 'POST', headers, body }, FORWARD_POLICY);
      return { url, status: answer.status, ms: ms() };
    } catch (error) {
      // A non-2xx is the app's answer (shown as such); anything else is why there was none.
      if (error instanceof EngineError && error.failure.kind === 'answer')
        return { url, status: error.failure.answer.status, ms: ms() };
      const failure = error instanceof EngineError ? error.failure : { kind: 'error' as const, error };
      return { url, error: describeFailure(failure, FORWARD_POLICY), ms: ms() };
    }
  } catch (error) {
    return { url, error: error instanceof Error ? error.message : String(error), ms: ms() };
  }
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const seen = new Set<string>();
  const maxBody = options.maxBodyBytes ?? 1_000_000;
  // Timeouts are checked every second (Node's default is every 30 s), so a stalled client is
  // dropped within seconds of its deadline.
  const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://receiver.local').pathname;
    const reply = (status: number, body: Record<string, unknown>, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...extra });
      res.end(JSON.stringify(body));
    };
    if (options.path && path !== options.path) {
      req.resume();
      return reply(404, { error: `deliveries go to ${options.path}` });
    }
    if (req.method !== 'POST') {
      req.resume();
      return reply(405, { error: 'deliveries are POST requests' });
    }
    const tooLarge = () => reply(413, { error: `body over ${maxBody} bytes` });
    readBoundedBody(
      req,
      maxBody,
      (raw) => {
        const checked = checkDelivery(req, raw, options.secrets);
        const { v1, check } = checked;
        const base = {
          receivedAt: new Date().toISOString(),
          path,
          ...(v1 ? { protocol: 'v1' as const } : {}),
          event: header(req, EVENT_HEADER),
        };
        if (!check.valid) {
          reply(401, { error: `invalid signature: ${check.reason}` });
          options.onDelivery({
            ...base,
            verified: false,
            reason: check.detail,
            duplicate: false,
            status: 401,
            body: null,
          });
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          reply(400, { error: 'the body is not JSON' });
          options.onDelivery({
            ...base,
            verified: true,
            secret: check.secretIndex + 1,
            reason: 'the body is not JSON',
            duplicate: false,
            status: 400,
            body: raw.toString('utf8').slice(0, 200),
          });
          return;
        }
        const key = dedupeKey(v1 ? body : null, raw);
        const duplicate = seen.has(key);
        seen.add(key);
        // Answer first: SafeWeb gives a receiver 2 seconds; forwarding must not eat into them. A v1
        // answer is signed here, with the secret that verified it, whatever the app would say.
        reply(200, { received: true, duplicate }, answerHeaders(checked, options.secrets));
        const type = (body as { type?: unknown } | null)?.type;
        const delivery: ReceivedDelivery = {
          ...base,
          ...(v1 && typeof type === 'string' ? { event: type } : {}),
          verified: true,
          secret: check.secretIndex + 1,
          duplicate,
          status: 200,
          body,
        };
        if (!options.forwardTo) return options.onDelivery(delivery);
        void forward(options.forwardTo, req, raw).then((result) =>
          options.onDelivery({ ...delivery, forward: result }),
        );
      },
      tooLarge,
    );
  });
  // A slow or silent client is cut off instead of holding a socket open.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/'}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
