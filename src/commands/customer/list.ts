import type { Context } from '../../context.js';
import { ledgerPath, readLedger, type LedgerEntry } from '../../customers/ledger.js';
import { detail, table, warn, type Outcome } from '../../outcome.js';
import { CUSTOMER_LIST_COLUMNS } from './columns.js';

export interface CustomerListOptions {
  /** active or offboarded (commander refuses anything else). */
  status?: LedgerEntry['status'] | undefined;
}

export async function runCustomerList(opts: CustomerListOptions, ctx: Context): Promise<Outcome<LedgerEntry[]>> {
  const account = await ctx.account();
  const ledger = readLedger(ctx.configDir, account.key);
  const rows = ledger.customers
    .filter((c) => !opts.status || c.status === opts.status)
    .sort((a, b) => a.onboardedAt.localeCompare(b.onboardedAt));
  const idless = rows.filter((c) => c.id === null).map((c) => c.reference);
  const where = `Local record of customers onboarded with this tool for ${account.key} (${ledgerPath(ctx.configDir, account.key)}):`;
  return {
    data: rows,
    view: table(
      CUSTOMER_LIST_COLUMNS,
      rows.map((c) => [c.reference, c.id ?? '(unknown)', c.companyName, c.onboardedAt.slice(0, 10), c.status]),
      'No customers recorded yet: customers appear here once `safeweb customer onboard` has created them.',
    ),
    notes: [
      detail(where),
      ...(idless.length
        ? [
            warn(
              `${idless.length} customer${idless.length === 1 ? "'s" : "s'"} ID is unknown (${idless.slice(0, 3).join(', ')}` +
                `${idless.length > 3 ? ', …' : ''}): a resumed bulk run found ${idless.length === 1 ? 'it' : 'them'} already ` +
                'onboarded. Find the ID in the SafeWeb portal and run `safeweb customer link REF --id UUID`.',
            ),
          ]
        : []),
    ],
  };
}
