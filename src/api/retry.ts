/**
 * When a failed request may be sent again. Pure, so the rules are unit-tested on their own.
 *
 * - Safe-to-repeat requests (GET, HEAD, PUT, DELETE, and POST/PATCH endpoints that set state
 *   rather than create it) are retried on network errors, timeouts, 429, 502, 503 and 504.
 * - A request that creates something (onboard, magic link, webhook create, a raw POST) is
 *   retried only when it provably never reached a server (connection refused, DNS failure) or
 *   when the server answered 429, which by contract means "rate limited, not processed".
 * - A 2xx the caller did not accept (see `accepted` in engine.ts) counts as a failed attempt: it
 *   is sent again only when that is safe, like a 5xx.
 * - A 429 or 503 that says when to come back (Retry-After, else RateLimit-Reset) is retried
 *   after that wait, at most a minute; other retries wait `backoffDelay`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Failure, RetryPolicy } from './engine.js';
import { TransportError } from './transport.js';

const RETRY_STATUSES = [429, 502, 503, 504] as const;

export type RetryVerdict = 'retry' | 'stop';

export interface RetryInput {
  idempotent: boolean;
  /** HTTP status when the server answered, else undefined. */
  status?: number | undefined;
  /** The failure below HTTP, when there was no answer. */
  error?: unknown;
  /** A 2xx answer judged not accepted: why. */
  notAccepted?: string | undefined;
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

export function retryVerdict(input: RetryInput): RetryVerdict {
  if (input.notAccepted !== undefined) return input.idempotent ? 'retry' : 'stop';
  if (input.status !== undefined) {
    if (input.status === 429) return 'retry';
    if (!input.idempotent) return 'stop';
    return (RETRY_STATUSES as readonly number[]).includes(input.status) ? 'retry' : 'stop';
  }
  if (input.error instanceof TransportError) {
    if (input.error.final) return 'stop';
    return input.idempotent || !input.error.sent ? 'retry' : 'stop';
  }
  if (isTimeout(input.error)) return input.idempotent ? 'retry' : 'stop';
  return 'stop';
}

/** Exponential backoff with full jitter: 300 ms, 600 ms, 1.2 s ... capped at 10 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 300 * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/** The longest wait a server may ask for; beyond it, the wait is cut to this. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** The statuses whose answer may say when to come back. */
export const RETRY_AFTER_STATUSES = [429, 503] as const;

/**
 * The headers that say when to come back, in the order ky reads them (ky waits on them; this
 * reads them the same way to tell a bulk run's pacer how long the wait is).
 */
const RETRY_AFTER_HEADERS = [
  'retry-after',
  'ratelimit-reset',
  'x-ratelimit-retry-after',
  'x-ratelimit-reset',
  'x-rate-limit-reset',
];

// A number this large is a Unix time in seconds, not a delay (ky's rule, against clock skew).
const EPOCH_THRESHOLD_MS = Date.parse('2024-01-01');

/**
 * Milliseconds to wait from one such header: seconds, a Unix time in seconds, or an HTTP date;
 * undefined when it says nothing usable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) {
    const ms = seconds * 1000;
    return ms >= EPOCH_THRESHOLD_MS ? Math.max(0, ms - now) : ms;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The wait an answer asks for (Retry-After, else RateLimit-Reset, ...), capped; or undefined. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  for (const name of RETRY_AFTER_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string' && value) {
      const ms = parseRetryAfter(value, now);
      return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
    }
  }
  return undefined;
}

/**
 * The one set of retry rules, as the engine takes them, for a client of any far side (SafeWeb, a
 * PSA): `retryVerdict` on each failure, doubling backoff, Retry-After honoured, 429s reported.
 */
export function retryPolicy(
  settings: { timeoutMs: number; retries: number; onRateLimited?: ((waitMs: number) => void) | undefined },
  idempotent: boolean,
): RetryPolicy {
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
