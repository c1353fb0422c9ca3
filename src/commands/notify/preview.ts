/**
 * The plan `notify plan` shows and `notify send --dry-run` prints the payloads of: the comparison
 * run without keeping anything, and the outbox's items for the channels, planned (notify/preview.ts).
 */
import type { Context } from '../../context.js';
import type { ExitCodeValue } from '../../exit-codes.js';
import { keyOf } from '../../notify/notice.js';
import { previewSinks, type PreviewMessage } from '../../notify/preview.js';
import { info, warn, type Note } from '../../outcome.js';
import type { NotifyPlan, NotifyPlanOptions, PlannedMessage } from './plan.js';
import { openNotify, skippedNotes, sourceNotes } from './sending.js';
import { notifySinks } from '../../notify/run.js';
import { eventSinks, channelOfSink } from '../../findings/sinks.js';

export interface PlanPreview {
  doc: NotifyPlan;
  /** The messages planned, with their events (a dry run renders them). */
  messages: PreviewMessage[];
  notes: Note[];
  failures: ExitCodeValue[];
  deps: Awaited<ReturnType<typeof openNotify>>['deps'];
}

export async function planPreview(
  ctx: Context,
  opts: NotifyPlanOptions,
  command: string,
  verb: string,
): Promise<PlanPreview> {
  const { deps, collected } = await openNotify(ctx, opts, command, true);
  const now = ctx.now();
  const occurrence = collected.previous?.savedAt ?? 'first';
  const unkept = collected.events.map((event) => ({
    event,
    key: `${event.key}@${occurrence}`,
    sinks: eventSinks(deps.settings, event, deps.context(event)?.band ?? null).filter((s) => channelOfSink(s)),
  }));
  const preview = await deps.outbox.view((items) =>
    previewSinks(deps, items, notifySinks(deps, items), now, {
      flush: opts.flush,
      maxMessages: opts.maxCreates,
      unkept,
    }),
  );
  const messages: PlannedMessage[] = preview.messages.map((m) => ({
    channel: m.channel,
    kind: m.kind,
    route: m.route,
    id: m.id,
    window: m.window,
    events: m.items.length,
    to: m.to,
    at: m.at.toISOString(),
    now: m.at <= now,
    waits: m.at <= now ? null : (m.waits ?? null),
    overCap: m.overCap,
    keys: [...new Set(m.items.map((i) => keyOf(i.event)))].slice(0, 20),
  }));
  const ready = messages.filter((m) => m.now);
  const counts = {
    now: ready.filter((m) => !m.overCap).length,
    later: messages.length - ready.length,
    overCap: ready.filter((m) => m.overCap).length,
  };
  const doc: NotifyPlan = {
    baseline: collected.baseline,
    found: collected.events.length,
    messages,
    counts,
    skipped: preview.skipped.map((s) => ({ reference: s.reference, sink: s.sink, reason: s.reason, key: s.key })),
    gone: preview.gone,
  };
  const notes = sourceNotes(collected, verb, false);
  notes.push(
    info(
      `${counts.now} message${counts.now === 1 ? '' : 's'} would go now, ${counts.later} later (a digest's window, quiet hours, a retry)` +
        `${counts.overCap ? `; ${counts.overCap} over --max-creates would wait for the next run` : ''}.`,
    ),
  );
  notes.push(...skippedNotes(preview.skipped, false));
  if (preview.gone)
    notes.push(warn(`${preview.gone} events wait for channels no longer in the settings: a send dead-letters them.`));
  return { doc, messages: preview.messages, notes, failures: collected.failures, deps };
}
