import type { Context } from '../../context.js';
import { applyAssets, planAssets, readAssets, type AssetEdits } from '../../customers/service.js';
import { hint, info, marked, table, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';
import { ASSET_COLUMNS } from './columns.js';

/** Commander refuses --set-domains with --add/--remove-domain, and --set-emails with theirs. */
export interface CustomerAssetsOptions {
  customer: string;
  addDomain?: string[];
  removeDomain?: string[];
  addEmail?: string[];
  removeEmail?: string[];
  setDomains?: string;
  setEmails?: string;
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** The flags as the service's edits; undefined when none is given (the command then shows the lists). */
function editsOf(opts: CustomerAssetsOptions): AssetEdits | undefined {
  const domains = {
    add: opts.addDomain,
    remove: opts.removeDomain,
    set: opts.setDomains === undefined ? undefined : splitList(opts.setDomains),
  };
  const emails = {
    add: opts.addEmail,
    remove: opts.removeEmail,
    set: opts.setEmails === undefined ? undefined : splitList(opts.setEmails),
  };
  const given = (edit: typeof domains) => Object.values(edit).some((v) => v !== undefined);
  return given(domains) || given(emails) ? { domains, emails } : undefined;
}

export async function runCustomerAssets(opts: CustomerAssetsOptions, ctx: Context): Promise<Outcome> {
  const edits = editsOf(opts);
  const target = await customerTarget(ctx, opts.customer);
  if (!edits) {
    const current = await readAssets(target.deps, target);
    // A heading above the table (said now, so it comes first); --json leaves hints out.
    if (current.domains.length + current.emails.length)
      ctx.sink.note(hint(`Monitored for ${describeCustomer(target)}:`));
    return {
      data: current,
      view: table(
        ASSET_COLUMNS,
        [...current.domains.map((d) => ['domain', d]), ...current.emails.map((e) => ['email', e])],
        `Nothing is monitored for ${describeCustomer(target)}.`,
      ),
    };
  }
  // Refused before the read that plans it, naming the customer (the client's refusal names a path).
  ctx.guard.refuseIfReadOnly(await ctx.resolved(), `the asset change of ${describeCustomer(target)}`);
  const plan = await planAssets(target.deps, target, edits, describeCustomer(target));
  for (const warning of plan.warnings) ctx.out.warn(warning);
  const result = await applyAssets(target.deps, target, plan);
  const { changes } = plan;
  const data = { ...result, changes };
  if (!changes.length) return { data, notes: [info(`Nothing changed for ${describeCustomer(target)}.`)] };
  return {
    data,
    view: marked(
      `Updated the assets of ${describeCustomer(target)}:`,
      changes.map((change) => ({ mark: change.op, text: `${change.kind} ${change.value}` })),
    ),
    piped: { kind: 'lines', lines: changes.map((change) => `${change.op}\t${change.kind}\t${change.value}`) },
  };
}
