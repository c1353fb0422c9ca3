import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { readFindings, type Finding, type FindingsOptions } from '../../portfolio/findings.js';
import { FINDING_COLUMNS } from './columns.js';

export async function runFindings(opts: FindingsOptions, ctx: Context): Promise<Outcome<Finding[]>> {
  const account = await ctx.account();
  const found = await readFindings(
    ctx,
    { configDir: ctx.configDir, account: account.key, partnerId: account.partnerId },
    opts,
  );
  const rows = found.data.map((f) => [f.reference, f.title, f.breachDate, f.emails.join(', '), f.breachId, f.key]);
  const empty = opts.customers?.length
    ? 'No unresolved breaches for these customers.'
    : 'No unresolved breaches in the book.';
  return { ...found, view: table(FINDING_COLUMNS, rows, empty) };
}
