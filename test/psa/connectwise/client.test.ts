/**
 * The ConnectWise client against the emulator over real HTTP (port 0): every request it sends and
 * every answer it gets is held to the vendor's spec (helpers/connectwise-wire.ts). What a sync
 * needs: the lists, a ticket made with its key and tag and found again by either, its status
 * moved, notes added by kind; every page of a long list; the read-only guard refusing writes
 * before anything is sent; secrets kept out of --debug lines; creates never sent twice blindly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/exit-codes.js';
import { AuthError, CliError, ReadOnlyError, UnavailableError, UsageError } from '../../../src/errors.js';
import {
  connectWiseApiBase,
  createConnectWiseClient,
  quote,
  type ConnectWiseClientOptions,
} from '../../../src/psa/connectwise/client.js';
import type { PsaWriteRecord } from '../../../src/psa/http.js';
import type { NewTicket } from '../../../src/psa/types.js';
import {
  startConnectWise,
  type ConnectWiseEmulator,
  type ConnectWiseOptions,
} from '../../../src/sandbox/psa/connectwise.js';
import { seededState } from '../../../src/sandbox/state.js';
import { checkedWire, type CheckedWire } from '../../helpers/connectwise-wire.js';

const seed = seededState(new Date('2026-01-01T00:00:00Z'));
const customers = seed.customers.filter((c) => c.partnerId === seed.partners[0]!.partnerId);

const running: ConnectWiseEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

interface World {
  emu: ConnectWiseEmulator;
  checked: CheckedWire;
  client: ReturnType<typeof createConnectWiseClient>;
  trace: string[];
  writes: PsaWriteRecord[];
}

async function world(
  options: { emulator?: ConnectWiseOptions; client?: Partial<ConnectWiseClientOptions>; privateKey?: string } = {},
): Promise<World> {
  const emu = await startConnectWise({ customers, ...options.emulator });
  running.push(emu);
  const checked = checkedWire();
  const trace: string[] = [];
  const writes: PsaWriteRecord[] = [];
  const { companyId, publicKey, privateKey, clientId } = emu.credentials;
  const client = createConnectWiseClient({
    site: emu.url,
    credentials: { company: companyId, publicKey, privateKey: options.privateKey ?? privateKey, clientId },
    http: {
      wire: checked.wire,
      trace: (line) => trace.push(line),
      timeoutMs: 5000,
      retries: 2,
      userAgent: 'safeweb-test',
      guard: { afterWrite: async (r) => void writes.push(r) },
    },
    hints: { auth: 'Check connection "cw".', address: 'Check the site of connection "cw".' },
    ...options.client,
  });
  return { emu, checked, client, trace, writes };
}

const security = { boardId: 2, statusId: 11, closedId: 13 };
const newTicket = (key: string, extra: Partial<NewTicket> = {}): NewTicket => ({
  summary: `Breach found: ${key}`,
  description: 'Three addresses of Northwind appeared in a breach. Reset their passwords.',
  companyId: 250,
  boardId: security.boardId,
  statusId: security.statusId,
  priorityId: 1,
  externalXRef: key,
  ...extra,
});

describe('ConnectWise client: what a sync needs', () => {
  it('reads the system info and every list: companies, boards, statuses, priorities', async () => {
    const w = await world();
    expect(await w.client.systemInfo()).toEqual({ version: 'v2025.8.12345' });
    const companies = await w.client.companies();
    expect(companies).toHaveLength(customers.length + 1);
    expect(companies[0]).toEqual({ id: 250, identifier: expect.any(String), name: customers[0]!.companyName });
    expect(companies.at(-1)).toMatchObject({ identifier: 'ContosoMSP' });
    expect(await w.client.boards()).toEqual([
      { id: 1, name: 'Service Desk' },
      { id: 2, name: 'Security' },
    ]);
    expect(await w.client.statuses(2)).toEqual([
      { id: 11, name: 'New', closed: false, inactive: false, default: true },
      { id: 12, name: 'Assigned', closed: false, inactive: false, default: false },
      { id: 13, name: 'Completed', closed: true, inactive: false, default: false },
      { id: 14, name: 'Cancelled', closed: true, inactive: true, default: false },
    ]);
    expect((await w.client.priorities()).map((p) => p.name)).toEqual([
      'Priority 1 - Emergency Response',
      'Priority 2 - Quick Response',
      'Priority 3 - Normal Response',
      'Priority 4 - Schedule Maintenance',
    ]);
    // Lists are asked for 1000 a page, in ID order; companies only with the fields read.
    const read = w.checked.requests.find((r) => r.path === '/company/companies')!;
    expect(Object.fromEntries(read.query)).toEqual({
      fields: 'id,identifier,name',
      orderBy: 'id asc',
      page: '1',
      pageSize: '1000',
    });
    expect(w.checked.problems).toEqual([]);
  });

  it('makes a ticket with its key and tag, finds it by either, moves its status, adds and lists notes', async () => {
    const w = await world();
    const key = 'safeweb:P1:0b1c:Canva "2019"\\x';
    const made = await w.client.createTicket(newTicket(key), 'safeweb');
    expect(made).toMatchObject({
      summary: `Breach found: ${key}`,
      boardId: 2,
      statusId: 11,
      companyId: 250,
      priorityId: 1,
      externalXRef: key,
      closed: false,
      closedAt: null,
      updatedBy: 'api',
    });
    expect(w.emu.state.tickets.find((t) => t.id === made.id)?.integratorTags).toEqual(['safeweb']);
    // Another integration's ticket, and one under a longer tag that contains ours: not the tool's.
    await w.client.createTicket(newTicket('other', { externalXRef: 'other-1' }), 'psa-bridge');
    await w.client.createTicket(newTicket('test', { externalXRef: 'safeweb-test:1' }), 'safeweb-test');

    expect(await w.client.ticketByKey(key)).toEqual(made);
    expect(await w.client.ticketByKey('safeweb:P1:0b1c:nothing')).toBeUndefined();
    expect((await w.client.ownedTickets('safeweb')).map((t) => t.id)).toEqual([made.id]);
    expect(await w.client.ticket(made.id)).toEqual(made);

    const closed = await w.client.setStatus(made.id, security.closedId);
    expect(closed).toMatchObject({ id: made.id, statusId: 13, closed: true, closedBy: 'api' });
    expect(closed.closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await w.client.setStatus(made.id, security.statusId)).toMatchObject({ closed: false, closedAt: null });

    const note = await w.client.addNote(made.id, 'Found again on 2026-02-01.', 'internal');
    await w.client.addNote(made.id, 'Resolved in SafeWeb.', 'resolution');
    expect(note).toMatchObject({ text: 'Found again on 2026-02-01.', createdAt: expect.any(String) });
    const notes = await w.client.notes(made.id);
    // The first is the ticket's description, as ConnectWise keeps it.
    expect(notes.map((n) => n.text)).toEqual([
      'Three addresses of Northwind appeared in a breach. Reset their passwords.',
      'Found again on 2026-02-01.',
      'Resolved in SafeWeb.',
    ]);
    const flags = w.emu.state.notes.filter((n) => n.ticketId === made.id).map((n) => n.internalAnalysisFlag);
    expect(flags).toEqual([false, true, false]);
    expect(w.emu.state.notes.find((n) => n.text === 'Resolved in SafeWeb.')?.resolutionFlag).toBe(true);

    // Every write was told to the guard, with its ticket and key.
    expect(w.writes.map((r) => [r.action, r.outcome, r.status, r.ticketId])).toEqual([
      ['create ticket', 'ok', 201, made.id],
      ['create ticket', 'ok', 201, made.id + 1],
      ['create ticket', 'ok', 201, made.id + 2],
      ['set status', 'ok', 200, made.id],
      ['set status', 'ok', 200, made.id],
      ['add note', 'ok', 201, made.id],
      ['add note', 'ok', 201, made.id],
    ]);
    expect(w.writes[0]).toMatchObject({ farSide: 'ConnectWise', method: 'POST', key });
    expect(w.checked.problems).toEqual([]);
  });

  it('reads what a technician changed: closed by them, and the ticket that never existed is undefined', async () => {
    const w = await world();
    const made = await w.client.createTicket(newTicket('k1'), 'safeweb');
    expect(w.emu.technicianClose(made.id)).toBe(true);
    expect(await w.client.ticket(made.id)).toMatchObject({
      closed: true,
      closedBy: 'technician',
      updatedBy: 'technician',
    });
    expect(await w.client.ticket(987654)).toBeUndefined();
    // Elsewhere a ticket that does not exist is the far side refusing: exit 3.
    const error = await w.client.setStatus(987654, 13).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.ApiRejected);
    expect((error as Error).message).toBe(
      'Ticket recId 987654 not found (ConnectWise answered 404 to PATCH /v4_6_release/apis/3.0/service/tickets/987654)',
    );
    expect(w.checked.problems).toEqual([]);
  });

  it('reads every page of a long list: 2 000 tickets of the tool in two requests, as the Link header says', async () => {
    const w = await world();
    const at = '2026-01-01T00:00:00Z';
    for (let i = 0; i < 2500; i++)
      w.emu.state.tickets.push({
        id: 5000 + i,
        summary: `t${i}`,
        boardId: 2,
        statusId: 11,
        companyId: 250,
        priorityId: 3,
        externalXRef: `k${i}`,
        integratorTags: i % 5 === 0 ? ['other'] : ['safeweb'],
        closedFlag: false,
        dateEntered: at,
        lastUpdated: at,
        updatedBy: 'api',
      });
    const owned = await w.client.ownedTickets('safeweb');
    expect(owned).toHaveLength(2000);
    expect(new Set(owned.map((t) => t.id)).size).toBe(2000);
    const reads = w.checked.requests.filter((r) => r.path === '/service/tickets');
    expect(reads.map((r) => r.query.get('page'))).toEqual(['1', '2']);
    expect(reads[0]!.query.get('conditions')).toBe('integratorTags contains "safeweb"');
    expect(w.checked.problems).toEqual([]);
  });
});

describe('ConnectWise client: guarded and careful', () => {
  it('a read-only run refuses every write before anything is sent, and says so to the guard', async () => {
    const w = await world();
    const writes: PsaWriteRecord[] = [];
    const readOnly = createConnectWiseClient({
      site: w.emu.url,
      credentials: {
        company: w.emu.credentials.companyId,
        publicKey: w.emu.credentials.publicKey,
        privateKey: w.emu.credentials.privateKey,
        clientId: w.emu.credentials.clientId,
      },
      http: {
        wire: w.checked.wire,
        timeoutMs: 5000,
        retries: 0,
        userAgent: 't',
        guard: { readOnly: { profile: 'prod' }, afterWrite: async (r) => void writes.push(r) },
      },
    });
    const attempts = [
      readOnly.createTicket(newTicket('k'), 'safeweb'),
      readOnly.setStatus(1001, 13),
      readOnly.addNote(1001, 'x', 'detail'),
    ];
    for (const attempt of attempts) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReadOnlyError);
      expect((error as CliError).exitCode).toBe(ExitCode.Usage);
    }
    const first = await readOnly.createTicket(newTicket('k'), 'safeweb').catch((e: unknown) => e);
    expect((first as Error).message).toBe(
      'profile "prod" is read-only; POST /v4_6_release/apis/3.0/service/tickets (create ticket) to ConnectWise was not sent',
    );
    expect(w.checked.requests).toEqual([]);
    expect(w.emu.state.tickets).toEqual([]);
    expect(writes.map((r) => [r.action, r.outcome])).toEqual([
      ['create ticket', 'refused'],
      ['set status', 'refused'],
      ['add note', 'refused'],
      ['create ticket', 'refused'],
    ]);
    // Reads are not writes.
    expect(await readOnly.ticket(1001)).toBeUndefined();
  });

  it('bad credentials are exit 4 naming what to check; the key and the token never reach a --debug line', async () => {
    const w = await world({ privateKey: 'wrong-private-key-0000' });
    const error = await w.client.systemInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(ExitCode.Auth);
    expect((error as Error).message).toContain('(ConnectWise answered 401 to GET /v4_6_release/apis/3.0/system/info)');
    expect((error as AuthError).hint).toBe('Check connection "cw".');

    const good = await world();
    await good.client.createTicket(newTicket('k'), 'safeweb');
    const { privateKey, companyId, publicKey } = good.emu.credentials;
    const token = Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64');
    const lines = [...w.trace, ...good.trace].join('\n');
    expect(lines).toContain('authorization: [REDACTED]');
    expect(lines).toContain('clientid: ');
    expect(lines).not.toContain(privateKey);
    expect(lines).not.toContain(token);
    expect(lines).not.toContain('wrong-private-key-0000');
  });

  it('a create refused with 429 is sent again after the wait asked for; one ticket is made', async () => {
    let n = 0;
    // The first request is throttled; after it, none.
    const w = await world({ emulator: { faults: { throttleRate: 0.5, random: () => (n++ === 0 ? 0 : 1) } } });
    const made = await w.client.createTicket(newTicket('k429'), 'safeweb');
    expect(w.checked.requests.map((r) => r.status)).toEqual([429, 201]);
    expect(w.emu.state.tickets.map((t) => t.id)).toEqual([made.id]);
    expect(w.checked.problems).toEqual([]);
  });

  it('a create or a note answered 503 is never sent again (it may have been made); a read is', async () => {
    let failing = true;
    const w = await world({ emulator: { faults: { errorRate: 0.5, random: () => (failing ? 0 : 1) } } });
    const error = await w.client.createTicket(newTicket('k503'), 'safeweb').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).outcomeUnknown).toBe(true);
    const note = await w.client.addNote(1001, 'x', 'detail').catch((e: unknown) => e);
    expect(note).toBeInstanceOf(UnavailableError);
    expect(w.checked.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 503', 'POST 503']);
    expect(w.writes.map((r) => r.outcome)).toEqual(['unknown', 'unknown']);
    // A read is retried (and a status change, which is safe to repeat).
    let reads = 0;
    const w2 = await world({
      emulator: { faults: { errorRate: 0.5, random: () => (reads++ < 2 ? 0 : 1) } },
    });
    expect(await w2.client.boards()).toHaveLength(2);
    expect(w2.checked.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    failing = false;
  });

  it('a summary longer than ConnectWise takes is cut to 100 characters; the key is kept whole', async () => {
    const w = await world();
    const made = await w.client.createTicket(newTicket('long', { summary: 'x'.repeat(140) }), 'safeweb');
    expect(made.summary).toHaveLength(100);
    expect(made.summary.endsWith('…')).toBe(true);
    expect(w.checked.problems).toEqual([]);
  });
});

describe('the site', () => {
  it.each([
    ['na.myconnectwise.net', 'https://na.myconnectwise.net/v4_6_release/apis/3.0'],
    ['https://cw.msp.example:8443', 'https://cw.msp.example:8443/v4_6_release/apis/3.0'],
    ['https://cw.msp.example/', 'https://cw.msp.example/v4_6_release/apis/3.0'],
    ['http://127.0.0.1:4011', 'http://127.0.0.1:4011/v4_6_release/apis/3.0'],
  ])('%s is the API at %s', (site, base) => {
    expect(connectWiseApiBase(site).href).toBe(base);
  });

  it.each([
    ['http://cw.msp.example', 'refusing plain http:// to cw.msp.example'],
    ['https://cw.msp.example/v4_6_release/apis/3.0', 'must be a host or https://host[:port]'],
    ['https://user:pw@cw.msp.example', 'must be a host or https://host[:port]'],
    ['ftp://cw.msp.example', 'must use https://'],
  ])('%s is refused (exit 2)', (site, words) => {
    let error: unknown;
    try {
      connectWiseApiBase(site);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(words);
  });

  it('quotes a conditions value with its quotes and backslashes escaped', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});

describe('the contract check itself', () => {
  it('refuses what the spec refuses: a query it does not declare, the wrong content type asked for', async () => {
    const w = await world();
    const url = new URL(`${w.emu.apiBase}/service/boards?colour=red`);
    await w.checked.wire({ url, method: 'GET', headers: { accept: 'application/json' } });
    expect(w.checked.problems).toEqual([
      'GET /service/boards: query colour is not in the spec',
      'GET /service/boards: asks for application/json, not application/vnd.connectwise.com+json; version=2025.8',
      'GET /service/boards: sends no Basic credentials',
      'GET /service/boards: sends no clientId header',
    ]);
    expect(w.checked.requests.map((r) => r.status)).toEqual([401]);
  });
});
