import { describe, expect, it } from 'vitest';
import { breachesForEmail, isBreachedEmail, threatScore } from '../../src/sandbox/breach-rules.js';
import { CATALOGUE, LOCALES, localTitle } from '../../src/sandbox/catalogue.js';
import { useSandbox } from '../helpers/sandbox.js';

const fx = useSandbox();

async function call(method: string, path: string, body?: unknown, creds?: { partnerId: string; apiKey: string }) {
  const { sandbox } = fx();
  const c = creds ?? sandbox;
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'SW-PARTNER-ID': c.partnerId, 'SW-API-KEY': c.apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const request = (ref: string, extra: Record<string, unknown> = {}) => ({
  companyName: 'Rule Co',
  customerReference: ref,
  assetsEmails: ['admin@rule.example', 'jane@rule.example'],
  alertRecipients: ['it@rule.example'],
  price: 1,
  currencyCode: 'USD',
  billedFromDate: new Date(Date.now() + 3_600_000).toISOString(),
  ...extra,
});

describe('the breached-email rule', () => {
  it('is the documented one: role names, pwned*, breached.example', () => {
    for (const e of [
      'admin@x.co',
      'INFO@x.co',
      'ceo@x.co',
      'sales@x.co',
      'test@x.co',
      'pwned.anna@x.co',
      'anyone@breached.example',
    ])
      expect(isBreachedEmail(e)).toBe(true);
    for (const e of ['jane@x.co', 'security@acme.co', 'administrator@x.co', 'x@notbreached.example'])
      expect(isBreachedEmail(e)).toBe(false);
  });

  it('gives a breached address 1 to 3 catalogue breaches, always the same ones', () => {
    const first = breachesForEmail('admin@acme.co');
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.length).toBeLessThanOrEqual(3);
    expect(breachesForEmail('ADMIN@acme.co')).toEqual(first);
    expect(breachesForEmail('jane@acme.co')).toEqual([]);
  });

  it('scores 15 per open breach, 5 more with passwords, 2 per resolved one, at most 97', () => {
    expect(threatScore([])).toBe(0);
    expect(threatScore([{ resolved: false, categories: ['Email addresses'] }])).toBe(15);
    expect(
      threatScore([
        { resolved: false, categories: ['Passwords'] },
        { resolved: true, categories: ['Passwords'] },
      ]),
    ).toBe(22);
    expect(threatScore(Array.from({ length: 10 }, () => ({ resolved: false, categories: ['Passwords'] })))).toBe(97);
  });

  it('has a catalogue of a few dozen breaches with titles in five locales', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(24);
    expect(new Set(CATALOGUE.map((b) => b.name)).size).toBe(CATALOGUE.length);
    expect(LOCALES.map((l) => localTitle(CATALOGUE[0]!, l))).toEqual([
      'Adobe',
      'Databrud: Adobe',
      'Dataintrång: Adobe',
      'Datainnbrudd: Adobe',
      'Tietomurto: Adobe',
    ]);
  });
});

describe('sandbox customer routes', () => {
  it('onboarding creates breach records for breached addresses only, and the score follows', async () => {
    const r = await call('POST', '/api/v1/integrations/customer/onboard', request('RULE-1'));
    expect(r.status).toBe(201);
    const id = r.body['customerId'] as string;
    const breaches = await call('GET', `/api/v1/integrations/customer/${id}/breaches`);
    const list = breaches.body['breaches'] as Array<{ emails: string[] }>;
    expect(list.length).toBe(breachesForEmail('admin@rule.example').length);
    for (const b of list) expect(b.emails).toEqual(['admin@rule.example']);
    const score = await call('GET', `/api/v1/integrations/customer/${id}/threat-score`);
    expect(score.body['threatScore']).toBeGreaterThanOrEqual(15 * list.length);
  });

  it('enforces a future billing date and a unique reference per partner', async () => {
    const past = await call(
      'POST',
      '/api/v1/integrations/customer/onboard',
      request('RULE-2', { billedFromDate: '2020-01-01T00:00:00.000Z' }),
    );
    expect(past).toEqual({
      status: 400,
      body: { success: false, error: 'Invalid request body: billedFromDate must be in the future' },
    });
    expect((await call('POST', '/api/v1/integrations/customer/onboard', request('RULE-3'))).status).toBe(201);
    expect((await call('POST', '/api/v1/integrations/customer/onboard', request('RULE-3'))).status).toBe(409);
    // Another partner may use the same reference.
    expect(
      (await call('POST', '/api/v1/integrations/customer/onboard', request('RULE-3'), fx().sandbox.otherPartner))
        .status,
    ).toBe(201);
  });

  it("hides other partners' customers and validates IDs", async () => {
    const foreign = fx().sandbox.state.customers.find((c) => c.partnerId !== fx().sandbox.partnerId)!;
    expect(await call('GET', `/api/v1/integrations/customer/${foreign.id}/assets`)).toEqual({
      status: 404,
      body: { success: false, error: 'Customer not found or does not belong to partner' },
    });
    expect(await call('GET', '/api/v1/integrations/customer/not-a-uuid/threat-score')).toEqual({
      status: 400,
      body: { success: false, error: 'Invalid route parameters: Customer ID must be a valid UUID' },
    });
    expect((await call('PATCH', `/api/v1/integrations/customer/${foreign.id}/assets`, {})).status).toBe(404);
  });

  it('asset changes add and drop breach records', async () => {
    const id = (
      await call(
        'POST',
        '/api/v1/integrations/customer/onboard',
        request('RULE-4', { assetsEmails: ['jane@rule.example'] }),
      )
    ).body['customerId'] as string;
    const count = async () =>
      (await call('GET', `/api/v1/integrations/customer/${id}/breaches`)).body['count'] as number;
    expect(await count()).toBe(0);
    expect(
      (
        await call('PATCH', `/api/v1/integrations/customer/${id}/assets`, {
          emails: ['jane@rule.example', 'ceo@rule.example'],
        })
      ).status,
    ).toBe(200);
    expect(await count()).toBe(breachesForEmail('ceo@rule.example').length);
    expect((await call('PATCH', `/api/v1/integrations/customer/${id}/assets`, {})).body['error']).toBe(
      'At least one of domains or emails must be provided',
    );
    await call('PATCH', `/api/v1/integrations/customer/${id}/assets`, { emails: ['jane@rule.example'] });
    expect(await count()).toBe(0);
  });

  it('refuses a magic link for an offboarded customer', async () => {
    const id = (await call('POST', '/api/v1/integrations/customer/onboard', request('RULE-5'))).body[
      'customerId'
    ] as string;
    await call('POST', '/api/v1/integrations/customer/offboard', { customerId: id });
    expect((await call('POST', `/api/v1/integrations/customer/${id}/magic-link`)).body['error']).toBe(
      'Customer is not active; reactivate it first',
    );
    // Offboarding twice is not an error: a retried request must not fail.
    expect((await call('POST', '/api/v1/integrations/customer/offboard', { customerId: id })).status).toBe(200);
  });
});
