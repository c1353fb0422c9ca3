/**
 * Ticket events (issue 30 item 3): a `psa sync` tells the notification routes that name
 * `ticket.created` / `ticket.closed` of each ticket it created or closed, through the outbox, and
 * `notify send` sends them — against the SafeWeb sandbox, the ConnectWise emulator and loopback
 * Slack, webhook and PagerDuty receivers. No route naming them: nothing changes, nothing is kept.
 * A sync killed between the ticket and the outbox hands its events over at its next end, once.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Route } from '../../src/config/integrations.js';
import { Outbox } from '../../src/findings/outbox.js';
import type { SlackPayload } from '../../src/notify/slack.js';
import { TicketIndexFile } from '../../src/psa/ticket-index.js';
import { BIN, runBinary, until } from '../helpers/cli.js';
import { loopbackChannels, slackFields, verifiedEvents, type LoopbackChannels } from '../helpers/notify.js';
import { bookCsv, psaFixture, type PsaFixture } from './psa-fixture.js';

const FINDINGS = 9; // examples/customers.csv in the sandbox

let fx: PsaFixture | undefined;
let told: LoopbackChannels | undefined;
afterEach(async () => {
  await told?.close();
  await fx?.close();
  fx = told = undefined;
});

const TICKET_ROUTES: Route[] = [
  { name: 'tickets', channels: ['chat', 'siem', 'oncall'], events: ['ticket.created', 'ticket.closed'] },
];

interface PlanDoc {
  actions: Array<{ action: string; ticketKey: string }>;
  messages: Array<{ event: string; channel: string; route: string; ticketKey: string; ticketId: number | null }>;
}

/**
 * `psa sync` as a child of the built binary, killed with SIGKILL once the emulator has seen `after`
 * more requests from it; false when it ended by itself first.
 */
async function killedSync(f: PsaFixture, after: number): Promise<boolean> {
  const start = f.cw.state.requests.total;
  const child = spawn(process.execPath, [BIN, ...SYNC], { env: f.env as NodeJS.ProcessEnv, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  let ended = false;
  void exited.then(() => (ended = true));
  await until(() => ended || f.cw.state.requests.total - start >= after, `request ${after} of a psa sync`, 60_000);
  child.kill('SIGKILL');
  return (await exited) === 'SIGKILL';
}

const SYNC = ['psa', 'sync', '--include-existing', '--max-creates', '1000', '--yes', '--json'];

describe('psa sync tells the routes that name ticket events', () => {
  it('one message per ticket created, with its finding key; a second sync sends nothing; a close sends ticket.closed', async () => {
    fx = await psaFixture();
    told = await loopbackChannels(fx, TICKET_ROUTES);
    expect((await fx.json<{ announced: number }>(['psa', 'sync', '--yes'])).announced).toBe(0); // the baseline

    // The plan lists the messages a sync would cause: one per ticket and channel, none for PagerDuty.
    const plan = await fx.json<PlanDoc>(['psa', 'plan', '--include-existing']);
    expect(plan.actions.filter((a) => a.action === 'create')).toHaveLength(FINDINGS);
    expect(plan.messages).toHaveLength(2 * FINDINGS);
    expect(new Set(plan.messages.map((m) => m.channel))).toEqual(new Set(['chat', 'siem']));
    expect(plan.messages.every((m) => m.event === 'ticket.created' && m.route === 'tickets' && m.ticketId === null));
    const table = await fx.run(['psa', 'plan', '--include-existing']);
    expect(table.stdout.split('\n')[0]).toMatch(/\tchat, siem$/);
    expect(table.stderr).toContain(
      `Messages about tickets: ${2 * FINDINGS} to chat, siem (tickets created ${FINDINGS}, closed 0)`,
    );

    const synced = await fx.json<{ created: number; announced: number }>([
      'psa',
      'sync',
      '--include-existing',
      '--yes',
    ]);
    expect(synced).toMatchObject({ created: FINDINGS, announced: FINDINGS });
    expect(told.hook.received).toEqual([]); // kept for notify send, not sent by the sync

    const sent = await fx.json<{ sent: number }>(['notify', 'send']);
    expect(sent.sent).toBe(2 * FINDINGS);
    expect(told.pd.received).toEqual([]);
    const findings = await fx.json<Array<{ key: string; breachId: string }>>(['findings']);
    const events = verifiedEvents(told.hook);
    expect(events).toHaveLength(FINDINGS);
    const tickets = fx.cw.state.tickets;
    for (const e of events) {
      expect(e.type).toBe('ticket.created');
      const ticket = tickets.find((t) => t.id === e.ticket!.id)!;
      // One key everywhere: the ticket's key is the PSA's externalXRef, its finding the one `safeweb findings` lists.
      expect(e.ticket).toMatchObject({ connection: 'cw', psa: 'ConnectWise', key: ticket.externalXRef });
      expect(e.ticket!.findings).toEqual([e.finding]);
      expect(findings.find((f) => f.key === e.finding)?.breachId).toBe(e.breachId);
    }
    expect(new Set(events.map((e) => e.ticket!.id)).size).toBe(FINDINGS);
    expect(new Set(events.map((e) => e.webhookId)).size).toBe(FINDINGS);
    const slackKeys = told.slack.received.map((r) => slackFields(r.body)['Finding key']);
    expect(slackKeys.sort()).toEqual(events.map((e) => e.finding).sort());
    const first = events[0]!;
    const title = `ConnectWise ticket ${first.ticket!.id} opened for `;
    const texts = told.slack.received.map((r) => (JSON.parse(r.body) as SlackPayload).text);
    expect(texts.find((t) => t.startsWith(title))?.endsWith(`(${first.reference}): ${first.breachName}`)).toBe(true);

    // Nothing new: a second sync tells nothing, and notify send has nothing to send.
    expect((await fx.json<{ announced: number }>(['psa', 'sync', '--yes'])).announced).toBe(0);
    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(0);
    expect(told.hook.received).toHaveLength(FINDINGS);

    // SafeWeb resolves a breach: its ticket closes, and the routes hear of that once.
    const resolved = events[0]!;
    expect((await fx.run(['breach', 'resolve', resolved.breachId!])).code).toBe(0);
    const closing = await fx.json<PlanDoc>(['psa', 'plan']);
    expect(closing.messages.map((m) => [m.event, m.channel, m.ticketId]).sort()).toEqual([
      ['ticket.closed', 'chat', resolved.ticket!.id],
      ['ticket.closed', 'siem', resolved.ticket!.id],
    ]);
    expect(await fx.json(['psa', 'sync', '--yes'])).toMatchObject({ closed: 1, announced: 1 });
    // notify send's own comparison also sees the breach resolved; no route here takes breach events.
    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(2);
    const closed = verifiedEvents(told.hook).slice(FINDINGS);
    expect(closed).toMatchObject([
      { type: 'ticket.closed', finding: resolved.finding, ticket: { id: resolved.ticket!.id, reason: 'resolved' } },
    ]);
    expect(slackFields(told.slack.received.at(-1)!.body)).toMatchObject({
      'Finding key': resolved.finding,
      'Closed because': 'SafeWeb resolved what it covers',
    });
    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(0);

    // A technician closes another ticket: the sync sees it (and resolves its breach), and says so.
    const other = events[1]!;
    expect(fx.cw.technicianClose(other.ticket!.id)).toBe(true);
    const seen = await fx.json<PlanDoc>(['psa', 'plan']);
    expect(seen.messages.map((m) => [m.event, m.ticketId])).toEqual([
      ['ticket.closed', other.ticket!.id],
      ['ticket.closed', other.ticket!.id],
    ]);
    expect(await fx.json(['psa', 'sync', '--yes'])).toMatchObject({ resolved: 1, announced: 1 });
    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(2);
    expect(verifiedEvents(told.hook).at(-1)).toMatchObject({
      type: 'ticket.closed',
      finding: other.finding,
      ticket: { id: other.ticket!.id, reason: 'technician' },
    });
    expect(told.pd.received).toEqual([]);
    expect(fx.checked.problems).toEqual([]);
  }, 60_000);

  it('no route names ticket events: the sync keeps nothing for them, and the plan shows no messages', async () => {
    fx = await psaFixture();
    // A route naming no events takes every book event, but not ticket events; another names breach.new only.
    told = await loopbackChannels(fx, [
      { name: 'all', channels: ['chat'] },
      { name: 'new', channels: ['siem'], events: ['breach.new'] },
    ]);
    await fx.json(['psa', 'sync', '--yes']);
    const plan = await fx.json<PlanDoc>(['psa', 'plan', '--include-existing']);
    expect(plan.messages).toEqual([]);
    const table = await fx.run(['psa', 'plan', '--include-existing']);
    expect(table.stdout.split('\n')[0]!.split('\t')).toHaveLength(5); // no Tells column
    expect(table.stderr).not.toContain('Messages about tickets');
    const synced = await fx.json<{ created: number; announced: number }>([
      'psa',
      'sync',
      '--include-existing',
      '--yes',
    ]);
    expect(synced).toMatchObject({ created: FINDINGS, announced: 0 });
    const index = readFileSync(new TicketIndexFile(fx.configDir, fx.account, 'cw').file, 'utf8');
    expect(index).not.toMatch(/"op":"announce/);
    const outbox = new Outbox({ configDir: fx.configDir, account: fx.account });
    expect([...outbox.read().values()].filter((i) => i.event.type.startsWith('ticket.'))).toEqual([]);
    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(0);
    expect([told.slack.received, told.hook.received]).toEqual([[], []]);
  }, 60_000);

  it('a sync killed before the outbox heard: the next one hands the events over; killed after: nothing twice', async () => {
    fx = await psaFixture();
    told = await loopbackChannels(fx, TICKET_ROUTES);
    await fx.json(['psa', 'sync', '--yes']);
    await fx.json(['psa', 'sync', '--include-existing', '--max-creates', '4', '--yes']);
    const index = new TicketIndexFile(fx.configDir, fx.account, 'cw');
    const outbox = new Outbox({ configDir: fx.configDir, account: fx.account });
    const ticketItems = () => [...outbox.read().values()].filter((i) => i.event.type === 'ticket.created');
    expect(ticketItems()).toHaveLength(4);

    // As a kill -9 after the tickets' lines and before the enqueue leaves them: the index keeps the
    // events, the outbox has none of them.
    const lines = readFileSync(index.file, 'utf8').split('\n');
    writeFileSync(index.file, lines.filter((l) => !l.includes('"op":"announced"')).join('\n'));
    writeFileSync(outbox.file, '');
    const pending = await fx.json<PlanDoc>(['psa', 'plan']);
    expect(pending.messages.filter((m) => (m as { pending?: boolean }).pending)).toHaveLength(2 * 4);
    expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(8); // something to hand over
    expect(await fx.json(['psa', 'sync', '--yes'])).toMatchObject({ created: 0, announced: 4 });
    expect(ticketItems()).toHaveLength(4);

    // As a kill -9 after the enqueue and before the index heard: handed over again, known to the outbox.
    const again = readFileSync(index.file, 'utf8').split('\n');
    writeFileSync(index.file, again.filter((l) => !l.includes('"op":"announced"')).join('\n'));
    expect(await fx.json(['psa', 'sync', '--yes'])).toMatchObject({ created: 0, announced: 0 });
    expect(ticketItems()).toHaveLength(4);
    expect(index.read().announce.size).toBe(0);
    expect((await fx.run(['psa', 'plan', '--exit-status'])).code).toBe(0);

    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(2 * 4);
    expect(
      verifiedEvents(told.hook)
        .map((e) => e.ticket!.id)
        .sort(),
    ).toEqual(fx.cw.state.tickets.map((t) => t.id).sort());
  }, 60_000);

  it('killed with SIGKILL three times while creating, then run to the end: one ticket.created per ticket', async () => {
    fx = await psaFixture({}, { book: bookCsv(8, 3, 'ANN'), latencyMs: 20 });
    told = await loopbackChannels(fx, [{ name: 'tickets', channels: ['siem'], events: ['ticket.created'] }]);
    // The plan's five reads, then eight lookups side by side, then creates: each kill lands with creates made at
    // the PSA whose answers are in flight (20 ms), so the next run finds those tickets unrecorded and adopts them.
    for (const after of [20, 26, 12]) expect(await killedSync(fx, after)).toBe(true);
    expect(fx.cw.state.tickets.length).toBeLessThan(24);
    const last = await runBinary(SYNC, { env: fx.env, timeoutMs: 90_000 });
    expect(last.code, last.stderr).toBe(0);
    expect(fx.cw.state.tickets).toHaveLength(24);

    const sent = await runBinary(['notify', 'send', '--json'], { env: fx.env, timeoutMs: 90_000 });
    expect(sent.code, sent.stderr).toBe(0);
    const events = verifiedEvents(told.hook);
    expect(events.map((e) => e.ticket!.id).sort()).toEqual(fx.cw.state.tickets.map((t) => t.id).sort());
    expect(new Set(events.map((e) => e.webhookId)).size).toBe(24);
    expect(events.every((e) => e.type === 'ticket.created' && e.finding && e.ticket!.findings[0] === e.finding)).toBe(
      true,
    );
    expect((await fx.json<{ sent: number }>(['notify', 'send'])).sent).toBe(0);
  }, 180_000);
});
