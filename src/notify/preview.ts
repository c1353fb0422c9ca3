/**
 * What `notify send` would send, without holding or sending anything: `notify plan`, and the
 * payloads `notify send --dry-run` prints. The outbox's items for each channel (those not yet
 * acknowledged nor given up on, and not in another process's hands), and the events this run's
 * comparison found but did not keep, planned as a send would plan them (plan.ts): each message
 * with its channel, route, recipients, ID and when it goes; what would be skipped and why; which
 * messages a cap would leave for the next run.
 */
import type { BookEvent } from '../findings/event.js';
import type { Folded, SinkState } from '../findings/outbox-journal.js';
import { duplicateKeys, planSink, sinkItems, type Message, type PlanItem, type PlanView, type Skip } from './plan.js';

export interface PreviewMessage extends Message {
  /** Beyond the cap of one run: it would wait for the next. */
  overCap: boolean;
}

export interface Preview {
  messages: PreviewMessage[];
  skipped: Skip[];
  /** Items whose channel is no longer in the settings (a send dead-letters them). */
  gone: number;
}

/** Events found and not kept (a dry run), with the sinks they would be kept for. */
export interface Unkept {
  event: BookEvent;
  sinks: readonly string[];
  /** The item key they would have (`<event key>@<occurrence>`). */
  key: string;
}

function waitingFor(state: SinkState, now: Date): boolean {
  if (state.state === 'pending' || state.state === 'retrying' || state.state === 'waiting') return true;
  // Held by a process: in flight there, unless its lease has ended.
  return state.state === 'held' && Date.parse(state.heldUntil ?? '') <= now.getTime();
}

/** The planned messages of `sinks` at `now`; messages due now beyond `maxMessages` are marked over the cap. */
export function previewSinks(
  view: PlanView,
  items: Folded,
  sinks: readonly string[],
  now: Date,
  options: { flush?: boolean | undefined; maxMessages?: number | undefined; unkept?: readonly Unkept[] | undefined },
): Preview {
  const preview: Preview = { messages: [], skipped: [], gone: 0 };
  for (const sink of sinks) {
    const planned: PlanItem[] = [];
    const later = new Map<string, Date>();
    for (const item of items.values()) {
      const state = item.sinks.get(sink);
      if (item.dropped || !state || !waitingFor(state, now)) continue;
      planned.push({ key: item.key, event: item.event, enqueuedAt: item.enqueuedAt });
      if (state.state === 'retrying' && state.nextAt) later.set(item.key, new Date(state.nextAt));
    }
    const unkept = (options.unkept ?? []).filter((u) => u.sinks.includes(sink) && !items.has(u.key));
    for (const u of unkept) planned.push({ key: u.key, event: u.event, enqueuedAt: now.toISOString() });
    const all = [...sinkItems(items, sink), ...unkept.map((u) => ({ key: u.key, event: u.event, dead: false }))];
    const plan = planSink(sink, planned, view, now, { flush: options.flush, duplicates: duplicateKeys(all) });
    preview.gone += plan.gone.length;
    preview.skipped.push(...plan.skipped);
    for (const message of plan.messages) {
      // A message retried after a failure goes no sooner than its retry.
      const retry = Math.max(0, ...message.items.map((i) => later.get(i.key)?.getTime() ?? 0));
      const at = retry > message.at.getTime() ? new Date(retry) : message.at;
      preview.messages.push({ ...message, at, overCap: false });
    }
  }
  preview.messages.sort((a, b) => a.at.getTime() - b.at.getTime());
  let left = options.maxMessages ?? Infinity;
  for (const message of preview.messages)
    if (message.at <= now) {
      if (left > 0) left -= 1;
      else message.overCap = true;
    }
  return preview;
}
