/**
 * `safeweb psa test [NAME] [<customer>]`: makes one clearly labelled test ticket with the
 * connection's settings (board, new status, a priority, source, type) on the customer's mapped
 * company, or the fallback company, and closes it with the closed status at once: proof that a
 * sync's tickets will be accepted. Prints the ticket's ID. A read-only run refuses before sending.
 */
import { readIntegrations, type Integrations } from '../../config/integrations.js';
import type { Context } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';
import { lines, success, warn, type Outcome } from '../../outcome.js';
import { pickCompany, resolvePolicy } from '../../psa/policy.js';
import { integrationSettingsFile, psaConnection } from '../../services.js';
import { resolveCustomerArg } from '../../customers/local-record.js';

/** The integrator tag of test tickets: not the sync's own, so a sync never takes one for its ticket. */
const TEST_TAG = 'safeweb-test';

/** The customer's mapping for this connection, by reference (or by ID through the local record). */
async function mappingOf(ctx: Context, settings: Integrations, arg: string, connection: string, only: boolean) {
  let reference = arg;
  if (!settings.customers?.[arg]) {
    const account = await ctx.account();
    reference = resolveCustomerArg(ctx.configDir, account.key, arg).entry?.reference ?? arg;
  }
  const psa = settings.customers?.[reference]?.psa;
  const mine = psa && (psa.connection ?? settings.psa?.default ?? (only ? connection : undefined)) === connection;
  return { reference, psa: mine ? psa : undefined };
}

export async function runPsaTest(
  opts: { name?: string | undefined; customer?: string | undefined },
  ctx: Context,
): Promise<Outcome> {
  const conn = await psaConnection(ctx, opts.name);
  const { settings } = await readIntegrations(await integrationSettingsFile(ctx));
  const only = Object.keys(settings.psa?.connections ?? {}).length === 1;
  const target = opts.customer ? await mappingOf(ctx, settings, opts.customer, conn.name, only) : undefined;
  const companyRef = target?.psa?.company ?? conn.policy.fallbackCompany;
  if (companyRef === undefined)
    throw new UsageError(
      target
        ? `customer ${target.reference} is mapped to no company of PSA connection "${conn.name}", and it has no fallback company`
        : `PSA connection "${conn.name}" has no fallback company to make the test ticket on`,
      `Name a mapped customer (safeweb psa test ${conn.name} REF), or set one: safeweb psa set ${conn.name} --fallback-company ID`,
    );
  // A customer's own board (ConnectWise), queue (Autotask) or ticket type (Halo), else the connection's: as a sync files it.
  const own = target?.psa?.[conn.kind.words.customerBoard];
  const policy = await resolvePolicy(conn.client, conn.name, conn.policy, own ?? conn.policy.board, conn.kind.words);
  const company = pickCompany(
    await conn.client.companies(),
    companyRef,
    target?.psa ? `the company of customer ${target.reference}` : 'the fallback company',
    target?.psa
      ? 'Map the customer again: safeweb psa map'
      : `Set another: safeweb psa set ${conn.name} --fallback-company ID`,
    conn.kind.farSide,
  );
  const priority = policy.priorities?.low ?? policy.priorities?.moderate;
  const made = await conn.client.createTicket(
    {
      summary: `[safeweb test] connection check of "${conn.name}"${target ? ` for ${target.reference}` : ''}`,
      description:
        'A test ticket made by `safeweb psa test` to check that tickets are accepted with these settings ' +
        `(${conn.kind.words.board} ${policy.board.name}, status ${policy.newStatus.name}${priority ? `, priority ${priority.name}` : ''}). ` +
        'It is closed at once; nothing needs doing.',
      companyId: company.id,
      boardId: policy.board.id,
      statusId: policy.newStatus.id,
      priorityId: priority?.id,
      sourceId: policy.sourceId,
      typeId: policy.typeId,
      externalXRef: `safeweb-test:${ctx.now().toISOString()}`,
    },
    TEST_TAG,
  );
  const where = `on ${conn.kind.words.board} ${policy.board.name} for ${company.name} (${company.identifier})`;
  const data = {
    connection: conn.name,
    ticketId: made.id,
    companyId: company.id,
    boardId: policy.board.id,
    closed: false,
  };
  try {
    const closed = await conn.client.setStatus(made.id, policy.closedStatus.id);
    return {
      data: { ...data, closed: closed.closed },
      view: lines(String(made.id)),
      notes: [success(`Made test ticket ${made.id} ${where}, and closed it (${policy.closedStatus.name}).`)],
    };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    // The ticket exists: say which, and let the failure set the exit code.
    return {
      data,
      view: lines(String(made.id)),
      notes: [warn(`made test ticket ${made.id} ${where}, but could not close it: ${error.message}; close it by hand`)],
      failures: [error.exitCode],
    };
  }
}
