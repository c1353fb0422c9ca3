import { getCustomerBreaches } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { hint, table, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { CUSTOMER_BREACH_COLUMNS } from './columns.js';
import { customerTarget, describeCustomer } from '../../services.js';

export interface CustomerBreachesOptions {
  customer: string;
  /** Commander checked it (parseLocale). */
  locale?: string | undefined;
  unresolved: boolean;
}

export async function runCustomerBreaches(opts: CustomerBreachesOptions, ctx: Context): Promise<Outcome> {
  const target = await customerTarget(ctx, opts.customer);
  const result = unwrapEnvelope(
    await getCustomerBreaches(target.deps.api, target.id, opts.locale),
    'customer breaches',
  );
  const breaches = opts.unresolved ? result.breaches.filter((b) => !b.resolved) : result.breaches;
  const rows = breaches.map((b) => [
    b.uuid ?? b.id,
    b.title || b.breachName,
    b.breachDate.slice(0, 10),
    b.emails.join(', '),
    b.breachCategories.join(', '),
    b.resolved,
  ]);
  if (rows.length) {
    const which = opts.unresolved ? ' not yet resolved' : '';
    const plural = breaches.length === 1 ? '' : 'es';
    // A heading above the table (said now, so it comes first); --json leaves hints out.
    ctx.sink.note(hint(`${breaches.length} breach${plural}${which} for ${describeCustomer(target)}:`));
  }
  return {
    // A list: the breaches the table shows (--unresolved filters both).
    data: breaches,
    view: table(
      CUSTOMER_BREACH_COLUMNS,
      rows,
      `No ${opts.unresolved ? 'unresolved ' : ''}breaches for ${describeCustomer(target)}.`,
    ),
  };
}
