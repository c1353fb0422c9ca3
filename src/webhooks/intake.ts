/**
 * What every receiver of SafeWeb's deliveries does the same way, `webhook listen` and `safeweb
 * serve` alike: read a bounded body, tell the two protocols apart by their headers and verify the
 * signature against each secret held, name what makes retries of one event alike, and sign a v1
 * answer with the secret that verified the request.
 */
import { sha256Hex } from '../io/sha256.js';
import type http from 'node:http';
import { SIGNATURE_HEADER, verify } from './signature.js';
import { signV1Response, V1_SIGNATURE_HEADER, V1_TOKEN_HEADER, verifyV1, type V1Result } from './v1.js';

/** A header's value when it was given once (a repeated header is as good as none). */
export const header = (req: http.IncomingMessage, name: string): string | undefined =>
  typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined;

export interface CheckedDelivery {
  v1: boolean;
  check: V1Result;
  /** v1: the X-Token to sign the answer with (the header is required to answer). */
  token: string | undefined;
}

/** A delivery with X-SafeWeb-Signature is the older protocol's; one with only X-Signature is v1's. */
export function checkDelivery(req: http.IncomingMessage, raw: Buffer, secrets: string[]): CheckedDelivery {
  const legacy = header(req, SIGNATURE_HEADER);
  const v1 = legacy === undefined && header(req, V1_SIGNATURE_HEADER) !== undefined;
  if (!v1) return { v1, check: verify(raw, legacy, secrets), token: undefined };
  const token = header(req, V1_TOKEN_HEADER);
  const check = verifyV1(raw, header(req, V1_SIGNATURE_HEADER), secrets);
  if (check.valid && !token?.trim())
    return {
      v1,
      token,
      check: { valid: false, reason: 'missing', detail: 'no X-Token header to sign the answer with' },
    };
  return { v1, check, token };
}

/** What a retry of one event shares: v1's idempotencyToken, else the exact bytes. */
export function dedupeKey(body: unknown, raw: Buffer): string {
  const token = (body as { idempotencyToken?: unknown } | null)?.idempotencyToken;
  return typeof token === 'string' && token ? `v1:${token}` : sha256Hex(raw);
}

/** The answer's signature header of a verified v1 delivery (none for the older protocol). */
export function answerHeaders(delivery: CheckedDelivery, secrets: string[]): Record<string, string> {
  if (!delivery.v1 || !delivery.token || !delivery.check.valid) return {};
  return { [V1_SIGNATURE_HEADER]: signV1Response(delivery.token, secrets[delivery.check.secretIndex]!) };
}

/** How far past the body limit an oversized body is still read (and discarded) to answer 413. */
const DRAIN_FACTOR = 64;

/**
 * Reads the body up to `maxBody` bytes: `done(raw)` with it, or `tooLarge()` once for one over
 * the limit. An oversized body is read and thrown away (up to a bound), so the sender is still
 * listening when the 413 comes and learns why; past the bound the connection is closed. A
 * Content-Length over the limit is refused before a byte is read.
 */
export function readBoundedBody(
  req: http.IncomingMessage,
  maxBody: number,
  done: (raw: Buffer) => void,
  tooLarge: () => void,
): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBody * DRAIN_FACTOR) {
    tooLarge();
    req.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  let said = false;
  const refuse = () => {
    if (said) return;
    said = true;
    tooLarge();
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBody * DRAIN_FACTOR) {
      refuse();
      req.destroy();
      return;
    }
    if (size > maxBody) over = true;
    else chunks.push(chunk);
  });
  req.on('end', () => (over ? refuse() : done(Buffer.concat(chunks))));
  req.on('error', () => undefined);
}
