/**
 * `customer_update_assets`: `customer assets` with its edits, on the same service
 * (customers/service.ts). A change that removes anything is previewed first (a read of the
 * current lists; no change sent) with a token bound to the arguments and to the changes shown,
 * so the token no longer fits once the lists have changed.
 */
import type { AssetEdits } from '../customers/service.js';
import { info } from '../outcome.js';
import { customerArg, type ToolAnswer, type ToolContext } from './tools.js';
import { previewAnswer, withoutToken } from './preview.js';

/** The tool's arguments as the service's edits. */
function editsOf(args: Record<string, unknown>): AssetEdits {
  const get = (k: string) => args[k] as string[] | undefined;
  return {
    domains: { add: get('addDomains'), remove: get('removeDomains'), set: get('setDomains') },
    emails: { add: get('addEmails'), remove: get('removeEmails'), set: get('setEmails') },
  };
}

/**
 * A change that removes anything is previewed first. The token is bound to the arguments and to
 * the changes the preview showed: if the lists changed since, the token no longer fits.
 */
export async function updateAssets(args: Record<string, unknown>, tc: ToolContext): Promise<ToolAnswer> {
  const [{ applyAssets, checkAssetEdits, planAssets }, { customerTarget, describeCustomer }] = await Promise.all([
    import('../customers/service.js'),
    import('../services.js'),
  ]);
  const edits = editsOf(args);
  // Bad values are named before the customer is even looked up.
  checkAssetEdits(edits);
  const target = await customerTarget(tc.ctx, customerArg(args));
  const plan = await planAssets(target.deps, target, edits, describeCustomer(target));
  const { changes } = plan;
  const removing = ['removeDomains', 'removeEmails', 'setDomains', 'setEmails'].some((k) => args[k] !== undefined);
  const token = args['confirmationToken'] as string | undefined;
  if (removing || token !== undefined) {
    const bound = { ...withoutToken(args), changes };
    if (token !== undefined) tc.tokens.redeem('customer_update_assets', bound, token);
    else if (changes.some((c) => c.op === '-'))
      return previewAnswer('customer_update_assets', bound, tc, {
        action: 'update assets',
        customerId: target.id,
        reference: target.entry?.reference ?? null,
        changes,
        domainsAfter: plan.domains,
        emailsAfter: plan.emails,
      });
  }
  const result = await applyAssets(target.deps, target, plan);
  return { structured: { ...result, changes }, notes: plan.warnings.map((w) => info(w)) };
}
