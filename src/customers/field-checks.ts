/**
 * The checks of single values that onboarding, updates, asset changes and the schema share:
 * email addresses, domain names, dates (absolute or `now+5m`) and dates that must lie ahead.
 * Each answers why a value cannot be sent, or undefined.
 */
import { isoTime, remembered } from '../bounded-cache.js';
import type { FieldSpec } from './fields.js';

const EMAIL_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const DOMAIN_RE = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function emailProblem(value: string): string | undefined {
  // The longest address SMTP carries; longer ones are not quoted back (they may be a whole file).
  if (value.length > 254) return `is not a valid email address (${value.length} characters; at most 254)`;
  return EMAIL_RE.test(value) ? undefined : `"${value}" is not a valid email address`;
}

export function domainProblem(value: string): string | undefined {
  if (value.length > 253) return `is not a valid domain name (${value.length} characters; at most 253)`;
  if (/^[a-z]+:\/\//i.test(value) || value.includes('/'))
    return `"${value}" is not a domain name (give the host only, e.g. acme.co)`;
  return DOMAIN_RE.test(value) ? undefined : `"${value}" is not a valid domain name`;
}

/**
 * An ISO 8601 date-time, a date (midnight UTC), or `now`, `now+5m`, `now+2h`, `now+1d`;
 * returned as a full ISO string, or undefined when it is none of those.
 */
export function parseDateInput(value: string, now: Date): string | undefined {
  const offset = relativeOffset(value);
  return offset === undefined ? absoluteDate(value) : isoTime(now.getTime() + offset);
}

/** Whether `value` is a date parseDateInput reads (at any clock). */
export function isDateInput(value: string): boolean {
  return relativeOffset(value) !== undefined || absoluteDate(value) !== undefined;
}

/** Absolute dates by text: a bulk file gives most rows the same one. */
const absolutes = remembered<string | undefined>();

function absoluteDate(value: string): string | undefined {
  return absolutes(value, () => {
    const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
    const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
    if (!parts) return undefined;
    // Date.parse rolls 2026-02-30 over to March 2 and 24:00 to the next day: a day the month has, an hour the day has.
    const [year, month, day, hour] = parts.slice(1, 5).map(Number) as [number, number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate() || hour > 23)
      return undefined;
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : isoTime(t);
  });
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Half the range of a Date: now plus this is always a date. */
const MAX_OFFSET_MS = 4.32e15;
/** Offsets by text: a bulk file gives every row the same relative date. */
const offsets = remembered<number | undefined>();

/** `now+5m` → 300 000 ms; undefined for anything that is not a relative date. */
function relativeOffset(value: string): number | undefined {
  return offsets(value, () => {
    const rel = /^now(?:\+(\d+)([mhd]))?$/i.exec(value.trim());
    if (!rel) return undefined;
    const offset = Number(rel[1] ?? 0) * UNIT_MS[(rel[2] ?? 'm').toLowerCase() as keyof typeof UNIT_MS];
    // Past what a date can hold (±8.64e15 ms) it is no date at all, not a crash when it is formatted.
    return offset <= MAX_OFFSET_MS ? offset : undefined;
  });
}

/** Clocks differ: a date that must be in the future may be this far in the past, with a warning. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * For a field that must be in the future (the table's `future`): 'past' when the date is more
 * than five minutes ago (refused: the API would reject it), 'skew' when it is not in the future
 * but within those five minutes (warned about and sent: the two clocks may disagree), else
 * undefined. The one rule for flags, files, rows and the wizard.
 */
export function pastDate(field: FieldSpec, iso: string, now: Date): 'past' | 'skew' | undefined {
  const t = Date.parse(iso);
  if (!field.future || Number.isNaN(t) || t > now.getTime()) return undefined;
  return t < now.getTime() - CLOCK_SKEW_MS ? 'past' : 'skew';
}
