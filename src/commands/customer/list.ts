import type { Context } from '../../context.js';
import type { RecordEntry } from '../../customers/local-record.js';
import { listRecorded } from '../../customers/reads.js';
import { table, type Outcome } from '../../outcome.js';
import { CUSTOMER_LIST_COLUMNS } from './columns.js';

export interface CustomerListOptions {
  /** active or offboarded (commander refuses anything else). */
  status?: RecordEntry['status'] | undefined;
}

export async function runCustomerList(opts: CustomerListOptions, ctx: Context): Promise<Outcome<RecordEntry[]>> {
  const account = await ctx.account();
  const { customers, notes } = listRecorded(ctx.configDir, account.key, opts.status);
  return {
    data: customers,
    view: table(
      CUSTOMER_LIST_COLUMNS,
      customers.map((c) => [c.reference, c.id ?? '(unknown)', c.companyName, c.onboardedAt.slice(0, 10), c.status]),
      'No customers recorded yet: customers appear here once `safeweb customer onboard` has created them.',
    ),
    notes,
  };
}
