import { getCustomerBreaches } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerBreachesOptions {
  customer: string;
  locale?: string | undefined;
  unresolved: boolean;
}

export async function runCustomerBreaches(opts: CustomerBreachesOptions, ctx: Context): Promise<void> {
  if (opts.locale !== undefined && !/^[a-z]{2}-[A-Z]{2}$/.test(opts.locale))
    throw new UsageError(`--locale must look like en-GB or da-DK (got "${opts.locale}")`);
  const target = await customerTarget(ctx, opts.customer);
  const result = await getCustomerBreaches(target.api, target.id, opts.locale);
  const breaches = opts.unresolved ? result.breaches.filter((b) => !b.resolved) : result.breaches;
  if (ctx.globals.json) {
    // The API's document; --unresolved filters its list and count.
    ctx.out.printJson(opts.unresolved ? { ...result, count: breaches.length, breaches } : result);
    return;
  }
  const rows = breaches.map((b) => [
    b.uuid ?? b.id,
    b.title || b.breachName,
    b.breachDate.slice(0, 10),
    b.emails.join(', '),
    b.breachCategories.join(', '),
    b.resolved,
  ]);
  if (ctx.streams.stdout.isTTY && rows.length)
    ctx.out.hint(
      `${breaches.length} breach${breaches.length === 1 ? '' : 'es'}${opts.unresolved ? ' not yet resolved' : ''} for ${describeCustomer(target)}:`,
    );
  await ctx.out.printRows(
    [
      { header: 'Breach ID' },
      { header: 'Breach', wrap: true },
      { header: 'Date' },
      { header: 'Emails', wrap: true },
      { header: 'Categories', wrap: true },
      { header: 'Resolved' },
    ],
    rows,
    `No ${opts.unresolved ? 'unresolved ' : ''}breaches for ${describeCustomer(target)}.`,
  );
}
