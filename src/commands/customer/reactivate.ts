import { reactivateCustomer } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { recordChange } from '../../customers/ledger.js';
import { success, type Outcome } from '../../outcome.js';
import { resource } from '../../output/envelope.js';
import { alreadySo, type CustomerStatusChange } from './offboard.js';
import { customerTarget, describeCustomer } from './target.js';

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
  if (target.entry?.status === 'active' && !opts.force) return alreadySo(target, 'active', state(false));
  resource(await reactivateCustomer(target.api, target.id), 'customer reactivate');
  await recordChange(ctx.configDir, target.account.key, target.id, { status: 'active' }, ctx.now());
  return { data: state(true), notes: [success(`Reactivated ${describeCustomer(target)}.`)] };
}
