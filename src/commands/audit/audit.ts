import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { detail, table, warn, type Outcome } from '../../outcome.js';
import { auditAccount, readAudit, type AuditEntry } from '../../safety/audit.js';
import { AUDIT_COLUMNS } from './columns.js';

export interface AuditOptions {
  /** Only entries at or after this time. */
  since?: Date | undefined;
  /** Only entries for this customer reference (or customer ID). */
  customer?: string | undefined;
}

/**
 * The audit log of the partner account the settings name (no key needed, nothing sent): the
 * data is exactly `audit --json`, an array of entries, oldest first.
 */
export async function runAudit(opts: AuditOptions, ctx: Context): Promise<Outcome<AuditEntry[]>> {
  const resolved = await ctx.resolved();
  if (!resolved.partnerId)
    throw new UsageError(
      'no partner ID configured, so no audit log to read',
      'Pick a profile with --profile, or set SAFEWEB_PARTNER_ID.',
    );
  const account = auditAccount(resolved.partnerId.value, resolved.baseUrl.value);
  const { file, entries, skipped } = readAudit(ctx.configDir, account, opts);
  return {
    data: entries,
    view: table(
      AUDIT_COLUMNS,
      entries.map((e) => [
        e.time,
        e.user,
        e.profile ?? '',
        e.tool ? `${e.via}:${e.tool}` : e.via,
        e.method,
        e.path,
        e.customerRef ?? e.customerId ?? '',
        e.status ?? '',
        e.outcome,
        e.durationMs,
        e.command,
      ]),
      `No changes logged for ${account}${opts.since || opts.customer ? ' that match' : ''}.`,
    ),
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
