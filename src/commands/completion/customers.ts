import type { Context } from '../../context.js';
import { readRecord } from '../../customers/local-record.js';
import { lines, type Outcome } from '../../outcome.js';

export interface CompleteCustomersOptions {
  /** Only customers the local record shows in this state (offboard offers the active ones). */
  status?: 'active' | 'offboarded' | undefined;
}

/**
 * The references the local record knows, one a line, for the completion scripts: a read of one
 * file, no request. Without credentials there is no account, and so nothing to offer.
 */
export async function runCompleteCustomers(opts: CompleteCustomersOptions, ctx: Context): Promise<Outcome<string[]>> {
  const account = await ctx.account();
  const references = readRecord(ctx.configDir, account.key)
    .customers.filter((c) => !opts.status || c.status === opts.status)
    .map((c) => c.reference)
    .sort();
  return { data: references, view: lines(...references) };
}
