/**
 * How the HTTP channels (Teams, Slack, PagerDuty, webhooks) send: through the one HTTP engine
 * (api/engine.ts) with a channel's policy, each failure turned into the typed error of the one
 * exit-code table (api/errors.ts: 3 refused, 4 authentication, 5 unavailable) naming the channel
 * as the far side, and every attempt's end reported as the outbox records it (findings/outbox.ts
 * `AttemptOutcome`): an acknowledgement with what the far side said, or a failure with its wait
 * and whether retrying can help.
 */
import { createEngine, EngineError, type Engine, type Failure, type RetryPolicy } from '../api/engine.js';
import { errorFromResponse, toCliError } from '../api/errors.js';
import { backoffDelay, retryAfterMs, retryVerdict } from '../api/retry.js';
import type { Trace } from '../api/trace.js';
import { createWire, type Wire } from '../api/transport.js';
import { UsageError, type CliError } from '../errors.js';
import type { AttemptOutcome } from '../findings/outbox.js';

/** The far sides, as messages and exit codes name them. */
type FarSide = 'Teams' | 'Slack' | 'PagerDuty' | 'webhook' | 'SMTP';

/** What the far side said when it took a message. */
export interface Ack {
  /** The HTTP status, or the SMTP reply code. */
  status: number;
  /** Its answer, cut to a readable length: Slack's `ok`, PagerDuty's JSON, the SMTP server's reply line. */
  answer: unknown;
}

/** One attempt's end, as the outbox records it; a failure carries the typed error behind it (for exit codes). */
export type SendOutcome =
  | { ok: true; ack: Ack }
  | { ok: false; error: string; retryAfterMs?: number | undefined; permanent: boolean; cause: CliError };

/** What the outbox journals of an outcome (`Outbox.record`): the typed error stays with the caller. */
export function attemptOutcome(outcome: SendOutcome): AttemptOutcome {
  if (outcome.ok) return { ok: true, ack: outcome.ack };
  const { cause: _cause, ...failure } = outcome;
  return failure;
}

/** What a sender needs to go over HTTP: the engine, and the run's timeout and retries. */
export interface NotifyHttp {
  engine: Engine;
  /** Per attempt. */
  timeoutMs: number;
  /**
   * Retries within one send, for what is safe to repeat (the outbox retries across runs, with its
   * own backoff): 0 for a runner that paces itself.
   */
  retries: number;
}

/** The engine for notifications: proxies from `env` (chat webhooks are on the internet), traced with secrets hidden. */
export function notifyHttp(options: {
  env: Record<string, string | undefined>;
  timeoutMs: number;
  retries: number;
  trace?: Trace | undefined;
  /** Values no trace may show: the channel URLs that carry their signature, routing keys. */
  secrets?: readonly string[] | undefined;
  /** Replaces node:http (tests forcing a rare failure). */
  wire?: Wire | undefined;
}): NotifyHttp {
  const wire = options.wire ?? createWire({ env: options.env });
  const engine = createEngine({ wire, trace: options.trace, secrets: [...(options.secrets ?? [])] });
  return { engine, timeoutMs: options.timeoutMs, retries: options.retries };
}

/** One JSON POST to a channel. */
export interface Post {
  url: URL;
  /** How errors show the URL: without the path or query when those are the secret (Slack, Teams). */
  shownUrl: URL;
  body: string;
  headers?: Readonly<Record<string, string>> | undefined;
  farSide: FarSide;
  /** The far side dedupes (PagerDuty by dedup_key, a webhook receiver by webhook-id): any failure may be retried. */
  dedupes: boolean;
  signal?: AbortSignal | undefined;
}

const ANSWER_MAX = 2000;

/** POSTs the body, and says how it went; never throws for what the far side or the network did. */
export async function post(http: NotifyHttp, request: Post): Promise<SendOutcome> {
  const policy: RetryPolicy = {
    timeoutMs: http.timeoutMs,
    retries: http.retries,
    retryable: (f: Failure) =>
      retryVerdict({
        idempotent: request.dedupes,
        ...(f.kind === 'answer' ? { status: f.answer.status, notAccepted: f.notAccepted } : { error: f.error }),
      }) === 'retry',
    backoff: (retry) => backoffDelay(retry),
    honourRetryAfter: true,
  };
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'safeweb-cli (notify)',
    ...request.headers,
  };
  try {
    const { answer } = await http.engine.send(
      { url: request.url, method: 'POST', headers, body: request.body, signal: request.signal },
      policy,
    );
    return { ok: true, ack: { status: answer.status, answer: answerOf(answer.body, answer.headers['content-type']) } };
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    const failure = error.failure;
    const cause = causeOf(error, request, http.timeoutMs);
    const status = failure.kind === 'answer' ? failure.answer.status : undefined;
    const wait = failure.kind === 'answer' ? retryAfterMs(failure.answer.headers) : undefined;
    return {
      ok: false,
      error: cause.message,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
      permanent: isPermanent(status, failure),
      cause,
    };
  }
}

/**
 * The typed error of a failed send. Slack (and many a webhook) answers an error as a short plain
 * text (`no_service`, `invalid_payload`): that text is its message, not "a non-JSON body".
 */
function causeOf(error: EngineError, request: Post, timeoutMs: number): CliError {
  const failure = error.failure;
  if (failure.kind === 'answer' && failure.notAccepted === undefined) {
    const text = failure.answer.body.toString('utf8').trim();
    const type = failure.answer.headers['content-type'] ?? '';
    if (text && text.length <= 200 && !/json|html/i.test(type) && !/^[<{[]/.test(text))
      return errorFromResponse({
        status: failure.answer.status,
        statusText: failure.answer.statusText,
        contentType: 'application/json',
        bodyText: JSON.stringify({ error: text }),
        method: 'POST',
        path: request.shownUrl.pathname,
        retries: error.retries,
        farSide: request.farSide,
      });
  }
  return toCliError(error, 'POST', request.shownUrl, timeoutMs, request.farSide) as CliError;
}

/**
 * A refusal retrying cannot change: a 4xx other than 408 and 429 (a malformed body, a URL that is
 * gone, credentials refused) and a certificate this machine does not trust. The outbox dead-letters
 * it at once; `outbox retry` sends it again once the channel is fixed.
 */
function isPermanent(status: number | undefined, failure: Failure): boolean {
  if (status !== undefined) return status >= 400 && status < 500 && status !== 408 && status !== 429;
  const error = failure.kind === 'error' ? (failure.error as { final?: unknown }) : undefined;
  return error?.final === true;
}

/** The answer as data: JSON when it is, else its text, cut short. */
function answerOf(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  if (/json/i.test(contentType ?? '') || /^\s*[{[]/.test(text)) {
    try {
      if (text.length <= ANSWER_MAX) return JSON.parse(text) as unknown;
    } catch {
      // not JSON after all: its text
    }
  }
  return text.length > ANSWER_MAX ? `${text.slice(0, ANSWER_MAX)}…` : text;
}

/**
 * The URL as errors may show it when its path or query is the secret (a Slack or Teams webhook):
 * the origin alone.
 */
export function originOnly(url: URL): URL {
  return new URL(`${url.origin}/`);
}

/**
 * A channel URL from the secret store or the settings, checked: https://, or http:// to this
 * machine only (a test receiver); never with credentials in it. Exit 2 otherwise, the value never
 * repeated (it may be the secret).
 */
export function channelUrl(value: string, what: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  const why = !url
    ? 'is not a URL'
    : url.username || url.password
      ? 'must not carry credentials'
      : url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))
        ? undefined
        : 'must be https:// (plain http:// only to 127.0.0.1, localhost or [::1])';
  if (why || !url) throw new UsageError(`${what} ${why ?? 'is not a URL'}`, 'Give the URL the far side issued.');
  return url;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
