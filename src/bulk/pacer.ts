/**
 * Pace for bulk work: at most `concurrency` requests in flight, at most `maxRps` started per
 * second, and an automatic slow-down when the server says 429: everyone waits out Retry-After,
 * concurrency halves, then grows back one step per run of successes.
 */
export interface PaceOptions {
  concurrency: number;
  maxRps?: number | undefined;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const RECOVER_AFTER = 20;

export class Pacer {
  #limit: number;
  readonly #max: number;
  readonly #interval: number;
  #inFlight = 0;
  #nextStart = 0;
  #pausedUntil = 0;
  #streak = 0;
  #waiters: Array<() => void> = [];
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: PaceOptions) {
    this.#limit = this.#max = Math.max(1, options.concurrency);
    this.#interval = options.maxRps ? 1000 / options.maxRps : 0;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get limit(): number {
    return this.#limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits for a free slot, the rate and any 429 pause; then counts one more in flight. */
  async acquire(): Promise<void> {
    while (this.#inFlight >= this.#limit) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    for (;;) {
      const wait = Math.max(this.#pausedUntil, this.#nextStart) - this.#now();
      if (wait <= 0) break;
      await this.#sleep(wait);
    }
    this.#nextStart = Math.max(this.#now(), this.#nextStart) + this.#interval;
    this.#inFlight++;
  }

  release(): void {
    this.#inFlight--;
    this.#waiters.shift()?.();
  }

  /** The server answered 429: pause everyone and halve the concurrency. */
  rateLimited(retryAfterMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + retryAfterMs);
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#streak = 0;
  }

  succeeded(): void {
    if (++this.#streak >= RECOVER_AFTER && this.#limit < this.#max) {
      this.#limit++;
      this.#streak = 0;
      this.#waiters.shift()?.();
    }
  }
}

/**
 * Runs `work` for every item, pulling items only when a slot is free (so memory stays flat),
 * until the items run out or `stopped()` says to stop dispatching; then waits for the rest.
 */
export async function runPaced<T>(
  items: AsyncIterable<T>,
  pacer: Pacer,
  work: (item: T) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const item of items) {
    if (stopped()) break;
    await pacer.acquire();
    if (stopped()) {
      pacer.release();
      break;
    }
    const job: Promise<void> = work(item).finally(() => {
      pacer.release();
      running.delete(job);
    });
    running.add(job);
  }
  await Promise.all(running);
}
