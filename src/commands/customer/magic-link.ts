import { createMagicLink } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerMagicLinkOptions {
  customer: string;
}

export async function runCustomerMagicLink(opts: CustomerMagicLinkOptions, ctx: Context): Promise<void> {
  const target = await customerTarget(ctx, opts.customer);
  const result = await createMagicLink(target.api, target.id);
  if (ctx.globals.json) {
    ctx.out.printJson({ ...result, customerId: target.id });
    return;
  }
  ctx.out.line(result.url);
  if (ctx.streams.stdout.isTTY)
    ctx.out.hint(
      `One-time login for ${describeCustomer(target)}: it works once and expires in an hour. Treat it like a password.`,
    );
}
