/**
 * The writing tools. Listed and run only with --allow-writes (session.ts refuses them before
 * anything else otherwise); offboarding and asset removals answer with a preview and a
 * confirmation token first (confirm.ts), sending no change until called again with it.
 */
import type { Context } from '../context.js';
import { ValidationError } from '../errors.js';
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
import { previewAnswer, withoutToken } from './preview.js';
import { OUTPUT_SCHEMAS, type JsonSchema } from './schemas.js';

const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;

/** The token argument of the destructive tools. */
function tokenArg(z: Zod) {
  return z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the token from the preview answer of the same call; without it nothing is changed');
}

function listArg(z: Zod, what: string) {
  return z.array(z.string().min(1).max(320)).max(100).optional().describe(what);
}

/** The onboarding document's JSON Schema from the field table, as a tool's input (no `$schema` field). */
function onboardingInput(): JsonSchema {
  const { $schema: _s, title: _t, description: _d, ...input } = onboardingJsonSchema();
  const { $schema: _key, ...properties } = input['properties'] as Record<string, unknown>;
  return { ...input, properties };
}

export function writeTools(z: Zod): ToolDef[] {
  return [
    customerOnboardTool(),
    customerUpdateAssetsTool(z),
    customerOffboardTool(z),
    customerReactivateTool(z),
    breachResolveTool(z),
    customerMagicLinkTool(z),
  ];
}

function customerOnboardTool(): ToolDef {
  return {
    name: 'customer_onboard',
    title: 'Onboard a customer',
    description:
      'Create a customer from the onboarding fields (the same fields and rules as `safeweb customer onboard ' +
      '--file`). Every field is checked first and every problem is reported at once; nothing is sent while ' +
      'any is wrong. The customer is added to the local record.',
    annotations: WRITE,
    inputSchema: onboardingInput(),
    outputSchema: OUTPUT_SCHEMAS.customer_onboard,
    parse: (args) => {
      if (!args || typeof args !== 'object' || Array.isArray(args))
        throw new ValidationError('customer_onboard takes the onboarding fields as an object; nothing was sent', []);
      return args as Record<string, unknown>;
    },
    run: async (args, { ctx }) => onboard(args, ctx),
  };
}

function customerUpdateAssetsTool(z: Zod): ToolDef {
  return define(z, {
    name: 'customer_update_assets',
    title: "Change a customer's monitored domains and emails",
    description:
      'Add or remove monitored domains and emails, or replace a whole list. A change that removes anything ' +
      'first answers with a preview and a confirmationToken and changes nothing; call again with the token ' +
      'to do it. A customer is never left with nothing to monitor. Same as `safeweb customer assets --json`.',
    annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
    exactlyOne: ['reference', 'id'],
    input: oneCustomer(z, {
      addDomains: listArg(z, 'domains to start monitoring'),
      removeDomains: listArg(z, 'domains to stop monitoring'),
      addEmails: listArg(z, 'emails to start monitoring'),
      removeEmails: listArg(z, 'emails to stop monitoring'),
      setDomains: listArg(z, 'replace all domains with these'),
      setEmails: listArg(z, 'replace all emails with these'),
      confirmationToken: tokenArg(z),
    }).superRefine((v: Record<string, unknown>, check) => {
      const has = (k: string) => v[k] !== undefined;
      if (has('setDomains') && (has('addDomains') || has('removeDomains')))
        check.addIssue({ code: 'custom', message: 'setDomains cannot be combined with addDomains or removeDomains' });
      if (has('setEmails') && (has('addEmails') || has('removeEmails')))
        check.addIssue({ code: 'custom', message: 'setEmails cannot be combined with addEmails or removeEmails' });
      if (!['addDomains', 'removeDomains', 'addEmails', 'removeEmails', 'setDomains', 'setEmails'].some(has))
        check.addIssue({ code: 'custom', message: 'give a change (customer_get shows the current assets)' });
    }) as unknown as ReturnType<Zod['object']>,
    run: async (args, tc) => {
      const { updateAssets } = await import('./assets.js');
      return updateAssets(args, tc);
    },
  });
}

function customerOffboardTool(z: Zod): ToolDef {
  return define(z, {
    name: 'customer_offboard',
    title: 'Offboard a customer',
    description:
      'Deactivate a customer and stop all of its monitoring. Called without confirmationToken it changes ' +
      'nothing and answers with a preview and a token; call again with the token to do it. Undo with ' +
      'customer_reactivate. Same as `safeweb customer offboard --json`.',
    annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
    exactlyOne: ['reference', 'id'],
    input: oneCustomer(z, { confirmationToken: tokenArg(z) }),
    run: async (args, tc) => setStatus(args, tc, 'offboarded'),
  });
}

function customerReactivateTool(z: Zod): ToolDef {
  return define(z, {
    name: 'customer_reactivate',
    title: 'Reactivate a customer',
    description: 'Reactivate an offboarded customer. Same as `safeweb customer reactivate --json`.',
    annotations: { ...WRITE, idempotentHint: true },
    exactlyOne: ['reference', 'id'],
    input: oneCustomer(z, {}),
    run: async (args, tc) => setStatus(args, tc, 'active'),
  });
}

function breachResolveTool(z: Zod): ToolDef {
  return define(z, {
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
  });
}

function customerMagicLinkTool(z: Zod): ToolDef {
  return define(z, {
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
  });
}

/** `customer onboard` for one document: the same checks, request, record and journal as the CLI (customers/service.ts). */
async function onboard(doc: Record<string, unknown>, ctx: Context): Promise<ToolAnswer> {
  const [{ onboardDocument }, { customerDeps, recordedReferences }] = await Promise.all([
    import('../customers/service.js'),
    import('../services.js'),
  ]);
  const deps = await customerDeps(ctx);
  const recorded = await recordedReferences(ctx);
  const source = 'this customer_onboard call';
  const { body, warnings, result } = await onboardDocument(deps, doc, { allowUnknown: false, source, recorded }).catch(
    (error: unknown) => {
      // The same problems as the CLI lists; the advice in terms of this tool, not the CLI's flags.
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.message, error.problems, 'Fix them and call customer_onboard again.');
    },
  );
  return {
    structured: {
      customerId: result.customerId,
      customerReference: body.customerReference,
      companyName: body.companyName,
      ...(result.status === 'already' ? { settled: result.settled } : {}),
    },
    notes: [...warnings, ...(result.status === 'already' ? [result.settled] : [])].map((w) => info(w)),
  };
}

/** `customer offboard` and `customer reactivate` for MCP: the same service, record and "already so" rule. */
async function setStatus(
  args: Record<string, unknown>,
  tc: ToolContext,
  status: 'active' | 'offboarded',
): Promise<ToolAnswer> {
  const [service, { customerTarget, describeCustomer }] = await Promise.all([
    import('../customers/service.js'),
    import('../services.js'),
  ]);
  const target = await customerTarget(tc.ctx, customerArg(args));
  const data = (changed: boolean) => ({
    customerId: target.id,
    reference: target.entry?.reference ?? null,
    status,
    changed,
  });
  if (status === 'offboarded') {
    const token = args['confirmationToken'] as string | undefined;
    // A token is always checked, even where the local record says there is nothing to do.
    if (token !== undefined) tc.tokens.redeem('customer_offboard', withoutToken(args), token);
    // Already offboarded per the local record: nothing is sent, and no token is needed to say so.
    else if (!service.alreadyInStatus(target, status))
      return previewAnswer('customer_offboard', args, tc, {
        action: 'offboard',
        customerId: target.id,
        reference: target.entry?.reference ?? null,
        companyName: target.entry?.companyName ?? null,
        statusNow: target.entry?.status ?? 'unknown (not in the local record)',
        statusAfter: 'offboarded',
        effect: 'all monitoring of the customer stops (undo with customer_reactivate)',
      });
  }
  if (service.alreadyInStatus(target, status))
    return {
      structured: data(false),
      notes: [info(`${describeCustomer(target)} is already ${status} (per the local record); nothing was sent.`)],
    };
  await (status === 'offboarded' ? service.offboard : service.reactivate)(target.deps, target);
  const done = status === 'offboarded' ? 'Offboarded' : 'Reactivated';
  return { structured: data(true), notes: [info(`${done} ${describeCustomer(target)}.`)] };
}
