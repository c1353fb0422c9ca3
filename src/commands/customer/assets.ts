import { getCustomerAssets, setCustomerAssets } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { domainProblem, emailProblem } from '../../customers/onboarding.js';
import { UsageError, ValidationError } from '../../errors.js';
import { hint, info, lines, table, type Outcome } from '../../outcome.js';
import type { Colors } from '../../output/color.js';
import { resource } from '../../output/envelope.js';
import { ASSET_COLUMNS } from './columns.js';
import { customerTarget, describeCustomer } from './target.js';

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

export async function runCustomerAssets(opts: CustomerAssetsOptions, ctx: Context): Promise<Outcome> {
  const setDomains = opts.setDomains === undefined ? undefined : splitList(opts.setDomains);
  const setEmails = opts.setEmails === undefined ? undefined : splitList(opts.setEmails);
  const problems = [
    ...[...(opts.addDomain ?? []), ...(setDomains ?? [])].map((d) => domainProblem(d)),
    ...[...(opts.addEmail ?? []), ...(setEmails ?? [])].map((e) => emailProblem(e)),
  ].filter((p): p is string => Boolean(p));
  if (problems.length) throw new ValidationError('invalid assets; nothing was sent:', problems);
  const editing = Boolean(
    opts.addDomain || opts.removeDomain || opts.addEmail || opts.removeEmail || setDomains || setEmails,
  );

  const target = await customerTarget(ctx, opts.customer);
  const current = resource(await getCustomerAssets(target.api, target.id), 'customer assets');
  if (!editing) {
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
    result = resource(await setCustomerAssets(target.api, target.id, body), 'customer assets');
  }
  const data = { ...result, changes };
  if (!changes.length) return { data, notes: [info(`Nothing changed for ${describeCustomer(target)}.`)] };
  return {
    data,
    view: lines(
      `${ctx.out.color.green('✓')} Updated the assets of ${describeCustomer(target)}:`,
      ...changes.map((change) => changeLine(change, ctx.out.color)),
    ),
    piped: lines(...changes.map((change) => `${change.op}\t${change.kind}\t${change.value}`)),
  };
}

function changeLine(change: Change, c: Colors): string {
  return `  ${change.op === '+' ? c.green('+') : c.red('-')} ${change.kind} ${change.value}`;
}
