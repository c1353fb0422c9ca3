/**
 * The HaloPSA emulator over real HTTP on loopback. Every API request sent here and every answer it
 * gives is checked against the vendor's spec (test/helpers/halo-contract.ts); answers the spec
 * declares without a body, and error statuses it does not declare, are held to Halo's error record.
 * The token endpoint (not in the spec) is held to OAuth2's client-credentials grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHalo, type HaloEmulator } from '../../src/sandbox/psa/halo.js';
import { seededState } from '../../src/sandbox/state.js';
import { haloContract, isHaloError } from '../helpers/halo-contract.js';

const contract = haloContract();
const seed = seededState(new Date('2026-01-01T00:00:00Z'));
const seedCustomers = seed.customers.filter((c) => c.partnerId === seed.partners[0]!.partnerId);

interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  /** The bearer token; null sends none. */
  token?: string | null;
  /** The request is meant to break the contract: the checker must say so, and it is sent anyway. */
  invalidRequest?: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function tokenOf(emu: HaloEmulator, form: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
      scope: 'all',
      ...form,
    }).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

async function call(emu: HaloEmulator, token: string, method: string, pathname: string, opts: CallOptions = {}) {
  const query = new URLSearchParams(opts.query ?? {});
  const problems = contract.request({ method, pathname, query, body: opts.body });
  if (opts.invalidRequest) expect(problems).not.toEqual([]);
  else expect(problems, `request ${method} ${pathname}`).toEqual([]);
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = opts.token === undefined ? token : opts.token;
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
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
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(isHaloError(body)).toBe(true);
  }
  return { status: res.status, headers: res.headers, body } satisfies Answer;
}

type Ticket = { id: number; status_id: number; dateclosed: string | null; third_party_id_string: string | null };
type Page<K extends string, T> = { page_no: number; page_size: number; record_count: number } & Record<K, T[]>;

describe('HaloPSA emulator', () => {
  let emu: HaloEmulator;
  let token: string;
  beforeAll(async () => {
    emu = await startHalo({ customers: seedCustomers });
    token = ((await tokenOf(emu)).body as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await emu.close();
  });

  const create = async (fields: Record<string, unknown> = {}) => {
    const answer = await call(emu, token, 'POST', '/Tickets', {
      body: [{ summary: 'Breach found', client_id: 12, tickettype_id: 21, ...fields }],
    });
    expect(answer.status).toBe(201);
    return answer.body as Ticket;
  };

  it('answers the seed: a client per customer plus one matching none, ticket types, statuses (some closing)', async () => {
    const clients = (await call(emu, token, 'GET', '/Client')).body as Page<'clients', { name: string; ref: string }>;
    expect(clients.clients).toHaveLength(seedCustomers.length + 1);
    // Some clients carry their customer's reference, some match by name only.
    const refs = new Set(seedCustomers.map((c) => c.customerReference));
    expect(clients.clients.filter((c) => refs.has(c.ref)).length).toBeGreaterThan(0);
    expect(
      clients.clients.filter((c) => !refs.has(c.ref) && c.name !== 'Contoso Managed Services').length,
    ).toBeGreaterThan(0);
    expect((await call(emu, token, 'GET', '/Client/12')).status).toBe(200);
    expect((await call(emu, token, 'GET', '/Client/9999')).status).toBe(404);

    const types = (await call(emu, token, 'GET', '/TicketType')).body as { id: number; name: string }[];
    expect(types.map((t) => t.name)).toEqual(['Incident', 'Security Alert']);
    const all = (await call(emu, token, 'GET', '/Status')).body as { id: number }[];
    const open = (await call(emu, token, 'GET', '/Status', { query: { excludeclosed: 'true' } })).body as {
      id: number;
    }[];
    expect(all.length - open.length).toBe(2);
    const alertStatuses = (await call(emu, token, 'GET', '/Status', { query: { tickettype_id: '21' } })).body as {
      name: string;
    }[];
    expect(alertStatuses.map((s) => s.name)).toEqual(['New', 'In Progress', 'Waiting on User', 'Closed']);
  });

  it('issues tokens only for the client credentials, form-encoded; refuses the API without a live one', async () => {
    expect((await tokenOf(emu, { client_secret: 'wrong' })).body).toMatchObject({ error: 'invalid_client' });
    expect((await tokenOf(emu, { grant_type: 'password' })).body).toEqual({ error: 'unsupported_grant_type' });
    expect((await tokenOf(emu, { scope: 'read' })).body).toEqual({ error: 'invalid_scope' });
    const json = await fetch(emu.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect((await call(emu, token, 'GET', '/TicketType', { token: null })).status).toBe(401);
    expect((await call(emu, token, 'GET', '/TicketType', { token: 'made-up' })).status).toBe(401);
  });

  it('tokens expire on its clock, and the admin door revokes them all', async () => {
    let now = Date.parse('2026-03-01T09:00:00Z');
    const short = await startHalo({ tokenSeconds: 60, now: () => new Date(now) });
    try {
      const t = ((await tokenOf(short)).body as { access_token: string; expires_in: number }).access_token;
      expect((await call(short, t, 'GET', '/TicketType')).status).toBe(200);
      now += 61_000;
      expect((await call(short, t, 'GET', '/TicketType')).status).toBe(401);
      const fresh = ((await tokenOf(short)).body as { access_token: string }).access_token;
      expect((await fetch(`${short.url}/__emulator/tokens/revoke`, { method: 'POST' })).status).toBe(204);
      expect((await call(short, fresh, 'GET', '/TicketType')).status).toBe(401);
      expect(short.state.tokensIssued).toBe(2);
      // Every API and token request is counted by its operation (the admin door is not).
      expect(short.state.requests).toEqual({
        total: 5,
        byOperation: { 'POST /auth/token': 2, 'GET /TicketType': 3 },
      });
    } finally {
      await short.close();
    }
  });

  it('creates a ticket from an array body, updates it with its id, finds it by key, notes and closes it by actions', async () => {
    const key = `sw:ticket:${Date.now()}`;
    const ticket = await create({ third_party_id_string: key, third_party_id: 42, priority_id: 1 });
    expect(ticket).toMatchObject({ status_id: 1, third_party_id_string: key, dateclosed: null });
    const renamed = await call(emu, token, 'POST', '/Tickets', { body: [{ id: ticket.id, summary: 'Renamed' }] });
    expect(renamed.body).toMatchObject({ id: ticket.id, summary: 'Renamed', third_party_id_string: key });

    // The key filter compares without case, as Halo's database does.
    const byKey = await call(emu, token, 'GET', '/Tickets', { query: { third_party_id_string: key.toUpperCase() } });
    expect((byKey.body as Page<'tickets', Ticket>).tickets.map((t) => t.id)).toEqual([ticket.id]);
    const byOwner = await call(emu, token, 'GET', '/Tickets', { query: { third_party_id: '42' } });
    expect((byOwner.body as Page<'tickets', Ticket>).tickets.map((t) => t.id)).toEqual([ticket.id]);

    const note = await call(emu, token, 'POST', '/Actions', {
      body: [{ ticket_id: ticket.id, outcome: 'Private Note', note: 'Found again.', hiddenfromuser: true }],
    });
    expect(note.status).toBe(201);
    const close = await call(emu, token, 'POST', '/Actions', {
      body: [{ ticket_id: ticket.id, outcome: 'Status Change', note: 'Closed.', new_status: 9 }],
    });
    expect(close.body).toMatchObject({ new_status: 9 });
    const closed = (await call(emu, token, 'GET', `/Tickets/${ticket.id}`)).body as Ticket;
    expect(closed.status_id).toBe(9);
    expect(closed.dateclosed).toMatch(/^\d{4}-\d\d-\d\dT/);
    const closedOnly = await call(emu, token, 'GET', '/Tickets', {
      query: { third_party_id: '42', closed_only: 'true' },
    });
    expect((closedOnly.body as Page<'tickets', Ticket>).tickets).toHaveLength(1);

    const actions = (await call(emu, token, 'GET', '/Actions', { query: { ticket_id: String(ticket.id) } })).body as {
      actions: { note: string }[];
    };
    expect(actions.actions.map((a) => a.note)).toEqual(['Found again.', 'Closed.']);
    expect((await call(emu, token, 'GET', '/Tickets/999999')).status).toBe(404);
  });

  it('refuses what Halo refuses: an unknown field, a body that is no array, a missing summary or client, a status of another type', async () => {
    const refused = async (path: string, body: unknown, words: string, invalidRequest = false) => {
      const answer = await call(emu, token, 'POST', path, { body, invalidRequest });
      expect(answer.status).toBe(400);
      expect((answer.body as { message: string }).message).toContain(words);
    };
    await refused(
      '/Tickets',
      [{ summary: 's', client_id: 12, integratorTags: ['x'] }],
      'the field "integratorTags"',
      true,
    );
    await refused('/Tickets', { summary: 's', client_id: 12 }, 'an array of records', true);
    await refused('/Tickets', [{ client_id: 12 }], 'summary is required');
    await refused('/Tickets', [{ summary: 's', client_id: 9999 }], 'client 9999 not found');
    await refused(
      '/Tickets',
      [{ summary: 's', client_id: 12, tickettype_id: 21, status_id: 8 }],
      'status 8 is not a status',
    );
    await refused('/Tickets', [{ summary: 's', client_id: 12, priority_id: 7 }], 'priority 7 not found');
    await refused('/Actions', [{ ticket_id: 999999, note: 'x' }], 'ticket 999999 not found');
  });

  it('pages a list by page_no and page_size (at most 100), with the whole count', async () => {
    const owner = 4711;
    for (let i = 0; i < 120; i++) await create({ third_party_id: owner, third_party_id_string: `sw:page:${i}` });
    const page = (n: number, size = '100') =>
      call(emu, token, 'GET', '/Tickets', {
        query: { third_party_id: String(owner), pageinate: 'true', page_size: size, page_no: String(n), order: 'id' },
      }).then((a) => a.body as Page<'tickets', Ticket>);
    const first = await page(1, '500');
    expect(first).toMatchObject({ page_no: 1, page_size: 100, record_count: 120 });
    expect(first.tickets).toHaveLength(100);
    const second = await page(2);
    expect(second.tickets).toHaveLength(20);
    expect(second.tickets[0]!.id).toBeGreaterThan(first.tickets.at(-1)!.id);
  });

  it('a technician closing or reopening a ticket (the admin door) moves it to a closing status and back', async () => {
    const ticket = await create();
    const close = await fetch(`${emu.url}/__emulator/tickets/${ticket.id}/close`, { method: 'POST' });
    expect(close.status).toBe(204);
    expect(((await call(emu, token, 'GET', `/Tickets/${ticket.id}`)).body as Ticket).status_id).toBe(9);
    const reopen = await fetch(`${emu.url}/__emulator/tickets/${ticket.id}/reopen`, { method: 'POST' });
    expect(reopen.status).toBe(204);
    expect(((await call(emu, token, 'GET', `/Tickets/${ticket.id}`)).body as Ticket).status_id).toBe(1);
    expect((await fetch(`${emu.url}/__emulator/tickets/999999/close`, { method: 'POST' })).status).toBe(404);
    const state = (await (await fetch(`${emu.url}/__emulator/state`)).json()) as { tickets: { id: number }[] };
    expect(state.tickets.map((t) => t.id)).toContain(ticket.id);
  });
});

describe('HaloPSA emulator fault knobs', () => {
  it('answers 429 with Retry-After at the throttle rate, and 503 at the error rate; the admin door is spared', async () => {
    const throttled = await startHalo({ faults: { throttleRate: 1 } });
    const failing = await startHalo({ faults: { errorRate: 1 } });
    try {
      const answer = await tokenOf(throttled);
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('1');
      expect((await fetch(`${throttled.url}/__emulator/state`)).status).toBe(200);
      expect((await call(failing, 'x', 'GET', '/TicketType')).status).toBe(503);
    } finally {
      await throttled.close();
      await failing.close();
    }
  });

  it('draws the 429s from the random source: none at rate 0.5 when it always draws high', async () => {
    const emu = await startHalo({ faults: { throttleRate: 0.5, random: () => 0.9 } });
    try {
      expect((await tokenOf(emu)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
