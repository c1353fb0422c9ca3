/**
 * What is Autotask's own in a sync (issue 32): at most 3 requests in flight whatever --concurrency
 * says, and the hourly budget — a sync that spends it stops with "budget reached, N left" (exit 5),
 * the next run counts what the last one spent, and one with budget left finishes the work, no
 * ticket twice; a required ticket field Autotask gives no default for is named before anything is sent.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetFile } from '../../../src/psa/budget.js';
import { psaFixture, type PsaFixture } from '../psa-fixture.js';
import type { CheckedAutotaskWire } from '../../helpers/autotask-wire.js';

const FINDINGS = 9;
const SYNC = ['psa', 'sync', '--include-existing', '--yes', '--json'];

let fx: PsaFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('psa sync to Autotask', () => {
  it('never has more than 3 requests in flight, even with --concurrency 8', async () => {
    fx = await psaFixture({}, { kind: 'autotask', latencyMs: 30 });
    const r = await fx.run([...SYNC, '--concurrency', '8']);
    expect(r.code, r.stderr).toBe(0);
    expect(fx.psa.tickets()).toHaveLength(FINDINGS);
    // Three at once, and never a fourth: the emulator's own count and the wire's agree.
    expect(fx.at.state.requests.maxInFlight).toBe(3);
    expect((fx.checked as CheckedAutotaskWire).maxInFlight).toBe(3);
    expect(fx.checked.problems).toEqual([]);
  });

  it('stops when the hourly budget is spent (exit 5, "budget reached, N left"); the next run counts it and goes on', async () => {
    fx = await psaFixture({}, { kind: 'autotask' });
    // The plan reads 3 times (companies, the ticket fields, the owned tickets); each new ticket is a lookup and a create.
    const first = await fx.run([...SYNC, '--max-per-hour', '10']);
    expect(first.code).toBe(5);
    const made = fx.psa.tickets().length;
    expect(made).toBe(3);
    expect(first.stderr).toContain(`budget reached, ${FINDINGS - made} left`);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: made, budget: { left: FINDINGS - made, max: 10 } });
    expect(fx.at.state.requests.total).toBe(10);
    // The budget is the connection's, on disk: the same budget right after sends nothing at all.
    const file = budgetFile(fx.configDir, fx.account, 'at');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(10);
    const spent = await fx.run([...SYNC, '--max-per-hour', '10']);
    expect(spent.code).toBe(5);
    expect(spent.stderr).toContain('budget reached: 10 requests to Autotask connection \\"at\\" in the last hour');
    expect(fx.at.state.requests.total).toBe(10);
    // With budget left, the next run does the rest: every ticket once.
    const rest = await fx.run([...SYNC, '--max-per-hour', '100']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject({ created: FINDINGS - made });
    expect(new Set(fx.psa.tickets().map((t) => t.key)).size).toBe(FINDINGS);
    expect(fx.psa.tickets()).toHaveLength(FINDINGS);
    expect((await fx.run(['psa', 'plan', '--include-existing', '--exit-status'])).code).toBe(0);
    expect(fx.checked.problems).toEqual([]);
  });

  it('psa map matches by account number first, then by name; the sync files tickets on the mapped companies', async () => {
    fx = await psaFixture({}, { kind: 'autotask', companies: true });
    const map = await fx.json<Array<{ reference: string; match: string; company: { id: number } | null }>>([
      'psa',
      'map',
      '--write',
    ]);
    // Every other company has the customer reference as its account number, the others a number of their own.
    expect(map.map((m) => [m.reference, m.match, m.company?.id])).toEqual([
      ['ACME-W-001', 'identifier', 175],
      ['NORDISK-002', 'exact', 176],
      ['OUTBACK-003', 'identifier', 177],
    ]);
    const r = await fx.run(SYNC);
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(fx.at.state.tickets.map((t) => t.companyID))).toEqual(new Set([175, 176, 177]));
    expect(fx.checked.problems).toEqual([]);
  });

  it('--max-per-hour is refused for a PSA without an hourly limit (ConnectWise), before anything is sent', async () => {
    fx = await psaFixture();
    const r = await fx.run([...SYNC, '--max-per-hour', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-per-hour is for PSAs with an hourly limit (Autotask)');
    expect(fx.checked.requests).toEqual([]);
  });

  it('a required ticket field without a default is named by the plan, before any ticket is made', async () => {
    fx = await psaFixture({}, { kind: 'autotask', requiredFields: ['issueType'] });
    const r = await fx.run(['psa', 'sync', '--include-existing', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Autotask requires issueType on a ticket, which safeweb does not set');
    expect(fx.psa.tickets()).toHaveLength(0);
    expect(fx.checked.requests.filter((q) => q.write)).toEqual([]);
  });
});
