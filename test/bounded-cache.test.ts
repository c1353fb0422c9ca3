import { describe, expect, it, vi } from 'vitest';
import { isoTime, remembered } from '../src/bounded-cache.js';

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

describe('isoTime', () => {
  it('is toISOString, for a Date or milliseconds, as the instant changes and comes back', () => {
    const at = Date.UTC(2026, 11, 3, 4, 5, 6, 789);
    expect(isoTime(at)).toBe('2026-12-03T04:05:06.789Z');
    expect(isoTime(new Date(at))).toBe('2026-12-03T04:05:06.789Z');
    expect(isoTime(at + 1)).toBe('2026-12-03T04:05:06.790Z');
    expect(isoTime(at)).toBe('2026-12-03T04:05:06.789Z');
    for (const ms of [0, -1, at + 86_400_000, 253_402_300_800_000, at, at])
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
