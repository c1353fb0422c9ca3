import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SAFEWEB_POLICY } from '../../src/webhooks/deliver.js';
import { signV1, signV1Response, V1_GUESSES, verifyV1, verifyV1Response } from '../../src/webhooks/v1.js';

const secret = '9b1f3c2e-7a4d-4f6e-8c0b-2d5e9a1f7c3b';
const fallback = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const body = Buffer.from(
  '{"idempotencyToken":"8f2c1b0e-1111-4222-8333-944445555666","type":"customer.breach.found",' +
    '"data":{"customer":{"uuid":"550e8400-e29b-41d4-a716-446655440000","name":"Acme Ltd","reference":"ACME-001"},' +
    '"breaches":[]},"timestamp":1715601234567}',
);
const xToken = '0f9e8d7c-6b5a-4948-8372-615049382716';
// Computed here with node:crypto, independently of the code under test.
const independent = createHmac('sha256', secret).update(body).digest('hex');
const independentAnswer = createHmac('sha256', secret).update(xToken).digest('hex');

describe('v1 request signatures', () => {
  it('are the bare hex HMAC of the raw body, as computed independently', () => {
    expect(signV1(body, secret)).toBe(independent);
    expect(verifyV1(body, independent, [secret])).toEqual({ valid: true, secretIndex: 0 });
  });

  it('accept either hex case', () => {
    expect(verifyV1(body, independent.toUpperCase(), [secret])).toEqual({ valid: true, secretIndex: 0 });
    expect(verifyV1(body, ` ${independent} `, [secret])).toEqual({ valid: true, secretIndex: 0 });
  });

  it('try every secret of a rotation and say which matched', () => {
    expect(verifyV1(body, independent, [fallback, secret])).toEqual({ valid: true, secretIndex: 1 });
  });

  it('fail on a one-byte change or a wrong secret', () => {
    const changed = Buffer.from(body);
    changed[5] = changed[5]! ^ 1;
    expect(verifyV1(changed, independent, [secret])).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(verifyV1(body, independent, [fallback])).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('say why a header is unusable', () => {
    expect(verifyV1(body, undefined, [secret])).toMatchObject({ valid: false, reason: 'missing' });
    expect(verifyV1(body, '', [secret])).toMatchObject({ valid: false, reason: 'missing' });
    expect(verifyV1(body, `sha256=${independent}`, [secret])).toMatchObject({ valid: false, reason: 'malformed' });
    expect(verifyV1(body, independent.slice(1), [secret])).toMatchObject({ valid: false, reason: 'malformed' });
    expect(verifyV1(body, `${independent.slice(1)}g`, [secret])).toMatchObject({ valid: false, reason: 'malformed' });
  });
});

describe('v1 answer signatures', () => {
  it('are the hex HMAC of the X-Token keyed by the verifying secret', () => {
    expect(signV1Response(xToken, secret)).toBe(independentAnswer);
    expect(verifyV1Response(xToken, independentAnswer, [secret])).toEqual({ valid: true, secretIndex: 0 });
    expect(verifyV1Response(xToken, independentAnswer.toUpperCase(), [fallback, secret])).toEqual({
      valid: true,
      secretIndex: 1,
    });
  });

  it('refuse a missing answer signature, or one for another token', () => {
    expect(verifyV1Response(xToken, undefined, [secret])).toMatchObject({ valid: false, reason: 'missing' });
    const other = createHmac('sha256', secret).update('another-token').digest('hex');
    expect(verifyV1Response(xToken, other, [secret])).toMatchObject({ valid: false, reason: 'mismatch' });
  });
});

describe('the guessed parts', () => {
  it('sit in one table: deactivate path, answer recipe, and seed 002 policy', () => {
    expect(V1_GUESSES.deactivatePath).toBe('/api/v1/integrations/webhooks/secrets/{id}');
    expect(V1_GUESSES.responseSignature.header).toBe('x-signature');
    expect(V1_GUESSES.policy).toEqual(SAFEWEB_POLICY);
    expect(SAFEWEB_POLICY).toMatchObject({ timeoutMs: 2000, retries: 3 });
  });
});
