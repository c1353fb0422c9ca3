/**
 * The output schemas of the MCP tools (JSON Schema 2020-12): the shape of each tool's
 * `structuredContent`, which is the CLI's --json document for the same question (a list wrapped
 * under a plural key, since a structured result must be an object). Plain data, no imports.
 */
export type JsonSchema = { [key: string]: unknown };

const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };
const strings = { type: 'array', items: str };

function object(properties: Record<string, unknown>, required: string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', properties, required };
}

const recordEntrySchema = object(
  {
    reference: str,
    id: strOrNull,
    companyName: str,
    onboardedAt: str,
    status: { enum: ['active', 'offboarded'] },
    updatedAt: str,
    fields: { type: 'object' },
  },
  ['reference', 'id', 'companyName', 'onboardedAt', 'status', 'updatedAt'],
);

const customerBreach = object(
  {
    id: str,
    uuid: str,
    breachName: str,
    title: str,
    emails: strings,
    breachDate: str,
    breachCategories: strings,
    resolved: { type: 'boolean' },
  },
  ['id', 'breachName', 'title', 'emails', 'breachDate', 'breachCategories', 'resolved'],
);

const assets = object({ domains: strings, emails: strings });
const threat = object({ customerId: str, threatScore: { type: 'number' }, band: str });

/** `customer offboard|reactivate --json`. */
const statusChange = object({
  customerId: str,
  reference: strOrNull,
  status: { enum: ['active', 'offboarded'] },
  changed: { type: 'boolean' },
});

/** What a destructive tool answers when called without a confirmation token: nothing was sent. */
const preview = object(
  {
    confirmationRequired: { const: true },
    preview: { type: 'object' },
    confirmationToken: str,
    expiresAt: str,
    nextStep: str,
  },
  ['confirmationRequired', 'preview', 'confirmationToken', 'expiresAt'],
);

const withPreview = (done: JsonSchema): JsonSchema => ({ type: 'object', anyOf: [done, preview] });

const change = object({ kind: { enum: ['domain', 'email'] }, op: { enum: ['+', '-'] }, value: str });

const num = { type: 'number' };
const numOrNull = { type: ['number', 'null'] };

const portfolioCustomer = object(
  {
    reference: str,
    customerId: strOrNull,
    companyName: str,
    threatScore: numOrNull,
    band: strOrNull,
    unresolvedBreaches: numOrNull,
    resolvedBreaches: numOrNull,
    monitoredDomains: numOrNull,
    monitoredEmails: numOrNull,
    error: object({ message: str, exitCode: num }),
  },
  ['reference', 'customerId', 'companyName', 'threatScore', 'band', 'unresolvedBreaches', 'resolvedBreaches'],
);

const fieldChange = object({ name: str, from: {}, to: {} });

const auditEntry = object(
  {
    time: str,
    user: str,
    host: str,
    pid: num,
    profile: strOrNull,
    partnerId: str,
    baseUrl: str,
    via: { enum: ['cli', 'mcp'] },
    tool: str,
    command: str,
    method: str,
    path: str,
    operation: strOrNull,
    customerRef: strOrNull,
    customerId: strOrNull,
    status: numOrNull,
    outcome: { enum: ['ok', 'rejected', 'unknown', 'failed', 'refused'] },
    error: str,
    durationMs: num,
  },
  ['time', 'via', 'method', 'path', 'outcome'],
);

/** `safeweb findings --json`: one unresolved breach of one customer, with its key. */
const finding = object({
  key: str,
  partnerId: str,
  customerId: str,
  reference: str,
  companyName: str,
  breachId: str,
  breachName: str,
  title: str,
  breachDate: str,
  emails: strings,
});

const objectOrNull = (properties: Record<string, unknown>, required = Object.keys(properties)): JsonSchema => ({
  type: ['object', 'null'],
  properties,
  required,
});

/** One sink's share of the outbox (`safeweb outbox status --json`). */
const sinkSummary = object({
  sink: str,
  pending: num,
  held: num,
  retrying: num,
  dead: num,
  acked: num,
  lastAck: objectOrNull({ key: str, at: str, ack: {} }, ['key', 'at']),
  lastError: objectOrNull({ key: str, at: str, error: str, state: { enum: ['retrying', 'dead'] } }),
});

/** `safeweb psa plan --json`: what a ticket sync would do (psa/plan-summary.ts). */
const plannedAction = object(
  {
    action: { enum: ['create', 'note', 'close', 'reopen', 'resolve', 'unresolve'] },
    reference: str,
    customerId: str,
    ticketKey: str,
    ticketId: numOrNull,
    why: str,
    findings: { type: 'array', items: object({ key: str, breachId: str, title: strOrNull }) },
    unmapped: { type: 'boolean' },
  },
  ['action', 'reference', 'customerId', 'ticketKey', 'ticketId', 'why', 'findings'],
);
const psaPlan = object(
  {
    connection: str,
    actions: { type: 'array', items: plannedAction },
    counts: { type: 'object', additionalProperties: num },
    conflicts: { type: 'array', items: { type: 'object' } },
    baselined: num,
    baseline: object({ customers: num, findings: num }),
    held: num,
    unmapped: {
      type: 'array',
      items: object({ reference: str, companyName: str, findings: num, fallback: { type: 'boolean' } }),
    },
    messages: {
      type: 'array',
      items: object(
        {
          event: { type: 'string', enum: ['ticket.created', 'ticket.closed'] },
          reference: str,
          ticketKey: str,
          ticketId: { type: ['integer', 'null'] },
          findings: { type: 'array', items: str },
          channel: str,
          route: str,
          pending: { type: 'boolean' },
        },
        ['event', 'reference', 'ticketKey', 'ticketId', 'findings', 'channel', 'route'],
      ),
    },
  },
  ['connection', 'actions', 'counts', 'conflicts', 'baselined', 'baseline', 'held', 'unmapped', 'messages'],
);

export const OUTPUT_SCHEMAS = {
  psa_plan: psaPlan,
  audit_search: object({ entries: { type: 'array', items: auditEntry } }),
  findings_list: object({ findings: { type: 'array', items: finding } }),
  outbox_status: object({ account: str, journal: str, items: num, sinks: { type: 'array', items: sinkSummary } }),
  portfolio_status: object({
    customers: { type: 'array', items: portfolioCustomer },
    summary: object(
      {
        customers: num,
        read: num,
        failed: num,
        unresolvedBreaches: num,
        resolvedBreaches: num,
        byBand: { type: 'object', additionalProperties: num },
        interrupted: { type: 'boolean' },
      },
      ['customers', 'read', 'failed', 'unresolvedBreaches', 'resolvedBreaches', 'byBand'],
    ),
  }),
  plan: object({
    changes: {
      type: 'array',
      items: object(
        {
          action: { enum: ['create', 'update', 'offboard', 'reactivate', 'delete'] },
          kind: { enum: ['customer', 'webhook'] },
          reference: str,
          url: str,
          fields: { type: 'array', items: fieldChange },
          replacedBy: { const: 'create' },
        },
        ['action', 'kind'],
      ),
    },
    summary: object({
      create: num,
      update: num,
      offboard: num,
      reactivate: num,
      delete: num,
      total: num,
      notUpdatable: num,
      stopsMonitoring: num,
    }),
    lostSecrets: strings,
    stopsMonitoring: {
      type: 'array',
      items: object({ reference: str, domains: strings, emails: strings }),
    },
    notUpdatable: { type: 'array', items: object({ reference: str, fields: { type: 'array', items: fieldChange } }) },
    warnings: strings,
  }),
  customer_list: object({ customers: { type: 'array', items: recordEntrySchema } }),
  customer_get: object(
    {
      customerId: str,
      reference: strOrNull,
      companyName: strOrNull,
      assets,
      threatScore: threat,
      breaches: { type: 'array', items: customerBreach },
    },
    ['customerId', 'reference', 'assets', 'threatScore', 'breaches'],
  ),
  breach_check: object({
    results: {
      type: 'array',
      items: object(
        {
          email: str,
          breached: { type: ['boolean', 'null'] },
          error: object({ message: str, exitCode: { type: 'number' } }),
        },
        ['email', 'breached'],
      ),
    },
  }),
  breach_lookup: object(
    {
      uuid: str,
      name: str,
      title: str,
      addedDate: str,
      breachCategories: strings,
      description: str,
      nextSteps: strings,
    },
    ['uuid', 'name', 'title', 'breachCategories'],
  ),
  partner_analytics: { type: 'object', additionalProperties: true },
  // customerId is null when a re-send found it created by an earlier attempt whose answer was lost (settled says so).
  customer_onboard: object({ customerId: strOrNull, customerReference: str, companyName: str, settled: str }, [
    'customerId',
    'customerReference',
    'companyName',
  ]),
  customer_update_assets: withPreview(
    object({ domains: strings, emails: strings, changes: { type: 'array', items: change } }),
  ),
  customer_offboard: withPreview(statusChange),
  customer_reactivate: statusChange,
  breach_resolve: object({ breachId: str, resolved: { type: 'boolean' } }),
  customer_magic_link: object({ customerId: str, url: str }),
} satisfies Record<string, JsonSchema>;
