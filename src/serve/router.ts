/**
 * Routing: what the outbox holds for a sink and is due (new, a retry whose backoff has passed, a
 * lease whose process is gone) goes to that sink's handler, after each delivery kept and on a
 * timer, so retries follow the outbox's backoff and a restart after a crash picks up what was
 * accepted and not yet acknowledged. The handlers hold and record items through the outbox
 * (`due` / `record`), which is what makes an event acted on once, whoever else (a cron `psa sync`)
 * runs beside the receiver.
 *
 * Sinks plug in by kind (`psa`, `notify`: the part of the sink's name before the colon). A sink
 * with no handler keeps its events pending — nothing is acknowledged that was not acted on — and
 * the receiver says so once.
 */
import { dueIn, dueItem, type AttemptOutcome, type DueItem, type Outbox } from '../findings/outbox.js';
import type { Folded } from '../findings/outbox-journal.js';
import type { Metrics } from './metrics.js';

interface RouteResult {
  acked: number;
  failed: number;
  /** Events the handler put in the outbox for other sinks (a ticket sync's ticket events): another pass sends them. */
  enqueued?: number | undefined;
}

export interface SinkHandler {
  /**
   * Acts on what is due for `sink` (`due`: the items a look without the lock found due; the
   * handler holds and records them through the outbox). `signal` aborts when the receiver stops.
   */
  route(sink: string, due: readonly DueItem[], outbox: Outbox, signal: AbortSignal): Promise<RouteResult>;
}

/** Sink kind ("psa", "notify") → its handler. */
export class SinkRegistry {
  readonly #handlers = new Map<string, SinkHandler>();

  register(kind: string, handler: SinkHandler): this {
    this.#handlers.set(kind, handler);
    return this;
  }

  handlerOf(sink: string): SinkHandler | undefined {
    return this.#handlers.get(sink.split(':')[0]!);
  }
}

/**
 * A handler for sinks that act on one event at a time (a message sent, a page raised): holds
 * what is due and records what `act` says of each, one after another.
 */
export function perEvent(act: (sink: string, item: DueItem) => Promise<AttemptOutcome>): SinkHandler {
  return {
    async route(sink, _due, outbox, signal) {
      const result = { acked: 0, failed: 0 };
      for (const item of await outbox.due(sink)) {
        const outcome: AttemptOutcome = signal.aborted
          ? { ok: false, error: 'the receiver stopped first', retryAfterMs: 0 }
          : await act(sink, item).catch((e: unknown) => ({ ok: false as const, error: String(e) }));
        await outbox.record(sink, item.key, outcome);
        result[outcome.ok ? 'acked' : 'failed']++;
      }
      return result;
    },
  };
}

/**
 * Per sink, what is due now (from the fold's index of each sink's unfinished items): plain
 * records, which later changes to the outbox leave as they were. Sinks `skip` names are left out
 * (those without a handler, once said: their items stay pending).
 */
function dueBySink(items: Folded, now: Date, skip: (sink: string) => boolean): Map<string, DueItem[]> {
  const out = new Map<string, DueItem[]>();
  for (const sink of items.sinks.keys()) {
    if (skip(sink)) continue;
    const due = dueIn(items, sink, now);
    if (due.length)
      out.set(
        sink,
        due.map((item) => dueItem(item, sink)),
      );
  }
  return out;
}

const KICK_DELAY_MS = 100;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export interface RouterDeps {
  outbox: Outbox;
  registry: SinkRegistry;
  metrics: Metrics;
  now(): Date;
  info(text: string): void;
  warn(text: string): void;
  /** How often to look for retries that have come due. */
  intervalMs: number;
}

export class Router {
  readonly #abort = new AbortController();
  readonly #unhandled = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #soon: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RouterDeps) {}

  start(): void {
    this.#timer = setInterval(() => this.kick(), this.deps.intervalMs);
    this.#timer.unref();
    this.kick();
  }

  /**
   * A pass soon; one at a time (a kick during a pass asks for another after it). Kicks within
   * KICK_DELAY_MS make one pass: under a burst of deliveries the outbox is read a few times a
   * second, not once per delivery, and the answers are not slowed by it.
   */
  kick(): void {
    if (this.#abort.signal.aborted || this.#soon) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      if (this.#abort.signal.aborted) return;
      this.#running = this.#loop().finally(() => (this.#running = undefined));
    }, KICK_DELAY_MS);
  }

  /** No new pass; the handlers are told to stop; resolves when the pass in flight has ended. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    this.#soon = undefined;
    this.#abort.abort();
    await this.#running;
  }

  /** Resolves once no pass is running or about to (tests, and the drain). */
  async idle(): Promise<void> {
    while (this.#running || this.#soon) {
      if (this.#running) await this.#running;
      else await new Promise((resolve) => setTimeout(resolve, KICK_DELAY_MS));
    }
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      await this.#pass();
      // Kicked during the pass: the next one after the same delay as a first kick's, so a steady
      // stream of deliveries makes a few passes a second, not one after another without a break.
      if (this.#again) await pause(KICK_DELAY_MS, this.#abort.signal);
    } while (this.#again && !this.#abort.signal.aborted);
  }

  async #pass(): Promise<void> {
    let due: Map<string, DueItem[]>;
    try {
      // Under the outbox's lock, from this process's fold: only what was appended since is read
      // (nothing at all while the receiver keeps the lock), not the whole journal each pass.
      due = await this.deps.outbox.view((items) =>
        dueBySink(items, this.deps.now(), (sink) => this.#unhandled.has(sink)),
      );
    } catch (error) {
      this.deps.warn(`the outbox could not be read: ${(error as Error).message}`);
      return;
    }
    await Promise.all(
      [...due].map(async ([sink, items]) => {
        const handler = this.deps.registry.handlerOf(sink);
        if (!handler) {
          if (!this.#unhandled.has(sink))
            this.deps.info(
              `${items.length} event(s) for ${sink} wait in the outbox: this receiver has no handler for that kind ` +
                'of sink yet (they stay pending, unacknowledged, for the command that sends them)',
            );
          this.#unhandled.add(sink);
          return;
        }
        this.deps.metrics.retried(sink, items.filter((i) => i.attempts > 0).length);
        try {
          const result = await handler.route(sink, items, this.deps.outbox, this.#abort.signal);
          this.deps.metrics.routed(sink, result.acked, result.failed);
          if (result.acked || result.failed)
            this.deps.info(`${sink}: ${result.acked} event(s) acknowledged, ${result.failed} to retry`);
          if (result.enqueued) this.kick();
        } catch (error) {
          this.deps.metrics.routed(sink, 0, items.length);
          this.deps.warn(`${sink}: ${(error as Error).message}; its events are retried`);
        }
      }),
    );
  }
}
