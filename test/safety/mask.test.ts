import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskEmail, maskPii } from '../../src/safety/mask.js';

describe('maskEmail', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('security@acme.co')).toBe('s***@acme.co');
    expect(maskEmail('breach found for it@acme-widgets.example and x.y+z@sub.acme.dk')).toBe(
      'breach found for i***@acme-widgets.example and x***@sub.acme.dk',
    );
  });

  it('leaves domains, references, IDs, URLs without addresses and masked text as they are', () => {
    for (const text of [
      'acme.co',
      'ACME-001',
      '0b9e3c3a-3f1e-4f0e-9d2b-1b2c3d4e5f60',
      'https://connect.safeweb.co/api/v1/health',
      's***@acme.co',
    ])
      expect(maskEmail(text)).toBe(text);
  });

  it('masks exactly what the one-pattern rule did, now reading out from each "@"', () => {
    // The rule as one regular expression: the oracle (it scanned on from every position of a long text).
    const EMAIL = /([A-Za-z0-9_])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;
    const pieces = fc.constantFrom('a', 'B', '7', '_', '.', '-', '%', '+', '@', ' ', 'é', 'co', 'x.y', '@a.bc', '<');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(maskEmail(text)).toBe(text.replace(EMAIL, '$1***@$2'));
      }),
      { numRuns: 5000, seed: 20261207 },
    );
  });

  it('reads 100 KB texts built to make a pattern backtrack, and masks what is in them', () => {
    expect(maskEmail('A'.repeat(100_000))).toHaveLength(100_000);
    expect(maskEmail(`${'a.'.repeat(50_000)}@`)).toHaveLength(100_001);
    expect(maskEmail(`x@${'a.'.repeat(50_000)}`)).toHaveLength(100_002);
    expect(maskEmail(`${'A'.repeat(100_000)}@acme.co`)).toBe('A***@acme.co');
  });
});

describe('maskPii', () => {
  it('masks every e-mail and person name deep inside data, and nothing else', () => {
    const data = {
      customerReference: 'ACME-001',
      companyName: 'Acme Ltd',
      assetsDomains: ['acme.co'],
      assetsEmails: ['security@acme.co', 'cfo@acme.co'],
      contactName: 'Jane Doe',
      breaches: [{ uuid: 'b-1', name: 'LinkedIn', emails: ['bob@acme.co'] }],
      people: [{ name: 'Bob Stone', email: 'bob@acme.co' }],
      count: 3,
      active: true,
      none: null,
    };
    expect(maskPii(data)).toEqual({
      customerReference: 'ACME-001',
      companyName: 'Acme Ltd',
      assetsDomains: ['acme.co'],
      assetsEmails: ['s***@acme.co', 'c***@acme.co'],
      contactName: 'J*** D***',
      breaches: [{ uuid: 'b-1', name: 'LinkedIn', emails: ['b***@acme.co'] }],
      people: [{ name: 'B*** S***', email: 'b***@acme.co' }],
      count: 3,
      active: true,
      none: null,
    });
    // A copy: the data the tool keeps for files stays exact.
    expect(data.assetsEmails[0]).toBe('security@acme.co');
  });
});

describe('in quotes and in a usage error', () => {
  it('masks an address quoted in a message', () => {
    expect(maskEmail("unknown command 'security@acme.co'")).toBe("unknown command 's***@acme.co'");
    expect(maskEmail('"it@acme.co",<cfo@acme.co>')).toBe('"i***@acme.co",<c***@acme.co>');
  });
});
