import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/webhooks/signature.js';

const secret = '3f8e2a4c-6d1b-4e9f-a0c7-5b2d8e1f4a69';
const body = Buffer.from(
  '{"event":"breach.new","data":{"customer_uuid":"550e8400-e29b-41d4-a716-446655440000"},"created_at":"2026-03-18T14:30:00.000Z"}',
);
// Computed here with node:crypto, independently of the code under test.
const independent = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook signatures', () => {
  it('agree with an HMAC computed independently', () => {
    expect(sign(body, secret)).toBe(independent);
    expect(verify(body, independent, [secret])).toEqual({ valid: true, secretIndex: 0 });
  });

  it('are over the raw bytes: a one-byte change fails', () => {
    const changed = Buffer.from(body);
    changed[10] = changed[10]! ^ 1;
    expect(verify(changed, independent, [secret])).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(verify(body, independent, ['another-secret'])).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('accept any secret of a rotation and say which matched', () => {
    expect(verify(body, independent, ['old-secret', secret])).toEqual({ valid: true, secretIndex: 1 });
  });

  it('say why a header is unusable', () => {
    expect(verify(body, undefined, [secret])).toMatchObject({ valid: false, reason: 'missing' });
    expect(verify(body, '  ', [secret])).toMatchObject({ valid: false, reason: 'missing' });
    expect(verify(body, independent.replace('sha256=', 'sha1='), [secret])).toMatchObject({
      valid: false,
      reason: 'malformed',
    });
    expect(verify(body, independent.slice(0, -2), [secret])).toMatchObject({ valid: false, reason: 'malformed' });
    expect(verify(body, independent.toUpperCase(), [secret])).toMatchObject({ valid: false, reason: 'malformed' });
  });
});
