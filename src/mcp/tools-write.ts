/**
 * The writing tools. Listed and run only with --allow-writes (session.ts refuses them before
 * anything else otherwise); offboarding and asset removals answer with a preview and a
 * confirmation token first (confirm.ts), sending no change until called again with it.
 */
import type { Context } from '../context.js';
import { UsageError, ValidationError } from '../errors.js';
import { info } from '../outcome.js';
import { onboardingJsonSchema } from '../customers/json-schema.js';
import {
  customerArg,
  customerShape,
  define,
  oneCustomer,
  type ToolAnswer,
  type ToolContext,
  type ToolDef,
  type Zod,
} from './tools.js';
import { OUTPUT_SCHEMAS } from './schemas.js';

const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;

/** The call's arguments without its token: what a token is bound to. */
function withoutToken(args: Record<string, unknown>): Record<string, unknown> {
  const { confirmationToken: _token, ...call } = args;
  return call;
}

/** Nothing sent: what would change, and the token that makes the same call do it. */
function previewAnswer(tool: string, args: Record<string, unknown>, tc: ToolContext, preview: object): ToolAnswer {
  const { token, expiresAt } = tc.tokens.issue(tool, withoutToken(args));
  return {
    structured: {
      confirmationRequired: true,
      preview,
      confirmationToken: token,
      expiresAt,
      nextStep:
        `Nothing was changed. Show this preview to the user; if they agree, call ${tool} again with the same ` +
        'arguments and this confirmationToken (valid once, for 5 minutes).',
    },
  };
}

export function writeTools(z: Zod): ToolDef[] {
  const confirmationToken = z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the token from the preview answer of the same call; without it nothing is changed');
  const list = (what: string) => z.array(z.string().min(1).max(320)).max(100).optional().describe(what);
  const { $schema: _s, title: _t, description: _d, ...onboardingInput } = onboardingJsonSchema();
  const { [('$' + 'schema') as string]: _key, ...onboardingProperties } = onboardingInput['properties'] as Record<
    string,
    unknown
  >;
  return [
    {
      name: 'customer_onboard',
      title: 'Onboard a customer',
      description:
        'Create a customer from the onboarding fields (the same fields and rules as `safeweb customer onboard ' +
        '--file`). Every field is checked first and every problem is reported at once; nothing is sent while ' +
        'any is wrong. The customer is added to the local record.',
      annotations: WRITE,
      inputSchema: { ...onboardingInput, properties: onboardingProperties },
      outputSchema: OUTPUT_SCHEMAS.customer_onboard,
      parse: (args) => {
        if (!args || typeof args !== 'object' || Array.isArray(args))
          throw new ValidationError('customer_onboard takes the onboarding fields as an object; nothing was sent', []);
        return args as Record<string, unknown>;
      },
      run: async (args, { ctx }) => onboard(args, ctx),
    },
    define(z, {
      name: 'customer_update_assets',
      title: "Change a customer's monitored domains and emails",
      description:
        'Add or remove monitored domains and emails, or replace a whole list. A change that removes anything ' +
        'first answers with a preview and a confirmationToken and changes nothing; call again with the token ' +
        'to do it. A customer is never left with nothing to monitor. Same as `safeweb customer assets --json`.',
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
      exactlyOne: ['reference', 'id'],
      input: oneCustomer(z, {
        addDomains: list('domains to start monitoring'),
        removeDomains: list('domains to stop monitoring'),
        addEmails: list('emails to start monitoring'),
        removeEmails: list('emails to stop monitoring'),
        setDomains: list('replace all domains with these'),
        setEmails: list('replace all emails with these'),
        confirmationToken,
      }).superRefine((v: Record<string, unknown>, check) => {
        const has = (k: string) => v[k] !== undefined;
        if (has('setDomains') && (has('addDomains') || has('removeDomains')))
          check.addIssue({ code: 'custom', message: 'setDomains cannot be combined with addDomains or removeDomains' });
        if (has('setEmails') && (has('addEmails') || has('removeEmails')))
          check.addIssue({ code: 'custom', message: 'setEmails cannot be combined with addEmails or removeEmails' });
        if (!['addDomains', 'removeDomains', 'addEmails', 'removeEmails', 'setDomains', 'setEmails'].some(has))
          check.addIssue({ code: 'custom', message: 'give a change (customer_get shows the current assets)' });
      }) as unknown as ReturnType<Zod['object']>,
      run: async (args, tc) => updateAssets(args, tc),
    }),
    define(z, {
      name: 'customer_offboard',
      title: 'Offboard a customer',
      description:
        'Deactivate a customer and stop all of its monitoring. Called without confirmationToken it changes ' +
        'nothing and answers with a preview and a token; call again with the token to do it. Undo with ' +
        'customer_reactivate. Same as `safeweb customer offboard --json`.',
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
      exactlyOne: ['reference', 'id'],
      input: oneCustomer(z, { confirmationToken }),
      run: async (args, tc) => offboard(args, tc),
    }),
    define(z, {
      name: 'customer_reactivate',
      title: 'Reactivate a customer',
      description: 'Reactivate an offboarded customer. Same as `safeweb customer reactivate --json`.',
      annotations: { ...WRITE, idempotentHint: true },
      exactlyOne: ['reference', 'id'],
      input: oneCustomer(z, {}),
      run: async (args, { ctx }) => {
        const { runCustomerReactivate } = await import('../commands/customer/reactivate.js');
        const outcome = await runCustomerReactivate({ customer: customerArg(args) }, ctx);
        return { structured: { ...outcome.data }, notes: outcome.notes };
      },
    }),
    define(z, {
      name: 'breach_resolve',
      title: 'Mark a customer breach resolved',
      description:
        "Mark a customer's breach resolved (or, with resolved: false, not resolved again), by its breach ID " +
        '(the uuid in customer_get breaches). Same as `safeweb breach resolve --json`.',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.strictObject({
        breachId: z.uuid().describe("the breach instance's UUID"),
        resolved: z.boolean().default(true).describe('false marks it not resolved again'),
      }),
      run: async (args, { ctx }) => {
        const { runBreachSetStatus } = await import('../commands/breach/status.js');
        const outcome = await runBreachSetStatus(
          { breachId: args['breachId'] as string, resolved: args['resolved'] as boolean },
          ctx,
        );
        return { structured: outcome.data as Record<string, unknown>, notes: outcome.notes };
      },
    }),
    define(z, {
      name: 'customer_magic_link',
      title: 'One-time login link for a customer',
      description:
        'Create a one-time login URL for the customer portal. It works once, expires in an hour and is a login ' +
        'credential: give it only to the customer. Same as `safeweb customer magic-link --json`.',
      annotations: WRITE,
      exactlyOne: ['reference', 'id'],
      input: z.strictObject(customerShape(z)).refine((v) => (v.reference === undefined) !== (v.id === undefined), {
        message: 'give exactly one of reference and id',
      }) as unknown as ReturnType<Zod['object']>,
      run: async (args, { ctx }) => {
        const { runCustomerMagicLink } = await import('../commands/customer/magic-link.js');
        const outcome = await runCustomerMagicLink({ customer: customerArg(args) }, ctx);
        return { structured: outcome.data as Record<string, unknown>, credential: true };
      },
    }),
  ];
}

/** `customer onboard` for one document: the same checks, request and local record as the CLI. */
async function onboard(doc: Record<string, unknown>, ctx: Context): Promise<ToolAnswer> {
  const [{ validateOnboarding }, { RecordedReferences }, { onboardCustomer }, { recordEntry, recordOnboarded }] =
    await Promise.all([
      import('../customers/onboarding.js'),
      import('../customers/recorded.js'),
      import('../api/customers.js'),
      import('../customers/ledger.js'),
    ]);
  const api = await ctx.api();
  const account = await ctx.account();
  const recorded = await RecordedReferences.load(ctx);
  const { body, warnings } = await validateOnboarding(doc, {
    allowUnknown: false,
    now: ctx.now(),
    source: 'this customer_onboard call',
    reference: (reference) => recorded.problem(reference),
  });
  const result = await onboardCustomer(api, body);
  await recordOnboarded(ctx.configDir, account.key, recordEntry(body, result.customerId), ctx.now());
  return {
    structured: {
      customerId: result.customerId,
      customerReference: body.customerReference,
      companyName: body.companyName,
    },
    notes: warnings.map((w) => info(w)),
  };
}

async function offboard(args: Record<string, unknown>, tc: ToolContext): Promise<ToolAnswer> {
  const [{ customerTarget }, { runCustomerOffboard }] = await Promise.all([
    import('../commands/customer/target.js'),
    import('../commands/customer/offboard.js'),
  ]);
  const customer = customerArg(args);
  const target = await customerTarget(tc.ctx, customer);
  const token = args['confirmationToken'] as string | undefined;
  // A token is always checked, even where the local record says there is nothing to do.
  if (token !== undefined) tc.tokens.redeem('customer_offboard', withoutToken(args), token);
  // Already offboarded per the local record: the verb sends nothing and says so; no token needed.
  else if (target.entry?.status !== 'offboarded')
    return previewAnswer('customer_offboard', args, tc, {
      action: 'offboard',
      customerId: target.id,
      reference: target.entry?.reference ?? null,
      companyName: target.entry?.companyName ?? null,
      statusNow: target.entry?.status ?? 'unknown (not in the local record)',
      statusAfter: 'offboarded',
      effect: 'all monitoring of the customer stops (undo with customer_reactivate)',
    });
  const outcome = await runCustomerOffboard({ customer, yes: true }, tc.ctx);
  return { structured: { ...outcome.data }, notes: outcome.notes };
}

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

/**
 * A change that removes anything is previewed first. The token is bound to the arguments and to
 * the changes the preview showed: if the lists changed since, the token no longer fits.
 */
async function updateAssets(args: Record<string, unknown>, tc: ToolContext): Promise<ToolAnswer> {
  const [{ customerTarget }, { runCustomerAssets, editList }, { getCustomerAssets }, { resource }, checks] =
    await Promise.all([
      import('../commands/customer/target.js'),
      import('../commands/customer/assets.js'),
      import('../api/customers.js'),
      import('../output/envelope.js'),
      import('../customers/onboarding.js'),
    ]);
  const get = (k: string) => args[k] as string[] | undefined;
  const opts = {
    customer: customerArg(args),
    addDomain: get('addDomains'),
    removeDomain: get('removeDomains'),
    addEmail: get('addEmails'),
    removeEmail: get('removeEmails'),
    setDomains: get('setDomains')?.join(','),
    setEmails: get('setEmails')?.join(','),
  };
  const problems = [
    ...[...(opts.addDomain ?? []), ...(get('setDomains') ?? [])].map((d) => checks.domainProblem(d)),
    ...[...(opts.addEmail ?? []), ...(get('setEmails') ?? [])].map((e) => checks.emailProblem(e)),
  ].filter((p): p is string => Boolean(p));
  if (problems.length) throw new ValidationError('invalid assets; nothing was sent:', problems);
  const removing = ['removeDomains', 'removeEmails', 'setDomains', 'setEmails'].some(
    (k) => get(k)?.length !== undefined,
  );
  const token = args['confirmationToken'] as string | undefined;
  if (removing || token !== undefined) {
    // What would change, from the current lists (a read); no change is sent without the token.
    const target = await customerTarget(tc.ctx, opts.customer);
    const current = resource(await getCustomerAssets(target.api, target.id), 'customer assets');
    const quiet = () => undefined;
    const domains = editList(
      current.domains,
      { add: opts.addDomain, remove: opts.removeDomain, set: get('setDomains') },
      quiet,
      'domain',
    );
    const emails = editList(
      current.emails,
      { add: opts.addEmail, remove: opts.removeEmail, set: get('setEmails') },
      quiet,
      'email',
    );
    const changes = [...changesOf('domain', current.domains, domains), ...changesOf('email', current.emails, emails)];
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
  const outcome = await runCustomerAssets(opts, tc.ctx);
  return { structured: outcome.data as Record<string, unknown>, notes: outcome.notes };
}
