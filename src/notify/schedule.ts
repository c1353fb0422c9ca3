/**
 * When a route's messages go: the window a digest gathers (a quarter hour or an hour from the top
 * of the hour in UTC, a day from midnight in the route's time zone), and quiet hours in that time
 * zone (a span of the local day, over midnight when it ends before it begins). Pure: an instant in,
 * an instant out; Intl knows the time zones and their daylight-saving rules.
 */
import type { Digest } from '../config/integrations.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FIXED: Record<Exclude<Digest, '1d'>, number> = { '15m': 15 * MINUTE, '1h': HOUR };

export interface Window {
  start: Date;
  end: Date;
  /** The window as message IDs name it: its start in UTC to the minute, and its length (`2026-12-07T10:00Z/1h`). */
  label: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far the zone's wall clock is ahead of UTC at `at` (ms; negative west of Greenwich). */
export function zoneOffset(timeZone: string, at: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = +p.value;
  const wall = Date.UTC(
    parts['year']!,
    parts['month']! - 1,
    parts['day']!,
    parts['hour']!,
    parts['minute']!,
    parts['second']!,
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant the zone's wall clock shows `wall` (a wall-clock time written as if it were UTC). */
function fromWall(timeZone: string, wall: number): number {
  const guess = wall - zoneOffset(timeZone, wall);
  // Across a daylight-saving change the offset at the guess may differ: once more settles it.
  return wall - zoneOffset(timeZone, guess);
}

/** The start of the zone's day that `at` falls in (its midnight, as an instant). */
function dayStart(timeZone: string, at: number): number {
  const wall = at + zoneOffset(timeZone, at);
  return fromWall(timeZone, Math.floor(wall / DAY) * DAY);
}

function minuteLabel(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16)}Z`;
}

/** The window of a digest that `at` falls in. */
export function digestWindow(digest: Digest, at: Date, timeZone = 'UTC'): Window {
  const t = at.getTime();
  if (digest === '1d') {
    const start = dayStart(timeZone, t);
    // The next day begins 23 to 25 hours later (daylight saving): 26 h lands in it whichever.
    const end = dayStart(timeZone, start + 26 * HOUR);
    return { start: new Date(start), end: new Date(end), label: `${minuteLabel(start)}/1d` };
  }
  const size = FIXED[digest];
  const start = Math.floor(t / size) * size;
  return { start: new Date(start), end: new Date(start + size), label: `${minuteLabel(start)}/${digest}` };
}

/** Quiet hours: from and to as HH:MM of the zone's day. */
export interface QuietHours {
  from: string;
  to: string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

function quietAt(quiet: QuietHours, minute: number): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

function wallMinute(timeZone: string, at: number): number {
  const wall = at + zoneOffset(timeZone, at);
  return Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);
}

/** Whether `at` is within the quiet hours (in the zone). */
export function isQuiet(quiet: QuietHours, at: Date, timeZone = 'UTC'): boolean {
  return quietAt(quiet, wallMinute(timeZone, at.getTime()));
}

/** When the quiet hours `at` falls in end (`at` itself when it is not in them). */
export function quietEnd(quiet: QuietHours, at: Date, timeZone = 'UTC'): Date {
  const t = at.getTime();
  if (!isQuiet(quiet, at, timeZone)) return at;
  const wall = t + zoneOffset(timeZone, t);
  const ahead = (minutesOf(quiet.to) - wallMinute(timeZone, t) + 1440) % 1440;
  let end = fromWall(timeZone, Math.floor(wall / MINUTE) * MINUTE + ahead * MINUTE);
  // A wall-clock time skipped by daylight saving: the first minute after it that is not quiet.
  for (let i = 0; i < 180 && isQuiet(quiet, new Date(end), timeZone); i++) end += MINUTE;
  return new Date(end);
}
