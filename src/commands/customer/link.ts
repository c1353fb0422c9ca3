import { getCustomerAssets } from '../../api/customers.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import type { Context } from '../../context.js';
import { readRecord, recordLinked, recordOnboarded } from '../../customers/local-record.js';
import { problem, UsageError, ValidationError } from '../../errors.js';
import { textProblem } from '../../customers/fields.js';
import { success, type Outcome } from '../../outcome.js';

export interface CustomerLinkOptions {
  reference: string;
  id: string;
  companyName?: string | undefined;
}

/**
 * Joins a customer ID to a reference in the local record: for a customer the record knows
 * without its ID (a lost answer in a bulk run), or one onboarded elsewhere. The ID is checked
 * first with a read of the customer's assets (it must exist and belong to this partner); only
 * then is the record written. Nothing is changed at SafeWeb.
 */
export async function runCustomerLink(opts: CustomerLinkOptions, ctx: Context): Promise<Outcome> {
  // The limits onboarding has: what is recorded here is shown and exported like any customer.
  const problems = [
    ['customerReference', opts.reference],
    ['companyName', opts.companyName],
  ].flatMap(([path, value]) => {
    const why = value === undefined ? undefined : textProblem(value);
    return why ? [problem(path!, why)] : [];
  });
  if (problems.length) throw new ValidationError('invalid link; nothing was recorded:', problems);
  const account = await ctx.account();
  const { customers } = readRecord(ctx.configDir, account.key);
  const entry = customers.find((c) => c.reference === opts.reference);
  const other = customers.find((c) => c.id?.toLowerCase() === opts.id.toLowerCase());
  if (other && other.reference !== opts.reference) {
    throw new UsageError(`${opts.id} is already recorded as ${other.reference}`, 'One customer, one reference.');
  }
  if (entry?.id && entry.id.toLowerCase() !== opts.id.toLowerCase()) {
    throw new UsageError(
      `${opts.reference} is already recorded with the ID ${entry.id}`,
      'Offboarded and onboarded again? Check with `safeweb customer list`.',
    );
  }
  const api = await ctx.api();
  // Read before recording: a refusal or an answer without both lists proves nothing (nothing recorded).
  const assets = unwrapEnvelope(await getCustomerAssets(api, opts.id), 'customer assets');
  const now = ctx.now();
  if (entry) await recordLinked(ctx.configDir, account.key, opts.reference, opts.id, now);
  else {
    const companyName = opts.companyName ?? '';
    await recordOnboarded(ctx.configDir, account.key, { reference: opts.reference, id: opts.id, companyName }, now);
  }
  const monitored = assets.domains.length + assets.emails.length;
  return {
    data: { reference: opts.reference, customerId: opts.id, linked: true },
    notes: [
      success(`Linked ${opts.reference} to ${opts.id} (${monitored} monitored assets). Only the local record changed.`),
    ],
  };
}
