/**
 * Hostile ConnectWise answers, forced by a strict loopback stub (every request scripted; one more
 * fails the test): an HTML error page, 200 with an unexpected body, a ticket ID that never
 * existed, a 10 MB body, a redirect, a server that ignores paging. Each ends in one clear line
 * with the exit code of the one table, nothing is taken from the answer, and a create is never
 * sent twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWire } from '../../../src/api/transport.js';
import { CliError, UnavailableError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { CW_ACCEPT, createConnectWiseClient } from '../../../src/psa/connectwise/client.js';
import { PSA_MAX_RESPONSE_BYTES, type PsaWriteRecord } from '../../../src/psa/http.js';
import type { PsaClient } from '../../../src/psa/types.js';
import { stubServer, type Reply, type Stub } from '../../helpers/stub-server.js';

const stubs: Stub[] = [];
afterEach(async () => {
  for (const stub of stubs.splice(0)) {
    // Every request was scripted, and every scripted answer was asked for.
    expect(stub.unexpected).toEqual([]);
    await stub.close();
  }
});

const PRIVATE_KEY = 'cw-private-key-hostile-0000';

async function client(script: Reply[], retries = 0): Promise<{ stub: Stub; cw: PsaClient; writes: PsaWriteRecord[] }> {
  const stub = await stubServer(script);
  stubs.push(stub);
  const writes: PsaWriteRecord[] = [];
  const cw = createConnectWiseClient({
    site: stub.url,
    credentials: { company: 'msp', publicKey: 'pub', privateKey: PRIVATE_KEY, clientId: 'client-1' },
    http: {
      wire: createWire({ env: {}, maxResponseBytes: PSA_MAX_RESPONSE_BYTES }),
      timeoutMs: 5000,
      retries,
      userAgent: 't',
      guard: { afterWrite: async (r) => void writes.push(r) },
    },
    hints: { auth: 'Check connection "cw".', address: 'Check the site of connection "cw" (safeweb psa show cw).' },
  });
  return { stub, cw, writes };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  const e = error as CliError;
  // One line, never the key.
  expect(e.message).not.toContain('\n');
  expect(e.message).not.toContain(PRIVATE_KEY);
  return e;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': CW_ACCEPT, ...headers },
});
const html = (status: number, title: string): Reply => ({
  status,
  body: `<!doctype html><html><head><title>${title}</title></head><body>${'x'.repeat(300)}</body></html>`,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});

describe('hostile ConnectWise answers', () => {
  it('sends the credentials, the clientId and the vendor content type on every request', async () => {
    const { stub, cw } = await client([json(200, { version: 'v2025.8' })]);
    await cw.systemInfo();
    const headers = stub.requests[0]!.headers;
    expect(headers['authorization']).toBe(`Basic ${Buffer.from(`msp+pub:${PRIVATE_KEY}`).toString('base64')}`);
    expect(headers['clientid']).toBe('client-1');
    expect(headers['accept']).toBe(CW_ACCEPT);
    expect(stub.requests[0]!.url).toBe('/v4_6_release/apis/3.0/system/info');
  });

  it('an HTML error page: exit 5, said as a page in the way, with its title', async () => {
    const { cw } = await client([html(502, 'Bad gateway')]);
    const e = await failure(cw.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toContain('the server answered with an HTML page, not JSON ("Bad gateway")');
    expect(e.message).toContain('ConnectWise answered 502 to GET /v4_6_release/apis/3.0/service/boards');
  });

  it('an HTML page with 200 (a login portal): exit 5 naming the site to check; retried as a read', async () => {
    const { stub, cw } = await client([html(200, 'Sign in'), html(200, 'Sign in')], 1);
    const e = await failure(cw.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'ConnectWise answered 200 to GET /v4_6_release/apis/3.0/system/info but the answer was an HTML page, not JSON ' +
        '(a proxy or a login page may be in the way) after 1 retry',
    );
    expect(e.hint).toBe('Check the site of connection "cw" (safeweb psa show cw).');
    expect(stub.requests).toHaveLength(2);
  });

  it.each([
    ['a record where a list belongs', { data: [] }, 'the answer is not a list'],
    ['a list of records without IDs', [{ name: 'Acme' }], 'company 1 has no numeric ID'],
    ['a list of strings', ['Acme'], 'company 1 is not a record'],
  ])('200 with an unexpected body (%s): exit 5, nothing taken from it', async (_name, body, words) => {
    const { cw } = await client([json(200, body)]);
    const e = await failure(cw.companies());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(`ConnectWise answered 200 to GET /v4_6_release/apis/3.0/company/companies but ${words}`);
  });

  it('a create answered 201 with an unexpected body: exit 5, sent once, the guard told it may have happened', async () => {
    const { stub, cw, writes } = await client([json(201, { ok: true })], 3);
    const e = await failure(
      cw.createTicket(
        { summary: 's', description: 'd', companyId: 250, boardId: 2, statusId: 11, externalXRef: 'k1' },
        'safeweb',
      ),
    );
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect((e as UnavailableError).outcomeUnknown).toBe(true);
    expect(e.message).toContain('but the ticket made has no numeric ID');
    expect(stub.requests).toHaveLength(1);
    expect(writes).toMatchObject([{ action: 'create ticket', key: 'k1', outcome: 'unknown', status: 201 }]);
  });

  it('a create answered 500: never sent again (it may have been made)', async () => {
    const { stub, cw } = await client([json(500, { code: 'InternalError', message: 'Internal server error' })], 3);
    const e = await failure(
      cw.createTicket(
        { summary: 's', description: 'd', companyId: 250, boardId: 2, statusId: 11, externalXRef: 'k1' },
        'safeweb',
      ),
    );
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(stub.requests).toHaveLength(1);
  });

  it('a ticket ID that never existed: undefined from ticket(), exit 3 from a status change', async () => {
    const missing = json(404, { code: 'NotFound', message: 'Ticket recId 77 not found' });
    const { cw } = await client([missing, missing]);
    expect(await cw.ticket(77)).toBeUndefined();
    const e = await failure(cw.setStatus(77, 13));
    expect(e.exitCode).toBe(ExitCode.ApiRejected);
    expect(e.message).toBe(
      'Ticket recId 77 not found (ConnectWise answered 404 to PATCH /v4_6_release/apis/3.0/service/tickets/77)',
    );
  });

  it('an HTML 404 is a wrong address, not a missing ticket: exit 3, never undefined', async () => {
    const { cw } = await client([html(404, 'Not Found')]);
    const e = await failure(cw.ticket(77));
    expect(e.exitCode).toBe(ExitCode.ApiRejected);
    expect(e.message).toContain('an HTML page');
  });

  it('a 10 MB body: exit 5, answer too large, nothing read from it', async () => {
    const big = JSON.stringify([{ id: 1, name: 'x'.repeat(10 * 1024 * 1024) }]);
    const { cw } = await client([{ status: 200, body: big, headers: { 'content-type': CW_ACCEPT } }]);
    const e = await failure(cw.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'answer too large from ConnectWise: GET /v4_6_release/apis/3.0/service/boards: the answer was larger than ' +
        '8 MiB; nothing was recorded from it',
    );
  });

  it('a redirect: exit 5 naming the site to check; never followed (the key stays home)', async () => {
    const { stub, cw } = await client([
      { status: 302, body: '', headers: { location: 'https://elsewhere.example/login' } },
    ]);
    const e = await failure(cw.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'ConnectWise redirected GET /v4_6_release/apis/3.0/system/info (302); the base URL is probably wrong',
    );
    expect(e.hint).toBe('Check the site of connection "cw" (safeweb psa show cw).');
    expect(stub.requests).toHaveLength(1);
  });

  it('a server that ignores the page asked for: exit 5 rather than reading page 1 forever', async () => {
    const page = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, name: `b${i}` }));
    const { cw } = await client([json(200, page), json(200, page)]);
    const e = await failure(cw.boards());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toBe(
      'ConnectWise answered page 2 of /service/boards with records already read (it ignored the page asked for)',
    );
  });

  it('bad credentials: exit 4 with ConnectWise’s words and the connection to check', async () => {
    const { cw } = await client([json(401, { code: 'Unauthorized', message: 'The credentials are not valid' })]);
    const e = await failure(cw.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Auth);
    expect(e.message).toBe(
      'The credentials are not valid (ConnectWise answered 401 to GET /v4_6_release/apis/3.0/system/info)',
    );
    expect(e.hint).toBe('Check connection "cw".');
  });

  it('nothing listening: exit 5 naming the site to check', async () => {
    const { stub, cw } = await client([]);
    await stub.close();
    stubs.splice(stubs.indexOf(stub), 1);
    const e = await failure(cw.systemInfo());
    expect(e.exitCode).toBe(ExitCode.Unavailable);
    expect(e.message).toMatch(/^ConnectWise unreachable: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
    expect(e.hint).toBe('Check the site of connection "cw" (safeweb psa show cw).');
  });
});
