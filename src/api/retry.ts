/**
 * When a failed request may be sent again. Pure, so the rules are unit-tested on their own.
 *
 * - Safe-to-repeat requests (GET, HEAD, PUT, DELETE, and POST/PATCH endpoints that set state
 *   rather than create it) are retried on network errors, timeouts, 429, 502, 503 and 504.
 * - A request that creates something (onboard, magic link, webhook create, a raw POST) is
 *   retried only when it provably never reached a server (connection refused, DNS failure) or
 *   when the server answered 429, which by contract means "rate limited, not processed".
 */
import { TransportError } from './transport.js';

export const RETRY_STATUSES = [429, 502, 503, 504] as const;

export type RetryVerdict = 'retry' | 'stop';

export interface RetryInput {
  idempotent: boolean;
  /** HTTP status when the server answered, else undefined. */
  status?: number | undefined;
  /** The failure below HTTP, when there was no answer. */
  error?: unknown;
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

export function retryVerdict(input: RetryInput): RetryVerdict {
  if (input.status !== undefined) {
    if (input.status === 429) return 'retry';
    if (!input.idempotent) return 'stop';
    return (RETRY_STATUSES as readonly number[]).includes(input.status) ? 'retry' : 'stop';
  }
  if (input.error instanceof TransportError) {
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

/** Milliseconds to wait from a Retry-After header (seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
