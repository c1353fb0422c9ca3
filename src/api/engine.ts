/**
 * The one HTTP engine: every request the tool sends as a client — API calls, bulk runs, webhook
 * deliveries, the listener's forwarding — goes through ky here, with one retry loop (ky's,
 * steered by a policy: the API's rules are in retry.ts), one per-attempt timeout, one trace
 * with redaction, and one hook for what counts as accepted.
 *
 * Kept cheap for bulk runs (measured with bench/bulk.js and --cpu-prof): ky gets a fetch that
 * sends on node:http (transport.ts) and is handed the body, headers and URL it needs beside the
 * Request, so no body stream is built, copied or read back; the header object is one per client;
 * the Response ky sees is built without a body (the bytes stay in the answer) and, for a 2xx,
 * without headers; a ky instance is made once per policy, so per request ky gets two options.
 */
import ky, { HTTPError, type KyInstance, type Options } from 'ky';
import { isTimeout, MAX_RETRY_AFTER_MS, RETRY_AFTER_STATUSES, retryAfterMs } from './retry.js';
import { traceFailure, traceRequest, traceResponse, type Trace } from './trace.js';
import { toHeaders, type Answer, type Wire } from './transport.js';

/** What counts as accepted: true, or false / a reason why not. */
export type Accepted = (answer: Answer) => boolean | string;

interface Job {
  url: URL;
  method: string;
  /** Every header to send; one object may serve many requests (it is never changed). */
  headers: Readonly<Record<string, string>>;
  /** The exact bytes to send. */
  body?: string | Buffer | undefined;
  /** A 2xx answer this does not accept is a failed attempt, retried under the same policy. */
  accepted?: Accepted | undefined;
  /** Told as each attempt ends, before any wait for the next. */
  onAttempt?: ((attempt: AttemptReport) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface AttemptReport {
  /** 1-based. */
  attempt: number;
  /** When it started, in epoch ms. */
  startedAt: number;
  ms: number;
  status?: number;
  /** Why it failed: below HTTP, a timeout, or a 2xx not accepted. */
  error?: string;
  ok: boolean;
}

/** A failed attempt, as a policy judges it: an answer it did not like, or no answer at all. */
export type Failure = { kind: 'answer'; answer: Answer; notAccepted?: string } | { kind: 'error'; error: unknown };

export interface RetryPolicy {
  /** Per attempt. */
  timeoutMs: number;
  retries: number;
  retryable(failure: Failure): boolean;
  /** The wait before retry n (1-based). */
  backoff(retry: number): number;
  /** A 429 or 503 with Retry-After (else RateLimit-Reset) waits as asked, up to a minute. */
  honourRetryAfter?: boolean;
  /** Told of every 429 as it arrives, with the wait it asks for (bulk runs slow down). */
  onRateLimited?: ((waitMs: number) => void) | undefined;
}

/** The request failed for good; `retries` were spent on it. */
export class EngineError extends Error {
  readonly failure: Failure;
  readonly retries: number;
  constructor(failure: Failure, retries: number) {
    super(
      failure.kind === 'answer' ? (failure.notAccepted ?? `answered ${failure.answer.status}`) : String(failure.error),
    );
    this.name = 'EngineError';
    this.failure = failure;
    this.retries = retries;
  }
}

export interface Engine {
  /** Sends until an attempt is accepted or the policy gives up (then an EngineError). */
  send(job: Job, policy: RetryPolicy): Promise<{ answer: Answer; retries: number }>;
}

/** A failure in words, for a console line or a delivery log. */
export function describeFailure(failure: Failure, policy: Pick<RetryPolicy, 'timeoutMs'>): string {
  if (failure.kind === 'answer') return failure.notAccepted ?? `${failure.answer.status}`;
  if (isTimeout(failure.error)) return `no answer within ${policy.timeoutMs} ms`;
  if (failure.error instanceof Error) return failure.error.name === 'AbortError' ? 'cancelled' : failure.error.message;
  return String(failure.error);
}

const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

/** One request on its way: what ky hands back to the fetch below at every attempt. */
interface Exchange {
  job: Job;
  policy: RetryPolicy;
  attempts: number;
  answer?: Answer;
  /** Settles when the current attempt has been reported. */
  pending?: Promise<void>;
}

class NotAcceptedError extends Error {
  readonly answer: Answer;
  constructor(answer: Answer, reason: string) {
    super(reason);
    this.name = 'NotAcceptedError';
    this.answer = answer;
  }
}

/** The answer behind each Response ky saw (ky's HTTPError carries the Response). */
const answers = new WeakMap<Response, Answer>();

function failureOf(error: unknown): Failure {
  if (error instanceof HTTPError) {
    const answer = answers.get(error.response);
    if (answer) return { kind: 'answer', answer };
  }
  if (error instanceof NotAcceptedError) return { kind: 'answer', answer: error.answer, notAccepted: error.message };
  return { kind: 'error', error };
}

/** The Response ky sees: no body; headers only where ky reads them (an error's Retry-After). */
function responseFor(answer: Answer, ok: boolean): Response {
  const init: ResponseInit = ok
    ? { status: answer.status, statusText: answer.statusText }
    : { status: answer.status, statusText: answer.statusText, headers: toHeaders(answer.headers) };
  let response: Response;
  try {
    response = new Response(null, init);
  } catch {
    response = new Response(null, { ...init, statusText: '' }); // a reason phrase fetch refuses
  }
  answers.set(response, answer);
  return response;
}

type Fetch = (input: Request, init?: RequestInit) => Promise<Response>;

/**
 * The fetch ky is handed: called once per attempt, with `init.safeweb` the Exchange (ky passes
 * options it does not know on to fetch), so the body is never turned into a stream and read back.
 * It traces the attempt, judges the answer (accepted, 429), and reports how the attempt ended.
 */
function attemptFetch(wire: Wire, trace: Trace | undefined, known: string[]): Fetch {
  return async (input, init) => {
    const x = (init as { safeweb: Exchange }).safeweb;
    const { job, policy } = x;
    const n = ++x.attempts;
    const startedAt = Date.now();
    const started = performance.now();
    let settle: (() => void) | undefined;
    if (job.onAttempt) x.pending = new Promise<void>((resolve) => (settle = resolve));
    if (trace) traceAttempt(trace, known, job, n, policy.retries);
    try {
      const { url, method, headers, body } = job;
      const answer = await wire({ url, method, headers, body, signal: input.signal });
      const ms = Math.round(performance.now() - started);
      x.answer = answer;
      if (trace) traceAnswer(trace, known, answer, ms);
      if (answer.status === 429) policy.onRateLimited?.(retryAfterMs(answer.headers) ?? 1000);
      const ok = answer.status >= 200 && answer.status < 300;
      const verdict = ok && job.accepted ? job.accepted(answer) : true;
      const notAccepted = verdict === true ? undefined : verdict || 'the answer was not accepted';
      const failed = notAccepted === undefined ? {} : { error: notAccepted };
      job.onAttempt?.({ attempt: n, startedAt, ms, status: answer.status, ...failed, ok: ok && !notAccepted });
      if (notAccepted === undefined) return responseFor(answer, ok);
      trace?.(`✗ not accepted: ${notAccepted}`);
      throw new NotAcceptedError(answer, notAccepted);
    } catch (error) {
      if (error instanceof NotAcceptedError) throw error;
      const ms = Math.round(performance.now() - started);
      // The wire passes an abort on: the caller's is a cancel, the engine's own is its timeout.
      const why = job.signal?.aborted
        ? 'cancelled'
        : input.signal.aborted
          ? `no answer within ${policy.timeoutMs} ms`
          : describeFailure({ kind: 'error', error }, policy);
      if (trace) traceFailure(trace, known, job.method, ms, why);
      job.onAttempt?.({ attempt: n, startedAt, ms, error: why, ok: false });
      throw error;
    } finally {
      settle?.();
    }
  };
}

/** The ky instance for one policy: its timeout, its retries, its waits. */
function kyFor(policy: RetryPolicy, fetch: Fetch): KyInstance {
  return ky.create({
    fetch: fetch as typeof globalThis.fetch,
    timeout: policy.timeoutMs,
    throwHttpErrors: true,
    retry: {
      limit: policy.retries,
      methods: ALL_METHODS,
      statusCodes: [...RETRY_AFTER_STATUSES],
      afterStatusCodes: policy.honourRetryAfter ? [...RETRY_AFTER_STATUSES] : [],
      maxRetryAfter: MAX_RETRY_AFTER_MS,
      retryOnTimeout: true,
      delay: (retry) => policy.backoff(retry),
      shouldRetry: ({ error }) => {
        const failure = failureOf(error);
        if (!policy.retryable(failure)) return false;
        // undefined: ky's own rule, which waits as a 429/503 asks (Retry-After, RateLimit-Reset);
        // true: retry after `backoff`.
        const asks =
          policy.honourRetryAfter &&
          failure.kind === 'answer' &&
          failure.notAccepted === undefined &&
          (RETRY_AFTER_STATUSES as readonly number[]).includes(failure.answer.status);
        return asks ? undefined : true;
      },
    },
  });
}

/** The engine over a wire. `trace` gets every attempt, with the `secrets` and all auth headers hidden. */
export function createEngine(options: { wire: Wire; trace?: Trace | undefined; secrets?: string[] }): Engine {
  const fetch = attemptFetch(options.wire, options.trace, (options.secrets ?? []).filter(Boolean));
  // One ky instance per policy, made once: per request ky then gets two options.
  const instances = new WeakMap<RetryPolicy, KyInstance>();
  const instanceFor = (policy: RetryPolicy): KyInstance => {
    let instance = instances.get(policy);
    if (!instance) instances.set(policy, (instance = kyFor(policy, fetch)));
    return instance;
  };
  return {
    async send(job, policy) {
      const x: Exchange = { job, policy, attempts: 0 };
      const options: Options & { safeweb: Exchange } = { method: job.method, safeweb: x };
      if (job.signal) options.signal = job.signal;
      try {
        await instanceFor(policy)(job.url, options);
        return { answer: x.answer!, retries: x.attempts - 1 };
      } catch (error) {
        // The last attempt is reported before the caller hears that the request failed.
        await x.pending;
        throw new EngineError(failureOf(error), Math.max(0, x.attempts - 1));
      }
    },
  };
}

function traceAttempt(trace: Trace, known: string[], job: Job, n: number, retries: number): void {
  if (n > 1) trace(`retry ${n - 1}/${retries}`);
  const body = typeof job.body === 'string' ? job.body : (job.body?.toString('utf8') ?? '');
  traceRequest(trace, known, job.method, job.url.href, Object.entries(job.headers), body);
}

function traceAnswer(trace: Trace, known: string[], answer: Answer, ms: number): void {
  const headers: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.push([key, v]);
    else if (value !== undefined) headers.push([key, value]);
  }
  traceResponse(trace, known, answer.status, answer.statusText, ms, headers, answer.body.toString('utf8'));
}
