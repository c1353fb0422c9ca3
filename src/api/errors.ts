/** Turns a non-2xx answer into the typed error main.ts maps to an exit code. */
import { ApiRejectedError, AuthError, UnavailableError, type CliError } from '../errors.js';

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
    message: `${statusLine}: the server answered with ${kind}, not JSON${title ? ` ("${title}")` : ''}; a proxy or gateway may be in the way`,
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
    return new ApiRejectedError(
      `the server redirected ${where} (${res.status}); the base URL is probably wrong`,
      res.status,
      body,
      'Check the base URL with `safeweb profile show`.',
    );
  }
  return new ApiRejectedError(`${message} (${res.status} from ${where})`, res.status, body);
}

function retried(n: number): string {
  return n ? ` after ${n} ${n === 1 ? 'retry' : 'retries'}` : '';
}
