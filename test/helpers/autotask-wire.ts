/**
 * A wire (what the HTTP engine sends on) that holds every Autotask request the tool sends, and
 * every answer it gets, to the vendor's Swagger 2.0 document (autotask-contract.ts): the
 * operation, its path, query and header parameters (the auth headers among them), the JSON body;
 * then the answer's status, content type and body (an answer the spec declares none for, an error,
 * must have Autotask's `{"errors": […]}` shape). The zone lookup, which the spec's subset leaves
 * out, is held to what Autotask documents: `?user=` in, `{url}` out. It also counts the requests in
 * flight at once (`maxInFlight`). Requests to anything else (the SafeWeb sandbox) pass through.
 * A test asserts `problems` is empty at its end.
 */
import { createWire, type Wire } from '../../src/api/transport.js';
import { PSA_MAX_RESPONSE_BYTES } from '../../src/psa/http.js';
import { autotaskContract } from './autotask-contract.js';

interface CheckedRequest {
  method: string;
  /** Below the basePath: `/V1.0/Tickets/query`. */
  path: string;
  query: URLSearchParams;
  status: number;
  /** Whether it changes something (a query is a POST that reads). */
  write: boolean;
}

export interface CheckedAutotaskWire {
  wire: Wire;
  requests: CheckedRequest[];
  problems: string[];
  /** The most Autotask requests that were in flight at once. */
  maxInFlight: number;
}

const contract = autotaskContract();
const BASE = contract.basePath.toLowerCase();

export function checkedAutotaskWire(
  inner: Wire = createWire({ env: {}, maxResponseBytes: PSA_MAX_RESPONSE_BYTES }),
): CheckedAutotaskWire {
  const requests: CheckedRequest[] = [];
  const problems: string[] = [];
  let inFlight = 0;
  const checked: CheckedAutotaskWire = { wire: undefined as unknown as Wire, requests, problems, maxInFlight: 0 };
  checked.wire = async (request) => {
    const lower = request.url.pathname.toLowerCase();
    const at = lower.indexOf(BASE);
    if (at === -1) return inner(request);
    const path = request.url.pathname.slice(at + BASE.length);
    const method = request.method.toUpperCase();
    const where = `${method} ${path}`;
    const say = (problem: string) => problems.push(`${where}: ${problem}`);
    const text = request.body === undefined ? '' : request.body.toString();
    const body: unknown = text ? JSON.parse(text) : undefined;
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const zone = /\/v1\.0\/zoneinformation$/i.test(path);
    if (zone) {
      if (method !== 'GET' || !request.url.searchParams.get('user')) say('a zone lookup is a GET with ?user=');
      if (headers['secret'] || headers['apiintegrationcode']) say('a zone lookup sends no credentials');
    } else {
      for (const p of contract.request({ method, pathname: path, query: request.url.searchParams, headers, body }))
        say(p);
      if (body !== undefined && !/^application\/json\b/.test(headers['content-type'] ?? ''))
        say('sends a body that is not JSON');
    }
    inFlight += 1;
    checked.maxInFlight = Math.max(checked.maxInFlight, inFlight);
    let answer;
    try {
      answer = await inner(request);
    } finally {
      inFlight -= 1;
    }
    const write = method !== 'GET' && !/\/query$/i.test(path);
    requests.push({ method, path, query: request.url.searchParams, status: answer.status, write });
    const answerText = answer.body.toString('utf8');
    let answerBody: unknown;
    try {
      answerBody = answerText ? JSON.parse(answerText) : undefined;
    } catch {
      say(`answered ${answer.status} with a body that is not JSON`);
      return answer;
    }
    if (zone) {
      if (answer.status === 200 && typeof (answerBody as { url?: unknown } | undefined)?.url !== 'string')
        say('the zone lookup answered no url');
      return answer;
    }
    const type = answer.headers['content-type'];
    const verdict = contract.response({
      method,
      pathname: path,
      status: answer.status,
      contentType: typeof type === 'string' ? type : null,
      body: answerBody,
    });
    for (const p of verdict.problems) say(`answer ${answer.status}: ${p}`);
    if (!verdict.declared || answer.status >= 400) {
      const errors = (answerBody as { errors?: unknown } | undefined)?.errors;
      if (answer.status < 400 || !Array.isArray(errors) || !errors.every((e) => typeof e === 'string'))
        say(`answer ${answer.status} is neither declared by the spec nor an Autotask error`);
    }
    return answer;
  };
  return checked;
}
