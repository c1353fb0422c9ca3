/**
 * `psa plan [CONNECTION]`: what `psa sync` would do, per customer — create, note, close, reopen
 * at the PSA; resolve or unresolve in SafeWeb because a technician closed or reopened a ticket —
 * with conflicts, the baseline a first run takes, the creates over --max-creates, the
 * unmapped customers, and the messages about tickets the notification routes that name ticket
 * events would get. Sends nothing; --exit-status is 8 when there is something to do.
 */
import type { Context } from '../../context.js';
import { hint, info, table, warn, type Note, type Outcome } from '../../outcome.js';
import { hasWork, planColumns, planRows, planSummary, type PlanSummary } from '../../psa/plan-summary.js';
import { preparePlan, type PreparedPlan } from '../../psa/session.js';
import { psaPlanSource } from '../../services.js';

export interface PsaPlanOptions {
  connection?: string | undefined;
  file?: string | undefined;
  customers?: string[] | undefined;
  concurrency: number;
  includeExisting?: boolean | undefined;
  since?: string | undefined;
  maxCreates: number;
  /** --max-per-hour: the hourly budget of a PSA that has one (Autotask). */
  maxPerHour?: number | undefined;
}

export async function runPsaPlan(opts: PsaPlanOptions, ctx: Context): Promise<Outcome<PlanSummary>> {
  const source = await psaPlanSource(ctx, opts.connection, {
    file: opts.file,
    command: 'safeweb psa plan',
    maxPerHour: opts.maxPerHour,
  });
  const prepared = await preparePlan(ctx, source, { ...opts, now: ctx.now() });
  const summary = planSummary(source.connection, prepared.plan);
  return {
    data: summary,
    view: table(
      planColumns(summary),
      planRows(summary),
      `Nothing to do: tickets in ${source.connection} match the book.`,
    ),
    notes: planNotes(summary, prepared, 'psa sync'),
    finding: hasWork(summary) ? `${summary.actions.length} ticket changes` : undefined,
    failures: prepared.book.failures,
  };
}

/** What a plan says besides its rows: the baseline, the cap, conflicts, unmapped customers. Shared with sync. */
export function planNotes(summary: PlanSummary, prepared: PreparedPlan, verb: string): Note[] {
  const notes: Note[] = [];
  const c = summary.counts;
  notes.push(
    info(
      `${summary.connection}: ${prepared.tickets.size} tickets owned; create ${c.create}, note ${c.note}, close ${c.close}, ` +
        `reopen ${c.reopen}; in SafeWeb resolve ${c.resolve}, unresolve ${c.unresolve}.`,
    ),
  );
  if (summary.messages.length) notes.push(...messageNotes(summary, verb));
  if (summary.baseline.customers)
    notes.push(
      info(
        `Baseline: ${summary.baseline.customers} customers synced for the first time; their ${summary.baseline.findings} ` +
          'existing findings get no ticket.',
      ),
      hint(`\`safeweb ${verb} --include-existing\` (or --since DATE) tickets them too.`),
    );
  if (summary.held)
    notes.push(
      warn(`${summary.held} more tickets would be created than --max-creates allows; they wait for the next run.`),
      hint(`Raise the cap with \`safeweb ${verb} --max-creates N\`.`),
    );
  for (const k of summary.conflicts)
    notes.push(
      warn(
        `conflict on ticket ${k.ticketId} (${k.reference}): a technician ${k.psa} it while the breach ${k.safeweb} ` +
          `in SafeWeb; the newest change wins: ${k.winner === 'psa' ? 'the ticket' : 'SafeWeb'}.`,
      ),
    );
  const dropped = summary.unmapped.filter((u) => !u.fallback);
  for (const u of summary.unmapped.filter((x) => x.fallback))
    notes.push(info(`${u.reference} (${u.companyName}) has no PSA company: its tickets go to the fallback company.`));
  if (dropped.length)
    notes.push(
      warn(
        `${dropped.length} customers with findings have no PSA company and there is no fallback company: ` +
          dropped
            .slice(0, 10)
            .map((u) => `${u.reference} (${u.findings})`)
            .join(', ') +
          (dropped.length > 10 ? ', …' : ''),
      ),
      hint(
        `Map them with \`safeweb psa map ${summary.connection} --write\`, or set a fallback: \`safeweb psa set ${summary.connection} fallbackCompany=ID\`.`,
      ),
    );
  return notes;
}

/** The messages about tickets a sync causes: how many, to which channels, about how many tickets, and who sends them. */
function messageNotes(summary: PlanSummary, verb: string): Note[] {
  const tickets = (event: string) =>
    new Set(summary.messages.filter((m) => m.event === event).map((m) => `${m.ticketKey} ${m.ticketId}`)).size;
  const channels = [...new Set(summary.messages.map((m) => m.channel))].sort().join(', ');
  const pending = summary.messages.filter((m) => m.pending).length;
  return [
    info(
      `Messages about tickets: ${summary.messages.length} to ${channels} (tickets created ${tickets('ticket.created')}, ` +
        `closed ${tickets('ticket.closed')}${pending ? `; ${pending} messages kept by a sync that did not finish` : ''}); ` +
        `\`safeweb ${verb}\` puts them in the outbox, \`safeweb notify send\` (or the receiver) sends them.`,
    ),
  ];
}
