import { updateCustomerInfo, type CustomerInfoUpdate } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { textProblem } from '../../customers/fields.js';
import { recordFields } from '../../customers/ledger.js';
import { emailProblem } from '../../customers/onboarding.js';
import { UsageError, ValidationError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';
import { resource } from '../../output/envelope.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerUpdateOptions {
  customer: string;
  companyName?: string | undefined;
  contactEmail?: string | undefined;
  price?: string | undefined;
  plan?: string | undefined;
}

export async function runCustomerUpdate(opts: CustomerUpdateOptions, ctx: Context): Promise<Outcome> {
  // Validated like onboarding, before anything is resolved or sent.
  const body: CustomerInfoUpdate = {};
  const problems: string[] = [];
  if (opts.companyName !== undefined) {
    const problem = opts.companyName.trim() === '' ? 'must not be empty' : textProblem(opts.companyName);
    if (problem) problems.push(`companyName: ${problem}`);
    body.companyName = opts.companyName.trim();
  }
  if (opts.contactEmail !== undefined) {
    const problem = emailProblem(opts.contactEmail);
    if (problem) problems.push(`contactEmail: ${problem}`);
    body.contactEmail = opts.contactEmail;
  }
  if (opts.price !== undefined) {
    const price = Number(opts.price);
    if (opts.price.trim() === '' || !Number.isFinite(price) || price < 0)
      problems.push(`price: must be a number, 0 or more (got "${opts.price}")`);
    body.price = price;
  }
  if (opts.plan !== undefined) body.planType = opts.plan;
  if (Object.keys(body).length === 0)
    throw new UsageError('nothing to update', 'Give at least one of --company-name, --contact-email, --price, --plan.');
  if (problems.length) throw new ValidationError('invalid update; nothing was sent:', problems);

  const target = await customerTarget(ctx, opts.customer);
  resource(await updateCustomerInfo(target.api, target.id, body), 'customer update');
  // What was set is recorded as apply records it: `plan` compares the info fields the API cannot
  // read back with the last values the tool applied, so this update must not look like drift.
  const { companyName, ...fields } = body;
  if (target.entry)
    await recordFields(ctx.configDir, target.account.key, target.entry.reference, { companyName, fields }, ctx.now());
  const changed = Object.entries(body)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join(', ');
  return {
    data: { customerId: target.id, updated: body },
    notes: [success(`Updated ${describeCustomer(target)}: ${changed}.`)],
  };
}
