import { parseBreachRef } from '../../breaches/breach-ref.js';
import { breachUuidOf, setBreachStatus } from '../../breaches/status.js';
import type { Context } from '../../context.js';
import type { Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';

export interface BreachSetStatusOptions {
  /** The breach's uuid or its listing `id`: commander checked it is one of them (breach/index.ts). */
  breachId: string;
  resolved: boolean;
  /** The customer the breach belongs to (reference or ID); a listing `id` names it itself. */
  customer?: string | undefined;
}

/**
 * `breach resolve` and `breach unresolve`: the same request with a different flag. When the
 * customer is known (--customer, or the listing `id` it is the prefix of), one read of its
 * breaches finds the uuid the request wants and proves the breach is that customer's, and the
 * audit log names the customer; a bare uuid alone is sent as it is.
 */
export async function runBreachSetStatus(opts: BreachSetStatusOptions, ctx: Context): Promise<Outcome> {
  const ref = parseBreachRef(opts.breachId);
  const arg = opts.customer ?? (ref && 'customerId' in ref ? ref.customerId : undefined);
  if (arg === undefined) return setBreachStatus(await ctx.api(), opts.breachId, opts.resolved);
  const target = await customerTarget(ctx, arg);
  const customer = { id: target.id, label: describeCustomer(target), arg: target.entry?.reference ?? arg };
  const uuid = await breachUuidOf(target.deps.api, customer, opts.breachId);
  return setBreachStatus(target.deps.api, uuid, opts.resolved, target.id);
}
