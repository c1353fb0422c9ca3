import { describe, expect, it } from 'vitest';
import { maskSecret, redactBody, redactHeader, redactJson, redactText, REDACTED } from '../../src/api/redact.js';

describe('maskSecret', () => {
  it('keeps four characters at each end of a long key and hides short ones entirely', () => {
    expect(maskSecret('swk_sandbox_0123456789abcdef')).toBe('swk_…cdef');
    expect(maskSecret('short')).toBe('••••');
  });
});

describe('redaction', () => {
  it('hides secret headers whatever their case', () => {
    expect(redactHeader('SW-API-KEY', 'k')).toBe(REDACTED);
    expect(redactHeader('sw-api-key', 'k')).toBe(REDACTED);
    expect(redactHeader('Authorization', 'Bearer x')).toBe(REDACTED);
    expect(redactHeader('x-safeweb-signature', 'sha256=ab')).toBe(REDACTED);
    expect(redactHeader('sw-partner-id', 'P1')).toBe('P1');
  });

  it('hides magic-link tokens and URL passwords in text', () => {
    const text = 'open https://connect.safeweb.co/auth/confirm?token_hash=abc123&type=magiclink now';
    expect(redactText(text)).toBe(
      `open https://connect.safeweb.co/auth/confirm?token_hash=${REDACTED}&type=magiclink now`,
    );
    expect(redactText('http://user:hunter2@proxy:3128')).toBe(`http://user:${REDACTED}@proxy:3128`);
  });

  it('hides known secrets wherever they appear', () => {
    expect(redactText('key is swk_live_123456 ok', ['swk_live_123456'])).toBe(`key is ${REDACTED} ok`);
  });

  it('hides secret-named JSON fields at any depth, keeping the rest', () => {
    const out = redactJson({
      webhook: { id: 1, secret: 's3cr3t', url: 'https://x.example/hook' },
      apiKey: 'k',
      list: [{ token: 't' }],
    });
    expect(out).toEqual({
      webhook: { id: 1, secret: REDACTED, url: 'https://x.example/hook' },
      apiKey: REDACTED,
      list: [{ token: REDACTED }],
    });
  });

  it('redacts bodies that are JSON field by field and others by pattern', () => {
    expect(redactBody('{"url":"https://c/auth/confirm?token_hash=zz&type=magiclink"}')).toContain(
      `token_hash=${REDACTED}`,
    );
    expect(redactBody('<html>token=abc</html>')).not.toContain('abc');
  });
});
