import { reactivateCustomer } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { recordChange } from '../../customers/ledger.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerReactivateOptions {
  customer: string;
}

export async function runCustomerReactivate(opts: CustomerReactivateOptions, ctx: Context): Promise<void> {
  const target = await customerTarget(ctx, opts.customer);
  const result = await reactivateCustomer(target.api, target.id);
  await recordChange(ctx.configDir, target.account.key, target.id, { status: 'active' }, ctx.now());
  if (ctx.globals.json) ctx.out.printJson({ ...result, customerId: target.id });
  else ctx.out.success(`Reactivated ${describeCustomer(target)}.`);
}
