/** Turns a failed request into the typed error main.ts maps to an exit code: the one mapping. */
import { ApiRejectedError, AuthError, SAFEWEB, UnavailableError, type CliError } from '../errors.js';
import { EngineError } from './engine.js';
import { isTimeout } from './retry.js';
import { TooLargeError, TransportError } from './transport.js';

export interface FailedResponse {
  status: number;
  statusText: string;
  contentType: string;
  bodyText: string;
  method: string;
  path: string;
  /** Retries already spent before giving up. */
  retries: number;
  /** Which far side answered (the messages name it): "SafeWeb" unless a PSA or channel client says. */
  farSide?: string | undefined;
}

/** The server's own words: `error`, else `message`, else the status line; non-JSON said as such. */
export function describeFailure(res: Pick<FailedResponse, 'status' | 'statusText' | 'contentType' | 'bodyText'>): {
  message: string;
  body: unknown;
} {
  const statusLine = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  let body: unknown;
  try {
    body = res.bodyText ? JSON.parse(res.bodyText) : undefined;
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    // Autotask says why in a list of messages (`{"errors": ["…"]}`).
    const listed = Array.isArray(record['errors'])
      ? record['errors'].filter((v): v is string => typeof v === 'string' && v.trim() !== '').join('; ')
      : '';
    const text = [record['error'], record['message'], listed].find((v) => typeof v === 'string' && v.trim() !== '');
    return { message: typeof text === 'string' ? text : statusLine, body };
  }
  if (res.bodyText.trim() === '') return { message: `${statusLine} with an empty body`, body: undefined };
  const kind =
    /html/i.test(res.contentType) || /^\s*</.test(res.bodyText)
      ? 'an HTML page'
      : `${res.contentType || 'a non-JSON body'}`;
  const title = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(res.bodyText)?.[1]?.trim();
  return {
    message:
      `${statusLine}: the server answered with ${kind}, not JSON${title ? ` ("${title}")` : ''}; ` +
      'a proxy or gateway may be in the way',
    body: undefined,
  };
}

/**
 * The typed error for a far side's failed answer — 401/403 exit 4, 429 (after retries), 5xx and a
 * redirect exit 5, any other 4xx exit 3 — its message naming the far side: "(SafeWeb answered 404 to GET /x)".
 */
export function errorFromResponse(res: FailedResponse): CliError {
  const { message, body } = describeFailure(res);
  const farSide = res.farSide ?? SAFEWEB;
  const answered = `${farSide} answered ${res.status} to ${res.method} ${res.path}`;
  if (res.status === 401 || res.status === 403) {
    return new AuthError(
      `${message} (${answered})`,
      farSide === SAFEWEB
        ? 'Check the partner ID and API key with `safeweb profile show`, or run `safeweb login`.'
        : `Check the credentials stored for ${farSide}.`,
      res.status,
      farSide,
    );
  }
  if (res.status === 429) {
    const limited = new UnavailableError(
      `${message} (${answered}, rate limited${retried(res.retries)})`,
      429,
      'Wait a little and run it again.',
      farSide,
    );
    limited.outcomeUnknown = false;
    return limited;
  }
  if (res.status >= 500) {
    return new UnavailableError(
      `${message} (${answered}${retried(res.retries)})`,
      res.status,
      'The service failed; try again later.',
      farSide,
    );
  }
  if (res.status >= 300 && res.status < 400) {
    // Not a rejection of the request (3): the server did not answer as the contract says, and
    // a redirect is never followed (the key must not travel to another origin).
    const redirected = new UnavailableError(
      `${farSide} redirected ${res.method} ${res.path} (${res.status}); the base URL is probably wrong`,
      res.status,
      farSide === SAFEWEB
        ? 'Check the base URL with `safeweb profile show`.'
        : `Check the address configured for ${farSide}.`,
      farSide,
    );
    redirected.outcomeUnknown = false;
    return redirected;
  }
  return new ApiRejectedError(`${message} (${answered})`, res.status, body, undefined, farSide);
}

function retried(n: number): string {
  return n ? ` after ${n} ${n === 1 ? 'retry' : 'retries'}` : '';
}

/**
 * What the engine threw, as the error for an API request: the server's answer through
 * errorFromResponse, a 2xx without what the contract promises, a timeout, or a network failure
 * (with whether it may have been processed all the same). Anything else is passed on: a bug.
 */
export function toCliError(error: unknown, method: string, url: URL, timeoutMs: number, farSide = SAFEWEB): Error {
  if (!(error instanceof EngineError)) return error instanceof Error ? error : new Error(String(error));
  const { failure, retries } = error;
  if (failure.kind === 'answer') {
    const { answer } = failure;
    const contentType = answer.headers['content-type'] ?? '';
    if (failure.notAccepted !== undefined) {
      return new UnavailableError(
        `${farSide} answered ${answer.status} to ${method} ${url.pathname} but ${failure.notAccepted}${retried(retries)}`,
        answer.status,
        'The answer lacked what the API promises; try again later.',
        farSide,
      );
    }
    return errorFromResponse({
      status: answer.status,
      statusText: answer.statusText,
      contentType,
      bodyText: answer.body.toString('utf8'),
      method,
      path: url.pathname,
      retries,
      farSide,
    });
  }
  const cause = failure.error;
  if (isTimeout(cause)) {
    return new UnavailableError(
      `no answer from ${farSide} (${url.host}) within ${formatMs(timeoutMs)} (${method} ${url.pathname})${retried(retries)}`,
      undefined,
      farSide === SAFEWEB
        ? 'Raise --timeout, or check the connection with `safeweb health`.'
        : `Raise --timeout, or check the connection to ${farSide}.`,
      farSide,
    );
  }
  if (cause instanceof TooLargeError) {
    // Nothing of it is read, trusted or recorded; a write it answered may have happened.
    const tooLarge = new UnavailableError(
      `answer too large from ${farSide}: ${method} ${url.pathname}: ${cause.message}; nothing was recorded from it`,
      undefined,
      'If an answer this large is expected, raise --max-response-size (or SAFEWEB_MAX_RESPONSE_SIZE).',
      farSide,
    );
    tooLarge.outcomeUnknown = true;
    return tooLarge;
  }
  if (cause instanceof TransportError) {
    const unavailable = new UnavailableError(
      `${farSide} unreachable: ${cause.message}${retried(retries)}`,
      undefined,
      farSide === SAFEWEB
        ? 'Check the network and the base URL (`safeweb profile show`).'
        : `Check the network and the address configured for ${farSide}.`,
      farSide,
    );
    unavailable.outcomeUnknown = cause.sent;
    return unavailable;
  }
  return cause instanceof Error ? cause : new Error(String(cause));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
