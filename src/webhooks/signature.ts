/**
 * Webhook signatures, exactly as seed 002's reference snippet: `sha256=` + hex HMAC-SHA256 of
 * the raw body bytes, keyed by the endpoint secret, compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-safeweb-signature';
export const EVENT_HEADER = 'x-safeweb-event';

/** The header value for a body. */
export function sign(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type VerifyResult =
  { valid: true; secretIndex: number } | { valid: false; reason: 'missing' | 'malformed' | 'mismatch'; detail: string };

const FORMAT = /^sha256=[0-9a-f]{64}$/;

/**
 * Checks a signature header against one or more secrets (several during a rotation). Says
 * which secret matched, or why none did.
 */
export function verify(body: Buffer | string, header: string | undefined, secrets: string[]): VerifyResult {
  if (header === undefined || header.trim() === '')
    return { valid: false, reason: 'missing', detail: 'no X-SafeWeb-Signature header' };
  const value = header.trim();
  if (!FORMAT.test(value))
    return {
      valid: false,
      reason: 'malformed',
      detail: 'the X-SafeWeb-Signature header is not "sha256=" followed by 64 lowercase hex digits',
    };
  const given = Buffer.from(value);
  for (let i = 0; i < secrets.length; i++) {
    const expected = Buffer.from(sign(body, secrets[i]!));
    // Same length by the format check above, as timingSafeEqual requires.
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { valid: true, secretIndex: i };
  }
  return {
    valid: false,
    reason: 'mismatch',
    detail:
      `the signature does not match ${secrets.length === 1 ? 'the secret given' : `any of the ${secrets.length} secrets given`}` +
      ': the body was changed, or the secret is wrong',
  };
}
