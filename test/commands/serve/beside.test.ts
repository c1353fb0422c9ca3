/**
 * `safeweb serve` under a steady stream of deliveries, with others at its outbox: the receiver
 * keeps the outbox's lock between its commits, and an `outbox drop` run beside it still gets its
 * turn, its change kept and seen by the receiver, while every delivery answered 2xx is in the
 * outbox. And a notification channel whose secret cannot be read is a failure of its route, not a
 * negative count of messages sent.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsFile, setIntegration } from '../../../src/config/integrations.js';
import { bookEvent } from '../../../src/findings/event.js';
import { Outbox } from '../../../src/findings/outbox.js';
import { accountKey } from '../../../src/io/account-files.js';
import { runBinary, runInProcess, tempDir, until } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { breachFound, request, sendV1, startServe, type ServeChild } from './serve-child.js';

const fx = useSandbox();
let serve: ServeChild | undefined;
let env: Record<string, string | undefined>;
let account: string;
let org: string;

beforeAll(async () => {
  env = fx().env;
  account = accountKey(fx().sandbox.partnerId, fx().sandbox.url);
  // Every event routed to a Slack channel whose webhook URL is a secret the store does not hold.
  const settings = integrationsFile(env['SAFEWEB_CONFIG_DIR']!, account);
  await setIntegration(settings, ['notify', 'channels', 'ops'], { kind: 'slack', secret: 'slack/not-stored' });
  await setIntegration(settings, ['notify', 'routes'], [{ channels: ['ops'] }]);
  org = path.join(tempDir('serve-beside-').dir, 'org.secret');
  const created = await runInProcess(['webhook', 'secret', 'create', '--secret-file', org], { env });
  expect(created.code, created.stderr).toBe(0);
  // An item every sink finished 100 days ago, and one still pending from then: the receiver's own
  // compaction (after its first catch-up pass) leaves out the first and keeps the second.
  const past = new Outbox({
    configDir: env['SAFEWEB_CONFIG_DIR']!,
    account,
    sinks: ['notify:ops'],
    now: () => new Date(Date.now() - 100 * 86_400_000),
  });
  await past.enqueue([old('OLD-DONE'), old('OLD-PENDING'), old('DROPPED-NOW')]);
  await past.due('notify:ops', undefined, 1);
  await past.record('notify:ops', old('OLD-DONE').key, { ok: true });
  // Dropped just now: its tombstone (which keeps a re-enqueue out) stays, though `outbox compact` would remove it.
  await new Outbox({ configDir: env['SAFEWEB_CONFIG_DIR']!, account }).drop([old('DROPPED-NOW').key]);
  serve = await startServe(['--secret-file', org, '--reconcile', '60m'], env);
});

const old = (reference: string) =>
  bookEvent(
    'P1',
    { type: 'breach.new', reference, customerId: null, breachId: `b-${reference}` },
    '2026-01-01T00:00:00.000Z',
  );

afterAll(async () => {
  if (serve?.child.exitCode === null) expect(await serve.stop('SIGTERM')).toBe(0);
});

const customer = { uuid: '6f1c3b5e-0000-4000-8000-0000000000b1', reference: 'BESIDE-1' };

describe('serve with others at its outbox', () => {
  it('compacts its outbox: what every sink finished longer ago than 90 days is left out, the rest kept', async () => {
    await until(
      () => /Outbox compacted: 1 item\(s\) finished or dropped over 90 days ago left out, 2 kept/.test(serve!.stderr()),
      'compacted',
    );
    const items = new Outbox({ configDir: env['SAFEWEB_CONFIG_DIR']!, account }).read();
    expect(items.has(old('OLD-DONE').key)).toBe(false);
    expect(items.has(old('OLD-PENDING').key)).toBe(true);
    expect(items.get(old('DROPPED-NOW').key)?.dropped).toBe(true);
  });

  it('lets an outbox drop beside it take its turn, and loses no delivery it answered', async () => {
    const secret = fs.readFileSync(org, 'utf8').trim();
    const acked: string[] = [];
    let stop = false;
    // The sender: one delivery after another (four at a time), each a new breach, until told to stop.
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const token = randomUUID();
        const answer = await sendV1(
          serve!.url,
          secret,
          breachFound(customer, [{ uuid: randomUUID(), name: `Beside-${token.slice(0, 8)}` }], token),
        );
        expect(answer, serve!.stderr()).toMatchObject({ status: 200, signed: true });
        acked.push(token);
      }
    });
    let dropped: string;
    try {
      await until(() => acked.length >= 20, '20 deliveries answered');
      const outbox = new Outbox({ configDir: env['SAFEWEB_CONFIG_DIR']!, account });
      dropped = [...outbox.read().keys()].find((key) => key.endsWith(`@d:v1:${acked[0]}`))!;
      expect(dropped).toBeDefined();
      // A process of its own, while the receiver is busy committing: it asks for the lock and gets it.
      const drop = await runBinary(['outbox', 'drop', dropped, '--yes'], { env });
      expect(drop.code, drop.stderr).toBe(0);
      const during = acked.length;
      await until(() => acked.length >= during + 20, '20 more deliveries answered');
    } finally {
      stop = true;
      await Promise.all(senders);
    }
    const outbox = new Outbox({ configDir: env['SAFEWEB_CONFIG_DIR']!, account });
    const items = outbox.read();
    for (const token of acked) {
      const item = [...items.values()].find((i) => i.key.endsWith(`@d:v1:${token}`));
      expect(item, `delivery ${token}`).toBeDefined();
      expect(item!.dropped).toBe(item!.key === dropped);
    }
    // The receiver saw the drop (it read the journal again after letting go): it never routes that item.
    const journal = fs.readFileSync(outbox.file, 'utf8');
    expect(journal.endsWith('\n')).toBe(true);
    const dropLine = journal.indexOf(`"op":"dropped","key":"${dropped}"`);
    expect(dropLine).toBeGreaterThan(0);
    const afterDrop = journal.slice(dropLine);
    expect(afterDrop).not.toContain(`"key":"${dropped}","until"`);
  });

  it('counts a channel it cannot open as a failure of the route, not as messages sent', async () => {
    await until(() => /notify:ops: 0 event\(s\) acknowledged, 1 to retry/.test(serve!.stderr()), 'the route tried');
    expect(serve!.stderr()).not.toMatch(/decrease a counter/);
    const metrics = (await request(`${serve!.admin}/metrics`, { method: 'GET' })).body;
    expect(metrics).toMatch(/safeweb_serve_route_failures_total\{sink="notify:ops"\} [1-9]/);
    expect(metrics).not.toMatch(/safeweb_serve_routed_total\{sink="notify:ops"\}/);
  });
});
