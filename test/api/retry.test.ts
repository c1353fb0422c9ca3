import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, retryAfterMs, retryVerdict } from '../../src/api/retry.js';
import { TransportError } from '../../src/api/transport.js';

const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
const refused = new TransportError('refused', 'ECONNREFUSED', false);
const reset = new TransportError('reset', 'ECONNRESET', true);

describe('retryVerdict', () => {
  it('retries safe requests on 429, 502, 503, 504 and nothing else', () => {
    for (const status of [429, 502, 503, 504]) expect(retryVerdict({ idempotent: true, status })).toBe('retry');
    for (const status of [400, 401, 403, 404, 409, 422, 500, 501])
      expect(retryVerdict({ idempotent: true, status })).toBe('stop');
  });

  it('never re-sends a create on a server error: the server may have acted on it', () => {
    for (const status of [500, 502, 503, 504]) expect(retryVerdict({ idempotent: false, status })).toBe('stop');
  });

  it('re-sends a create on 429, which the contract defines as refused before processing', () => {
    expect(retryVerdict({ idempotent: false, status: 429 })).toBe('retry');
  });

  it('re-sends a create only when the request provably never left', () => {
    expect(retryVerdict({ idempotent: false, error: refused })).toBe('retry');
    expect(retryVerdict({ idempotent: false, error: reset })).toBe('stop');
    expect(retryVerdict({ idempotent: false, error: timeout })).toBe('stop');
  });

  it('retries safe requests on any network error and on timeouts', () => {
    expect(retryVerdict({ idempotent: true, error: reset })).toBe('retry');
    expect(retryVerdict({ idempotent: true, error: refused })).toBe('retry');
    expect(retryVerdict({ idempotent: true, error: timeout })).toBe('retry');
  });

  it('re-sends a 2xx that was not accepted only when that is safe', () => {
    expect(retryVerdict({ idempotent: true, status: 200, notAccepted: 'unsigned' })).toBe('retry');
    expect(retryVerdict({ idempotent: false, status: 200, notAccepted: 'unsigned' })).toBe('stop');
  });

  it('does not retry programming errors', () => {
    expect(retryVerdict({ idempotent: true, error: new TypeError('x is undefined') })).toBe('stop');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is jittered between half and full, and is capped', () => {
    expect(backoffDelay(1, () => 0)).toBe(150);
    expect(backoffDelay(1, () => 1)).toBe(300);
    expect(backoffDelay(3, () => 1)).toBe(1200);
    expect(backoffDelay(20, () => 1)).toBe(10_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads Retry-After first, then RateLimit-Reset and the X- variants, capped at a minute', () => {
    expect(retryAfterMs({ 'retry-after': '2', 'ratelimit-reset': '9' }, now)).toBe(2000);
    expect(retryAfterMs({ 'ratelimit-reset': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'x-ratelimit-reset': String(now / 1000 + 4) }, now)).toBe(4000);
    expect(retryAfterMs({ 'retry-after': '3600' }, now)).toBe(60_000);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
