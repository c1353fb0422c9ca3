/**
 * A wire (what the HTTP engine sends on) that holds every ConnectWise request the tool sends, and
 * every answer it gets, to the vendor's spec (connectwise-contract.ts): the operation, its path
 * and query parameters, the JSON body, the content type it asks for and the credentials it sends;
 * then the answer's status, content type and body (answers the spec declares none for, errors,
 * must have ConnectWise's error shape). Requests to anything else (the SafeWeb sandbox) pass
 * through unchecked. A test asserts `problems` is empty at its end.
 */
import { createWire, type Wire } from '../../src/api/transport.js';
import { CW_API_PATH } from '../../src/psa/connectwise/client.js';
import { PSA_MAX_RESPONSE_BYTES } from '../../src/psa/http.js';
import { connectWiseContract, RESPONSE_TYPE } from './connectwise-contract.js';

interface CheckedRequest {
  method: string;
  /** Below the REST base: `/service/tickets`. */
  path: string;
  query: URLSearchParams;
  status: number;
  /** Whether it changes something (every ConnectWise read is a GET). */
  write: boolean;
}

export interface CheckedWire {
  wire: Wire;
  /** Every ConnectWise exchange, in order. */
  requests: CheckedRequest[];
  /** Everything the spec (or ConnectWise's error shape) refused, each naming its request. */
  problems: string[];
}

const contract = connectWiseContract();

export function checkedWire(
  inner: Wire = createWire({ env: {}, maxResponseBytes: PSA_MAX_RESPONSE_BYTES }),
): CheckedWire {
  const requests: CheckedRequest[] = [];
  const problems: string[] = [];
  const wire: Wire = async (request) => {
    const at = request.url.pathname.indexOf(CW_API_PATH);
    if (at === -1) return inner(request);
    const path = request.url.pathname.slice(at + CW_API_PATH.length);
    const method = request.method.toUpperCase();
    const where = `${method} ${path}`;
    const say = (problem: string) => problems.push(`${where}: ${problem}`);
    const text = request.body === undefined ? '' : request.body.toString();
    const body: unknown = text ? JSON.parse(text) : undefined;
    for (const p of contract.request({ method, pathname: path, query: request.url.searchParams, body })) say(p);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (headers['accept'] !== RESPONSE_TYPE) say(`asks for ${headers['accept']}, not ${RESPONSE_TYPE}`);
    if (!/^Basic [A-Za-z0-9+/=]+$/.test(headers['authorization'] ?? '')) say('sends no Basic credentials');
    if (!headers['clientid']) say('sends no clientId header');
    if (body !== undefined && headers['content-type'] !== 'application/json') say('sends a body that is not JSON');
    const answer = await inner(request);
    requests.push({ method, path, query: request.url.searchParams, status: answer.status, write: method !== 'GET' });
    const answerText = answer.body.toString('utf8');
    let answerBody: unknown;
    try {
      answerBody = answerText ? JSON.parse(answerText) : undefined;
    } catch {
      say(`answered ${answer.status} with a body that is not JSON`);
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
    if (!checked.declared) {
      const error = answerBody as { code?: unknown; message?: unknown } | undefined;
      if (answer.status < 400 || typeof error?.code !== 'string' || typeof error.message !== 'string')
        say(`answer ${answer.status} is neither declared by the spec nor a ConnectWise error`);
    }
    return answer;
  };
  return { wire, requests, problems };
}
