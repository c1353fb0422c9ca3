import type { Context } from '../../context.js';
import { alreadyInStatus, reactivate } from '../../customers/service.js';
import { success, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';
import { alreadySo, type CustomerStatusChange } from './offboard.js';

export interface CustomerReactivateOptions {
  customer: string;
  /** Send it even when the local record says the customer is already active. */
  force?: boolean | undefined;
}

export async function runCustomerReactivate(
  opts: CustomerReactivateOptions,
  ctx: Context,
): Promise<Outcome<CustomerStatusChange>> {
  const target = await customerTarget(ctx, opts.customer);
  const state = (changed: boolean): CustomerStatusChange => ({
    customerId: target.id,
    reference: target.entry?.reference ?? null,
    status: 'active',
    changed,
  });
  if (alreadyInStatus(target, 'active') && !opts.force) return alreadySo(target, 'active', state(false));
  await reactivate(target.deps, target);
  return { data: state(true), notes: [success(`Reactivated ${describeCustomer(target)}.`)] };
}
