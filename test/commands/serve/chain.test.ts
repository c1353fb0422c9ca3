/**
 * The whole chain, offline (issue 31 item 6): a customer of the sandbox gets a new breach, the
 * sandbox delivers it in both protocols to `safeweb serve`, which keeps it and syncs that
 * customer's tickets: the ConnectWise emulator gets one ticket for the finding, not two, and the
 * outbox's events for the connection are acknowledged.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox, summarize } from '../../../src/findings/outbox.js';
import { tempDir, until } from '../../helpers/cli.js';
import { psaFixture, type PsaFixture } from '../../psa/psa-fixture.js';
import { registerEndpoint, startServe, type ServeChild } from './serve-child.js';

let fx: PsaFixture | undefined;
let serve: ServeChild | undefined;
afterAll(async () => {
  if (serve?.child.exitCode === null) await serve.stop();
  await fx?.close();
});

type Finding = { breachId: string; reference: string };

describe('the sandbox delivers, serve accepts, the PSA gets a ticket', () => {
  it('one new breach: one ticket, whichever protocol arrives first', async () => {
    fx = await psaFixture();
    // The PSA's first sync takes the baseline: what the book had before is not news.
    expect((await fx.json<{ baseline: { customers: number } }>(['psa', 'sync', '--yes'])).baseline.customers).toBe(3);
    const { dir } = tempDir('serve-chain-');
    const org = path.join(dir, 'org.secret');
    const hook = path.join(dir, 'hook.secret');
    expect((await fx.run(['webhook', 'secret', 'create', '--secret-file', org])).code).toBe(0);
    // The endpoint's secret comes with its creation, so it is made first and pointed at serve after.
    const endpoint = await registerEndpoint(fx, 'http://127.0.0.1:1/pending', hook);
    serve = await startServe(['--secret-file', org, '--secret-file', hook], fx.env);
    expect((await fx.run(['webhook', 'update', String(endpoint), '--url', serve.url])).code).toBe(0);
    // The first catch-up takes its baseline before the breach appears.
    await until(() => serve!.stderr().includes('Catch-up: baseline'), 'the catch-up baseline');

    const before = new Set((await fx.json<Finding[]>(['findings'])).map((f) => f.breachId));
    const reference = (await fx.json<Finding[]>(['findings']))[0]!.reference;
    expect((await fx.run(['customer', 'assets', reference, '--add-email', 'pwned-chain@breached.example'])).code).toBe(
      0,
    );
    await fx.sandbox.deliveriesIdle();
    const fresh = (await fx.json<Finding[]>(['findings'])).filter((f) => !before.has(f.breachId));
    expect(fresh.length).toBeGreaterThan(0);
    const ticketed = (id: string) => fx!.cw.state.notes.some((n) => n.text.includes(`Breach ID: ${id}`));
    await until(() => fresh.every((f) => ticketed(f.breachId)), 'a ticket for each new breach', 30_000);
    await serve.reported(2);
    expect(serve.lines.map((l) => [l['type'], l['status']]).sort()).toEqual([
      ['breach.new', 200],
      ['customer.breach.found', 200],
    ]);
    // One ticket per finding: the twin deliveries were one event.
    expect(fx.cw.state.tickets).toHaveLength(fresh.length);
    expect(new Set(fx.cw.state.tickets.map((t) => t.externalXRef)).size).toBe(fresh.length);
    const outbox = new Outbox({ configDir: fx.configDir, account: fx.account });
    await until(
      () => summarize(outbox.read(), new Date()).find((s) => s.sink === 'psa:cw')?.acked === fresh.length,
      'the events acknowledged',
    );
    expect(summarize(outbox.read(), new Date())).toMatchObject([{ sink: 'psa:cw', pending: 0, retrying: 0, dead: 0 }]);
    expect(await serve.stop('SIGTERM')).toBe(0);
  }, 60_000);

  it('catch-up: a breach that appeared while serve was down is routed at the next start, once', async () => {
    await fx?.close();
    fx = await psaFixture();
    await fx.json(['psa', 'sync', '--yes']);
    const { dir } = tempDir('serve-catch-up-');
    const org = path.join(dir, 'org.secret');
    expect((await fx.run(['webhook', 'secret', 'create', '--secret-file', org])).code).toBe(0);
    serve = await startServe(['--secret-file', org], fx.env);
    await until(() => serve!.stderr().includes('Catch-up: baseline of 3 customers'), 'the first catch-up');
    expect(await serve.stop()).toBe(0);
    // Down: no endpoint would reach it anyway. A breach appears meanwhile.
    const before = new Set((await fx.json<Finding[]>(['findings'])).map((f) => f.breachId));
    const reference = (await fx.json<Finding[]>(['findings']))[0]!.reference;
    expect((await fx.run(['customer', 'assets', reference, '--add-email', 'pwned-down@breached.example'])).code).toBe(
      0,
    );
    const fresh = (await fx.json<Finding[]>(['findings'])).filter((f) => !before.has(f.breachId));
    serve = await startServe(['--secret-file', org], fx.env);
    const ticketed = (id: string) => fx!.cw.state.notes.some((n) => n.text.includes(`Breach ID: ${id}`));
    await until(() => fresh.every((f) => ticketed(f.breachId)), 'tickets for what was missed', 30_000);
    expect(serve.stderr()).toMatch(new RegExp(`Catch-up: 3 customers read, \\d+ changes, ${fresh.length} new`));
    expect(await serve.stop()).toBe(0);
    // A third start finds nothing new: the state moved on.
    serve = await startServe(['--secret-file', org], fx.env);
    await until(() => serve!.stderr().includes('Catch-up: 3 customers read, 0 changes'), 'a quiet catch-up');
    expect(fx.cw.state.tickets).toHaveLength(fresh.length);
    expect(await serve.stop()).toBe(0);
    // --catch-up-from on a first start (a new state file): the unresolved breaches dated from then are new.
    serve = await startServe(
      ['--secret-file', org, '--state', path.join(dir, 'other.json'), '--catch-up-from', '1900-01-01'],
      fx.env,
    );
    await until(() => /Catch-up: 3 customers read, \d+ changes/.test(serve!.stderr()), 'the catch-up from a date');
    const unresolved = (await fx.json<Finding[]>(['findings'])).length;
    const outbox = new Outbox({ configDir: fx.configDir, account: fx.account });
    expect([...outbox.read().keys()].filter((k) => k.endsWith('@c:first'))).toHaveLength(unresolved - fresh.length);
    expect(await serve.stop()).toBe(0);
  }, 90_000);
});
