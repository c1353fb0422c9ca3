/**
 * The audit log of the changes made to the book of one partner account from this machine, as
 * `audit` and MCP's audit_search search it (nothing is sent; no key is needed). Beside the log's
 * own reader (safety/audit.ts), which this round leaves as it is.
 */
import { UsageError } from '../errors.js';
import { detail, warn, type Note } from '../outcome.js';
import { auditAccount, readAudit, type AuditEntry, type AuditQuery } from '../safety/audit.js';

export interface AuditSearch {
  /** The account the log belongs to: `partner@host`. */
  account: string;
  entries: AuditEntry[];
  /** Where the log is, and lines of it that are not whole entries. */
  notes: Note[];
}

/** The entries of the account the settings name, oldest first; without a partner ID there is no log to read. */
export function searchAudit(
  configDir: string,
  settings: { partnerId: string | undefined; baseUrl: string },
  query: AuditQuery,
): AuditSearch {
  if (!settings.partnerId)
    throw new UsageError(
      'no partner ID configured, so no audit log to read',
      'Pick a profile with --profile, or set SAFEWEB_PARTNER_ID.',
    );
  const account = auditAccount(settings.partnerId, settings.baseUrl);
  const { file, entries, skipped } = readAudit(configDir, account, query);
  return {
    account,
    entries,
    notes: [
      detail(`Audit log: ${file}`),
      ...(skipped ? [warn(`${skipped} line(s) of ${file} are not whole entries and were skipped.`)] : []),
    ],
  };
}

/** `--since`: a duration back from now (90m, 24h, 7d, 2w) or a date / date-time. */
export function parseSince(value: string, now: Date): Date {
  const match = /^(\d+)\s*(s|m|h|d|w)$/i.exec(value.trim());
  if (match) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[match[2]!.toLowerCase() as 's'];
    return new Date(now.getTime() - Number(match[1]) * unit);
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (Number.isNaN(time))
    throw new UsageError(
      `--since: "${value}" is neither a duration nor a date`,
      'Use a duration back from now (30m, 24h, 7d, 2w) or a date (2026-01-31, 2026-01-31T09:00:00Z).',
    );
  return new Date(time);
}
