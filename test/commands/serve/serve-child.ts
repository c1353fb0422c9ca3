/**
 * `safeweb serve` as a child process of the built binary (real signals, a real kill -9), its
 * NDJSON lines (one per delivery) collected, and deliveries signed and sent over loopback in
 * either protocol.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import { BIN, cleanEnv, until } from '../../helpers/cli.js';
import type { PsaFixture } from '../../psa/psa-fixture.js';

export interface ServeChild {
  child: ChildProcessWithoutNullStreams;
  /** The delivery URL and the base of /healthz, /readyz, /metrics. */
  url: string;
  admin: string;
  lines: Array<Record<string, unknown>>;
  stderr(): string;
  exit: Promise<number | null>;
  /** Resolves once `n` deliveries were reported. */
  reported(n: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(args: string[], env: Record<string, string | undefined>): Promise<ServeChild> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', ...args], {
    env: cleanEnv(env) as NodeJS.ProcessEnv,
  });
  let stderr = '';
  let stdout = '';
  const lines: Array<Record<string, unknown>> = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const parts = stdout.split('\n');
    stdout = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<{ url: string; admin: string }>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /on (http:\/\/\S+?) \(.*health on (http:\/\/\S+?)\/healthz/.exec(stderr);
      if (m) resolve({ url: m[1]!, admin: m[2]! });
    });
    void exit.then((code) => reject(new Error(`serve exited ${code} before listening:\n${stderr}`)));
  });
  const { url, admin } = await ready;
  return {
    child,
    url,
    admin,
    lines,
    stderr: () => stderr,
    exit,
    reported: (n) => until(() => lines.length >= n, `${n} deliveries reported; stderr:\n${stderr}`),
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exit;
    },
  };
}

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request, raw: what a hostile or a correct sender would send. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; path?: string } = {},
): Promise<Answer> {
  const where = new URL(url);
  const target = {
    host: where.hostname,
    port: where.port,
    // As given: a URL would resolve `..` before sending.
    path: options.path ?? `${where.pathname}${where.search}`,
    method: options.method ?? 'POST',
    headers: options.headers,
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(target, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');

/** A v1 delivery of `body` (fresh X-Token), and whether its answer is signed for that token. */
export async function sendV1(
  url: string,
  secret: string,
  body: string,
  path?: string,
): Promise<Answer & { signed: boolean }> {
  const token = randomUUID();
  const answer = await request(url, {
    headers: { 'content-type': 'application/json', 'x-signature': hmac(secret, body), 'x-token': token },
    body,
    path,
  });
  return { ...answer, signed: answer.headers['x-signature'] === hmac(secret, token) };
}

/** A delivery of the older protocol. */
export function sendLegacy(url: string, secret: string, event: string, body: string): Promise<Answer> {
  return request(url, {
    headers: {
      'content-type': 'application/json',
      'x-safeweb-event': event,
      'x-safeweb-signature': `sha256=${hmac(secret, body)}`,
    },
    body,
  });
}

/** A v1 `customer.breach.found` body for breaches of a customer. */
export function breachFound(
  customer: { uuid: string; reference: string; name?: string },
  breaches: Array<{ uuid: string; name: string; emails?: string[] }>,
  token: string = randomUUID(),
): string {
  return JSON.stringify({
    idempotencyToken: token,
    type: 'customer.breach.found',
    data: {
      customer: { name: 'Acme', ...customer },
      breaches: breaches.map((b) => ({ emails: [], ...b })),
    },
    timestamp: Date.now(),
  });
}

/**
 * Registers a SafeWeb endpoint at `url` for a new breach in both protocols (`breach.new`,
 * `customer.breach.found`), its secret written to `secretFile`: the endpoint's ID.
 */
export async function registerEndpoint(fx: Pick<PsaFixture, 'json'>, url: string, secretFile: string): Promise<number> {
  const created = await fx.json<{ id: number }>([
    'webhook',
    'create',
    '--url',
    url,
    '--event',
    'breach.new',
    '--event',
    'customer.breach.found',
    '--secret-file',
    secretFile,
  ]);
  return created.id;
}
