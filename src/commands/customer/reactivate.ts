import { reactivateCustomer } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { recordChange } from '../../customers/ledger.js';
import { success, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerReactivateOptions {
  customer: string;
}

export async function runCustomerReactivate(opts: CustomerReactivateOptions, ctx: Context): Promise<Outcome> {
  const target = await customerTarget(ctx, opts.customer);
  const result = await reactivateCustomer(target.api, target.id);
  await recordChange(ctx.configDir, target.account.key, target.id, { status: 'active' }, ctx.now());
  return {
    data: { ...result, customerId: target.id },
    notes: [success(`Reactivated ${describeCustomer(target)}.`)],
  };
}
