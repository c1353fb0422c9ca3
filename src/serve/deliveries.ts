/**
 * The deliveries the receiver accepted, by what makes retries of one event alike (v1's
 * idempotencyToken, else the hash of the body): a replay is answered as the first was and acted
 * on never again, across restarts too. One line per delivery in
 * `<configDir>/serve/<account>.deliveries.ndjson`, appended after its events are in the outbox.
 *
 * Written without an fsync of its own, on purpose: what must survive a crash is the outbox, and
 * it does (fsynced before the answer). Were a line lost, the replay would be translated again and
 * its events found in the outbox under the same occurrence: answered the same, routed once.
 * Lines older than the retention are dropped when the receiver starts (SafeWeb retries within
 * seconds), so the file and the set in memory stay small.
 *
 * The lines of the deliveries a group commit answers together are written together: `add` keeps
 * its line and the first one of a turn asks for a write at the end of the turn's current work (a
 * microtask), which runs before any of those deliveries' answers is sent (their answers come
 * further down the same chain of promises). One write for the batch, not one each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { accountFile } from '../io/account-files.js';
import { appendRecord, openAppendLog } from '../io/append-log.js';
import { replaceFile } from '../io/safe-write.js';

const KIND = 'receiver’s delivery log';
const RETAIN_MS = 7 * 86_400_000;

export interface DeliveryLine {
  /** `v1:<idempotencyToken>` or the body's sha256. */
  id: string;
  at: string;
  type: string;
  /** The outbox items its events became (`<event key>@<occurrence>`). */
  items: number;
}

export class DeliveryLog {
  readonly #seen = new Map<string, DeliveryLine>();
  #fd: number | undefined;
  /** Lines added and not written yet. */
  #pending = '';

  private constructor(
    readonly file: string,
    private readonly failed: (error: Error) => void,
  ) {}

  /** Opens (and trims to the retention) the log of `account`; `failed` is told of a write the disk refused. */
  static open(configDir: string, account: string, now: Date, failed: (error: Error) => void): DeliveryLog {
    const file = accountFile(path.join(configDir, 'serve'), account, '.deliveries.ndjson', KIND);
    const log = new DeliveryLog(file, failed);
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const cutoff = now.getTime() - RETAIN_MS;
    let dropped = 0;
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      try {
        const line = JSON.parse(raw) as DeliveryLine;
        if (Date.parse(line.at) >= cutoff) log.#seen.set(line.id, line);
        else dropped++;
      } catch {
        dropped++; // a torn last line from a kill
      }
    }
    if (dropped > 0)
      replaceFile(file, [...log.#seen.values()].map((l) => `${JSON.stringify(l)}\n`).join(''), {
        kind: KIND,
        mayReplace: true,
      });
    log.#fd = openAppendLog(file, KIND).fd;
    return log;
  }

  get(id: string): DeliveryLine | undefined {
    return this.#seen.get(id);
  }

  get size(): number {
    return this.#seen.size;
  }

  add(line: DeliveryLine): void {
    // Remembered first: a line the disk refuses still answers this process's replays.
    this.#seen.set(line.id, line);
    // Closed (a delivery that outlived the drain): its events are in the outbox, which recognises a replay.
    if (this.#fd === undefined) return;
    if (this.#pending === '') queueMicrotask(() => this.#flush());
    this.#pending += `${JSON.stringify(line)}\n`;
  }

  #flush(): void {
    const text = this.#pending;
    this.#pending = '';
    if (text === '' || this.#fd === undefined) return;
    try {
      appendRecord(this.#fd, text, this.file);
    } catch (error) {
      this.failed(error as Error);
    }
  }

  close(): void {
    this.#flush();
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}
