import { getCustomerAssets, setCustomerAssets } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { domainProblem, emailProblem } from '../../customers/onboarding.js';
import { UsageError, ValidationError } from '../../errors.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerAssetsOptions {
  customer: string;
  addDomain?: string[];
  removeDomain?: string[];
  addEmail?: string[];
  removeEmail?: string[];
  setDomains?: string;
  setEmails?: string;
}

interface Change {
  kind: 'domain' | 'email';
  op: '+' | '-';
  value: string;
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** New list from the current one and the requested edits; notes no-ops as warnings. */
export function editList(
  current: string[],
  edits: { add?: string[] | undefined; remove?: string[] | undefined; set?: string[] | undefined },
  warn: (t: string) => void,
  kind: string,
): string[] {
  if (edits.set) return [...new Set(edits.set)];
  let next = [...current];
  for (const value of edits.remove ?? []) {
    if (!next.some((v) => same(v, value))) warn(`${kind} ${value} was not monitored`);
    next = next.filter((v) => !same(v, value));
  }
  for (const value of edits.add ?? []) {
    if (next.some((v) => same(v, value))) warn(`${kind} ${value} is already monitored`);
    else next.push(value);
  }
  return next;
}

function diff(kind: Change['kind'], before: string[], after: string[]): Change[] {
  return [
    ...after.filter((v) => !before.some((b) => same(b, v))).map((value) => ({ kind, op: '+' as const, value })),
    ...before.filter((v) => !after.some((a) => same(a, v))).map((value) => ({ kind, op: '-' as const, value })),
  ];
}

export async function runCustomerAssets(opts: CustomerAssetsOptions, ctx: Context): Promise<void> {
  const setDomains = opts.setDomains === undefined ? undefined : splitList(opts.setDomains);
  const setEmails = opts.setEmails === undefined ? undefined : splitList(opts.setEmails);
  if (setDomains && (opts.addDomain || opts.removeDomain))
    throw new UsageError('--set-domains cannot be combined with --add-domain or --remove-domain');
  if (setEmails && (opts.addEmail || opts.removeEmail))
    throw new UsageError('--set-emails cannot be combined with --add-email or --remove-email');
  const problems = [
    ...[...(opts.addDomain ?? []), ...(setDomains ?? [])].map((d) => domainProblem(d)),
    ...[...(opts.addEmail ?? []), ...(setEmails ?? [])].map((e) => emailProblem(e)),
  ].filter((p): p is string => Boolean(p));
  if (problems.length) throw new ValidationError('invalid assets; nothing was sent:', problems);
  const editing = Boolean(
    opts.addDomain || opts.removeDomain || opts.addEmail || opts.removeEmail || setDomains || setEmails,
  );

  const target = await customerTarget(ctx, opts.customer);
  const current = await getCustomerAssets(target.api, target.id);
  if (!editing) {
    if (ctx.globals.json) ctx.out.printJson(current);
    else {
      if (ctx.streams.stdout.isTTY) ctx.out.hint(`Monitored for ${describeCustomer(target)}:`);
      await ctx.out.printRows(
        [{ header: 'Type' }, { header: 'Asset' }],
        [...current.domains.map((d) => ['domain', d]), ...current.emails.map((e) => ['email', e])],
        `Nothing is monitored for ${describeCustomer(target)}.`,
      );
    }
    return;
  }

  const warn = (t: string) => ctx.out.warn(t);
  const domains = editList(
    current.domains,
    { add: opts.addDomain, remove: opts.removeDomain, set: setDomains },
    warn,
    'domain',
  );
  const emails = editList(
    current.emails,
    { add: opts.addEmail, remove: opts.removeEmail, set: setEmails },
    warn,
    'email',
  );
  if (domains.length === 0 && emails.length === 0) {
    throw new UsageError(
      `refusing to leave ${describeCustomer(target)} with nothing to monitor; nothing was changed`,
      'Keep at least one domain or email, or offboard the customer instead.',
    );
  }
  const changes = [...diff('domain', current.domains, domains), ...diff('email', current.emails, emails)];
  let result = current;
  if (changes.length) {
    // Only the lists that change are sent; each replaces the stored list.
    const body: { domains?: string[]; emails?: string[] } = {};
    if (changes.some((c) => c.kind === 'domain')) body.domains = domains;
    if (changes.some((c) => c.kind === 'email')) body.emails = emails;
    result = await setCustomerAssets(target.api, target.id, body);
  }
  if (ctx.globals.json) {
    ctx.out.printJson({ ...result, changes });
    return;
  }
  if (!changes.length) {
    ctx.out.info(`Nothing changed for ${describeCustomer(target)}.`);
    return;
  }
  if (ctx.streams.stdout.isTTY) {
    ctx.out.success(`Updated the assets of ${describeCustomer(target)}:`);
    const c = ctx.out.color;
    for (const change of changes)
      ctx.out.line(`  ${change.op === '+' ? c.green('+') : c.red('-')} ${change.kind} ${change.value}`);
  } else {
    for (const change of changes) ctx.out.line(`${change.op}\t${change.kind}\t${change.value}`);
  }
}
