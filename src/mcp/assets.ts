/**
 * `customer_update_assets`: `customer assets` with its edits. A change that removes anything is
 * previewed first (a read of the current lists; no change sent) with a token bound to the
 * arguments and to the changes shown, so the token no longer fits once the lists have changed.
 */
import { UsageError, ValidationError } from '../errors.js';
import type { CustomerAssetsOptions } from '../commands/customer/assets.js';
import { customerArg, type ToolAnswer, type ToolContext } from './tools.js';
import { previewAnswer, withoutToken } from './preview.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

interface AssetChange {
  kind: 'domain' | 'email';
  op: '+' | '-';
  value: string;
}

function changesOf(kind: AssetChange['kind'], before: string[], after: string[]): AssetChange[] {
  return [
    ...after.filter((v) => !before.some((b) => same(b, v))).map((value) => ({ kind, op: '+' as const, value })),
    ...before.filter((v) => !after.some((a) => same(a, v))).map((value) => ({ kind, op: '-' as const, value })),
  ];
}

/** The tool's arguments as `customer assets` takes its flags, with the edits checked first. */
async function assetOptions(args: Record<string, unknown>): Promise<CustomerAssetsOptions> {
  const { domainProblem, emailProblem } = await import('../customers/onboarding.js');
  const get = (k: string) => args[k] as string[] | undefined;
  const problems = [
    ...[...(get('addDomains') ?? []), ...(get('setDomains') ?? [])].map((d) => domainProblem(d)),
    ...[...(get('addEmails') ?? []), ...(get('setEmails') ?? [])].map((e) => emailProblem(e)),
  ].filter((p): p is string => Boolean(p));
  if (problems.length) throw new ValidationError('invalid assets; nothing was sent:', problems);
  const opts: CustomerAssetsOptions = { customer: customerArg(args) };
  if (get('addDomains')) opts.addDomain = get('addDomains');
  if (get('removeDomains')) opts.removeDomain = get('removeDomains');
  if (get('addEmails')) opts.addEmail = get('addEmails');
  if (get('removeEmails')) opts.removeEmail = get('removeEmails');
  if (get('setDomains')) opts.setDomains = get('setDomains')!.join(',');
  if (get('setEmails')) opts.setEmails = get('setEmails')!.join(',');
  return opts;
}

/** The lists after the edits, and the changes from the current ones (one read, nothing sent). */
async function plannedChanges(opts: CustomerAssetsOptions, args: Record<string, unknown>, tc: ToolContext) {
  const [{ customerTarget }, { editList }, { getCustomerAssets }, { resource }] = await Promise.all([
    import('../commands/customer/target.js'),
    import('../commands/customer/assets.js'),
    import('../api/customers.js'),
    import('../output/envelope.js'),
  ]);
  const target = await customerTarget(tc.ctx, opts.customer);
  const current = resource(await getCustomerAssets(target.api, target.id), 'customer assets');
  const quiet = () => undefined;
  const set = (k: string) => args[k] as string[] | undefined;
  const domains = editList(
    current.domains,
    { add: opts.addDomain, remove: opts.removeDomain, set: set('setDomains') },
    quiet,
    'domain',
  );
  const emails = editList(
    current.emails,
    { add: opts.addEmail, remove: opts.removeEmail, set: set('setEmails') },
    quiet,
    'email',
  );
  const changes = [...changesOf('domain', current.domains, domains), ...changesOf('email', current.emails, emails)];
  return { target, domains, emails, changes };
}

/**
 * A change that removes anything is previewed first. The token is bound to the arguments and to
 * the changes the preview showed: if the lists changed since, the token no longer fits.
 */
export async function updateAssets(args: Record<string, unknown>, tc: ToolContext): Promise<ToolAnswer> {
  const opts = await assetOptions(args);
  const removing = ['removeDomains', 'removeEmails', 'setDomains', 'setEmails'].some((k) => args[k] !== undefined);
  const token = args['confirmationToken'] as string | undefined;
  if (removing || token !== undefined) {
    const { target, domains, emails, changes } = await plannedChanges(opts, args, tc);
    const bound = { ...withoutToken(args), changes };
    if (token !== undefined) tc.tokens.redeem('customer_update_assets', bound, token);
    else if (changes.some((c) => c.op === '-')) {
      if (domains.length === 0 && emails.length === 0)
        throw new UsageError(
          'refusing to leave the customer with nothing to monitor; nothing was changed',
          'Keep at least one domain or email, or offboard the customer instead.',
        );
      return previewAnswer('customer_update_assets', bound, tc, {
        action: 'update assets',
        customerId: target.id,
        reference: target.entry?.reference ?? null,
        changes,
        domainsAfter: domains,
        emailsAfter: emails,
      });
    }
  }
  const { runCustomerAssets } = await import('../commands/customer/assets.js');
  const outcome = await runCustomerAssets(opts, tc.ctx);
  return { structured: outcome.data as Record<string, unknown>, notes: outcome.notes };
}
