import { parseBreachRef } from '../../breaches/breach-ref.js';
import { breachUuidOf, setBreachStatus } from '../../breaches/status.js';
import type { Context } from '../../context.js';
import type { Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';

export interface BreachSetStatusOptions {
  /** The breach's uuid or its listing `id`: commander checked it is one of them (breach/index.ts). */
  breachId: string;
  resolved: boolean;
}

/**
 * `breach resolve` and `breach unresolve`: the same request with a different flag. A listing
 * `id` is first turned into the uuid the request wants, from its customer's breaches.
 */
export async function runBreachSetStatus(opts: BreachSetStatusOptions, ctx: Context): Promise<Outcome> {
  const ref = parseBreachRef(opts.breachId);
  if (!ref || 'uuid' in ref) return setBreachStatus(await ctx.api(), opts.breachId, opts.resolved);
  const arg = ref.customerId;
  const target = await customerTarget(ctx, arg);
  const customer = { id: target.id, label: describeCustomer(target), arg: target.entry?.reference ?? arg };
  const uuid = await breachUuidOf(target.deps.api, customer, opts.breachId);
  return setBreachStatus(target.deps.api, uuid, opts.resolved);
}
