/**
 * kill -9 under load (issue 31, crash safety, at a small scale): a sender delivers v1 events for
 * new breaches of three customers — each event twice under one idempotencyToken, and again under
 * a token of its own (a twin) — retrying each until it gets a 2xx, while `serve` is killed with
 * SIGKILL three times and started again. Then: every delivery that got a 2xx is in the delivery
 * log and its event in the outbox; every event is acknowledged by the PSA sink; ConnectWise has
 * exactly one ticket per new finding.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bookEvent } from '../../../src/findings/event.js';
import { Outbox, summarize } from '../../../src/findings/outbox.js';
import { accountFileName } from '../../../src/io/account-files.js';
import { tempDir, until } from '../../helpers/cli.js';
import { psaFixture, type PsaFixture } from '../../psa/psa-fixture.js';
import { breachFound, sendV1, startServe, type ServeChild } from './serve-child.js';

let fx: PsaFixture | undefined;
let serve: ServeChild | undefined;
afterAll(async () => {
  if (serve?.child.exitCode === null) await serve.stop();
  await fx?.close();
});

type Finding = { breachId: string; breachName: string; reference: string; customerId: string };

describe('serve killed with SIGKILL three times under load', () => {
  it('loses no acknowledged delivery and routes each finding once', async () => {
    fx = await psaFixture();
    await fx.json(['psa', 'sync', '--yes']);
    const before = new Set((await fx.json<Finding[]>(['findings'])).map((f) => f.breachId));
    const customers = await fx.json<Array<{ reference: string; id: string; companyName: string }>>([
      'customer',
      'list',
    ]);
    // New breaches in the sandbox (no endpoint is registered: this test is the sender).
    for (const [i, c] of customers.entries())
      expect(
        (await fx.run(['customer', 'assets', c.reference, '--add-email', `pwned-${i}@breached.example`])).code,
      ).toBe(0);
    const fresh = (await fx.json<Finding[]>(['findings'])).filter((f) => !before.has(f.breachId));
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    const { dir } = tempDir('serve-crash-');
    const org = path.join(dir, 'org.secret');
    expect((await fx.run(['webhook', 'secret', 'create', '--secret-file', org])).code).toBe(0);
    const secret = fs.readFileSync(org, 'utf8').trim();

    const deliveries = fresh.flatMap((f) => {
      const c = customers.find((x) => x.reference === f.reference)!;
      const one = (token: string) =>
        breachFound(
          { uuid: c.id, reference: c.reference, name: c.companyName },
          [{ uuid: f.breachId, name: f.breachName }],
          token,
        );
      // Each event: three times under its token (retries, replays), and twice more under tokens of their own.
      return [randomUUID(), randomUUID(), randomUUID()].flatMap((token, i) =>
        Array.from({ length: i === 0 ? 3 : 1 }, () => ({ body: one(token) })),
      );
    });
    const acked = new Set<string>();
    let answered = 0;
    const start = () => startServe(['--secret-file', org, '--reconcile', '60m'], fx!.env);
    serve = await start();

    // The sender: every delivery until it is answered 2xx, to whichever receiver is up.
    const sending = (async () => {
      for (const d of deliveries) {
        for (;;) {
          const answer = await sendV1(serve!.url, secret, d.body).catch(() => undefined);
          if (answer?.status === 200 && answer.signed) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        acked.add(JSON.parse(d.body).idempotencyToken as string);
        answered++;
      }
    })();
    // The killer: three SIGKILLs as the acknowledgements come, each followed by a restart.
    for (const share of [0.25, 0.5, 0.75]) {
      const after = Math.floor(deliveries.length * share);
      await until(() => answered >= after, `${after} acknowledged`, 30_000).catch((e: Error) => {
        throw new Error(`${e.message} (${answered} of ${deliveries.length}); serve said:\n${serve!.stderr()}`);
      });
      serve.child.kill('SIGKILL');
      await serve.exit;
      serve = await start();
    }
    await sending;

    // Every acknowledged delivery is in the delivery log, and its event in the outbox.
    const log = fs.readFileSync(
      path.join(fx.configDir, 'serve', `${accountFileName(fx.account)}.deliveries.ndjson`),
      'utf8',
    );
    for (const token of acked) expect(log).toContain(`"id":"v1:${token}"`);
    const outbox = new Outbox({ configDir: fx.configDir, account: fx.account });
    const keys = new Set([...outbox.read().values()].map((i) => i.event.key));
    for (const f of fresh) {
      const c = customers.find((x) => x.reference === f.reference)!;
      const key = bookEvent(
        fx.sandbox.partnerId,
        { type: 'breach.new', reference: c.reference, customerId: c.id, breachId: f.breachId },
        '',
      ).key;
      expect(keys.has(key), f.breachName).toBe(true);
    }
    // Routed: each finding has its ticket, once; the PSA sink acknowledged everything it was given.
    await until(
      () => {
        const s = summarize(outbox.read(), new Date()).find((x) => x.sink === 'psa:cw');
        return s !== undefined && s.pending + s.held + s.retrying === 0;
      },
      'the PSA sink to catch up',
      60_000,
    );
    const [psa] = summarize(outbox.read(), new Date());
    expect(psa).toMatchObject({ sink: 'psa:cw', dead: 0, acked: outbox.read().size });
    const ticketed = (id: string) => fx!.cw.state.notes.filter((n) => n.text.includes(`Breach ID: ${id}`)).length;
    for (const f of fresh) expect(ticketed(f.breachId), f.breachName).toBeGreaterThan(0);
    expect(fx.cw.state.tickets).toHaveLength(fresh.length);
    expect(new Set(fx.cw.state.tickets.map((t) => t.externalXRef)).size).toBe(fresh.length);
    expect(await serve.stop('SIGTERM')).toBe(0);
  }, 120_000);
});
