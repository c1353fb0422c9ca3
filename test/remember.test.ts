import { describe, expect, it, vi } from 'vitest';
import { remembered } from '../src/remember.js';

describe('remembered', () => {
  it('works a key out once, undefined included, and keeps only the first `limit` keys', () => {
    const cache = remembered<number | undefined>(2);
    const work = vi.fn((n: number | undefined) => n);
    expect(cache('a', () => work(1))).toBe(1);
    expect(cache('a', () => work(99))).toBe(1);
    expect(cache('none', () => work(undefined))).toBeUndefined();
    expect(cache('none', () => work(5))).toBeUndefined();
    expect(work).toHaveBeenCalledTimes(2);
    // Past the limit: worked out every time, never kept.
    expect(cache('c', () => work(3))).toBe(3);
    expect(cache('c', () => work(4))).toBe(4);
    expect(work).toHaveBeenCalledTimes(4);
  });
});
