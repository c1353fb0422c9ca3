/**
 * The ConnectWise emulator over real HTTP on loopback. Every request sent here and every answer
 * it gives is checked against the vendor's spec (test/helpers/connectwise-contract.ts); answers
 * the spec declares none for (errors: it declares only 200/201) are checked for ConnectWise's
 * error shape instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectWise, type ConnectWiseEmulator } from '../../src/sandbox/psa/connectwise.js';
import { seededState } from '../../src/sandbox/state.js';
import { connectWiseContract, RESPONSE_TYPE } from '../helpers/connectwise-contract.js';

const contract = connectWiseContract();
const seed = seededState(new Date('2026-01-01T00:00:00Z'));
const seedCustomers = seed.customers.filter((c) => c.partnerId === seed.partners[0]!.partnerId);

interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  auth?: string | null;
  clientId?: string | null;
  headers?: Record<string, string>;
  /** The request is meant to break the contract: the checker must say so, and it is sent anyway. */
  invalidRequest?: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

function basic(emu: ConnectWiseEmulator, privateKey = emu.credentials.privateKey): string {
  const { companyId, publicKey } = emu.credentials;
  return `Basic ${Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64')}`;
}

async function call(
  emu: ConnectWiseEmulator,
  method: string,
  pathname: string,
  opts: CallOptions = {},
): Promise<Answer> {
  const query = new URLSearchParams(opts.query ?? {});
  const problems = contract.request({ method, pathname, query, body: opts.body });
  if (opts.invalidRequest) expect(problems).not.toEqual([]);
  else expect(problems, `request ${method} ${pathname}`).toEqual([]);
  const headers: Record<string, string> = { accept: RESPONSE_TYPE, ...opts.headers };
  const auth = opts.auth === undefined ? basic(emu) : opts.auth;
  if (auth !== null) headers['authorization'] = auth;
  const clientId = opts.clientId === undefined ? emu.credentials.clientId : opts.clientId;
  if (clientId !== null) headers['clientid'] = clientId;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const qs = query.size ? `?${query.toString()}` : '';
  const res = await fetch(`${emu.apiBase}${pathname}${qs}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  const checked = contract.response({
    method,
    pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    body,
  });
  expect(checked.problems, `answer ${res.status} to ${method} ${pathname}`).toEqual([]);
  if (!checked.declared) {
    // The spec declares no error answers: hold the emulator to ConnectWise's error shape.
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  }
  return { status: res.status, headers: res.headers, body };
}

type Ticket = { id: number; closedFlag: boolean; status: { id: number; name: string }; summary: string };

describe('ConnectWise emulator', () => {
  let emu: ConnectWiseEmulator;
  beforeAll(async () => {
    emu = await startConnectWise({ customers: seedCustomers });
  });
  afterAll(async () => {
    await emu.close();
  });

  const create = async (fields: Record<string, unknown> = {}) => {
    const answer = await call(emu, 'POST', '/service/tickets', {
      body: { summary: 'Breach found', company: { id: 250 }, ...fields },
    });
    expect(answer.status).toBe(201);
    return answer.body as Ticket;
  };

  it('answers /system/info and the seed: companies per customer plus one matching none, boards, statuses, priorities', async () => {
    expect((await call(emu, 'GET', '/system/info')).status).toBe(200);

    const companies = (await call(emu, 'GET', '/company/companies', { query: { pageSize: '100' } })).body as {
      identifier: string;
      name: string;
    }[];
    expect(companies).toHaveLength(seedCustomers.length + 1);
    const northwind = seedCustomers.find((c) => c.companyName === 'Northwind Traders')!;
    const byIdentifier = await call(emu, 'GET', '/company/companies', {
      query: { conditions: `identifier="${northwind.customerReference}"` },
    });
    expect(byIdentifier.body).toEqual([expect.objectContaining({ name: 'Northwind Traders' })]);
    // Some companies match their customer by name only: the identifier differs.
    expect(
      seedCustomers.filter((c) =>
        companies.some((co) => co.name === c.companyName && co.identifier !== c.customerReference),
      ).length,
    ).toBeGreaterThan(0);
    const names = new Set(seedCustomers.map((c) => c.companyName));
    expect(companies.filter((c) => !names.has(c.name))).toHaveLength(1);
    expect((await call(emu, 'GET', '/company/companies/250')).status).toBe(200);
    expect((await call(emu, 'GET', '/company/companies/9999')).status).toBe(404);

    const boards = (await call(emu, 'GET', '/service/boards')).body as { id: number }[];
    expect(boards.length).toBeGreaterThanOrEqual(2);
    const statuses = (await call(emu, 'GET', `/service/boards/${boards[0]!.id}/statuses`)).body as {
      closedStatus: boolean;
      defaultFlag: boolean;
    }[];
    expect(statuses.some((s) => s.closedStatus)).toBe(true);
    expect(statuses.some((s) => !s.closedStatus && s.defaultFlag)).toBe(true);
    const priorities = (await call(emu, 'GET', '/service/priorities')).body as unknown[];
    expect(priorities).toHaveLength(4);
  });

  it('answers 401 to a wrong private key, a missing clientId header, or no credentials', async () => {
    expect((await call(emu, 'GET', '/system/info', { auth: basic(emu, 'wrong') })).status).toBe(401);
    expect((await call(emu, 'GET', '/system/info', { clientId: null })).status).toBe(401);
    expect((await call(emu, 'GET', '/system/info', { clientId: 'someone-else' })).status).toBe(401);
    expect((await call(emu, 'GET', '/system/info', { auth: null })).status).toBe(401);
  });

  it('creates a ticket with a key, finds it by the key, adds and lists notes, closes and reopens it by PATCH', async () => {
    const key = `sw:test:${Date.now()}`;
    const ticket = await create({
      externalXRef: key,
      integratorTags: ['safeweb'],
      board: { id: 1 },
      priority: { id: 2 },
      initialDescription: 'What was found',
    });
    expect(ticket.closedFlag).toBe(false);
    expect((await call(emu, 'GET', `/service/tickets/${ticket.id}`)).body).toMatchObject({ externalXRef: key });

    const found = await call(emu, 'GET', '/service/tickets', { query: { conditions: `externalXRef="${key}"` } });
    expect((found.body as Ticket[]).map((t) => t.id)).toEqual([ticket.id]);
    const tagged = await call(emu, 'GET', '/service/tickets', { query: { conditions: 'integratorTags="safeweb"' } });
    expect((tagged.body as Ticket[]).map((t) => t.id)).toContain(ticket.id);

    const note = await call(emu, 'POST', `/service/tickets/${ticket.id}/notes`, {
      body: { text: 'safeweb-note: k1\nSeen again', internalAnalysisFlag: true },
    });
    expect(note.status).toBe(201);
    const notes = (await call(emu, 'GET', `/service/tickets/${ticket.id}/notes`)).body as { text: string }[];
    expect(notes.map((n) => n.text)).toEqual(['What was found', 'safeweb-note: k1\nSeen again']);
    // A note with no flag is refused, as ConnectWise does.
    expect((await call(emu, 'POST', `/service/tickets/${ticket.id}/notes`, { body: { text: 'x' } })).status).toBe(400);

    const closed = await call(emu, 'PATCH', `/service/tickets/${ticket.id}`, {
      body: [{ op: 'replace', path: 'status', value: { id: 5 } }],
    });
    expect(closed.body).toMatchObject({ closedFlag: true, status: { id: 5 } });
    // A scalar value, as the real API takes (the spec types it object: see docs/psa.md).
    const reopened = await call(emu, 'PATCH', `/service/tickets/${ticket.id}`, {
      body: [
        { op: 'replace', path: 'status/id', value: 1 },
        { op: 'replace', path: 'summary', value: 'Breach found (again)' },
      ],
    });
    expect(reopened.body).toMatchObject({ closedFlag: false, summary: 'Breach found (again)' });
    // A status of another board is refused, and nothing of the patch is kept.
    const refused = await call(emu, 'PATCH', `/service/tickets/${ticket.id}`, {
      body: [
        { op: 'replace', path: 'summary', value: 'changed' },
        { op: 'replace', path: 'status', value: { id: 13 } },
      ],
    });
    expect(refused.status).toBe(400);
    expect(((await call(emu, 'GET', `/service/tickets/${ticket.id}`)).body as Ticket).summary).toBe(
      'Breach found (again)',
    );
  });

  it('the spec as written refuses a scalar PatchOperation value, which is why the check relaxes it', () => {
    const strict = connectWiseContract({ strictSpec: true });
    const body = [{ op: 'replace', path: 'summary', value: 'x' }];
    expect(strict.request({ method: 'PATCH', pathname: '/service/tickets/1', body })).not.toEqual([]);
    expect(contract.request({ method: 'PATCH', pathname: '/service/tickets/1', body })).toEqual([]);
  });

  it('the contract check fails a bad answer, a bad request and the wrong content type', () => {
    const answer = { method: 'GET', pathname: '/service/tickets', status: 200, contentType: RESPONSE_TYPE };
    expect(contract.response({ ...answer, body: [{ id: 'seven' }] }).problems).not.toEqual([]);
    expect(contract.response({ ...answer, contentType: 'application/json', body: [] }).problems).not.toEqual([]);
    expect(contract.response({ ...answer, body: [{ id: 7, summary: 'ok', company: { id: 250 } }] }).problems).toEqual(
      [],
    );
    expect(
      contract.request({ method: 'POST', pathname: '/service/tickets', body: { summary: 'no company' } }),
    ).not.toEqual([]);
    expect(contract.request({ method: 'GET', pathname: '/service/tickets/abc' })).not.toEqual([]);
  });

  it('refuses a ticket without a summary or with an unknown company', async () => {
    const missing = await call(emu, 'POST', '/service/tickets', {
      body: { company: { id: 250 } },
      invalidRequest: true,
    });
    expect(missing.status).toBe(400);
    const unknown = await call(emu, 'POST', '/service/tickets', { body: { summary: 'x', company: { id: 1 } } });
    expect(unknown.status).toBe(400);
    expect((await call(emu, 'GET', '/service/tickets/999999')).status).toBe(404);
  });

  it('pages a conditions query by page/pageSize with Link headers, and forward-only by pageId', async () => {
    const tag = `page-${Date.now()}`;
    const made: number[] = [];
    for (let i = 0; i < 23; i++) made.push((await create({ integratorTags: [tag], board: { id: 2 } })).id);
    const conditions = `integratorTags="${tag}" and board/id=2 and closedFlag=false and company/id=250`;

    const seen: number[] = [];
    let query: Record<string, string> | undefined = { conditions, pageSize: '10', page: '1' };
    let pages = 0;
    while (query) {
      const answer = await call(emu, 'GET', '/service/tickets', { query });
      pages += 1;
      seen.push(...(answer.body as Ticket[]).map((t) => t.id));
      const next = /<([^>]+)>; rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
      query = next ? Object.fromEntries(new URL(next).searchParams) : undefined;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(made);

    const forward: number[] = [];
    let pageId: string | undefined = '0';
    while (pageId !== undefined) {
      const answer = await call(emu, 'GET', '/service/tickets', {
        query: { conditions, pageSize: '10', pageId },
        headers: { 'pagination-type': 'forward-only' },
      });
      forward.push(...(answer.body as Ticket[]).map((t) => t.id));
      pageId = /[?&]pageId=(\d+)[^>]*>; rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
    }
    expect(forward).toEqual(made);

    // An unknown field or broken syntax is an error, not an empty page.
    expect((await call(emu, 'GET', '/service/tickets', { query: { conditions: 'nosuchfield=1' } })).status).toBe(400);
    expect((await call(emu, 'GET', '/service/tickets', { query: { conditions: 'summary="open' } })).status).toBe(400);
  });

  it('a technician closing or reopening a ticket (the admin door) shows in a closedFlag query', async () => {
    const key = `sw:tech:${Date.now()}`;
    const ticket = await create({ externalXRef: key });
    const query = (closed: boolean) =>
      call(emu, 'GET', '/service/tickets', {
        query: { conditions: `externalXRef="${key}" and closedFlag=${closed}` },
      }).then((a) => (a.body as Ticket[]).map((t) => t.id));

    expect(await query(true)).toEqual([]);
    const close = await fetch(`${emu.url}/__emulator/tickets/${ticket.id}/close`, { method: 'POST' });
    expect(close.status).toBe(204);
    expect(await query(true)).toEqual([ticket.id]);
    expect(await query(false)).toEqual([]);
    const reopen = await fetch(`${emu.url}/__emulator/tickets/${ticket.id}/reopen`, { method: 'POST' });
    expect(reopen.status).toBe(204);
    expect(await query(false)).toEqual([ticket.id]);
    expect((await fetch(`${emu.url}/__emulator/tickets/999999/close`, { method: 'POST' })).status).toBe(404);
    const state = (await (await fetch(`${emu.url}/__emulator/state`)).json()) as { tickets: { id: number }[] };
    expect(state.tickets.map((t) => t.id)).toContain(ticket.id);
  });
});

describe('ConnectWise emulator fault knobs', () => {
  it('answers 429 with Retry-After at the throttle rate, and 503 at the error rate; the admin door is spared', async () => {
    const throttled = await startConnectWise({ customers: seedCustomers, faults: { throttleRate: 1 } });
    const failing = await startConnectWise({ customers: seedCustomers, faults: { errorRate: 1 } });
    try {
      const answer = await call(throttled, 'GET', '/service/tickets');
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect((await fetch(`${throttled.url}/__emulator/state`)).status).toBe(200);
      expect((await call(failing, 'GET', '/service/tickets')).status).toBe(503);
    } finally {
      await throttled.close();
      await failing.close();
    }
  });

  it('draws the 429s from the random source: none at rate 0.5 when it always draws high', async () => {
    const emu = await startConnectWise({ faults: { throttleRate: 0.5, random: () => 0.9 } });
    try {
      expect((await call(emu, 'GET', '/system/info')).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

describe('ConnectWise emulator request count and hostile answers', () => {
  it('counts every API request by operation (IDs folded), refused ones too, and answers the count in /__emulator/state', async () => {
    const emu = await startConnectWise({ customers: seedCustomers });
    try {
      await call(emu, 'GET', '/system/info');
      await call(emu, 'GET', '/service/tickets/999999');
      await call(emu, 'GET', '/service/tickets/12345');
      await call(emu, 'GET', '/system/info', { auth: null });
      await fetch(`${emu.url}/__emulator/state`); // the admin door is not counted
      expect(emu.state.requests).toEqual({
        total: 4,
        byOperation: { 'GET /system/info': 2, 'GET /service/tickets/{id}': 2 },
        answeredMs: expect.any(Number),
      });
      expect(emu.state.requests.answeredMs).toBeGreaterThan(0);
      const state = (await (await fetch(`${emu.url}/__emulator/state`)).json()) as { requests: { total: number } };
      expect(state.requests.total).toBe(4);
    } finally {
      await emu.close();
    }
  });

  it('answers the requests a rule matches hostilely, as many times as it says, after doing them when asked', async () => {
    const emu = await startConnectWise({ customers: seedCustomers });
    const raw = (method: string, path: string, body?: unknown) =>
      fetch(`${emu.apiBase}${path}`, {
        method,
        redirect: 'manual',
        headers: {
          authorization: basic(emu),
          clientid: emu.credentials.clientId,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    try {
      emu.misbehave([
        { method: 'POST', path: /^\/service\/tickets$/, kind: 'unexpected', afterDoing: true, times: 1 },
        { method: 'GET', path: /^\/service\/boards$/, kind: 'html' },
        { method: 'GET', path: /^\/service\/priorities$/, kind: 'redirect' },
        { method: 'GET', path: /^\/company\/companies$/, kind: 'huge' },
        { method: 'GET', path: /^\/service\/tickets\/\d+$/, kind: 'not-found' },
      ]);
      const made = await raw('POST', '/service/tickets', { summary: 'x', company: { id: 250 } });
      expect([made.status, await made.json()]).toEqual([200, { result: 'ok' }]);
      expect(emu.state.tickets).toHaveLength(1); // done, then answered so
      expect((await raw('POST', '/service/tickets', { summary: 'y', company: { id: 250 } })).status).toBe(201);

      const html = await raw('GET', '/service/boards');
      expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html; charset=utf-8']);
      expect(await html.text()).toContain('502 Bad Gateway');
      const moved = await raw('GET', '/service/priorities');
      expect([moved.status, moved.headers.get('location')]).toEqual([
        302,
        'https://login.connectwise.invalid/sso?return=%2Fservice%2Fpriorities',
      ]);
      const huge = await raw('GET', '/company/companies');
      expect([huge.status, huge.headers.get('content-length')]).toEqual([200, null]);
      const text = await huge.text();
      expect(text.length).toBeGreaterThan(10_000_000);
      expect(Array.isArray(JSON.parse(text))).toBe(true);
      const gone = await raw('GET', `/service/tickets/${emu.state.tickets[0]!.id}`);
      expect([gone.status, await gone.json()]).toEqual([
        404,
        { code: 'NotFound', message: `Ticket recId ${emu.state.tickets[0]!.id} not found` },
      ]);

      emu.misbehave([]);
      expect((await raw('GET', '/service/boards')).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
