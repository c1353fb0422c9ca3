/**
 * `notify send`: for cron (as often as the shortest digest). Under the account's `notify-send` run
 * lock (a second run waits 60 s, --wait changes it, then exits 2 naming the first): the comparison
 * with the sink's own state (the first run a baseline), what changed routed and kept in the outbox,
 * then everything due for the channels sent (notify/run.ts), at most --max-creates messages.
 * --flush sends what a digest's window or quiet hours hold, now. --dry-run keeps and sends nothing
 * and prints each message as it would be sent (no secret is read). The summary is the --json document.
 */
import type { Context } from '../../context.js';
import { ExitCode } from '../../exit-codes.js';
import { channelOfSink } from '../../findings/sinks.js';
import { shown, render, templatesFor } from '../../notify/channels.js';
import { info, lines, success, warn, type Note, type Outcome, type Text } from '../../outcome.js';
import { withRunLock } from '../../services.js';
import type { NotifyPlan, NotifyPlanOptions } from './plan.js';
import { openNotify, skippedNotes, sourceNotes } from './sending.js';
import { planPreview } from './preview.js';
import { sendDue } from '../../notify/run.js';

export interface NotifySendOptions extends NotifyPlanOptions {
  dryRun?: boolean | undefined;
  wait?: boolean | number | undefined;
}

interface NotifySendSummary {
  baseline: NotifyPlan['baseline'];
  /** Events the comparison found and routed, and how many of them were new to the outbox. */
  found: number;
  enqueued: number;
  sent: number;
  /** Failed, to be retried with backoff; dead-lettered (refused, or out of attempts). */
  retrying: number;
  deadLettered: number;
  /** Messages put off until their window or quiet hours end. */
  waiting: number;
  overCap: number;
  /** Not tried because the run stopped or the channel failed first: due again. */
  putBack: number;
  skipped: NotifyPlan['skipped'];
  messages: Array<{
    channel: string;
    route: string;
    id: string;
    window: string | null;
    events: number;
    to: string[];
    outcome: string;
    error?: string | undefined;
  }>;
}

const DEFAULT_WAIT_MS = 60_000;

export async function runNotifySend(opts: NotifySendOptions, ctx: Context): Promise<Outcome> {
  if (opts.dryRun) return dryRun(opts, ctx);
  return withRunLock(ctx, 'notify-send', opts.wait ?? DEFAULT_WAIT_MS, async () => {
    const { deps, collected } = await openNotify(ctx, opts, 'safeweb notify send', false);
    const stop = new AbortController();
    void ctx.waitForSignal().then(() => {
      stop.abort();
      ctx.sink.note(info('Stopping: no new message is sent; waiting for the ones in flight…'));
    });
    const report = await sendDue(deps, {
      flush: opts.flush,
      maxMessages: opts.maxCreates,
      signal: stop.signal,
      onMessage: (m) =>
        ctx.out.info(
          `${m.outcome === 'sent' ? 'sent' : m.outcome === 'dead' ? 'dead-lettered' : 'failed'}\t${m.channel}\t${m.route}\t` +
            `${m.events} event${m.events === 1 ? '' : 's'}\t${m.id}${m.error ? `\t${m.error}` : ''}`,
        ),
    });
    const count = (o: string) => report.messages.filter((m) => m.outcome === o).length;
    const data: NotifySendSummary = {
      baseline: collected.baseline,
      found: collected.events.length,
      enqueued: collected.enqueued,
      sent: count('sent'),
      retrying: count('retrying'),
      deadLettered: count('dead') + report.gone,
      waiting: report.waiting.length,
      overCap: report.overCap,
      putBack: report.putBack,
      skipped: report.skipped.map((s) => ({ reference: s.reference, sink: s.sink, reason: s.reason, key: s.key })),
      messages: report.messages.map((m) => ({
        channel: m.channel,
        route: m.route,
        id: m.id,
        window: m.window,
        events: m.events,
        to: m.to,
        outcome: m.outcome,
        ...(m.error ? { error: m.error } : {}),
      })),
    };
    return {
      data,
      notes: sendNotes(data, collected, report.waiting, stop.signal.aborted),
      failures: [
        ...collected.failures,
        ...report.failures.map((f) => f.exitCode),
        // Stopped by Ctrl+C: what was not sent waits, and the run says it was cancelled.
        ...(stop.signal.aborted ? [ExitCode.Cancelled] : []),
      ],
    };
  });
}

function sendNotes(
  data: NotifySendSummary,
  collected: Awaited<ReturnType<typeof openNotify>>['collected'],
  waiting: ReadonlyArray<{ at: string; waits: string }>,
  stopped: boolean,
): Note[] {
  const notes = sourceNotes(collected, 'notify send', true);
  const events = data.messages.filter((m) => m.outcome === 'sent').reduce((n, m) => n + m.events, 0);
  const said =
    `${stopped ? 'Stopped. ' : ''}Sent ${data.sent} message${data.sent === 1 ? '' : 's'} (${events} events)` +
    `${data.retrying ? `; ${data.retrying} failed and will be retried` : ''}` +
    `${data.deadLettered ? `; ${data.deadLettered} dead-lettered (\`safeweb outbox status\`)` : ''}.`;
  notes.push(data.sent || data.retrying || data.deadLettered ? info(said) : success(said));
  if (waiting.length) {
    const next = waiting.map((w) => w.at).sort()[0]!;
    notes.push(
      info(
        `${waiting.length} message${waiting.length === 1 ? '' : 's'} wait for a digest's window or quiet hours; the first at ${next} (--flush sends them now).`,
      ),
    );
  }
  if (data.overCap) notes.push(warn(`${data.overCap} more messages than --max-creates allows wait for the next run.`));
  if (data.putBack) notes.push(info(`${data.putBack} messages were not tried this run; they are due again.`));
  notes.push(
    ...skippedNotes(
      data.skipped.map((s) => ({ ...s, reason: s.reason as never })),
      true,
    ),
  );
  return notes;
}

/** --dry-run: each message the run would send now, rendered exactly as it would go (less the secret). */
async function dryRun(opts: NotifySendOptions, ctx: Context): Promise<Outcome> {
  const { doc, messages, notes, failures, deps } = await planPreview(ctx, opts, 'safeweb notify send', 'notify send');
  const now = ctx.now();
  const due = messages.filter((m) => m.at <= now && !m.overCap);
  const shownMessages: Array<{
    channel: string;
    route: string;
    id: string;
    events: number;
    to: string[];
    payload: unknown;
  }> = [];
  const text: Text[] = [];
  for (const m of due) {
    const channel = deps.settings.notify!.channels![channelOfSink(m.sink)!]!;
    const events = m.items.map((i) => i.event);
    const rendered = render(channel, m.window === null ? events[0]! : events, {
      context: (e) => deps.context(e),
      templates: await templatesFor(channel),
    });
    const payload = shown(rendered);
    shownMessages.push({ channel: m.channel, route: m.route, id: m.id, events: events.length, to: m.to, payload });
    text.push(
      `# ${m.channel} (${m.kind}) · ${m.route} · ${events.length} event${events.length === 1 ? '' : 's'} · ${m.id}`,
    );
    text.push(JSON.stringify(payload, null, 2));
  }
  notes.push(info('Nothing was sent, kept or recorded: a dry run.'));
  return { data: { ...doc, payloads: shownMessages }, view: lines(...text), notes, failures };
}
