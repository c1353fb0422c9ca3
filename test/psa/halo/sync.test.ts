/**
 * What is Halo's own in a sync (issue 32), against the Halo emulator with every request and answer
 * held to the vendor's spec: the key in third_party_id_string and the tag's number in
 * third_party_id; one token a run; at most 2 requests per new ticket (the lookup by key and the
 * array create) and one paged query for the tool's tickets; a close is a resolution note and a
 * status change, both actions; psa map by client reference first, then by name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ownerNumber } from '../../../src/psa/halo/client.js';
import { psaFixture, type PsaFixture } from '../psa-fixture.js';
import type { CheckedHaloWire } from '../../helpers/halo-wire.js';

const FINDINGS = 9;
const SYNC = ['psa', 'sync', '--include-existing', '--yes', '--json'];

let fx: PsaFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const paths = (fx: PsaFixture) =>
  (fx.checked as CheckedHaloWire).requests.map(
    (r) => `${r.method} ${r.path}${r.query.size ? `?${[...r.query.keys()][0]}` : ''}`,
  );

describe('psa sync to HaloPSA', () => {
  it('makes each ticket with its key and the tag’s number, in two requests a ticket and one token a run', async () => {
    fx = await psaFixture({}, { kind: 'halo' });
    const r = await fx.run(SYNC);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: FINDINGS });
    for (const t of fx.halo.state.tickets) {
      expect(t.third_party_id_string).toMatch(/^sw:ticket:[0-9a-f]{32}$/);
      expect(t.third_party_id).toBe(ownerNumber('safeweb'));
      expect(t).toMatchObject({ tickettype_id: 21, status_id: 1 });
    }
    const sent = paths(fx);
    expect(sent.filter((p) => p === 'POST /auth/token')).toHaveLength(1);
    // Per new ticket: the lookup by key, then the create; nothing else.
    expect(sent.filter((p) => p === 'GET /Tickets?third_party_id_string')).toHaveLength(FINDINGS);
    expect(sent.filter((p) => p === 'POST /Tickets')).toHaveLength(FINDINGS);
    // The tool's tickets in one paged query: one page, under 100.
    expect(sent.filter((p) => p === 'GET /Tickets?third_party_id')).toHaveLength(1);
    expect(fx.checked.problems).toEqual([]);
  });

  it('a breach resolved in SafeWeb closes its ticket with a resolution note and a status change; a technician’s close resolves', async () => {
    fx = await psaFixture({}, { kind: 'halo' });
    expect((await fx.run(SYNC)).code).toBe(0);
    const findings = await fx.json<Array<{ breachId: string }>>(['findings']);
    const breach = findings[0]!.breachId;
    const mine = fx.psa.tickets().find((t) => t.description.includes(`Breach ID: ${breach}`))!;
    expect((await fx.run(['breach', 'resolve', breach])).code).toBe(0);
    const other = fx.psa.tickets().find((t) => t.id !== mine.id)!;
    expect(fx.psa.technicianClose(other.id)).toBe(true);
    const synced = await fx.json<{ closed: number; resolved: number }>(['psa', 'sync', '--yes']);
    expect(synced).toMatchObject({ closed: 1, resolved: 1 });
    const actions = fx.halo.state.actions.filter((a) => a.ticket_id === mine.id);
    expect(actions.map((a) => [a.outcome, a.new_status ?? null])).toEqual([
      ['Resolution', null],
      ['Status Change', 9],
    ]);
    expect(actions[0]!.note).toMatch(/^\[safeweb:note:[0-9a-f]{24}\]/);
    expect(fx.halo.state.tickets.find((t) => t.id === mine.id)).toMatchObject({ status_id: 9 });
    expect(await fx.json<unknown[]>(['findings'])).toHaveLength(FINDINGS - 2);
    expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(0);
    expect(fx.checked.problems).toEqual([]);
  });

  it('psa map matches by client reference first, then by name; the sync files tickets on the mapped clients', async () => {
    fx = await psaFixture({}, { kind: 'halo', companies: true });
    const map = await fx.json<Array<{ reference: string; match: string; company: { id: number } | null }>>([
      'psa',
      'map',
      '--write',
    ]);
    // Every other client has the customer reference as its reference, the others one of their own.
    expect(map.map((m) => [m.reference, m.match, m.company?.id])).toEqual([
      ['ACME-W-001', 'identifier', 12],
      ['NORDISK-002', 'exact', 13],
      ['OUTBACK-003', 'identifier', 14],
    ]);
    const r = await fx.run(SYNC);
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(fx.halo.state.tickets.map((t) => t.client_id))).toEqual(new Set([12, 13, 14]));
    expect(fx.checked.problems).toEqual([]);
  });

  it('a priority given by name is exit 2 asking for Halo’s ID, before anything is sent', async () => {
    fx = await psaFixture({ priorities: { critical: 'Critical' } }, { kind: 'halo' });
    const r = await fx.run(['psa', 'plan']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the critical priority "Critical" of PSA connection "halo" is a name; give its HaloPSA ID',
    );
    expect(fx.checked.requests.filter((q) => q.write)).toEqual([]);
  });
});
