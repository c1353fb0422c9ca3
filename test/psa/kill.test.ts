/**
 * `psa sync` killed with SIGKILL at random moments, three times, then run to the end: exactly one
 * ticket per finding in the PSA emulator (none doubled, none missing), no note twice, the ticket
 * index agreeing with the emulator, and `psa plan --exit-status` 0 (issue 29, "Speed and
 * reliability"; issue 32: against ConnectWise's emulator and Autotask's, whose API has no
 * idempotency key either: the lookup before each create is what keeps a ticket single). The sandbox and the emulator run in this process, so their state outlives the
 * CLI's kills; the CLI is the built binary (`npm run build` first) as a child process.
 *
 * The moments are drawn from a seeded random (SAFEWEB_TEST_SEED=<n> explores others; a failure
 * prints the seed): each kill comes once the emulator has received a drawn number of requests of
 * that run, plus a drawn delay within one answer's latency, so it lands before, inside and after
 * the PSA's writes — between a create the emulator has made and the index hearing of it, too.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/commands/sandbox/random.js';
import { ticketKey } from '../../src/findings/keys.js';
import { TicketIndexFile } from '../../src/psa/ticket-index.js';
import { BIN, runBinary, until } from '../helpers/cli.js';
import { bookCsv, FIXTURE_KINDS, psaFixture, type PsaFixture } from './psa-fixture.js';

const SEED = Number(process.env['SAFEWEB_TEST_SEED'] ?? 20261207);
const CUSTOMERS = 30;
const BREACHES_EACH = 4;
const LATENCY_MS = 30;
const SYNC = ['psa', 'sync', '--include-existing', '--max-creates', '1000', '--yes', '--json'];

let fx: PsaFixture | undefined;
const said: string[] = [];
beforeEach(({ onTestFailed }) => {
  said.length = 0;
  onTestFailed(() =>
    console.error(`psa kill test, seed ${SEED} (rerun with SAFEWEB_TEST_SEED=${SEED}):\n  ${said.join('\n  ')}`),
  );
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/**
 * One `psa sync` as a child, killed once the emulator has seen `after` more requests from it and
 * then `extraMs` more. Returns false when the run ended by itself first (the draw came too late).
 */
async function killedSync(fx: PsaFixture, random: () => number, expectedRequests: number): Promise<boolean> {
  const start = fx.psa.requests().total;
  // Somewhere in the first 80% of what this run will ask: at least one request in, well before its end.
  const after = 1 + Math.floor(random() * Math.max(1, expectedRequests * 0.8));
  const extraMs = Math.floor(random() * LATENCY_MS);
  const child = spawn(process.execPath, [BIN, ...SYNC], { env: fx.env as NodeJS.ProcessEnv, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  let ended = false;
  void exited.then(() => (ended = true));
  await until(() => ended || fx.psa.requests().total - start >= after, `request ${after} of a psa sync`, 60_000);
  if (!ended) await new Promise((resolve) => setTimeout(resolve, extraMs));
  child.kill('SIGKILL');
  const signal = await exited;
  said.push(
    `kill after ${after} of ~${expectedRequests} PSA requests + ${extraMs} ms: ` +
      `${signal === 'SIGKILL' ? 'killed' : 'it had ended'}; ${fx.psa.tickets().length} tickets`,
  );
  return signal === 'SIGKILL';
}

/** The book's customers and breaches, as the sandbox has them now. */
function book(fx: PsaFixture) {
  const customers = fx.sandbox.state.customers.filter((c) => c.customerReference.startsWith('PSA-'));
  const ids = new Set(customers.map((c) => c.id));
  return fx.sandbox.state.breaches.filter((b) => ids.has(b.customerId));
}

/** Each breach's ticket key (one ticket per breach, its first generation). */
function keyOf(fx: PsaFixture, breach: { customerId: string; id: string }): string {
  return ticketKey({
    partnerId: fx.sandbox.partnerId,
    customer: breach.customerId,
    group: { breachId: breach.id },
    generation: 1,
  });
}

/** What must hold however the runs were killed: one ticket a key, no note twice, the index as the emulator. */
function expectAgreement(fx: PsaFixture, expectedKeys: string[]): void {
  const tickets = fx.psa.tickets();
  // One ticket per finding: the keys, sorted, doubles included.
  expect(tickets.map((t) => t.key).sort()).toEqual([...expectedKeys].sort());
  // No note twice: no marker twice anywhere, and no text twice on one ticket.
  const markers = fx.psa.notes().flatMap((n) => /^\[(safeweb:note:[0-9a-f]+)\]/.exec(n.text)?.[1] ?? []);
  expect(markers.length).toBe(new Set(markers).size);
  const texts = fx.psa.notes().map((n) => `${n.ticketId}\n${n.text}`);
  expect(texts.length).toBe(new Set(texts).size);
  // Every ticket has its description, once.
  for (const t of tickets) expect(fx.psa.descriptions(t.id)).toBe(1);
  // The index: the emulator's ticket ID for every key, each ticket's state, no write left half-known.
  const index = new TicketIndexFile(fx.configDir, fx.account, fx.connection).read();
  const indexed = Object.fromEntries([...index.tickets.values()].map((t) => [t.key, t.id]));
  expect(indexed).toEqual(Object.fromEntries(tickets.map((t) => [t.key, t.id])));
  for (const t of tickets) expect(index.tickets.get(t.key!)?.state).toBe(t.closed ? 'closed' : 'open');
  expect([...index.intents.keys()]).toEqual([]);
}

/** The counts of a sync's --json summary, on one line. */
function summary(stdout: string): string {
  const { created, foundByKey, noted, closed, resolved } = JSON.parse(stdout) as Record<string, number>;
  return JSON.stringify({ created, foundByKey, noted, closed, resolved });
}

async function planIsQuiet(fx: PsaFixture): Promise<void> {
  const plan = await runBinary(['psa', 'plan', '--exit-status'], { env: fx.env, timeoutMs: 60_000 });
  expect(plan.code, plan.stderr).toBe(0);
}

/** The plan's reads before the first write: ConnectWise's companies, board, statuses, priorities and owned
 * tickets; Autotask's companies, ticket fields and owned tickets; Halo's token, clients (twice: the fallback
 * client), ticket types, three status lists and owned tickets. */
const planReads = (fx: PsaFixture) => ({ connectwise: 5, autotask: 3, halo: 8 })[fx.kind];

describe.each(FIXTURE_KINDS)('psa sync to %s killed with SIGKILL', (kind) => {
  it(
    `three kills while creating, then a sync to the end: one ticket per finding (seed ${SEED})`,
    {
      timeout: 180_000,
    },
    async () => {
      const random = seededRandom(SEED);
      fx = await psaFixture({}, { kind, book: bookCsv(CUSTOMERS, BREACHES_EACH), latencyMs: LATENCY_MS });
      const breaches = book(fx);
      expect(breaches).toHaveLength(CUSTOMERS * BREACHES_EACH);
      const expectedKeys = breaches.map((b) => keyOf(fx!, b));

      for (let k = 0; k < 3; k++) {
        // The plan's reads (companies, board, statuses, priorities, owned tickets), then a lookup and a create a ticket.
        const expected = planReads(fx) + 2 * (breaches.length - fx.psa.tickets().length);
        expect(await killedSync(fx, random, expected), said.join('\n')).toBe(true);
      }
      expect(fx.psa.tickets().length).toBeLessThan(breaches.length); // the kills left work to do
      const last = await runBinary(SYNC, { env: fx.env, timeoutMs: 90_000 });
      expect(last.code, last.stderr).toBe(0);
      said.push(`last run: ${summary(last.stdout)}`);

      expectAgreement(fx, expectedKeys);
      await planIsQuiet(fx);
    },
  );

  it(
    `three kills while closing tickets for breaches resolved between runs, and resolving for tickets a technician closed (seed ${SEED})`,
    {
      timeout: 180_000,
    },
    async () => {
      const random = seededRandom(SEED + 1);
      fx = await psaFixture({}, { kind, book: bookCsv(CUSTOMERS, BREACHES_EACH), latencyMs: LATENCY_MS });
      const breaches = book(fx);
      const expectedKeys = breaches.map((b) => keyOf(fx!, b));
      const first = await runBinary(SYNC, { env: fx.env, timeoutMs: 90_000 });
      expect(first.code, first.stderr).toBe(0);
      const ticketOf = (key: string) => fx!.psa.tickets().find((t) => t.key === key)!;

      const technicianClosed = new Set<string>();
      for (let k = 0; k < 3; k++) {
        // Between runs: SafeWeb resolves a few breaches, a technician closes a ticket of another.
        const open = breaches.filter((b) => !b.resolved && !technicianClosed.has(b.id));
        const picked = open.filter(() => random() < 0.2);
        for (const b of picked) {
          const r = await fx.run(['breach', 'resolve', b.id]);
          expect(r.code, r.stderr).toBe(0);
        }
        const tech = open.find((b) => !picked.includes(b))!;
        expect(fx.psa.technicianClose(ticketOf(keyOf(fx, tech)).id)).toBe(true);
        technicianClosed.add(tech.id);
        said.push(`round ${k + 1}: resolved ${picked.length} breaches in SafeWeb; a technician closed 1 ticket`);
        // The plan's reads, then a note and a status change a close (a resolve goes to SafeWeb).
        const closing = breaches.filter((b) => b.resolved && !ticketOf(keyOf(fx!, b)).closed).length;
        expect(await killedSync(fx, random, 5 + 2 * closing), said.join('\n')).toBe(true);
      }
      const last = await runBinary(SYNC, { env: fx.env, timeoutMs: 90_000 });
      expect(last.code, last.stderr).toBe(0);
      said.push(`last run: ${summary(last.stdout)}`);

      expectAgreement(fx, expectedKeys);
      // Each breach resolved on either side is resolved in SafeWeb and its ticket closed; the rest are open.
      for (const b of breaches) {
        const t = ticketOf(keyOf(fx, b));
        expect(b.resolved, `breach ${b.id}`).toBe(technicianClosed.has(b.id) || t.closed);
        expect(t.closed, `ticket ${t.id}`).toBe(b.resolved);
        // The tool's closes carry one resolution note; a technician's close none from the tool.
        const resolutions = fx.psa.notes().filter((n) => n.ticketId === t.id && n.kind === 'resolution');
        expect(resolutions, `ticket ${t.id}`).toHaveLength(b.resolved && !technicianClosed.has(b.id) ? 1 : 0);
      }
      expect(technicianClosed.size).toBe(3);
      await planIsQuiet(fx);
    },
  );
});
