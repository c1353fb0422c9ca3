/**
 * Digest windows and quiet hours (notify/schedule.ts): windows from the top of the hour in UTC, or
 * from midnight of the route's time zone (23- and 25-hour days of daylight saving too); quiet
 * hours over midnight, in the zone, ending at the wall-clock time they name.
 */
import { describe, expect, it } from 'vitest';
import { digestWindow, isQuiet, quietEnd, zoneOffset } from '../../src/notify/schedule.js';

const at = (iso: string) => new Date(iso);

describe('digest windows', () => {
  it('a quarter hour and an hour from the top of the hour (UTC), labelled by their start', () => {
    expect(digestWindow('15m', at('2026-12-07T10:44:59.999Z'))).toEqual({
      start: at('2026-12-07T10:30:00Z'),
      end: at('2026-12-07T10:45:00Z'),
      label: '2026-12-07T10:30Z/15m',
    });
    expect(digestWindow('15m', at('2026-12-07T10:45:00Z')).label).toBe('2026-12-07T10:45Z/15m');
    expect(digestWindow('1h', at('2026-12-07T10:59:00Z'), 'Asia/Kolkata')).toEqual({
      start: at('2026-12-07T10:00:00Z'),
      end: at('2026-12-07T11:00:00Z'),
      label: '2026-12-07T10:00Z/1h',
    });
  });

  it('a day from midnight in the route\u2019s time zone; UTC without one', () => {
    expect(digestWindow('1d', at('2026-12-07T23:30:00Z'))).toMatchObject({
      start: at('2026-12-07T00:00:00Z'),
      end: at('2026-12-08T00:00:00Z'),
    });
    // 00:30 on the 8th in Copenhagen (UTC+1) is the 8th's window there.
    expect(digestWindow('1d', at('2026-12-07T23:30:00Z'), 'Europe/Copenhagen')).toEqual({
      start: at('2026-12-07T23:00:00Z'),
      end: at('2026-12-08T23:00:00Z'),
      label: '2026-12-07T23:00Z/1d',
    });
    expect(digestWindow('1d', at('2026-12-07T10:00:00Z'), 'America/New_York').start).toEqual(
      at('2026-12-07T05:00:00Z'),
    );
  });

  it('days of 23 and 25 hours where daylight saving changes', () => {
    const spring = digestWindow('1d', at('2026-03-29T12:00:00Z'), 'Europe/Copenhagen');
    expect(spring.start).toEqual(at('2026-03-28T23:00:00Z'));
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const autumn = digestWindow('1d', at('2026-10-25T12:00:00Z'), 'Europe/Copenhagen');
    expect(autumn.start).toEqual(at('2026-10-24T22:00:00Z'));
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
    expect(zoneOffset('Europe/Copenhagen', Date.parse('2026-07-01T00:00:00Z'))).toBe(2 * 3_600_000);
  });
});

describe('quiet hours', () => {
  const night = { from: '22:00', to: '07:00' };

  it('span midnight when they end before they begin, in the zone\u2019s wall-clock time', () => {
    // Copenhagen in December is UTC+1: 22:00 there is 21:00Z.
    expect(isQuiet(night, at('2026-12-07T20:59:00Z'), 'Europe/Copenhagen')).toBe(false);
    expect(isQuiet(night, at('2026-12-07T21:00:00Z'), 'Europe/Copenhagen')).toBe(true);
    expect(isQuiet(night, at('2026-12-08T05:59:59Z'), 'Europe/Copenhagen')).toBe(true);
    expect(isQuiet(night, at('2026-12-08T06:00:00Z'), 'Europe/Copenhagen')).toBe(false);
    // The same instants in UTC.
    expect(isQuiet(night, at('2026-12-07T21:00:00Z'))).toBe(false);
    expect(isQuiet({ from: '12:00', to: '13:30' }, at('2026-12-07T13:29:00Z'))).toBe(true);
    expect(isQuiet({ from: '12:00', to: '13:30' }, at('2026-12-07T13:30:00Z'))).toBe(false);
  });

  it('end at the time they name: the same instant outside them, the next morning within them', () => {
    const outside = at('2026-12-07T12:00:00Z');
    expect(quietEnd(night, outside, 'Europe/Copenhagen')).toBe(outside);
    expect(quietEnd(night, at('2026-12-07T21:30:00Z'), 'Europe/Copenhagen')).toEqual(at('2026-12-08T06:00:00Z'));
    expect(quietEnd(night, at('2026-12-08T02:17:31Z'), 'Europe/Copenhagen')).toEqual(at('2026-12-08T06:00:00Z'));
    expect(quietEnd(night, at('2026-12-08T10:17:31Z'), 'America/Los_Angeles')).toEqual(at('2026-12-08T15:00:00Z'));
    // Over the night daylight saving ends (Copenhagen, 25 October 2026): 07:00 is UTC+1 again.
    expect(quietEnd(night, at('2026-10-24T21:00:00Z'), 'Europe/Copenhagen')).toEqual(at('2026-10-25T06:00:00Z'));
  });
});
