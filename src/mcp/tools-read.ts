/**
 * The reading tools: each calls the service the CLI verb that answers the same question calls,
 * so its structured result is that verb's --json document (a list under a plural key).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { customerArg, define, oneCustomer, READ, type Schema, type ToolDef, type Zod } from './tools.js';

export function readTools(z: Zod, configDir: string): ToolDef[] {
  return [
    portfolioStatusTool(z),
    customerListTool(z),
    customerGetTool(z),
    breachCheckTool(z),
    breachLookupTool(z),
    partnerAnalyticsTool(z),
    planTool(z, configDir),
    auditSearchTool(z),
    findingsListTool(z),
    outboxStatusTool(z),
    psaPlanTool(z),
  ];
}

/** The customers a book tool covers: the ones named, or every active one. */
function bookCustomers(z: Zod) {
  return z
    .array(z.string().min(1).max(200))
    .max(1000)
    .optional()
    .describe('references or IDs to cover instead of every active customer');
}

function portfolioStatusTool(z: Zod): ToolDef {
  return define(z, {
    name: 'portfolio_status',
    title: 'The whole book at once',
    description:
      'Every active customer of the local record (or the ones named) with threat score and band, unresolved ' +
      'and resolved breaches and monitored assets, most exposed first, and a summary. Same as ' +
      '`safeweb portfolio status --json`; a customer whose reads failed has an error and nulls.',
    annotations: READ,
    input: z.strictObject({
      customers: bookCustomers(z),
      includeOffboarded: z.boolean().optional().describe('offboarded customers of the record too'),
    }),
    run: async (args, { ctx }) => {
      const { readPortfolioStatus } = await import('../portfolio/status.js');
      const account = await ctx.account();
      const outcome = await readPortfolioStatus(
        ctx,
        { configDir: ctx.configDir, account: account.key },
        {
          customers: args['customers'] as string[] | undefined,
          includeOffboarded: Boolean(args['includeOffboarded']),
        },
      );
      return { structured: { ...outcome.data }, notes: outcome.notes };
    },
  });
}

function customerListTool(z: Zod): ToolDef {
  return define(z, {
    name: 'customer_list',
    title: 'List customers',
    description:
      'The customers this tool onboarded for the partner account (the local record; the API cannot list ' +
      'customers): reference, ID, company, onboarding date, status. Same as `safeweb customer list --json`.',
    annotations: { ...READ, openWorldHint: false },
    input: z.strictObject({ status: z.enum(['active', 'offboarded']).optional().describe('only these customers') }),
    run: async (args, { ctx }) => {
      const { listRecorded } = await import('../customers/reads.js');
      const account = await ctx.account();
      const { customers, notes } = listRecorded(ctx.configDir, account.key, args['status'] as 'active' | undefined);
      return { structured: { customers }, notes };
    },
  });
}

function customerGetTool(z: Zod): ToolDef {
  return define(z, {
    name: 'customer_get',
    title: 'One customer: assets, threat score, breaches',
    description:
      "A customer's monitored domains and emails, dark-web threat score (0-97) and band, and breaches, by " +
      'reference or ID. The parts are the --json documents of `customer assets`, `customer threat-score` ' +
      'and `customer breaches`.',
    annotations: READ,
    exactlyOne: ['reference', 'id'],
    input: oneCustomer(z, {
      unresolvedOnly: z.boolean().optional().describe('only breaches not yet marked resolved'),
      locale: z
        .string()
        .regex(/^[a-z]{2}-[A-Z]{2}$/, 'must look like en-GB or da-DK')
        .optional()
        .describe('language of breach titles: en-GB, da-DK, sv-SE, nb-NO, fi-FI'),
    }),
    run: async (args, { ctx }) => {
      const [{ customerTarget }, { readAssets }, { readCustomerBreaches, readThreatScore }] = await Promise.all([
        import('../services.js'),
        import('../customers/service.js'),
        import('../customers/reads.js'),
      ]);
      const target = await customerTarget(ctx, customerArg(args));
      const { api } = target.deps;
      const [assets, threatScore, breaches] = await Promise.all([
        readAssets(target.deps, target),
        readThreatScore(api, target.id),
        readCustomerBreaches(api, target.id, {
          unresolved: Boolean(args['unresolvedOnly']),
          locale: args['locale'] as string | undefined,
        }),
      ]);
      return {
        structured: {
          customerId: target.id,
          reference: target.entry?.reference ?? null,
          companyName: target.entry?.companyName ?? null,
          assets,
          threatScore,
          breaches,
        },
      };
    },
  });
}

function breachCheckTool(z: Zod): ToolDef {
  return define(z, {
    name: 'breach_check',
    title: 'Check addresses for breaches',
    description:
      'Whether each address (up to 100) appears in known breaches. Same as `safeweb breach check --json`; ' +
      'an address that could not be checked has an error and breached null.',
    annotations: READ,
    input: z.strictObject({
      emails: z.array(z.string().min(1).max(320)).min(1).max(100).describe('the addresses to check, at most 100'),
    }),
    run: async (args, { ctx }) => {
      const { addressesOf, checkAddresses } = await import('../breaches/check.js');
      const outcome = await checkAddresses(ctx, { addresses: addressesOf(args['emails'] as string[]), concurrency: 8 });
      return { structured: { results: outcome.data ?? [] }, notes: outcome.notes };
    },
  });
}

function breachLookupTool(z: Zod): ToolDef {
  return define(z, {
    name: 'breach_lookup',
    title: 'Look up a breach in the catalogue',
    description:
      'One breach from the global catalogue, by name (e.g. Adobe) or catalogue UUID: title, date, data ' +
      'categories, description and next steps. Same as `safeweb breach get --json`.',
    annotations: READ,
    input: z
      .strictObject({
        name: z.string().trim().min(1).max(200).optional().describe('breach name, e.g. Adobe'),
        uuid: z.uuid().optional().describe('catalogue UUID'),
        locale: z.enum(['en-GB', 'da-DK', 'sv-SE', 'nb-NO', 'fi-FI']).optional().describe('language of the title'),
      })
      .refine((v) => (v.name === undefined) !== (v.uuid === undefined), {
        message: 'give exactly one of name and uuid',
      }) as unknown as Schema,
    exactlyOne: ['name', 'uuid'],
    run: async (args, { ctx }) => {
      const { lookupBreach } = await import('../breaches/catalogue.js');
      const { name, uuid, locale } = args as { name?: string; uuid?: string; locale?: string };
      return { structured: { ...(await lookupBreach(await ctx.api(), { name, uuid }, locale)) } };
    },
  });
}

function partnerAnalyticsTool(z: Zod): ToolDef {
  return define(z, {
    name: 'partner_analytics',
    title: 'Partner analytics',
    description:
      "The partner account's metrics (customers, revenue, breaches...). Same as `safeweb partner analytics --json`.",
    annotations: READ,
    input: z.strictObject({}),
    run: async (_args, { ctx }) => {
      const [{ getPartnerAnalytics }, { unwrapEnvelope }] = await Promise.all([
        import('../api/partner.js'),
        import('../api/envelope.js'),
      ]);
      // The resource is the metrics object the API wraps in `data`.
      return { structured: unwrapEnvelope(await getPartnerAnalytics(await ctx.api()), 'partner analytics').data };
    },
  });
}

/** Characters of JSON a plan answer lists at most (its text and structured copies are both sent). */
const PLAN_ANSWER_BUDGET = 2_000_000;

function planTool(z: Zod, configDir: string): ToolDef {
  return define(z, {
    name: 'plan',
    title: 'Plan a customers-as-code manifest',
    description:
      'What `safeweb apply` would change to make the book match a manifest (YAML or JSON), given inline as ' +
      '`manifest` (text or an object) or as a `file` path (.yaml, .yml or .json): customers to create, update, ' +
      'offboard or reactivate, webhooks. Reads only. Same as `safeweb plan --json`.',
    annotations: READ,
    exactlyOne: ['manifest', 'file'],
    input: z
      .strictObject({
        manifest: z
          .union([z.string().min(1).max(5_000_000), z.record(z.string(), z.unknown())])
          .optional()
          .describe('the manifest itself: YAML or JSON text, or the object'),
        file: z
          .string()
          .min(1)
          .max(4096)
          .regex(/\.(ya?ml|json)$/i, 'must name a .yaml, .yml or .json manifest')
          .optional()
          .describe('path of a manifest file on this machine (.yaml, .yml or .json)'),
        prune: z.boolean().optional().describe('also plan offboarding customers the manifest does not name'),
      })
      .refine((v) => (v.manifest === undefined) !== (v.file === undefined), {
        message: 'give exactly one of manifest and file',
      }) as unknown as Schema,
    run: async (args, { ctx }) => {
      const file = args['file'] as string | undefined;
      if (file !== undefined) checkManifestPath(file, configDir);
      const [{ planNotes, preparePlan }, { boundedPlanData }, { warn }] = await Promise.all([
        import('../manifest/prepare.js'),
        import('../manifest/plan.js'),
        import('../outcome.js'),
      ]);
      const { plan, data } = await preparePlan(
        { file, manifest: args['manifest'] as string | object | undefined, prune: Boolean(args['prune']) },
        ctx,
      );
      // A plan of 20 000 creates is 37 MB of JSON, over what a client reads as one message.
      const bounded = boundedPlanData(data, PLAN_ANSWER_BUDGET);
      const notes = planNotes(plan);
      if (bounded.omitted)
        notes.push(
          warn(
            `the plan is too long for one answer: ${bounded.changes.length} of its ${data.changes.length} changes ` +
              'are listed (the summary counts all; `omitted` says what was left out); ' +
              '`safeweb plan --file FILE --json` lists every one.',
          ),
        );
      return { structured: { ...bounded }, notes };
    },
  });
}

function auditSearchTool(z: Zod): ToolDef {
  return define(z, {
    name: 'audit_search',
    title: 'Search the audit log',
    description:
      'The changes made to this partner account from this machine (command line and MCP alike): when, by ' +
      'whom, through which command or tool, what, and how it ended; oldest first. Same as `safeweb audit --json`.',
    annotations: { ...READ, openWorldHint: false },
    input: z.strictObject({
      since: z
        .string()
        .min(1)
        .max(40)
        .optional()
        .describe('a duration back from now (30m, 24h, 7d, 2w) or a date (2026-01-31, 2026-01-31T09:00:00Z)'),
      customer: z.string().min(1).max(200).optional().describe('only changes to this customer (reference or ID)'),
    }),
    run: async (args, { ctx }) => {
      const { parseSince, searchAudit } = await import('../portfolio/audit-search.js');
      const since = args['since'] === undefined ? undefined : parseSince(args['since'] as string, ctx.now());
      const resolved = await ctx.resolved();
      const { breachUuidsOf } = await import('../services.js');
      const { entries, notes } = await searchAudit(
        ctx.configDir,
        { partnerId: resolved.partnerId?.value, baseUrl: resolved.baseUrl.value },
        { since, customer: args['customer'] as string | undefined },
        (customer) => breachUuidsOf(ctx, customer),
      );
      return { structured: { entries }, notes };
    },
  });
}

function findingsListTool(z: Zod): ToolDef {
  return define(z, {
    name: 'findings_list',
    title: "The book's current findings",
    description:
      'Each unresolved breach of each active customer of the local record (or of the ones named), with its ' +
      'stable key (made from SafeWeb identities only: the key tickets and notifications join on), the customer, ' +
      'the breach and the addresses it exposed. Same as `safeweb findings --json`, under "findings"; customers ' +
      'whose reads failed are named in a warning.',
    annotations: READ,
    input: z.strictObject({
      customers: bookCustomers(z),
    }),
    run: async (args, { ctx }) => {
      const { readFindings } = await import('../portfolio/findings.js');
      const account = await ctx.account();
      const found = await readFindings(
        ctx,
        { configDir: ctx.configDir, account: account.key, partnerId: account.partnerId },
        { customers: args['customers'] as string[] | undefined },
      );
      return { structured: { findings: found.data }, notes: found.notes };
    },
  });
}

function psaPlanTool(z: Zod): ToolDef {
  return define(z, {
    name: 'psa_plan',
    title: 'What a PSA ticket sync would do',
    description:
      'Reads the findings of the book and the tickets this tool owns in the PSA (ConnectWise), and says per ' +
      'customer what `safeweb psa sync` would do: create, note, close or reopen a ticket; resolve or unresolve a ' +
      'breach in SafeWeb because a technician closed or reopened its ticket; with conflicts, the baseline a first ' +
      'sync takes, creates over the cap and unmapped customers. Sends nothing. Same as `safeweb psa plan --json`.',
    annotations: READ,
    input: z.strictObject({
      connection: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
      customers: bookCustomers(z),
      includeExisting: z.optional(z.boolean()),
      maxCreates: z.optional(z.int().min(0).max(1_000_000)),
    }),
    run: async (args, { ctx }) => {
      const [{ psaPlanSource }, { preparePlan }, { planSummary }] = await Promise.all([
        import('../services.js'),
        import('../psa/session.js'),
        import('../psa/plan-summary.js'),
      ]);
      const source = await psaPlanSource(ctx, args['connection'] as string | undefined, {
        command: 'safeweb mcp psa_plan',
      });
      const prepared = await preparePlan(ctx, source, {
        customers: args['customers'] as string[] | undefined,
        concurrency: 8,
        includeExisting: args['includeExisting'] === true,
        maxCreates: (args['maxCreates'] as number | undefined) ?? 50,
        now: ctx.now(),
      });
      return { structured: { ...planSummary(source.connection, prepared.plan) } };
    },
  });
}

function outboxStatusTool(z: Zod): ToolDef {
  return define(z, {
    name: 'outbox_status',
    title: 'What the outbox holds, per sink',
    description:
      "The account's durable outbox of events, per sink (tickets, notifications): pending, held, retrying, " +
      'dead-lettered and acknowledged items, the last acknowledgement and the last error. Reads a local file ' +
      'only. Same as `safeweb outbox status --json`.',
    annotations: { ...READ, openWorldHint: false },
    input: z.strictObject({}),
    run: async (_args, { ctx }) => {
      const { outboxStatusOf } = await import('../findings/outbox-status.js');
      const account = await ctx.account();
      return { structured: { ...outboxStatusOf(ctx.configDir, account.key, ctx.now()) } };
    },
  });
}

/**
 * The one tool that reads a local file takes manifests only: not stdin (the protocol's), and
 * nothing inside the config directory, where the profiles (and their keys) and the record live.
 * Compared as written and as real paths, so a symlink (of the file or of a folder on its way)
 * that leads into the config directory is refused like the path it leads to.
 */
function checkManifestPath(file: string, configDir: string): void {
  const dirs = [path.resolve(configDir), realPath(configDir)];
  const files = [path.resolve(file), realPath(file)];
  if (files.some((f) => dirs.some((d) => isWithin(d, f))))
    throw new UsageError(
      `plan does not read files in the safeweb config directory (${configDir}); nothing was read`,
      'Give the manifest inline, or a file elsewhere.',
    );
}

/** The path with every symlink resolved; for a part that does not exist (yet), its nearest existing folder's. */
function realPath(p: string): string {
  const absolute = path.resolve(p);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

function isWithin(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  // Not startsWith('..') alone: "..notes.yaml" is a file in the folder, not above it.
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
