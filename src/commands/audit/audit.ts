import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { searchAudit } from '../../portfolio/audit-search.js';
import { breachUuidsOf } from '../../services.js';
import type { AuditEntry } from '../../safety/audit.js';
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
  const { account, entries, notes } = await searchAudit(
    ctx.configDir,
    { partnerId: resolved.partnerId?.value, baseUrl: resolved.baseUrl.value },
    opts,
    (customer) => breachUuidsOf(ctx, customer),
  );
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
    notes,
  };
}
