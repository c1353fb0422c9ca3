import type { Context } from '../../context.js';
import { alreadyInStatus, offboard, type CustomerRef } from '../../customers/service.js';
import { CancelledError, UsageError } from '../../errors.js';
import { info, success, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer, type CustomerTarget } from '../../services.js';

export interface CustomerOffboardOptions {
  customer: string;
  yes: boolean;
  /** Send it even when the local record says the customer is already offboarded. */
  force?: boolean | undefined;
}

/** What offboard and reactivate print with --json: the customer's state after the command. */
export interface CustomerStatusChange {
  customerId: string;
  reference: string | null;
  status: 'active' | 'offboarded';
  /** False when nothing was sent: the local record said it was so already. */
  changed: boolean;
}

export async function runCustomerOffboard(
  opts: CustomerOffboardOptions,
  ctx: Context,
): Promise<Outcome<CustomerStatusChange>> {
  const target = await customerTarget(ctx, opts.customer);
  const state = (changed: boolean): CustomerStatusChange => ({
    customerId: target.id,
    reference: target.entry?.reference ?? null,
    status: 'offboarded',
    changed,
  });
  if (alreadyInStatus(target, 'offboarded') && !opts.force) return alreadySo(target, 'offboarded', state(false));
  const where = ctx.guard.confirmTarget(await ctx.resolved(), {
    action: `Offboard ${target.entry?.reference ?? target.id}`,
    operation: 'customerOffboard',
    yes: opts.yes,
  });
  if (!opts.yes) await confirm(target, ctx, where);
  await offboard(target.deps, target);
  const undo = `safeweb customer reactivate ${target.entry?.reference ?? target.id}`;
  return { data: state(true), notes: [success(`Offboarded ${describeCustomer(target)}. Undo with: ${undo}`)] };
}

/** Nothing sent, exit 0: the record says so already; --force sends it anyway (the record may be stale). */
export function alreadySo(
  target: CustomerRef,
  status: 'active' | 'offboarded',
  data: CustomerStatusChange,
): Outcome<CustomerStatusChange> {
  return {
    data,
    notes: [
      info(
        `${describeCustomer(target)} is already ${status} (per the local record); nothing was sent. ` +
          'Add --force to send it anyway.',
      ),
    ],
  };
}

/** `where` names the partner and profile on production (safety/production.ts), else it is empty. */
async function confirm(target: CustomerTarget, ctx: Context, where: string): Promise<void> {
  if (!ctx.interactive)
    throw new UsageError(
      `offboarding ${describeCustomer(target)} needs confirmation`,
      'Pass --yes to offboard without asking.',
    );
  const expected = target.entry?.reference ?? target.id;
  const prompter = await ctx.prompter('Pass --yes to offboard without asking.');
  ctx.out.warn(`Offboarding ${describeCustomer(target)} stops all of its monitoring.`);
  const what = `${target.entry ? 'the reference' : 'the customer ID'} (${expected})`;
  const typed = await prompter.input({
    message: where ? `Offboard ${expected}${where}? Type ${what} to confirm` : `Type ${what} to confirm`,
  });
  if (typed.trim() !== expected)
    throw new CancelledError(`"${typed.trim()}" does not match ${expected}; nothing was changed.`);
}
