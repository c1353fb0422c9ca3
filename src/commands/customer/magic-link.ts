import type { Context } from '../../context.js';
import { createLoginLink } from '../../customers/reads.js';
import { lines, styled, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';

export interface CustomerMagicLinkOptions {
  customer: string;
}

export async function runCustomerMagicLink(opts: CustomerMagicLinkOptions, ctx: Context): Promise<Outcome> {
  const target = await customerTarget(ctx, opts.customer);
  const link = await createLoginLink(target.deps.api, target.id);
  const warning =
    `One-time login for ${describeCustomer(target)}: it works once and expires in an hour. ` +
    'Treat it like a password.';
  return {
    data: link,
    // The warning is for a person at a terminal; a pipe gets the bare URL.
    view: lines(link.url, [styled('dim', warning)]),
    piped: lines(link.url),
  };
}
