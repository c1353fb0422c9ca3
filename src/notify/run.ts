/**
 * The notification sink: what the outbox holds for the channels (`notify:<channel>` sinks) and is
 * due, sent. `notify send` calls it after its comparison; the receiver (`safeweb serve`) calls it
 * for its `notify:*` sinks after each delivery it keeps and on its timer.
 *
 * For each sink: the due items are held (the outbox's lease: no other process acts on them
 * meanwhile) and planned (plan.ts). Items whose channel is gone are dead-lettered; items skipped
 * (no contact, opted out, no route now, a duplicate) are acknowledged as skipped; messages whose
 * time has not come (a digest's window, quiet hours) are put off until it comes, no attempt
 * counted. The rest are sent, one at a time per far-side limit (pace.ts), at most `maxMessages`
 * in all: each is recorded the moment the far side answers, so a kill -9 repeats at most the one
 * in flight per channel (with the same message ID: receivers that dedupe take it once). A failure
 * is recorded (retried later with backoff; a refusal dead-lettered at once) and stops that
 * channel for this run; what was not tried is put back, due again at once or when the channel's
 * retry is.
 */
import type { Channel } from '../config/integrations.js';
import { CliError, AuthError } from '../errors.js';
import type { AttemptOutcome, Outbox } from '../findings/outbox.js';
import type { Folded } from '../findings/outbox-journal.js';
import { channelOfSink, notifySink } from '../findings/sinks.js';
import { render, send, templatesFor, type ChannelKind } from './channels.js';
import type { EmailTemplates } from './email-templates.js';
import { attemptOutcome, type Ack, type NotifyHttp, type SendOutcome } from './http.js';
import { Pacers, type Pacer } from './pace.js';
import { duplicateKeys, planSink, sinkItems, type Message, type PlanView, type Skip } from './plan.js';

export interface NotifyDeps extends PlanView {
  outbox: Outbox;
  now(): Date;
  /** A secret of the secret store, by the name a channel gives (`notify/soc`). */
  secret(name: string): Promise<string>;
  /** The HTTP engine the channels send on; `secrets` never appear in a trace. */
  http(secrets: readonly string[]): NotifyHttp;
  /** Email: extra certificate authorities to trust (a private relay's). */
  emailCa?: string | Buffer | undefined;
}

export interface SendDueOptions {
  /** Which sinks (`notify:soc`); every channel of the settings and every notify sink of the outbox when left out. */
  sinks?: readonly string[] | undefined;
  /** Send what is held (a digest's window, quiet hours) now. */
  flush?: boolean | undefined;
  /** At most this many messages (the rest wait for the next run); unlimited when left out. */
  maxMessages?: number | undefined;
  /** Aborted: no new message is sent; the one in flight per channel finishes and is recorded. */
  signal?: AbortSignal | undefined;
  /** Told of each message as its answer is recorded. */
  onMessage?: ((message: SentMessage) => void) | undefined;
}

/** A message tried, and how it went. */
interface SentMessage {
  sink: string;
  channel: string;
  kind: ChannelKind;
  route: string;
  id: string;
  window: string | null;
  /** How many events it was about (a digest's: all of its window's). */
  events: number;
  to: string[];
  outcome: 'sent' | 'retrying' | 'dead';
  ack?: Ack | undefined;
  error?: string | undefined;
}

/** A message put off until its time. */
interface WaitingMessage {
  channel: string;
  route: string;
  id: string;
  window: string | null;
  events: number;
  at: string;
  waits: 'digest' | 'quiet hours';
}

export interface SendReport {
  messages: SentMessage[];
  waiting: WaitingMessage[];
  /** Messages left for the next run by the cap. */
  overCap: number;
  /** Messages not tried because the run stopped (Ctrl+C) or their channel failed first: due again. */
  putBack: number;
  skipped: Skip[];
  /** Items dead-lettered because their channel is no longer in the settings. */
  gone: number;
  /** The typed errors of the messages that failed, for the run's exit code. */
  failures: CliError[];
}

/** The notify sinks to look at: every channel of the settings, and any the outbox holds items for. */
export function notifySinks(deps: Pick<NotifyDeps, 'settings'>, items: Folded): string[] {
  const sinks = new Set(Object.keys(deps.settings.notify?.channels ?? {}).map(notifySink));
  for (const sink of items.sinks.keys()) if (channelOfSink(sink)) sinks.add(sink);
  return [...sinks].sort();
}

interface PutBack {
  message: Message;
  until: Date;
  reason: string;
}

/** Sends what is due for the notify sinks; see the module's comment. */
export async function sendDue(deps: NotifyDeps, options: SendDueOptions = {}): Promise<SendReport> {
  const report: SendReport = { messages: [], waiting: [], overCap: 0, putBack: 0, skipped: [], gone: 0, failures: [] };
  const sinks = options.sinks ?? (await deps.outbox.view((items) => notifySinks(deps, items)));
  if (options.flush) await flushHeld(deps, sinks);
  const ready: Message[] = [];
  for (const sink of sinks) ready.push(...(await settle(sink, deps, options, report)));
  if (ready.length === 0) return report;
  const putBack: PutBack[] = [];
  const channels = await openChannels(ready, deps, report, putBack);
  const http = deps.http([...channels.values()].flatMap((c) => (c.secret === undefined ? [] : [c.secret])));
  const budget = { left: options.maxMessages ?? Infinity };
  const queues = new Map<Pacer, Message[]>();
  const pacers = new Pacers();
  for (const message of ready) {
    const open = channels.get(message.channel);
    if (!open) continue;
    const pacer = pacers.of(message.kind, open.secret ?? JSON.stringify(open.channel));
    queues.set(pacer, [...(queues.get(pacer) ?? []), message]);
  }
  const stopped = new Map<string, PutBack['until']>();
  await Promise.all(
    [...queues].map(async ([pacer, messages]) => {
      for (const message of messages) {
        const halt = stopped.get(message.channel);
        if (options.signal?.aborted || halt) {
          putBack.push({ message, until: halt ?? deps.now(), reason: halt ? 'its channel failed' : 'stopped' });
          continue;
        }
        if (budget.left <= 0) {
          report.overCap += 1;
          putBack.push({ message, until: deps.now(), reason: 'over --max-creates' });
          continue;
        }
        budget.left -= 1;
        const sent = await sendOne(message, channels.get(message.channel)!, http, deps, options, report, pacer);
        if (sent.stop) stopped.set(message.channel, sent.stop);
        if (sent.retryAfterMs) pacer.rateLimited(sent.retryAfterMs);
      }
    }),
  );
  report.putBack += putBack.length - report.overCap;
  for (const sink of new Set(putBack.map((p) => p.message.sink)))
    await deps.outbox.defer(
      sink,
      putBack
        .filter((p) => p.message.sink === sink)
        .flatMap((p) => p.message.items.map((i) => ({ key: i.key, until: p.until, reason: p.reason }))),
    );
  return report;
}

/** --flush: what waits for a window or quiet hours is put off until now, so it is due. */
async function flushHeld(deps: NotifyDeps, sinks: readonly string[]): Promise<void> {
  const now = deps.now();
  const held = await deps.outbox.view((items) =>
    sinks.map((sink) => ({
      sink,
      keys: [...items.values()].filter((i) => !i.dropped && i.sinks.get(sink)?.state === 'waiting').map((i) => i.key),
    })),
  );
  for (const { sink, keys } of held)
    await deps.outbox.defer(
      sink,
      keys.map((key) => ({ key, until: now, reason: 'flush' })),
    );
}

/**
 * One sink's due items planned, in one change of the outbox: the gone dead-lettered, the skipped
 * acknowledged, the early put off, and what goes now held for sending.
 */
async function settle(sink: string, deps: NotifyDeps, options: SendDueOptions, report: SendReport): Promise<Message[]> {
  const now = deps.now();
  const { held, value: plan } = await deps.outbox.decide(sink, now, (due, items) => {
    if (due.length === 0) return { value: undefined };
    // Whether a due item repeats the one before it depends only on the items about its finding.
    const about = new Set(due.map((i) => i.event.finding ?? i.event.key));
    const duplicates = duplicateKeys(sinkItems(items, sink, about));
    const plan = planSink(sink, due, deps, now, { flush: options.flush, duplicates });
    const error = `the channel "${channelOfSink(sink) ?? sink}" is no longer in the settings`;
    return {
      value: plan,
      hold: plan.messages.filter((m) => m.at <= now).flatMap((m) => m.items.map((i) => i.key)),
      record: [
        { keys: plan.gone.map((i) => i.key), outcome: { ok: false, error, permanent: true } },
        ...[...new Set(plan.skipped.map((s) => s.reason))].map((reason) => ({
          keys: plan.skipped.filter((s) => s.reason === reason).map((s) => s.key),
          outcome: { ok: true as const, ack: { skipped: reason } },
        })),
      ],
      defer: plan.messages
        .filter((m) => m.at > now)
        .flatMap((m) => m.items.map((i) => ({ key: i.key, until: m.at, reason: m.waits ?? 'digest' }))),
    };
  });
  if (!plan) return [];
  report.gone += plan.gone.length;
  report.skipped.push(...plan.skipped);
  for (const m of plan.messages.filter((m) => m.at > now))
    report.waiting.push({
      channel: m.channel,
      route: m.route,
      id: m.id,
      window: m.window,
      events: m.items.length,
      at: m.at.toISOString(),
      waits: m.waits ?? 'digest',
    });
  // What goes now, as it was held: every item of a message is (they were all due, and held together).
  const ours = new Set(held.map((i) => i.key));
  return plan.messages.filter((m) => m.at <= now && m.items.every((i) => ours.has(i.key)));
}

interface OpenChannel {
  channel: Channel;
  secret: string | undefined;
  templates: EmailTemplates | undefined;
}

/**
 * Each channel of the ready messages with its secret and templates; a channel whose secret or
 * templates cannot be read sends nothing this run (its messages are put back, its error reported).
 */
async function openChannels(
  ready: readonly Message[],
  deps: NotifyDeps,
  report: SendReport,
  putBack: PutBack[],
): Promise<Map<string, OpenChannel>> {
  const open = new Map<string, OpenChannel>();
  for (const name of new Set(ready.map((m) => m.channel))) {
    const channel = deps.settings.notify!.channels![name]!;
    try {
      const secretName = 'secret' in channel ? channel.secret : undefined;
      const secret = secretName ? await deps.secret(secretName) : undefined;
      open.set(name, { channel, secret, templates: await templatesFor(channel) });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      report.failures.push(error);
      for (const message of ready.filter((m) => m.channel === name))
        putBack.push({ message, until: deps.now(), reason: error.message });
    }
  }
  return open;
}

/** One message rendered, sent and recorded; says whether its channel should stop for this run. */
async function sendOne(
  message: Message,
  open: OpenChannel,
  http: NotifyHttp,
  deps: NotifyDeps,
  options: SendDueOptions,
  report: SendReport,
  pacer: Pacer,
): Promise<{ stop?: Date | undefined; retryAfterMs?: number | undefined }> {
  const events = message.items.map((i) => i.event);
  const keys = message.items.map((i) => i.key);
  let outcome: SendOutcome;
  try {
    const rendered = render(open.channel, message.window === null ? events[0]! : events, {
      context: (e) => deps.context(e),
      templates: open.templates,
    });
    // Rendered first: the pacer's wait ends in the request itself.
    await pacer.acquire();
    outcome = await send(open.channel, rendered, {
      http,
      secret: open.secret,
      messageId: message.id,
      now: deps.now(),
      email: { to: message.to.length ? message.to : undefined, ca: deps.emailCa },
      signal: undefined,
    });
  } catch (error) {
    // A channel URL that is not one, a secret that does not fit: nothing was sent, and retrying cannot help.
    if (!(error instanceof CliError)) throw error;
    outcome = { ok: false, error: error.message, permanent: true, cause: error };
  } finally {
    // The interval runs from the far side's answer, not from the journal's write after it.
    pacer.release();
  }
  const recorded: AttemptOutcome = outcome.ok
    ? { ok: true, ack: { message: message.id, ...outcome.ack } }
    : attemptOutcome(outcome);
  const [state] = await deps.outbox.recordAll(message.sink, keys, recorded);
  const sent: SentMessage = {
    sink: message.sink,
    channel: message.channel,
    kind: message.kind,
    route: message.route,
    id: message.id,
    window: message.window,
    events: events.length,
    to: message.to,
    outcome: outcome.ok ? 'sent' : state?.state === 'dead' ? 'dead' : 'retrying',
    ...(outcome.ok ? { ack: outcome.ack } : { error: outcome.error }),
  };
  report.messages.push(sent);
  options.onMessage?.(sent);
  if (outcome.ok) return {};
  report.failures.push(outcome.cause);
  // A refusal of this message alone (a 400, a 422) leaves the channel sending; anything else stops it.
  const alone = outcome.permanent && !(outcome.cause instanceof AuthError);
  if (alone) return { retryAfterMs: outcome.retryAfterMs };
  const until = state?.nextAt ? new Date(state.nextAt) : deps.now();
  return { stop: until, retryAfterMs: outcome.retryAfterMs };
}
