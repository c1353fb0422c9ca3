/**
 * The direct engine: the same request, retry and error rules as the ky client, straight on
 * node:http, for bulk runs. Measured (bench/bulk.js): ky's per-request work (a WHATWG Request
 * and Response with their streams) cost about 0.7 ms of CPU a request, enough to make 16
 * concurrent onboardings at 20 ms latency 1.3x slower than ideal; this path costs a fraction
 * of it. Both engines share the rules (retry.ts), the error mapping (errors.ts) and the
 * tracing (trace.ts), and the client tests run against both.
 */
import { UnavailableError } from '../errors.js';
import { errorFromResponse } from './errors.js';
import { backoffDelay, isTimeout, parseRetryAfter, retryVerdict } from './retry.js';
import { traceFailure, traceRequest, traceResponse, type Trace } from './trace.js';
import { exchange, toHeaders, TransportError } from './transport.js';

export interface DirectOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  env: Record<string, string | undefined>;
  trace?: Trace | undefined;
  known: string[];
  onRateLimited?: ((retryAfterMs: number) => void) | undefined;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

const MAX_RETRY_AFTER = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendDirect(
  o: DirectOptions,
  method: string,
  url: URL,
  payload: unknown,
  idempotent: boolean,
): Promise<RawAnswer> {
  const bodyText = payload === undefined ? '' : JSON.stringify(payload);
  const headers = bodyText ? { ...o.headers, 'content-type': 'application/json' } : o.headers;
  const body = bodyText ? Buffer.from(bodyText) : undefined;
  for (let attempt = 0; ; attempt++) {
    const started = performance.now();
    if (o.trace)
      traceRequest(
        o.trace,
        o.known,
        method,
        url.href,
        Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v] as [string, string]),
        bodyText,
      );
    let answer: RawAnswer | undefined;
    let failure: unknown;
    const timeout = AbortSignal.timeout(o.timeoutMs);
    try {
      const res = await exchange({ url, method, headers, body, env: o.env, signal: timeout });
      answer = { status: res.status, headers: toHeaders(res.headers), text: res.body.toString('utf8') };
      if (o.trace)
        traceResponse(
          o.trace,
          o.known,
          res.status,
          res.statusText,
          Math.round(performance.now() - started),
          answer.headers,
          answer.text,
        );
      if (res.status >= 200 && res.status < 300) return answer;
    } catch (error) {
      failure = error;
      if (o.trace) traceFailure(o.trace, o.known, method, Math.round(performance.now() - started), error);
    }
    const status = answer?.status;
    const retryable = attempt < o.retries && retryVerdict({ idempotent, status, error: failure }) === 'retry';
    if (retryable) {
      const after = status === 429 || status === 503 ? parseRetryAfter(answer!.headers.get('retry-after')) : undefined;
      const wait = after !== undefined ? Math.min(after, MAX_RETRY_AFTER) : backoffDelay(attempt + 1);
      if (status === 429) o.onRateLimited?.(wait);
      o.trace?.(`retry ${attempt + 1}/${o.retries} in ${wait} ms`);
      await sleep(wait);
      continue;
    }
    if (answer) {
      throw errorFromResponse({
        status: answer.status,
        statusText: '',
        contentType: answer.headers.get('content-type') ?? '',
        bodyText: answer.text,
        method,
        path: url.pathname,
        retries: attempt,
      });
    }
    const after = attempt ? ` after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}` : '';
    if (isTimeout(failure)) {
      throw new UnavailableError(
        `no answer from ${url.host} within ${o.timeoutMs % 1000 === 0 ? `${o.timeoutMs / 1000}s` : `${o.timeoutMs}ms`} (${method} ${url.pathname})${after}`,
        undefined,
        'Raise --timeout, or check the connection with `safeweb health`.',
      );
    }
    if (failure instanceof TransportError) {
      const unavailable = new UnavailableError(
        `${failure.message}${after}`,
        undefined,
        'Check the network and the base URL (`safeweb profile show`).',
      );
      unavailable.outcomeUnknown = failure.sent;
      throw unavailable;
    }
    throw failure;
  }
}
