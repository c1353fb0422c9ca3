/** Turns a failed request into the typed error main.ts maps to an exit code: the one mapping. */
import { ApiRejectedError, AuthError, UnavailableError, type CliError } from '../errors.js';
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
    const text = [record['error'], record['message']].find((v) => typeof v === 'string' && v.trim() !== '');
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

export function errorFromResponse(res: FailedResponse): CliError {
  const { message, body } = describeFailure(res);
  const where = `${res.method} ${res.path}`;
  if (res.status === 401 || res.status === 403) {
    return new AuthError(
      `${message} (${res.status} from ${where})`,
      'Check the partner ID and API key with `safeweb profile show`, or run `safeweb login`.',
      res.status,
    );
  }
  if (res.status === 429) {
    const limited = new UnavailableError(
      `${message} (429 rate limited on ${where}${retried(res.retries)})`,
      429,
      'Wait a little and run it again.',
    );
    limited.outcomeUnknown = false;
    return limited;
  }
  if (res.status >= 500) {
    return new UnavailableError(
      `${message} (${res.status} from ${where}${retried(res.retries)})`,
      res.status,
      'The service failed; try again later.',
    );
  }
  if (res.status >= 300 && res.status < 400) {
    // Not a rejection of the request (3): the server did not answer as the contract says, and
    // a redirect is never followed (the key must not travel to another origin).
    const redirected = new UnavailableError(
      `the server redirected ${where} (${res.status}); the base URL is probably wrong`,
      res.status,
      'Check the base URL with `safeweb profile show`.',
    );
    redirected.outcomeUnknown = false;
    return redirected;
  }
  return new ApiRejectedError(`${message} (${res.status} from ${where})`, res.status, body);
}

function retried(n: number): string {
  return n ? ` after ${n} ${n === 1 ? 'retry' : 'retries'}` : '';
}

/**
 * What the engine threw, as the error for an API request: the server's answer through
 * errorFromResponse, a 2xx without what the contract promises, a timeout, or a network failure
 * (with whether it may have been processed all the same). Anything else is passed on: a bug.
 */
export function toCliError(error: unknown, method: string, url: URL, timeoutMs: number): Error {
  if (!(error instanceof EngineError)) return error instanceof Error ? error : new Error(String(error));
  const { failure, retries } = error;
  if (failure.kind === 'answer') {
    const { answer } = failure;
    const contentType = answer.headers['content-type'] ?? '';
    if (failure.notAccepted !== undefined) {
      return new UnavailableError(
        `${method} ${url.pathname} answered ${answer.status} but ${failure.notAccepted}${retried(retries)}`,
        answer.status,
        'The answer lacked what the API promises; try again later.',
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
    });
  }
  const cause = failure.error;
  if (isTimeout(cause)) {
    return new UnavailableError(
      `no answer from ${url.host} within ${formatMs(timeoutMs)} (${method} ${url.pathname})${retried(retries)}`,
      undefined,
      'Raise --timeout, or check the connection with `safeweb health`.',
    );
  }
  if (cause instanceof TooLargeError) {
    // Nothing of it is read, trusted or recorded; a write it answered may have happened.
    const tooLarge = new UnavailableError(
      `answer too large: ${method} ${url.pathname}: ${cause.message}; nothing was recorded from it`,
      undefined,
      'If an answer this large is expected, raise --max-response-size (or SAFEWEB_MAX_RESPONSE_SIZE).',
    );
    tooLarge.outcomeUnknown = true;
    return tooLarge;
  }
  if (cause instanceof TransportError) {
    const unavailable = new UnavailableError(
      `${cause.message}${retried(retries)}`,
      undefined,
      'Check the network and the base URL (`safeweb profile show`).',
    );
    unavailable.outcomeUnknown = cause.sent;
    return unavailable;
  }
  return cause instanceof Error ? cause : new Error(String(cause));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
