/**
 * `portfolio status`: every customer of the book, most exposed first, with a summary
 * (portfolio/status.ts reads it); here, the table a person or a pipe gets.
 */
import type { Context } from '../../context.js';
import { scoreBand } from '../../customers/score-band.js';
import { styled, table, type Outcome } from '../../outcome.js';
import { readPortfolioStatus, type PortfolioStatus, type PortfolioStatusOptions } from '../../portfolio/status.js';
import { STATUS_COLUMNS, STATUS_ERROR_COLUMN } from './columns.js';

export async function runPortfolioStatus(
  opts: PortfolioStatusOptions,
  ctx: Context,
): Promise<Outcome<PortfolioStatus>> {
  const account = await ctx.account();
  const status = await readPortfolioStatus(ctx, { configDir: ctx.configDir, account: account.key }, opts);
  const { customers } = status.data;
  const failed = customers.some((c) => c.error);
  const columns = failed ? [...STATUS_COLUMNS, STATUS_ERROR_COLUMN] : STATUS_COLUMNS;
  const rows = customers.map((c) => {
    const cells = [
      c.reference,
      c.customerId,
      c.companyName,
      c.threatScore,
      c.band,
      c.unresolvedBreaches,
      c.resolvedBreaches,
      c.monitoredDomains,
      c.monitoredEmails,
    ];
    return failed ? [...cells, c.error?.message ?? ''] : cells;
  });
  // A person sees the band in its tone (the threat-score command's).
  const band = (c: (typeof customers)[number]) =>
    c.threatScore === null ? null : styled(scoreBand(c.threatScore).tone, c.band!);
  // A terminal leaves out the customer ID (36 characters) so the table fits; pipes and CSV keep every field.
  const onScreen = columns.map((col, i) => ({ col, i })).filter(({ col }) => col.key !== 'customerId');
  const empty = opts.customers?.length
    ? 'No customers to show.'
    : 'No active customers in the local record: `safeweb customer import --file FILE` adds customers onboarded elsewhere.';
  return {
    ...status,
    view: table(
      onScreen.map(({ col }) => col),
      rows.map((row, n) => onScreen.map(({ col, i }) => (col.key === 'band' ? band(customers[n]!) : row[i]))),
      empty,
    ),
    piped: table(columns, rows, empty),
  };
}
