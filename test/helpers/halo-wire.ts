/**
 * A wire (what the HTTP engine sends on) that holds every HaloPSA request the tool sends, and every
 * answer it gets, to the vendor's spec (halo-contract.ts): below `<tenant>/api`, the operation, its
 * path and query parameters, the JSON body, the bearer token and the content type; then the
 * answer's status, content type and body. The token request (`<tenant>/auth/token`, Halo's
 * authorisation server, not in the spec) is held to OAuth2's client-credentials grant: POST,
 * form-encoded, grant_type, client_id, client_secret, scope; a 200 with a bearer token and its
 * lifetime, an error with OAuth2's `error`. Requests to any other origin (the SafeWeb sandbox) pass
 * through unchecked. A test asserts `problems` is empty at its end.
 */
import { createWire, type Wire } from '../../src/api/transport.js';
import { PSA_MAX_RESPONSE_BYTES } from '../../src/psa/http.js';
import { haloContract, isHaloError } from './halo-contract.js';

interface CheckedRequest {
  method: string;
  /** Below the REST base (`/Tickets`), or `/auth/token`. */
  path: string;
  query: URLSearchParams;
  status: number;
  /** Whether it changes something at Halo (a token request does not). */
  write: boolean;
  /** The JSON body sent, when there was one. */
  body?: unknown;
}

export interface CheckedHaloWire {
  wire: Wire;
  /** Every HaloPSA exchange, in order (token requests among them). */
  requests: CheckedRequest[];
  /** Everything the spec (or OAuth2) refused, each naming its request. */
  problems: string[];
}

const contract = haloContract();

export function checkedHaloWire(
  tenant: string | URL,
  inner: Wire = createWire({ env: {}, maxResponseBytes: PSA_MAX_RESPONSE_BYTES }),
): CheckedHaloWire {
  const root = new URL(tenant);
  const prefix = root.pathname.replace(/\/+$/, '');
  const requests: CheckedRequest[] = [];
  const problems: string[] = [];
  const wire: Wire = async (request) => {
    const { pathname } = request.url;
    if (request.url.origin !== root.origin || !pathname.startsWith(`${prefix}/`)) return inner(request);
    const below = pathname.slice(prefix.length);
    const isToken = below === '/auth/token';
    if (!isToken && !below.startsWith('/api/')) return inner(request);
    const path = isToken ? below : below.slice('/api'.length);
    const method = request.method.toUpperCase();
    const say = (problem: string) => problems.push(`${method} ${path}: ${problem}`);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const text = request.body === undefined ? '' : request.body.toString();
    let body: unknown;
    if (isToken) checkTokenRequest(method, headers, text, say);
    else {
      body = text ? (JSON.parse(text) as unknown) : undefined;
      for (const p of contract.request({ method, pathname: path, query: request.url.searchParams, body })) say(p);
      if (!/^Bearer \S+$/.test(headers['authorization'] ?? '')) say('sends no bearer token');
      if (body !== undefined && headers['content-type'] !== 'application/json') say('sends a body that is not JSON');
    }
    const answer = await inner(request);
    requests.push({
      method,
      path,
      query: request.url.searchParams,
      status: answer.status,
      write: method !== 'GET' && !isToken,
      body,
    });
    const answerText = answer.body.toString('utf8');
    let answerBody: unknown;
    try {
      answerBody = answerText ? JSON.parse(answerText) : undefined;
    } catch {
      say(`answered ${answer.status} with a body that is not JSON`);
      return answer;
    }
    if (isToken) {
      checkTokenAnswer(answer.status, answerBody, say);
      return answer;
    }
    const type = answer.headers['content-type'];
    const checked = contract.response({
      method,
      pathname: path,
      status: answer.status,
      contentType: typeof type === 'string' ? type : null,
      body: answerBody,
    });
    for (const p of checked.problems) say(`answer ${answer.status}: ${p}`);
    if (!checked.declared && (answer.status < 400 || !isHaloError(answerBody)))
      say(`answer ${answer.status} is neither declared by the spec nor a Halo error`);
    return answer;
  };
  return { wire, requests, problems };
}

/** RFC 6749 §4.4.2: a client-credentials token request, the credentials in the form body. */
function checkTokenRequest(
  method: string,
  headers: Record<string, string>,
  text: string,
  say: (problem: string) => void,
): void {
  if (method !== 'POST') say('a token is asked for with POST');
  if (!/^application\/x-www-form-urlencoded\b/.test(headers['content-type'] ?? ''))
    say('the token request is not form-encoded');
  if (headers['authorization']) say('the token request carries an Authorization header');
  const form = new URLSearchParams(text);
  if (form.get('grant_type') !== 'client_credentials') say('grant_type is not client_credentials');
  for (const field of ['client_id', 'client_secret']) if (!form.get(field)) say(`the token request has no ${field}`);
  if (form.get('scope') !== 'all') say('scope is not "all"');
  const known = new Set(['grant_type', 'client_id', 'client_secret', 'scope']);
  for (const key of form.keys()) if (!known.has(key)) say(`the token request carries ${key}`);
}

/** RFC 6749 §5.1 and §5.2: a bearer token with its lifetime, or an error code. */
function checkTokenAnswer(status: number, body: unknown, say: (problem: string) => void): void {
  const r = (body ?? {}) as Record<string, unknown>;
  if (status === 200) {
    if (typeof r['access_token'] !== 'string' || !r['access_token']) say('the token answer has no access_token');
    if (typeof r['token_type'] !== 'string' || r['token_type'].toLowerCase() !== 'bearer')
      say('the token answer is not a bearer token');
    if (typeof r['expires_in'] !== 'number') say('the token answer has no expires_in');
  } else if (status >= 400 && status < 500 && status !== 429) {
    if (typeof r['error'] !== 'string') say(`token answer ${status} has no OAuth2 error code`);
  } else if (!isHaloError(body)) say(`token answer ${status} is neither a token nor an error`);
}
