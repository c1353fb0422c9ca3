import type { Context } from '../../context.js';
import { ledgerPath, readLedger } from '../../customers/ledger.js';
import { UsageError } from '../../errors.js';

export interface CustomerListOptions {
  status?: string | undefined;
}

export async function runCustomerList(opts: CustomerListOptions, ctx: Context): Promise<void> {
  if (opts.status !== undefined && !['active', 'offboarded'].includes(opts.status))
    throw new UsageError(`--status must be active or offboarded (got "${opts.status}")`);
  const account = await ctx.account();
  const ledger = readLedger(ctx.configDir, account.key);
  const rows = ledger.customers
    .filter((c) => !opts.status || c.status === opts.status)
    .sort((a, b) => a.onboardedAt.localeCompare(b.onboardedAt));
  if (ctx.globals.json) {
    ctx.out.printJson(rows);
    return;
  }
  if (ctx.streams.stdout.isTTY || rows.length === 0)
    ctx.out.hint(
      `Local record of customers onboarded with this tool for ${account.key} (${ledgerPath(ctx.configDir, account.key)}):`,
    );
  await ctx.out.printRows(
    [
      { header: 'Reference' },
      { header: 'Customer ID' },
      { header: 'Company', wrap: true },
      { header: 'Onboarded' },
      { header: 'Status' },
    ],
    rows.map((c) => [c.reference, c.id, c.companyName, c.onboardedAt.slice(0, 10), c.status]),
    'No customers recorded yet: customers appear here once `safeweb customer onboard` has created them.',
  );
}
