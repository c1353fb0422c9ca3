/**
 * The Autotask emulator and the Autotask client together over real HTTP on loopback: every request
 * the client sends and every answer the emulator gives is held to the vendor's Swagger 2.0 document
 * (test/helpers/autotask-wire.ts). A ticket's life (make, find by key, note, complete, reopen), the
 * picklists read once, queries paged by `nextPageUrl`, the zone lookup, wrong credentials, the
 * spec's strictness where the real API is looser, a next page elsewhere refused, and the budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, UnavailableError } from '../../src/errors.js';
import { createAutotaskClient, lookUpZone } from '../../src/psa/autotask/client.js';
import { BudgetError, hourlyBudget } from '../../src/psa/budget.js';
import type { PsaHttpSettings } from '../../src/psa/http.js';
import { startAutotask, type AutotaskEmulator } from '../../src/sandbox/psa/autotask.js';
import { seededState } from '../../src/sandbox/state.js';
import { autotaskContract } from '../helpers/autotask-contract.js';
import { checkedAutotaskWire, type CheckedAutotaskWire } from '../helpers/autotask-wire.js';
import { stubServer } from '../helpers/stub-server.js';

const seed = seededState(new Date('2026-01-01T00:00:00Z'));
const customers = seed.customers.filter((c) => c.partnerId === seed.partners[0]!.partnerId);

let emu: AutotaskEmulator;
let checked: CheckedAutotaskWire;
const http = (): PsaHttpSettings => ({ wire: checked.wire, timeoutMs: 5000, retries: 0, userAgent: 'test' });
const client = (secret = emu.credentials.secret) =>
  createAutotaskClient({ zone: emu.zone, credentials: { ...emu.credentials, secret }, http: http() });

beforeAll(async () => {
  emu = await startAutotask({ customers });
  checked = checkedAutotaskWire();
});
afterAll(async () => {
  await emu.close();
  expect(checked.problems).toEqual([]);
});

describe('the Autotask emulator, through the client', () => {
  it('finds the zone from the user name, and refuses a user it does not know', async () => {
    const zone = await lookUpZone({ zoneUrl: emu.zoneUrl, username: emu.credentials.username, http: http() });
    expect(zone).toBe(emu.zone);
    const unknown = await lookUpZone({ zoneUrl: emu.zoneUrl, username: 'nobody@x', http: http() }).catch((e) => e);
    expect((unknown as Error).message).toContain('Autotask answered 404');
  });

  it('lists companies with their account numbers, and the picklists as queues, statuses and priorities', async () => {
    const at = client();
    const companies = await at.companies();
    expect(companies).toHaveLength(customers.length + 1);
    expect(companies[0]).toEqual({
      id: 175,
      identifier: customers[0]!.customerReference,
      name: customers[0]!.companyName,
    });
    expect(companies.at(-1)).toMatchObject({ identifier: 'ContosoMSP', name: 'Contoso Managed Services' });
    expect((await at.boards()).map((b) => b.name)).toContain('Security');
    const statuses = await at.statuses(0);
    expect(statuses.filter((s) => s.closed).map((s) => s.name)).toEqual(['Complete']);
    expect(statuses.find((s) => s.default)?.name).toBe('New');
    expect(statuses.find((s) => s.name === 'Change Order')?.inactive).toBe(true);
    expect((await at.priorities()).map((p) => p.name)).toEqual(['Critical', 'High', 'Medium', 'Low']);
    // The fields were read once for all three lists.
    expect(emu.state.requests.byOperation['GET /Tickets/entityInformation/fields']).toBe(1);
  });

  it('a ticket’s life: made with its key, found by it, noted, completed by the tool, reopened by a technician', async () => {
    const at = client();
    const key = 'sw:ticket:0123456789abcdef0123456789abcdef';
    const made = await at.createTicket(
      {
        summary: 'SafeWeb: Initech in the Adobe breach',
        description: 'What was found, and what to do.',
        companyId: 176,
        boardId: 29683482,
        statusId: 1,
        priorityId: 4,
        externalXRef: key,
      },
      'safeweb',
    );
    const stored = emu.state.tickets.find((t) => t.id === made.id)!;
    // ticketType is required: Autotask's default (Service Request) is sent with it.
    expect(stored).toMatchObject({ externalID: key, queueID: 29683482, priority: 4, ticketType: 1, status: 1 });
    expect((await at.ticketByKey(key))?.id).toBe(made.id);
    expect(await at.ticketByKey('sw:ticket:none')).toBeUndefined();
    expect((await at.ownedTickets('safeweb')).map((t) => t.id)).toContain(made.id);
    const note = await at.addNote(made.id, '[safeweb:note:abc]\nresolved', 'resolution');
    expect(emu.state.notes.find((n) => n.id === note.id)).toMatchObject({ title: 'SafeWeb: resolution', noteType: 1 });
    expect((await at.notes(made.id)).map((n) => n.text)).toEqual(['[safeweb:note:abc]\nresolved']);
    expect((await at.setStatus(made.id, 5, key)).closed).toBe(true);
    const completed = await at.ticket(made.id);
    expect(completed).toMatchObject({ closed: true, closedBy: '29682885', statusId: 5 });
    expect(emu.technicianReopen(made.id)).toBe(true);
    expect(await at.ticket(made.id)).toMatchObject({ closed: false, statusId: 1, updatedBy: '29682890' });
    expect(await at.ticket(999_999)).toBeUndefined();
  });

  it('pages a query of more than 500 tickets by nextPageUrl, in ID order', async () => {
    const at = client();
    const base = emu.state.tickets.length;
    for (let i = 0; i < 520; i++)
      emu.state.tickets.push({
        ...emu.state.tickets[0]!,
        id: 8000 + i,
        externalID: `sw:ticket:${String(i).padStart(32, '0')}`,
      });
    const before = emu.state.requests.byOperation['GET /Tickets/query'] ?? 0;
    const owned = await at.ownedTickets('safeweb');
    expect(owned).toHaveLength(base + 520);
    expect(owned.map((t) => t.id)).toEqual([...owned.map((t) => t.id)].sort((a, b) => a - b));
    expect(emu.state.requests.byOperation['GET /Tickets/query']).toBe(before + 1);
    emu.state.tickets.splice(base);
  });

  it('wrong credentials are exit 4 naming what to check', async () => {
    const error = await client('not-the-secret')
      .systemInfo()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
  });
});

describe('the spec as written is stricter than the real API', () => {
  it('refuses a scalar Filter.value and a numeric itemId, which the real API sends; the check accepts them', () => {
    const strict = autotaskContract({ strictSpec: true });
    const loose = autotaskContract();
    const headers = { apiintegrationcode: 'c', username: 'u', secret: 's' };
    const query = { filter: [{ op: 'eq', field: 'externalID', value: 'sw:ticket:x' }] };
    const req = { method: 'POST', pathname: '/V1.0/Tickets/query', headers, body: query };
    expect(strict.request(req)).toEqual(['body/filter/0/value must be object']);
    expect(loose.request(req)).toEqual([]);
    const made = {
      method: 'POST',
      pathname: '/V1.0/Tickets',
      status: 200,
      contentType: 'application/json',
      body: { itemId: 7001 },
    };
    expect(strict.response(made).problems).toEqual(['answer/itemId must be object']);
    expect(loose.response(made).problems).toEqual([]);
    // The auth headers are the spec's own required parameters.
    expect(loose.request({ ...req, headers: {} })).toEqual([
      'header parameter ApiIntegrationCode is required',
      'header parameter UserName is required',
      'header parameter Secret is required',
    ]);
  });
});

describe('the client against answers the emulator never gives', () => {
  it('refuses a next page on another origin, where the credentials would go', async () => {
    const stub = await stubServer([
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          items: [{ id: 1, title: 't', externalID: 'sw:ticket:1' }],
          pageDetails: {
            count: 1,
            nextPageUrl: 'https://elsewhere.example/ATServicesRest/V1.0/Tickets/query?search=x',
          },
        }),
      },
    ]);
    try {
      const at = createAutotaskClient({
        zone: `${stub.url}/ATServicesRest`,
        credentials: { username: 'u', integrationCode: 'c', secret: 's' },
        http: { wire: checkedAutotaskWire().wire, timeoutMs: 5000, retries: 0, userAgent: 'test' },
      });
      const error = await at.ownedTickets('safeweb').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as Error).message).toContain('not followed (the credentials would go there)');
      expect(stub.requests).toHaveLength(1);
    } finally {
      await stub.close();
    }
  });
});

describe('the hourly budget', () => {
  it('counts requests on disk across runs, refuses the one past the budget, and frees them an hour on', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-budget-'));
    try {
      let now = Date.parse('2026-12-07T10:00:00Z');
      const file = path.join(dir, 'psa', 'acct.at.budget');
      const open = () => hourlyBudget({ file, max: 3, farSide: 'Autotask', connection: 'at', now: () => now });
      const first = open();
      for (let i = 0; i < 3; i++) {
        first.check();
        first.spend();
        now += 60_000;
      }
      expect(() => first.check()).toThrow(BudgetError);
      // The next run reads what this one spent.
      const second = open();
      expect(second.used()).toBe(3);
      expect(() => second.check()).toThrow(/budget reached: 3 requests to Autotask connection "at"/);
      // An hour after the first request, one is free again.
      now = Date.parse('2026-12-07T11:00:00Z') + 1;
      const third = open();
      expect(third.used()).toBe(2);
      expect(() => third.check()).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
