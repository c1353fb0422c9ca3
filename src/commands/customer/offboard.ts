import { offboardCustomer } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { recordChange } from '../../customers/ledger.js';
import { CancelledError, UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerOffboardOptions {
  customer: string;
  yes: boolean;
}

export async function runCustomerOffboard(opts: CustomerOffboardOptions, ctx: Context): Promise<Outcome> {
  const target = await customerTarget(ctx, opts.customer);
  if (!opts.yes) {
    if (!ctx.interactive)
      throw new UsageError(
        `offboarding ${describeCustomer(target)} needs confirmation`,
        'Pass --yes to offboard without asking.',
      );
    const expected = target.entry?.reference ?? target.id;
    const prompter = await ctx.prompter('Pass --yes to offboard without asking.');
    ctx.out.warn(`Offboarding ${describeCustomer(target)} stops all of its monitoring.`);
    const typed = await prompter.input({
      message: `Type ${target.entry ? 'the reference' : 'the customer ID'} (${expected}) to confirm`,
    });
    if (typed.trim() !== expected)
      throw new CancelledError(`"${typed.trim()}" does not match ${expected}; nothing was changed.`);
  }
  const result = await offboardCustomer(target.api, target.id);
  await recordChange(ctx.configDir, target.account.key, target.id, { status: 'offboarded' }, ctx.now());
  const undo = `safeweb customer reactivate ${target.entry?.reference ?? target.id}`;
  return {
    data: { ...result, customerId: target.id },
    notes: [success(`Offboarded ${describeCustomer(target)}. Undo with: ${undo}`)],
  };
}
