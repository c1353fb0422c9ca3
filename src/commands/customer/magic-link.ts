import { createMagicLink } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { lines, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { customerTarget, describeCustomer } from '../../services.js';

export interface CustomerMagicLinkOptions {
  customer: string;
}

export async function runCustomerMagicLink(opts: CustomerMagicLinkOptions, ctx: Context): Promise<Outcome> {
  const target = await customerTarget(ctx, opts.customer);
  const result = unwrapEnvelope(await createMagicLink(target.deps.api, target.id), 'customer magic-link');
  const warning =
    `One-time login for ${describeCustomer(target)}: it works once and expires in an hour. ` +
    'Treat it like a password.';
  return {
    data: { customerId: target.id, url: result.url },
    // The warning is for a person at a terminal; a pipe gets the bare URL.
    view: lines(result.url, ctx.out.color.dim(warning)),
    piped: lines(result.url),
  };
}
