/**
 * The engine's own rules, below the API client: the accepted hook under any policy, per-attempt
 * reports, and webhook deliveries (webhooks/deliver.ts) sent through it.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, EngineError, type AttemptReport, type RetryPolicy } from '../../src/api/engine.js';
import { createWire } from '../../src/api/transport.js';
import { deliver, type Attempt } from '../../src/webhooks/deliver.js';
import { okJson, stubServer, type Stub } from '../helpers/stub-server.js';

let stub: Stub | undefined;
afterEach(async () => {
  if (stub) {
    expect(stub.unexpected, 'requests beyond the script').toEqual([]);
    await stub.close();
  }
  stub = undefined;
});

const fast: RetryPolicy = { timeoutMs: 1000, retries: 2, retryable: () => true, backoff: () => 10 };

describe('the accepted hook', () => {
  it('turns a 2xx it refuses into a failed attempt, retried under the policy, then reported', async () => {
    stub = await stubServer([okJson({ n: 1 }), okJson({ n: 2 }), okJson({ n: 3 })]);
    const engine = createEngine({ wire: createWire({ env: {} }) });
    const reports: AttemptReport[] = [];
    const job = {
      url: new URL(`${stub.url}/hook`),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      accepted: () => 'the answer is not signed',
      onAttempt: (a: AttemptReport) => reports.push(a),
    };
    const error = await engine.send(job, fast).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).retries).toBe(2);
    expect((error as EngineError).failure).toMatchObject({ kind: 'answer', notAccepted: 'the answer is not signed' });
    expect(reports.map((r) => [r.attempt, r.status, r.ok, r.error])).toEqual([
      [1, 200, false, 'the answer is not signed'],
      [2, 200, false, 'the answer is not signed'],
      [3, 200, false, 'the answer is not signed'],
    ]);
    expect(stub.requests).toHaveLength(3);
  });

  it('stops retrying once an answer is accepted, and a policy that refuses retries sends once', async () => {
    stub = await stubServer([okJson({ ok: false }), okJson({ ok: true }), okJson({ ok: false })]);
    const engine = createEngine({ wire: createWire({ env: {} }) });
    const accepted = (a: { body: Buffer }) => JSON.parse(a.body.toString()).ok === true;
    const job = { url: new URL(`${stub.url}/x`), method: 'GET', headers: {}, accepted };
    const { answer, retries } = await engine.send(job, fast);
    expect([answer.status, retries]).toEqual([200, 1]);
    const once = await engine.send(job, { ...fast, retryable: () => false }).catch((e: unknown) => e);
    expect((once as EngineError).failure).toMatchObject({ notAccepted: 'the answer was not accepted' });
    expect(stub.requests).toHaveLength(3);
  });
});

describe('webhook deliveries through the engine', () => {
  const policy = { timeoutMs: 300, retries: 2, backoffBaseMs: 10 };

  it('signs, sends no API credentials, retries a non-2xx and reports every attempt', async () => {
    stub = await stubServer([{ status: 500 }, { status: 204 }]);
    const seen: Attempt[] = [];
    const body = '{"event":"breach.new"}';
    const attempts = await deliver(
      { url: `${stub.url}/hook`, secret: 's3cret', event: 'breach.new', body },
      policy,
      (a) => seen.push(a),
    );
    expect(attempts.map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, 500, false],
      [2, 204, true],
    ]);
    expect(seen).toEqual(attempts);
    const [first] = stub.requests;
    expect(first!.body).toBe(body);
    expect(first!.headers['x-safeweb-event']).toBe('breach.new');
    expect(first!.headers['x-safeweb-signature']).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
    );
    expect(first!.headers['sw-api-key']).toBeUndefined();
    expect(first!.headers['sw-partner-id']).toBeUndefined();
  });

  it('counts a 2xx the caller does not accept as a failed attempt', async () => {
    stub = await stubServer([{ status: 200 }, { status: 200, headers: { 'x-answer-signature': 'good' } }]);
    const attempts = await deliver(
      {
        url: `${stub.url}/hook`,
        secret: 's',
        event: 'breach.new',
        body: '{}',
        accepted: (a) => (a.headers['x-answer-signature'] === 'good' ? true : 'the answer is not signed'),
      },
      policy,
    );
    expect(attempts.map((a) => [a.status, a.ok, a.error])).toEqual([
      [200, false, 'the answer is not signed'],
      [200, true, undefined],
    ]);
  });

  it('times out each attempt and says so, then gives up after the retries', async () => {
    stub = await stubServer([{ hang: true }, { hang: true }, { hang: true }]);
    const attempts = await deliver({ url: `${stub.url}/hook`, secret: 's', event: 'e', body: '{}' }, policy);
    expect(attempts.map((a) => [a.ok, a.error])).toEqual([
      [false, 'no answer within 300 ms'],
      [false, 'no answer within 300 ms'],
      [false, 'no answer within 300 ms'],
    ]);
  });
});
