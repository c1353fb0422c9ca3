/**
 * The v1 ("Outbound events") delivery protocol in one place (CONTRACT.md "Current event
 * delivery"): an organisation-level secret signs the raw body into `X-Signature` (bare hex, no
 * prefix), each attempt carries a fresh `X-Token`, and a delivery counts only when the receiver
 * signs its answer. What SafeWeb's docs leave out is guessed in V1_GUESSES, and only there.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PATHS } from '../api/paths.js';
// Type only: deliver.ts loads this module, so a value import back would be a cycle.
import type { DeliveryPolicy } from './deliver.js';

export const V1_SIGNATURE_HEADER = 'x-signature';
export const V1_TOKEN_HEADER = 'x-token';

const V1_POLICY: DeliveryPolicy = { timeoutMs: 2000, retries: 3, backoffBaseMs: 500 };

/**
 * Every guessed part of v1, pending confirmation by SafeWeb (reference.md §7.1–7.2). A
 * correction is a change here; nothing else spells these out.
 */
export const V1_GUESSES = {
  /** DELETE path of a signing secret (create and cycle are documented). */
  deactivatePath: PATHS.webhookSecret,
  /**
   * The answer's signature: header `X-Signature` = hex HMAC-SHA256 of the request's X-Token
   * value, keyed by the secret that verified the request. The docs only say it "incorporates
   * the X-Token" (page cut off).
   */
  responseSignature: { header: V1_SIGNATURE_HEADER, over: 'the X-Token value', encoding: 'hex' },
  /** Timeout and retries are undocumented for v1: seed 002's (2 s, 3 retries, backoff). */
  policy: V1_POLICY,
} as const;

function hmacHex(secret: string, data: Buffer | string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** The `X-Signature` header of a delivery: hex HMAC-SHA256 of the raw body bytes. */
export function signV1(body: Buffer | string, secret: string): string {
  return hmacHex(secret, body);
}

/** The receiver's answer signature for one attempt (the guessed recipe, V1_GUESSES). */
export function signV1Response(xToken: string, secret: string): string {
  return hmacHex(secret, xToken);
}

export type V1Result =
  { valid: true; secretIndex: number } | { valid: false; reason: 'missing' | 'malformed' | 'mismatch'; detail: string };

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Compares a hex signature in either case against each secret's, in constant time. */
function match(what: string, header: string | undefined, secrets: string[], expect: (s: string) => string): V1Result {
  if (header === undefined || header.trim() === '') return { valid: false, reason: 'missing', detail: `no ${what}` };
  const value = header.trim();
  if (!HEX64.test(value))
    return { valid: false, reason: 'malformed', detail: `the ${what} is not 64 hex digits (HMAC-SHA256)` };
  const given = Buffer.from(value.toLowerCase());
  for (let i = 0; i < secrets.length; i++) {
    const expected = Buffer.from(expect(secrets[i]!));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { valid: true, secretIndex: i };
  }
  const which = secrets.length === 1 ? 'the secret given' : `any of the ${secrets.length} secrets given`;
  return { valid: false, reason: 'mismatch', detail: `the ${what} does not match ${which}` };
}

/** Checks a delivery's `X-Signature` against one or more secrets (active and fallback). */
export function verifyV1(body: Buffer | string, header: string | undefined, secrets: string[]): V1Result {
  const result = match('X-Signature header', header, secrets, (s) => signV1(body, s));
  if (result.valid || result.reason !== 'mismatch') return result;
  return { ...result, detail: `${result.detail}: the body was changed, or the secret is wrong` };
}

/** Checks a receiver's answer signature for the X-Token sent with that attempt. */
export function verifyV1Response(xToken: string, header: string | undefined, secrets: string[]): V1Result {
  return match('answer X-Signature', header, secrets, (s) => signV1Response(xToken, s));
}

/** A v1 event as delivered: the same idempotencyToken on every retry of it. */
export function v1Envelope(type: string, data: Record<string, unknown>, now: Date): Record<string, unknown> {
  return { idempotencyToken: crypto.randomUUID(), type, data, timestamp: now.getTime() };
}

/** A realistic `customer.breach.found` data, shaped as reference.md §7.1 shows it. */
export function sampleV1Data(): Record<string, unknown> {
  return {
    customer: { uuid: crypto.randomUUID(), name: 'Acme Ltd', reference: 'ACME-001' },
    breaches: [
      { uuid: crypto.randomUUID(), name: 'LinkedIn-2024', emails: ['user@acme.example'] },
      { uuid: crypto.randomUUID(), name: 'Adobe-2023', emails: ['user@acme.example', 'admin@acme.example'] },
    ],
  };
}
