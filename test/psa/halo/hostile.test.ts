/**
 * Hostile HaloPSA answers, forced by a strict loopback stub (every request scripted; one more fails
 * the test): an HTML error page, 200 with an unexpected body, a token answer without a token, a
 * ticket ID that never existed, a 10 MB body, a redirect, a server that ignores paging, a 401 that
 * a new token does not cure. Each ends in one clear line with the exit code of the one table,
 * nothing is taken from the answer, and a create is never sent twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWire } from '../../../src/api/transport.js';
import { CliError, type UnavailableError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { createHaloClient } from '../../../src/psa/halo/client.js';
import { PSA_MAX_RESPONSE_BYTES, type PsaWriteRecord } from '../../../src/psa/http.js';
import type { NewTicket, PsaClient } from '../../../src/psa/types.js';
import { stubServer, type Reply, type Stub } from '../../helpers/stub-server.js';

const stubs: Stub[] = [];
afterEach(async () => {
  for (const stub of stubs.splice(0)) {
    // Every request was scripted, and every scripted answer was asked for.
    expect(stub.unexpected).toEqual([]);
    await stub.close();
  }
});

const SECRET = 'halo-client-secret-hostile-0000';
const TOKEN = 'halo-token-hostile-0000000000';

async function client(
  script: Reply[],
  retries = 0,
): Promise<{ stub: Stub; halo: PsaClient; writes: PsaWriteRecord[] }> {
  const stub = await stubServer(script);
  stubs.push(stub);
  const writes: PsaWriteRecord[] = [];
  const halo = createHaloClient({
    tenant: stub.url,
    credentials: { clientId: 'app-1', clientSecret: SECRET },
    http: {
      wire: createWire({ env: {}, maxResponseBytes: PSA_MAX_RESPONSE_BYTES }),
      timeoutMs: 5000,
      retries,
      userAgent: 't',
      guard: { afterWrite: async (r) => void writes.push(r) },
    },
    hints: {
      auth: 'Check connection "halo".',
      address: 'Check the tenant of connection "halo" (safeweb psa show halo).',
    },
  });
  return { stub, halo, writes };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  const e = error as CliError;
  // One line, never the secret or the token.
  expect(e.message).not.toContain('\n');
  expect(e.message).not.toContain(SECRET);
  expect(e.message).not.toContain(TOKEN);
  return e;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});
const html = (status: number, title: string): Reply => ({
  status,
  body: `<!doctype html><html><head><title>${title}</title></head><body>${'x'.repeat(300)}</body></html>`,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});
const token = json(200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 });
/** The two status reads a ticket is read with: every status, then the open ones. */
const statuses = [
  json(200, [
    { id: 1, name: 'New' },
    { id: 9, name: 'Closed' },
  ]),
  json(200, [{ id: 1, name: 'New' }]),
];
const ticket: NewTicket = {
  summary: 's',
  description: 'd',
  companyId: 12,
  boardId: 21,
  statusId: 1,
  externalXRef: 'k1',
};

describe('hostile HaloPSA answers', () => {
  it('asks for a token with the client credentials, form-encoded, then sends it as a bearer token', async () => {
    const { stub, halo } = await client([token, json(200, [{ id: 21, name: 'Security Alert' }])]);
    await halo.boards();
    const [asked, read] = stub.requests;
    expect(asked!.url).toBe('/auth/token');
    expect(asked!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(asked!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app-1',
      client_secret: SECRET,
      scope: 'all',
    });
    expect(read!.url).toBe('/api/TicketType');
    expect(read!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 3600 }, 'the token answer has no access_token'],
    ['another kind of token', { access_token: TOKEN, token_type: 'mac' }, 'the token is not a bearer token (mac)'],
    [
      'a lifetime that is no number',
      { access_token: TOKEN, expires_in: '1h' },
      'the token answer has no usable expires_in',
    ],
  ])('a token answer with %s: exit 5, the API never asked', async (_name, body, words) => {
    const { stub, halo } = await client([json(200, body)]);
    const e = await failure(halo.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(`HaloPSA answered 200 to POST /auth/token but ${words}`);
    expect(stub.requests).toHaveLength(1);
  });

  it('a login page where the token endpoint should be: exit 5 naming the tenant to check', async () => {
    const { halo } = await client([html(200, 'Sign in')]);
    const e = await failure(halo.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'HaloPSA answered 200 to POST /auth/token but the answer was an HTML page, not JSON ' +
        '(a proxy or a login page may be in the way)',
    );
    expect(e.hint).toBe('Check the tenant of connection "halo" (safeweb psa show halo).');
  });

  it('no token endpoint there (a JSON 404): exit 5 naming the tenant, not a refused request', async () => {
    const { halo } = await client([json(404, { message: 'Not found' })]);
    const e = await failure(halo.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe('Not found (HaloPSA answered 404 to POST /auth/token): no token endpoint there');
    expect(e.hint).toBe('Check the tenant of connection "halo" (safeweb psa show halo).');
  });

  it('a 401 that a new token does not cure: exit 4 after one renewal, never a loop', async () => {
    const refused = json(401, { message: 'Unauthorised' });
    const { stub, halo } = await client([token, refused, token, refused]);
    const e = await failure(halo.boards());
    expect(e.exitCode).toBe(ExitCode.Auth);
    expect(e.message).toBe('Unauthorised (HaloPSA answered 401 to GET /api/TicketType)');
    expect(e.hint).toBe('Check connection "halo".');
    expect(stub.requests.map((r) => r.url)).toEqual([
      '/auth/token',
      '/api/TicketType',
      '/auth/token',
      '/api/TicketType',
    ]);
  });

  it('an HTML error page: exit 5, said as a page in the way, with its title', async () => {
    const { halo } = await client([token, html(502, 'Bad gateway')]);
    const e = await failure(halo.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toContain('the server answered with an HTML page, not JSON ("Bad gateway")');
    expect(e.message).toContain('HaloPSA answered 502 to GET /api/TicketType');
  });

  it.each([
    ['a list where the paged record belongs', [], 'the answer is not a record'],
    ['a page without its clients', { page_no: 1, record_count: 3 }, "the answer's clients is not a list"],
    ['clients without IDs', { record_count: 1, clients: [{ name: 'Acme' }] }, 'client 1 has no numeric ID'],
  ])('200 with an unexpected body (%s): exit 5, nothing taken from it', async (_name, body, words) => {
    const { halo } = await client([token, json(200, body)]);
    const e = await failure(halo.companies());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(`HaloPSA answered 200 to GET /api/Client but ${words}`);
  });

  it('a create answered 201 with an unexpected body: exit 5, sent once, the guard told it may have happened', async () => {
    const { stub, halo, writes } = await client([token, ...statuses, json(201, { ok: true })], 3);
    const e = await failure(halo.createTicket(ticket, 'safeweb'));
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect((e as UnavailableError).outcomeUnknown).toBe(true);
    expect(e.message).toBe('HaloPSA answered 201 to POST /api/Tickets but the ticket made has no numeric ID');
    expect(stub.requests.filter((r) => r.method === 'POST' && r.url === '/api/Tickets')).toHaveLength(1);
    expect(writes).toMatchObject([{ action: 'create ticket', key: 'k1', outcome: 'unknown', status: 201 }]);
  });

  it('a create answered with two tickets for the one sent: exit 5, nothing taken', async () => {
    const two = [
      { id: 1, summary: 's' },
      { id: 2, summary: 's' },
    ];
    const { halo } = await client([token, ...statuses, json(201, two)]);
    const e = await failure(halo.createTicket(ticket, 'safeweb'));
    expect(e.message).toBe(
      'HaloPSA answered 201 to POST /api/Tickets but the answer is a list of 2, not the one record made',
    );
  });

  it('a create answered 500: never sent again (it may have been made)', async () => {
    const { stub, halo } = await client([token, ...statuses, json(500, { message: 'Internal server error' })], 3);
    const e = await failure(halo.createTicket(ticket, 'safeweb'));
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(stub.requests.filter((r) => r.url === '/api/Tickets')).toHaveLength(1);
  });

  it('a ticket ID that never existed: undefined from ticket(), exit 3 from a note on it', async () => {
    const { halo } = await client([
      token,
      ...statuses,
      json(404, { message: 'Ticket 77 not found' }),
      json(400, { message: 'Action: ticket 77 not found' }),
    ]);
    expect(await halo.ticket(77)).toBeUndefined();
    const e = await failure(halo.addNote(77, 'x', 'detail'));
    expect(e.exitCode).toBe(ExitCode.ApiRejected);
    expect(e.message).toBe('Action: ticket 77 not found (HaloPSA answered 400 to POST /api/Actions)');
  });

  it('an HTML 404 is a wrong address, not a missing ticket: exit 3, never undefined', async () => {
    const { halo } = await client([token, ...statuses, html(404, 'Not Found')]);
    const e = await failure(halo.ticket(77));
    expect(e.exitCode).toBe(ExitCode.ApiRejected);
    expect(e.message).toContain('an HTML page');
  });

  it('a 10 MB body: exit 5, answer too large, nothing read from it', async () => {
    const big = JSON.stringify([{ id: 1, name: 'x'.repeat(10 * 1024 * 1024) }]);
    const { halo } = await client([token, { status: 200, body: big, headers: { 'content-type': 'application/json' } }]);
    const e = await failure(halo.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'answer too large from HaloPSA: GET /api/TicketType: the answer was larger than 8 MiB; nothing was recorded from it',
    );
  });

  it('a redirect of the token request: exit 5 naming the tenant; never followed (the secret stays home)', async () => {
    const { stub, halo } = await client([
      { status: 302, body: '', headers: { location: 'https://elsewhere.example/' } },
    ]);
    const e = await failure(halo.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe('HaloPSA redirected POST /auth/token (302); the base URL is probably wrong');
    expect(e.hint).toBe('Check the tenant of connection "halo" (safeweb psa show halo).');
    expect(stub.requests).toHaveLength(1);
  });

  it('a server that ignores the page asked for: exit 5 rather than reading page 1 forever', async () => {
    const page = {
      record_count: 250,
      clients: Array.from({ length: 100 }, (_, i) => ({ id: i + 1, name: `c${i}`, ref: `C${i}` })),
    };
    const { halo } = await client([token, json(200, page), json(200, page)]);
    const e = await failure(halo.companies());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'HaloPSA answered page 2 of /Client with records already read (it ignored the page asked for)',
    );
  });

  it('nothing listening: exit 5 naming the tenant to check', async () => {
    const { stub, halo } = await client([]);
    await stub.close();
    stubs.splice(stubs.indexOf(stub), 1);
    const e = await failure(halo.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toMatch(/^HaloPSA unreachable: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
    expect(e.hint).toBe('Check the tenant of connection "halo" (safeweb psa show halo).');
  });
});
