/**
 * The HaloPSA client against the emulator over real HTTP (port 0): every request it sends and every
 * answer it gets is held to the vendor's spec, the token requests to OAuth2's client-credentials
 * grant (helpers/halo-wire.ts). What a sync needs: the lists, a ticket made with its key (array
 * body) and found again by the key or by the tool's owner number, its status moved and notes added
 * as actions; every page of a long list; the token fetched once, renewed before it expires and
 * once after a 401; the read-only guard; secrets kept out of --debug lines; creates never sent
 * twice blindly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/exit-codes.js';
import { AuthError, CliError, ReadOnlyError, UnavailableError, UsageError } from '../../../src/errors.js';
import {
  createHaloClient,
  haloApiBase,
  haloTenant,
  ownerNumber,
  type HaloClientOptions,
} from '../../../src/psa/halo/client.js';
import type { PsaWriteRecord } from '../../../src/psa/http.js';
import type { NewTicket } from '../../../src/psa/types.js';
import { startHalo, type HaloEmulator, type HaloOptions } from '../../../src/sandbox/psa/halo.js';
import { seededState } from '../../../src/sandbox/state.js';
import { checkedHaloWire, type CheckedHaloWire } from '../../helpers/halo-wire.js';

const seed = seededState(new Date('2026-01-01T00:00:00Z'));
const customers = seed.customers.filter((c) => c.partnerId === seed.partners[0]!.partnerId);

const running: HaloEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

interface World {
  emu: HaloEmulator;
  checked: CheckedHaloWire;
  client: ReturnType<typeof createHaloClient>;
  trace: string[];
  writes: PsaWriteRecord[];
  /** The client's clock (epoch ms): a test moves it to make the token due. */
  clock: { now: number };
}

async function world(
  options: { emulator?: HaloOptions; client?: Partial<HaloClientOptions>; secret?: string; retries?: number } = {},
): Promise<World> {
  const clock = { now: Date.parse('2026-03-01T09:00:00Z') };
  const emu = await startHalo({ customers, now: () => new Date(clock.now), ...options.emulator });
  running.push(emu);
  const checked = checkedHaloWire(emu.url);
  const trace: string[] = [];
  const writes: PsaWriteRecord[] = [];
  const client = createHaloClient({
    tenant: emu.url,
    credentials: { clientId: emu.credentials.clientId, clientSecret: options.secret ?? emu.credentials.clientSecret },
    http: {
      wire: checked.wire,
      trace: (line) => trace.push(line),
      timeoutMs: 5000,
      retries: options.retries ?? 2,
      userAgent: 'safeweb-test',
      guard: { afterWrite: async (r) => void writes.push(r) },
    },
    hints: { auth: 'Check connection "halo".', address: 'Check the tenant of connection "halo".' },
    now: () => clock.now,
    ...options.client,
  });
  return { emu, checked, client, trace, writes, clock };
}

const alerts = { typeId: 21, newId: 1, closedId: 9 };
const newTicket = (key: string, extra: Partial<NewTicket> = {}): NewTicket => ({
  summary: `Breach found: ${key}`,
  description: 'Three addresses of Northwind appeared in a breach. Reset their passwords.',
  companyId: 12,
  boardId: alerts.typeId,
  statusId: alerts.newId,
  priorityId: 2,
  externalXRef: key,
  ...extra,
});

const apiPaths = (w: World) => w.checked.requests.map((r) => `${r.method} ${r.path}`);

describe('HaloPSA client: what a sync needs', () => {
  it('reads the clients (reference as identifier), ticket types, statuses with the closing ones from Halo', async () => {
    const w = await world();
    expect(await w.client.systemInfo()).toEqual({ version: 'Halo API v2' });
    const companies = await w.client.companies();
    expect(companies).toHaveLength(customers.length + 1);
    expect(companies[0]).toEqual({
      id: 12,
      identifier: customers[0]!.customerReference,
      name: customers[0]!.companyName,
    });
    expect(companies.at(-1)).toEqual({
      id: 12 + customers.length,
      identifier: 'ContosoMSP',
      name: 'Contoso Managed Services',
    });
    expect(await w.client.boards()).toEqual([
      { id: 1, name: 'Incident' },
      { id: 21, name: 'Security Alert' },
    ]);
    expect(await w.client.statuses(21)).toEqual([
      { id: 1, name: 'New', closed: false, inactive: false, default: true },
      { id: 2, name: 'In Progress', closed: false, inactive: false, default: false },
      { id: 5, name: 'Waiting on User', closed: false, inactive: false, default: false },
      { id: 9, name: 'Closed', closed: true, inactive: false, default: false },
    ]);
    expect((await w.client.statuses(1)).filter((s) => s.closed).map((s) => s.name)).toEqual(['Resolved', 'Closed']);
    // Halo's priorities are its SLAs'; no operation of the spec lists them.
    expect(await w.client.priorities()).toEqual([]);
    // One token for the whole run; the closing statuses are asked of Halo once.
    expect(apiPaths(w).filter((p) => p === 'POST /auth/token')).toHaveLength(1);
    expect(w.checked.requests.filter((r) => r.path === '/Status').map((r) => r.query.toString())).toEqual([
      '',
      'excludeclosed=true',
      'tickettype_id=21',
      'tickettype_id=1',
    ]);
    const clients = w.checked.requests.find((r) => r.path === '/Client')!;
    expect(Object.fromEntries(clients.query)).toEqual({
      pageinate: 'true',
      page_size: '100',
      page_no: '1',
      order: 'id',
    });
    expect(w.checked.problems).toEqual([]);
  });

  it('makes a ticket with an array body, finds it by key and by owner number, moves its status and adds notes as actions', async () => {
    const w = await world();
    const key = 'sw:ticket:0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e';
    const made = await w.client.createTicket(newTicket(key), 'safeweb');
    expect(made).toMatchObject({
      summary: `Breach found: ${key}`,
      boardId: 21,
      statusId: 1,
      companyId: 12,
      priorityId: 2,
      externalXRef: key,
      closed: false,
      closedAt: null,
    });
    const create = w.checked.requests.find((r) => r.method === 'POST' && r.path === '/Tickets')!;
    expect(create.body).toEqual([
      {
        summary: `Breach found: ${key}`,
        details: 'Three addresses of Northwind appeared in a breach. Reset their passwords.',
        client_id: 12,
        tickettype_id: 21,
        status_id: 1,
        priority_id: 2,
        third_party_id_string: key,
        third_party_id: ownerNumber('safeweb'),
      },
    ]);
    // Another integration's ticket, and the test ticket's own tag: not the sync's.
    w.emu.state.tickets.push({ ...w.emu.state.tickets[0]!, id: 9001, third_party_id: 77, third_party_id_string: 'x' });
    await w.client.createTicket(newTicket('safeweb-test:1'), 'safeweb-test');

    expect(await w.client.ticketByKey(key)).toEqual(made);
    expect(await w.client.ticketByKey('sw:ticket:nothing')).toBeUndefined();
    expect((await w.client.ownedTickets('safeweb')).map((t) => t.id)).toEqual([made.id]);
    expect(await w.client.ticket(made.id)).toEqual(made);
    expect(
      w.checked.requests.filter((r) => r.path === '/Tickets' && r.method === 'GET').map((r) => [...r.query.keys()][0]),
    ).toEqual(['third_party_id_string', 'third_party_id_string', 'third_party_id']);

    const closed = await w.client.setStatus(made.id, alerts.closedId, key);
    expect(closed).toMatchObject({ id: made.id, statusId: 9, closed: true, closedAt: '2026-03-01T09:00:00Z' });
    expect(await w.client.ticket(made.id)).toMatchObject({ closed: true, closedAt: '2026-03-01T09:00:00Z' });
    expect(await w.client.setStatus(made.id, alerts.newId)).toMatchObject({ closed: false, closedAt: null });

    const note = await w.client.addNote(made.id, 'Found again on 2026-02-01.', 'internal', key);
    await w.client.addNote(made.id, 'Resolved in SafeWeb.', 'resolution');
    expect(note).toMatchObject({ text: 'Found again on 2026-02-01.', createdAt: '2026-03-01T09:00:00Z' });
    const notes = await w.client.notes(made.id);
    expect(notes.map((n) => n.text)).toEqual([
      'Status changed by safeweb.',
      'Status changed by safeweb.',
      'Found again on 2026-02-01.',
      'Resolved in SafeWeb.',
    ]);
    const actions = w.emu.state.actions.filter((a) => a.ticket_id === made.id);
    expect(actions.map((a) => [a.outcome, a.new_status ?? null, a.hiddenfromuser])).toEqual([
      ['Status Change', 9, true],
      ['Status Change', 1, true],
      ['Private Note', null, true],
      ['Resolution', null, false],
    ]);

    // Every write was told to the guard, with its ticket and key.
    expect(w.writes.map((r) => [r.action, r.outcome, r.status, r.ticketId])).toEqual([
      ['create ticket', 'ok', 201, made.id],
      ['create ticket', 'ok', 201, made.id + 1],
      ['set status', 'ok', 201, made.id],
      ['set status', 'ok', 201, made.id],
      ['add note', 'ok', 201, made.id],
      ['add note', 'ok', 201, made.id],
    ]);
    expect(w.writes[0]).toMatchObject({ farSide: 'HaloPSA', method: 'POST', path: '/api/Tickets', key });
    expect(w.checked.problems).toEqual([]);
  });

  it('reads what a technician changed, and the ticket that never existed is undefined', async () => {
    const w = await world();
    const made = await w.client.createTicket(newTicket('k1'), 'safeweb');
    w.clock.now += 60_000;
    expect(w.emu.technicianClose(made.id)).toBe(true);
    expect(await w.client.ticket(made.id)).toMatchObject({
      closed: true,
      statusId: 9,
      closedAt: '2026-03-01T09:01:00Z',
      updatedAt: '2026-03-01T09:01:00Z',
    });
    expect(w.emu.technicianReopen(made.id)).toBe(true);
    expect(await w.client.ticket(made.id)).toMatchObject({ closed: false, statusId: 1, closedAt: null });
    expect(await w.client.ticket(987654)).toBeUndefined();
    // Elsewhere a ticket that does not exist is the far side refusing: exit 3.
    const error = await w.client.addNote(987654, 'x', 'detail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.ApiRejected);
    expect((error as Error).message).toBe(
      'Action: ticket 987654 not found (HaloPSA answered 400 to POST /api/Actions)',
    );
    expect(w.checked.problems).toEqual([]);
  });

  it('reads every page of a long list: 250 tickets of the tool in three requests of 100', async () => {
    const w = await world();
    const at = '2026-01-01T00:00:00Z';
    for (let i = 0; i < 300; i++)
      w.emu.state.tickets.push({
        id: 5000 + i,
        summary: `t${i}`,
        details: '',
        client_id: 12,
        tickettype_id: 21,
        status_id: i % 3 === 0 ? 9 : 1,
        priority_id: 3,
        third_party_id: i % 6 === 5 ? 4242 : ownerNumber('safeweb'),
        third_party_id_string: `sw:ticket:${i}`,
        dateoccurred: at,
        last_update: at,
        updatedBy: 'api',
      });
    const owned = await w.client.ownedTickets('safeweb');
    expect(owned).toHaveLength(250);
    expect(new Set(owned.map((t) => t.id)).size).toBe(250);
    // Closed ones among them (a technician's close is what the sync looks for).
    expect(owned.filter((t) => t.closed)).toHaveLength(100);
    const reads = w.checked.requests.filter((r) => r.path === '/Tickets');
    expect(reads.map((r) => r.query.get('page_no'))).toEqual(['1', '2', '3']);
    expect(reads[0]!.query.get('third_party_id')).toBe(String(ownerNumber('safeweb')));
    expect(w.checked.problems).toEqual([]);
  });
});

describe('HaloPSA client: a list without the key columns', () => {
  it('reads each listed ticket by its ID, so a key it was not told is never taken for none (no second ticket)', async () => {
    const w = await world({ emulator: { listKeys: false } });
    const key = 'sw:ticket:00112233445566778899aabbccddeeff';
    const made = await w.client.createTicket(newTicket(key), 'safeweb');
    // The lookup before a create still finds it: the list record lacks the key, the ticket read by ID has it.
    expect(await w.client.ticketByKey(key)).toEqual(made);
    expect((await w.client.ownedTickets('safeweb')).map((t) => [t.id, t.externalXRef])).toEqual([[made.id, key]]);
    const reads = w.checked.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/Tickets'));
    expect(reads.map((r) => r.path)).toEqual(['/Tickets', `/Tickets/${made.id}`, '/Tickets', `/Tickets/${made.id}`]);
    expect(w.checked.problems).toEqual([]);
  });
});

describe('HaloPSA client: the token', () => {
  it('is asked for once, in memory, and renewed shortly before it expires', async () => {
    const w = await world({ emulator: { tokenSeconds: 3600 } });
    await w.client.boards();
    await w.client.boards();
    expect(w.emu.state.tokensIssued).toBe(1);
    // 58 minutes on: still good.
    w.clock.now += 58 * 60_000;
    await w.client.boards();
    expect(w.emu.state.tokensIssued).toBe(1);
    // Within its last minute: a new one before the request goes, never a 401 first.
    w.clock.now += 90_000;
    await w.client.boards();
    expect(w.emu.state.tokensIssued).toBe(2);
    expect(w.checked.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/auth/token 200',
      '/TicketType 200',
      '/TicketType 200',
      '/TicketType 200',
      '/auth/token 200',
      '/TicketType 200',
    ]);
    expect(w.checked.problems).toEqual([]);
  });

  it('requests side by side share one token request', async () => {
    const w = await world();
    await Promise.all([w.client.boards(), w.client.boards(), w.client.companies(), w.client.boards()]);
    expect(w.emu.state.tokensIssued).toBe(1);
  });

  it('a token revoked early is renewed once on the 401 and the request sent again, a create included', async () => {
    const w = await world();
    await w.client.statuses(21);
    w.emu.revokeTokens();
    const made = await w.client.createTicket(newTicket('k401'), 'safeweb');
    expect(w.emu.state.tickets.map((t) => t.id)).toEqual([made.id]);
    expect(w.checked.requests.map((r) => `${r.method} ${r.path} ${r.status}`).slice(-4)).toEqual([
      'GET /Status 200',
      'POST /Tickets 401',
      'POST /auth/token 200',
      'POST /Tickets 201',
    ]);
    // The guard heard of one create, which worked.
    expect(w.writes.map((r) => [r.action, r.outcome])).toEqual([['create ticket', 'ok']]);
    expect(w.checked.problems).toEqual([]);
  });

  it('a wrong client secret is exit 4 naming what to check, and the secret and token never reach a --debug line', async () => {
    const w = await world({ secret: 'wrong-client-secret-0000' });
    const error = await w.client.boards().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(ExitCode.Auth);
    expect((error as Error).message).toBe('invalid_client (HaloPSA answered 400 to POST /auth/token)');
    expect((error as AuthError).hint).toBe('Check connection "halo".');
    // Not asked again: a wrong secret stays wrong.
    expect(w.checked.requests.map((r) => r.path)).toEqual(['/auth/token']);

    const good = await world();
    await good.client.createTicket(newTicket('k'), 'safeweb');
    const [token] = [...good.emu.state.tokens.keys()];
    const lines = [...w.trace, ...good.trace].join('\n');
    expect(lines).toContain('authorization: [REDACTED]');
    expect(lines).toContain('client_secret=[REDACTED]');
    expect(lines).toContain('"access_token":"[REDACTED]"');
    expect(lines).not.toContain(good.emu.credentials.clientSecret);
    expect(lines).not.toContain(token!);
    expect(lines).not.toContain('wrong-client-secret-0000');
  });
});

describe('HaloPSA client: guarded and careful', () => {
  it('a read-only run refuses every write before anything is sent, and says so to the guard', async () => {
    const w = await world();
    const writes: PsaWriteRecord[] = [];
    const readOnly = createHaloClient({
      tenant: w.emu.url,
      credentials: w.emu.credentials,
      http: {
        wire: w.checked.wire,
        timeoutMs: 5000,
        retries: 0,
        userAgent: 't',
        guard: { readOnly: { profile: 'prod' }, afterWrite: async (r) => void writes.push(r) },
      },
    });
    const attempts = [
      () => readOnly.createTicket(newTicket('k'), 'safeweb'),
      () => readOnly.setStatus(2001, 9),
      () => readOnly.addNote(2001, 'x', 'detail'),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReadOnlyError);
      expect((error as CliError).exitCode).toBe(ExitCode.Usage);
    }
    const first = await readOnly.createTicket(newTicket('k'), 'safeweb').catch((e: unknown) => e);
    expect((first as Error).message).toBe(
      'profile "prod" is read-only; POST /api/Tickets (create ticket) to HaloPSA was not sent',
    );
    // Only reads went out (the token and the statuses a ticket is read with).
    expect(w.checked.requests.every((r) => r.method === 'GET' || r.path === '/auth/token')).toBe(true);
    expect(w.emu.state.tickets).toEqual([]);
    expect(w.emu.state.actions).toEqual([]);
    expect(writes.map((r) => [r.action, r.outcome])).toEqual([
      ['create ticket', 'refused'],
      ['set status', 'refused'],
      ['add note', 'refused'],
      ['create ticket', 'refused'],
    ]);
  });

  it('a create refused with 429 is sent again after the wait asked for; one ticket is made', async () => {
    let n = 0;
    // The fourth request (after the token and the two status lists a ticket is read with) is throttled; no other.
    const throttled = await world({ emulator: { faults: { throttleRate: 0.5, random: () => (n++ === 3 ? 0 : 1) } } });
    const made = await throttled.client.createTicket(newTicket('k429'), 'safeweb');
    expect(throttled.checked.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /auth/token 200',
      'GET /Status 200',
      'GET /Status 200',
      'POST /Tickets 429',
      'POST /Tickets 201',
    ]);
    expect(throttled.emu.state.tickets.map((t) => t.id)).toEqual([made.id]);
    expect(throttled.checked.problems).toEqual([]);
  });

  it('a create or a note answered 503 is never sent again (it may have been made); a read is', async () => {
    let failing = false;
    const w = await world({ emulator: { faults: { errorRate: 0.5, random: () => (failing ? 0 : 1) } } });
    await w.client.statuses(21);
    failing = true;
    const error = await w.client.createTicket(newTicket('k503'), 'safeweb').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).outcomeUnknown).toBe(true);
    const note = await w.client.addNote(2001, 'x', 'detail').catch((e: unknown) => e);
    expect(note).toBeInstanceOf(UnavailableError);
    expect(w.checked.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.status}`)).toEqual([
      '/auth/token 200',
      '/Tickets 503',
      '/Actions 503',
    ]);
    expect(w.writes.map((r) => r.outcome)).toEqual(['unknown', 'unknown']);
    // A read is retried.
    let reads = 0;
    const w2 = await world({ emulator: { faults: { errorRate: 0.5, random: () => (reads++ < 2 ? 0 : 1) } } });
    expect(await w2.client.boards()).toHaveLength(2);
    // The token request too: asking for a token changes nothing.
    expect(w2.checked.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/auth/token 503',
      '/auth/token 503',
      '/auth/token 200',
      '/TicketType 200',
    ]);
  });
});

describe('the tenant', () => {
  it.each([
    ['msp.halopsa.com', 'https://msp.halopsa.com/api'],
    ['https://msp.halopsa.com/', 'https://msp.halopsa.com/api'],
    ['https://msp.halopsa.com/api', 'https://msp.halopsa.com/api'],
    ['https://halo.msp.example:8443/halo/auth', 'https://halo.msp.example:8443/halo/api'],
    ['http://127.0.0.1:4012', 'http://127.0.0.1:4012/api'],
  ])('%s is the API at %s', (tenant, base) => {
    expect(haloApiBase(tenant).href).toBe(base);
  });

  it.each([
    ['http://msp.halopsa.com', 'refusing plain http:// to msp.halopsa.com'],
    ['https://msp.halopsa.com/?tenant=x', 'must be a host or https://host[:port][/path]'],
    ['https://user:pw@msp.halopsa.com', 'must be a host or https://host[:port][/path]'],
    ['ftp://msp.halopsa.com', 'must use https://'],
  ])('%s is refused (exit 2)', (tenant, words) => {
    let error: unknown;
    try {
      haloTenant(tenant);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(words);
  });

  it('carries a tag as a number of its own: the sync and the test ticket never meet', () => {
    expect(ownerNumber('safeweb')).toBe(138120678);
    expect(ownerNumber('safeweb-test')).not.toBe(ownerNumber('safeweb'));
  });
});

describe('the contract check itself', () => {
  it('refuses what the spec refuses: an unknown body field, a query it does not declare, no bearer token', async () => {
    const w = await world();
    const url = new URL(`${w.emu.apiBase}/Tickets?colour=red`);
    await w.checked.wire({ url, method: 'GET', headers: { accept: 'application/json' } });
    const post = new URL(`${w.emu.apiBase}/Tickets`);
    await w.checked.wire({
      url: post,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: JSON.stringify([{ summary: 's', integratorTags: ['safeweb'] }]),
    });
    expect(w.checked.problems).toEqual([
      'GET /Tickets: query colour is not in the spec',
      'GET /Tickets: sends no bearer token',
      'POST /Tickets: body/0 must NOT have additional properties: integratorTags',
    ]);
    expect(w.checked.requests.map((r) => r.status)).toEqual([401, 401]);
  });
});
