/** Confirmation tokens: bound to tool and arguments, single use, 5 minutes, per process. */
import { describe, expect, it } from 'vitest';
import { canonicalJson, ConfirmationTokens, TOKEN_TTL_MS } from '../../src/mcp/confirm.js';

describe('canonicalJson', () => {
  it('gives equal text for equal values, whatever the key order', () => {
    expect(canonicalJson({ b: [1, { y: 2, x: 1 }], a: 'z' })).toBe(canonicalJson({ a: 'z', b: [1, { x: 1, y: 2 }] }));
    expect(canonicalJson({ a: 1, skipped: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});

describe('ConfirmationTokens', () => {
  const args = { reference: 'ACME-001' };

  it('accepts a token once, for exactly the call it was issued for', () => {
    const tokens = new ConfirmationTokens();
    const { token } = tokens.issue('customer_offboard', args);
    expect(() => tokens.redeem('customer_offboard', { reference: 'ACME-002' }, token)).toThrow(/does not fit/);
    expect(() => tokens.redeem('customer_update_assets', args, token)).toThrow(/does not fit/);
    expect(() => tokens.redeem('customer_offboard', { ...args }, token)).not.toThrow();
    expect(() => tokens.redeem('customer_offboard', args, token)).toThrow(/used already/);
  });

  it('refuses a token after 5 minutes, and a changed expiry', () => {
    let now = 1_000_000;
    const tokens = new ConfirmationTokens(() => now);
    const { token, expiresAt } = tokens.issue('customer_offboard', args);
    expect(Date.parse(expiresAt)).toBe(1_000_000 + TOKEN_TTL_MS);
    const [expires, ...rest] = token.split('.');
    const later = [(parseInt(expires!, 36) + 60_000).toString(36), ...rest].join('.');
    now += TOKEN_TTL_MS + 1;
    expect(() => tokens.redeem('customer_offboard', args, later)).toThrow(/does not fit/);
    expect(() => tokens.redeem('customer_offboard', args, token)).toThrow(/expired/);
  });

  it('refuses a token from another server process (another key)', () => {
    const { token } = new ConfirmationTokens().issue('customer_offboard', args);
    expect(() => new ConfirmationTokens().redeem('customer_offboard', args, token)).toThrow(/does not fit/);
    expect(() => new ConfirmationTokens().redeem('customer_offboard', args, 'garbage')).toThrow(/does not fit/);
  });
});
