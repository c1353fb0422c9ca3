/**
 * The audit log of the changes made to the book of one partner account from this machine, as
 * `audit` and MCP's audit_search search it (nothing is sent; no key is needed). Beside the log's
 * own reader (safety/audit.ts), which this round leaves as it is.
 */
import { UsageError } from '../errors.js';
import { detail, warn, type Note } from '../outcome.js';
import { accountKey } from '../io/account-files.js';
import { readAudit, type AuditEntry, type AuditQuery } from '../safety/audit.js';

export interface AuditSearch {
  /** The account the log belongs to: `partner@host`. */
  account: string;
  entries: AuditEntry[];
  /** Where the log is, and lines of it that are not whole entries. */
  notes: Note[];
}

/**
 * The entries of the account the settings name, oldest first; without a partner ID there is no
 * log to read. With a customer, a breach status change made by the breach's uuid alone (its
 * request names no customer) is that customer's when the breach is among its breaches: read once
 * with `breachesOf`, and only when the log holds such a change.
 */
export async function searchAudit(
  configDir: string,
  settings: { partnerId: string | undefined; baseUrl: string },
  query: AuditQuery,
  breachesOf?: (customer: string) => Promise<string[]>,
): Promise<AuditSearch> {
  if (!settings.partnerId)
    throw new UsageError(
      'no partner ID configured, so no audit log to read',
      'Pick a profile with --profile, or set SAFEWEB_PARTNER_ID.',
    );
  const account = accountKey(settings.partnerId, settings.baseUrl);
  const { file, entries: all, skipped } = readAudit(configDir, account, { since: query.since });
  const notes: Note[] = [
    detail(`Audit log: ${file}`),
    ...(skipped ? [warn(`${skipped} line(s) of ${file} are not whole entries and were skipped.`)] : []),
  ];
  const customer = query.customer;
  if (!customer) return { account, entries: all, notes };
  const unnamed = all.filter((e) => e.breachId && !e.customerRef && !e.customerId);
  let theirs = new Set<string>();
  if (unnamed.length && breachesOf) {
    try {
      theirs = new Set((await breachesOf(customer)).map((id) => id.toLowerCase()));
    } catch (error) {
      notes.push(
        warn(
          `${unnamed.length} breach status change(s) name no customer and could not be matched to ${customer}: ` +
            `${(error as Error).message}`,
        ),
      );
    }
  }
  const entries = all.filter(
    (e) =>
      e.customerRef === customer ||
      e.customerId === customer ||
      (e.breachId !== undefined && !e.customerRef && !e.customerId && theirs.has(e.breachId.toLowerCase())),
  );
  return { account, entries, notes };
}

const HINT = 'Use a duration back from now (30m, 24h, 7d, 2w) or a date (2026-01-31, 2026-01-31T09:00:00Z).';
/** Further back than this is no time a log written by this tool can reach; it also keeps the Date valid. */
const MAX_BACK_MS = 1000 * 365.25 * 86_400_000;

/** `--since`: a duration back from now (90m, 24h, 7d, 2w) or a date / date-time. */
export function parseSince(value: string, now: Date): Date {
  const text = value.trim();
  const match = /^(\d+)\s*(s|m|h|d|w)$/i.exec(text);
  if (match) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[match[2]!.toLowerCase() as 's'];
    const back = Number(match[1]) * unit;
    // Unchecked, 99999999999d is an Invalid Date that matches no entry and reads as "no changes".
    if (!(back <= MAX_BACK_MS)) throw new UsageError(`--since: "${value}" is more than 1000 years back`, HINT);
    return new Date(now.getTime() - back);
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) throw new UsageError(`--since: "${value}" is neither a duration nor a date`, HINT);
  // Date.parse rolls a day the month lacks over (2026-02-30 is 2 March); the user meant some other day.
  if (!inCalendar(text)) throw new UsageError(`--since: "${value}" is not a day of the calendar`, HINT);
  return new Date(time);
}

/** Whether the year-month-day the text starts with is a day that exists (leap years included). */
function inCalendar(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}
