/**
 * Confirmation tokens for destructive tools (offboarding, asset removals). A call without a
 * token sends no change and answers with a preview and a token; the same call with the token
 * does it. A token is an HMAC, under a key drawn at random for this server process, over the
 * tool's name, its arguments in canonical JSON (keys sorted, the token itself left out) and an
 * expiry: so it is refused for other arguments, after 5 minutes, by another server process, and
 * (tracked here) a second time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../errors.js';

export const TOKEN_TTL_MS = 5 * 60_000;

/** JSON with object keys sorted at every level, so equal arguments give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class ConfirmationTokens {
  readonly #key = randomBytes(32);
  /** Tokens already used, until they would have expired anyway. */
  readonly #used = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #mac(tool: string, args: Record<string, unknown>, expires: number, nonce: string): string {
    return createHmac('sha256', this.#key)
      .update(`${tool}\n${expires}\n${nonce}\n${canonicalJson(args)}`)
      .digest('base64url');
  }

  /** A token for exactly this call, and when it expires. */
  issue(tool: string, args: Record<string, unknown>): { token: string; expiresAt: string } {
    const expires = this.#now() + TOKEN_TTL_MS;
    const nonce = randomBytes(9).toString('base64url');
    return {
      token: `${expires.toString(36)}.${nonce}.${this.#mac(tool, args, expires, nonce)}`,
      expiresAt: new Date(expires).toISOString(),
    };
  }

  /** Accepts the token once for exactly this call, or throws saying why (nothing is sent). */
  redeem(tool: string, args: Record<string, unknown>, token: string): void {
    const now = this.#now();
    for (const [used, until] of this.#used) if (until < now) this.#used.delete(used);
    const again = 'Call the tool again without confirmationToken for a new preview and token.';
    const [expiresText = '', nonce = '', mac = ''] = token.split('.');
    const expires = parseInt(expiresText, 36);
    const expected = Buffer.from(this.#mac(tool, args, expires, nonce));
    const given = Buffer.from(mac);
    if (!Number.isFinite(expires) || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new UsageError(
        `the confirmation token does not fit this call of ${tool}: it was issued for other arguments, another ` +
          'tool or another server session, or what the call would change is no longer what the preview showed; ' +
          'nothing was sent',
        again,
      );
    if (expires < now)
      throw new UsageError('the confirmation token has expired (tokens last 5 minutes); nothing was sent', again);
    if (this.#used.has(token)) throw new UsageError('the confirmation token was used already; nothing was sent', again);
    this.#used.set(token, expires);
  }
}
