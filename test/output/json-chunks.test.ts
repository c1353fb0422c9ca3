/** --json written in pieces is byte for byte JSON.stringify(value, null, 2), for any value JSON can hold. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../src/output/json-chunks.js';

const text = (value: unknown) => [...jsonChunks(value)].join('\n');

describe('jsonChunks', () => {
  it('joins to exactly what JSON.stringify(value, null, 2) makes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        expect(text(value)).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('treats what JSON leaves out, toJSON and other objects as JSON.stringify does', () => {
    const odd = {
      gone: undefined,
      fn: () => 1,
      when: new Date('2026-01-01T00:00:00Z'),
      list: [undefined, () => 1, Symbol('s'), { deep: [1, { deeper: 'x\ny' }] }, []],
      empty: {},
      map: new Map([[1, 2]]),
      own: { toJSON: () => ({ replaced: true }) },
      nothing: null,
    };
    expect(text(odd)).toBe(JSON.stringify(odd, null, 2));
    for (const v of [undefined, null, 'x', 1, [], {}, [[]], [{}], { a: [] }])
      expect(text(v)).toBe(JSON.stringify(v, null, 2) ?? 'null');
  });

  it('takes a big document apart: one piece per item of its lists, none holding the whole', () => {
    const doc = {
      changes: Array.from({ length: 1000 }, (_, i) => ({ i, fields: [{ a: i }] })),
      summary: { total: 1000 },
    };
    const pieces = [...jsonChunks(doc)];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(200);
  });
});
