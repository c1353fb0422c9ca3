import type { Context } from '../../context.js';
import { flagsToDoc, UPDATABLE } from '../../customers/fields.js';
import { validateUpdate } from '../../customers/onboarding.js';
import { updateInfo } from '../../customers/service.js';
import { UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';

/** The customer, and the updatable fields' flags (named by the field table, customers/fields.ts). */
export interface CustomerUpdateOptions {
  customer: string;
  [flag: string]: unknown;
}

export async function runCustomerUpdate(opts: CustomerUpdateOptions, ctx: Context): Promise<Outcome> {
  // Checked by the onboarding rules, before anything is resolved or sent.
  const doc = flagsToDoc(opts, UPDATABLE);
  if (Object.keys(doc).length === 0)
    throw new UsageError('nothing to update', `Give at least one of ${UPDATABLE.map((f) => f.flag).join(', ')}.`);
  const body = await validateUpdate(doc);
  const target = await customerTarget(ctx, opts.customer);
  // Refused here, naming the customer as offboard does; the client's own refusal could name only the path.
  ctx.guard.refuseIfReadOnly(await ctx.resolved(), `the update of ${describeCustomer(target)}`);
  await updateInfo(target.deps, target, body);
  const changed = Object.entries(body)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join(', ');
  return {
    data: { customerId: target.id, updated: body },
    notes: [success(`Updated ${describeCustomer(target)}: ${changed}.`)],
  };
}
