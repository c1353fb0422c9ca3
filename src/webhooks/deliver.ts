/**
 * One signed delivery with SafeWeb's policy: POST, 2-second timeout, and on a non-2xx answer or
 * a timeout up to 3 retries with exponential backoff. Used by `webhook trigger` and by the
 * sandbox, so both behave as SafeWeb does.
 */
import type { IncomingMessage } from 'node:http';
import { EVENT_HEADER, SIGNATURE_HEADER, sign } from './signature.js';

export interface DeliveryPolicy {
  timeoutMs: number;
  retries: number;
  /** Delay before retry n (1-based): base × 2^(n-1). */
  backoffBaseMs: number;
}

export const SAFEWEB_POLICY: DeliveryPolicy = { timeoutMs: 2000, retries: 3, backoffBaseMs: 500 };

export interface Attempt {
  attempt: number;
  at: string;
  ms: number;
  status?: number;
  error?: string;
  ok: boolean;
}

export interface DeliveryRequest {
  url: string;
  secret: string;
  event: string;
  /** The exact bytes to send and sign. */
  body: string;
}

/** A single POST with the SafeWeb headers; resolves with the status or the failure. */
async function attemptOnce(
  req: DeliveryRequest,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ status?: number; error?: string }> {
  const url = new URL(req.url);
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const request = mod.request(
      url,
      {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(req.body),
          'user-agent': 'SafeWeb-Webhooks (safeweb-cli)',
          [EVENT_HEADER]: req.event,
          [SIGNATURE_HEADER]: sign(req.body, req.secret),
        },
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0 });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          resolve({ error: error.message });
        });
      },
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error: error.message });
    });
    request.end(req.body);
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Delivers with retries. `onAttempt` sees every attempt as it ends. Returns all attempts; the
 * delivery succeeded when the last one is ok.
 */
export async function deliver(
  req: DeliveryRequest,
  policy: DeliveryPolicy = SAFEWEB_POLICY,
  onAttempt?: (a: Attempt) => void,
  signal?: AbortSignal,
): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  for (let n = 1; n <= policy.retries + 1; n++) {
    if (signal?.aborted) break;
    const started = Date.now();
    const result = await attemptOnce(req, policy.timeoutMs, signal);
    const attempt: Attempt = {
      attempt: n,
      at: new Date(started).toISOString(),
      ms: Date.now() - started,
      ...result,
      ok: result.status !== undefined && result.status >= 200 && result.status < 300,
    };
    attempts.push(attempt);
    onAttempt?.(attempt);
    if (attempt.ok || n > policy.retries) break;
    await sleep(policy.backoffBaseMs * 2 ** (n - 1), signal);
  }
  return attempts;
}
