/**
 * Group commit into the outbox: the events of the deliveries that arrive while one write is in
 * flight go to disk together in the next (one lock, one append, one fsync), each delivery with its
 * own occurrence. A delivery's promise settles only once its events are on disk, so the answer
 * that acknowledges it never goes out before them; a failed write fails every delivery in it.
 *
 * Twins: an endpoint subscribed with both protocols gets one change twice (a `breach.new` and its
 * v1 `customer.breach.found`), as two deliveries with two occurrences. An event whose key the
 * outbox got within the twin window (from a delivery or a catch-up) is the same change, and is
 * not kept again: one finding, routed once. A real recurrence (resolved, back, resolved again) is
 * further apart than that; within it, the ticket sync reads the state anyway.
 */
import type { BookEvent } from '../findings/event.js';
import type { Outbox } from '../findings/outbox.js';

/** How far apart two deliveries of one change may arrive (SafeWeb retries for seconds, not minutes). */
const TWIN_WINDOW_MS = 10 * 60_000;

interface Waiting {
  events: readonly BookEvent[];
  occurrence: string;
  resolve: (added: number) => void;
  reject: (error: unknown) => void;
}

export class Committer {
  #queue: Waiting[] = [];
  #writing: Promise<void> | undefined;

  /** Event key → when the outbox last got it (ms). */
  readonly #recent = new Map<string, number>();

  constructor(
    private readonly outbox: Outbox,
    private readonly sinksOf: (event: BookEvent) => readonly string[],
    private readonly now: () => Date,
    private readonly twinWindowMs = TWIN_WINDOW_MS,
    /** A time before which a sink is not to act on an event kept at `at` (a digest's window): it starts out waiting. */
    private readonly waitsOf?: (
      event: BookEvent,
      sink: string,
      at: Date,
    ) => { until: Date; reason: string } | undefined,
  ) {
    const since = now().getTime() - twinWindowMs;
    for (const item of outbox.read().values()) {
      const at = Date.parse(item.enqueuedAt);
      if (at < since) continue;
      this.#recent.delete(item.event.key);
      this.#recent.set(item.event.key, at);
    }
  }

  /** Notes events the outbox got from elsewhere (a catch-up pass). */
  saw(events: readonly BookEvent[]): void {
    const at = this.now().getTime();
    for (const e of events) {
      this.#recent.delete(e.key);
      this.#recent.set(e.key, at);
    }
  }

  /** The events that are not a twin of one kept within the window; remembered as kept from now. */
  #fresh(events: readonly BookEvent[]): BookEvent[] {
    const now = this.now().getTime();
    // Oldest first (an entry is re-inserted when renewed): the expired ones are at the front.
    for (const [key, at] of this.#recent) {
      if (at >= now - this.twinWindowMs) break;
      this.#recent.delete(key);
    }
    const fresh = events.filter((e) => !this.#recent.has(e.key));
    for (const e of fresh) this.#recent.set(e.key, now);
    return fresh;
  }

  /** Resolves with how many of `events` were new to the outbox, once they are on disk. */
  commit(events: readonly BookEvent[], occurrence: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ events, occurrence, resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  /** Resolves when nothing waits to be written. */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    // Yield a turn, so the deliveries read in the same pass of the event loop share the first write too.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length) {
      const batch = this.#queue.splice(0);
      const of = new Map<BookEvent, string>();
      const events = batch.flatMap((w) => this.#fresh(w.events));
      for (const w of batch) for (const e of w.events) of.set(e, w.occurrence);
      try {
        const { added } = await this.outbox.enqueue(events, this.sinksOf, (e) => of.get(e)!, this.waitsOf);
        const fresh = new Set(added);
        for (const w of batch) w.resolve(w.events.filter((e) => fresh.has(`${e.key}@${w.occurrence}`)).length);
      } catch (error) {
        // Not kept after all: a retry of these deliveries must not be taken for a twin.
        for (const e of events) this.#recent.delete(e.key);
        for (const w of batch) w.reject(error);
      }
    }
    this.#writing = undefined;
  }
}
