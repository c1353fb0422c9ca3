/**
 * From a SafeWeb delivery to a message in a channel, offline (issue 30 items 2 and 3): the sandbox
 * delivers a new breach, signed, to `safeweb serve` (through a loopback relay that keeps each
 * delivery as it was sent); serve keeps it, a Slack channel hears of the breach with its finding
 * key, the ConnectWise emulator gets its ticket, and the webhook route that names ticket.created
 * hears of the ticket with the same finding key — each once. The deliveries replayed byte for byte
 * are answered as before and send nothing more.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox, summarize } from '../../../src/findings/outbox.js';
import { tempDir, until } from '../../helpers/cli.js';
import { loopbackChannels, slackFields, verifiedEvents, type LoopbackChannels } from '../../helpers/notify.js';
import { psaFixture, type PsaFixture } from '../../psa/psa-fixture.js';
import { registerEndpoint, request, startServe, type ServeChild } from './serve-child.js';

interface Kept {
  headers: Record<string, string>;
  body: string;
}

/** A relay on loopback: each delivery is kept as sent and passed to `target()`, whose answer goes back as it came. */
async function relay(target: () => string): Promise<{ url: string; kept: Kept[]; close(): Promise<void> }> {
  const kept: Kept[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // What a sender signs and says: the content type and its own x- headers.
      const headers = Object.fromEntries(
        Object.entries(req.headers)
          .filter(([k]) => k === 'content-type' || k.startsWith('x-'))
          .map(([k, v]) => [k, String(v)]),
      );
      const delivery = { headers, body: Buffer.concat(chunks).toString('utf8') };
      kept.push(delivery);
      request(target(), delivery).then(
        (answer) => {
          const back = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => k.startsWith('x-')));
          res.writeHead(answer.status, back as http.OutgoingHttpHeaders).end(answer.body);
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/relay`,
    kept,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let fx: PsaFixture | undefined;
let told: LoopbackChannels | undefined;
let serve: ServeChild | undefined;
let hop: Awaited<ReturnType<typeof relay>> | undefined;
afterAll(async () => {
  if (serve?.child.exitCode === null) await serve.stop();
  await hop?.close();
  await told?.close();
  await fx?.close();
});

type Finding = { breachId: string; reference: string; key: string };

describe('the sandbox delivers, serve keeps it, the channels hear of it', () => {
  it('a new breach: one Slack message with its finding key, one ticket, one ticket.created; a replay sends nothing', async () => {
    fx = await psaFixture();
    told = await loopbackChannels(fx, [
      { name: 'new', channels: ['chat'], events: ['breach.new'] },
      { name: 'tickets', channels: ['siem'], events: ['ticket.created'] },
    ]);
    // The PSA's first sync takes the baseline: what the book had before is not news.
    await fx.json(['psa', 'sync', '--yes']);
    const { dir } = tempDir('serve-notify-');
    const org = path.join(dir, 'org.secret');
    const hook = path.join(dir, 'hook.secret');
    expect((await fx.run(['webhook', 'secret', 'create', '--secret-file', org])).code).toBe(0);
    hop = await relay(() => serve!.url);
    expect(await registerEndpoint(fx, hop.url, hook)).toBeGreaterThan(0);
    serve = await startServe(['--secret-file', org, '--secret-file', hook], fx.env);
    await until(() => serve!.stderr().includes('Catch-up: baseline'), 'the catch-up baseline');

    const before = new Set((await fx.json<Finding[]>(['findings'])).map((f) => f.breachId));
    const reference = (await fx.json<Finding[]>(['findings']))[0]!.reference;
    const added = await fx.run(['customer', 'assets', reference, '--add-email', 'pwned-notify@breached.example']);
    expect(added.code, added.stderr).toBe(0);
    await fx.sandbox.deliveriesIdle();
    const fresh = (await fx.json<Finding[]>(['findings'])).filter((f) => !before.has(f.breachId));
    expect(fresh.length).toBeGreaterThan(0);
    await serve.reported(2);
    expect(hop.kept).toHaveLength(2);

    const keys = fresh.map((f) => f.key).sort();
    const slackKeys = () => told!.slack.received.map((r) => slackFields(r.body)['Finding key']);
    await until(() => slackKeys().length >= fresh.length, 'a Slack message per new breach', 30_000);
    await until(() => told!.hook.received.length >= fresh.length, 'a ticket.created per new ticket', 30_000);
    const outbox = new Outbox({ configDir: fx.configDir, account: fx.account });
    const settled = () =>
      summarize(outbox.read(), new Date()).every((s) => s.pending + s.held + s.retrying + s.dead === 0);
    await until(settled, 'every sink acknowledging what it was given', 30_000);

    expect(slackKeys().sort()).toEqual(keys);
    const tickets = verifiedEvents(told.hook);
    expect(tickets.map((e) => e.type)).toEqual(fresh.map(() => 'ticket.created'));
    expect(tickets.map((e) => e.finding).sort()).toEqual(keys);
    expect(tickets.map((e) => e.ticket!.key).sort()).toEqual(fx.cw.state.tickets.map((t) => t.externalXRef).sort());
    expect(fx.cw.state.tickets).toHaveLength(fresh.length);
    expect(told.pd.received).toEqual([]);

    // The same deliveries again, byte for byte: answered as before, nothing kept, nothing sent.
    const items = outbox.read().size;
    for (const delivery of hop.kept.slice()) expect((await request(serve.url, delivery)).status).toBe(200);
    await serve.reported(4);
    expect(serve.lines.slice(2).map((l) => l['duplicate'])).toEqual([true, true]);
    expect(outbox.read().size).toBe(items);
    expect(settled()).toBe(true);
    expect(told.slack.received).toHaveLength(fresh.length);
    expect(told.hook.received).toHaveLength(fresh.length);
    expect(fx.cw.state.tickets).toHaveLength(fresh.length);
    expect(await serve.stop('SIGTERM')).toBe(0);
  }, 90_000);
});
