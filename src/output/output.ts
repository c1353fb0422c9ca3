/**
 * The streams and colours a run writes with: data on stdout (the renderer decides its form),
 * talk (status, hints, warnings) on stderr.
 */
import type { Colors } from './color.js';
import type { JqFilter } from './jq.js';
import { jsonChunks } from './json-chunks.js';
import { renderTable } from './table.js';

export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export class Output {
  constructor(
    readonly stdout: WritableLike,
    readonly stderr: WritableLike,
    /** Colours for stdout. */
    readonly color: Colors,
    /** Colours for stderr. */
    readonly errColor: Colors,
    readonly json: boolean,
    readonly options: { verbose: boolean; maskPii?: boolean } = { verbose: false },
  ) {}

  #jq: JqFilter | undefined;
  /** --jq output in the order it was asked for: each result waits for the one before. */
  #filtered: Promise<void> = Promise.resolve();

  /** --jq: the document, and each record of a stream, go through this filter instead. */
  filterWith(jq: JqFilter): void {
    this.#jq = jq;
  }

  /** The one JSON document of a --json run (or what --jq makes of it; rejects when the filter fails). */
  async printJson(value: unknown): Promise<void> {
    const jq = this.#jq;
    if (!jq) {
      // Written piece by piece (output/json-chunks.ts): a plan's document can be 150 MB of text.
      await this.lines(jsonChunks(value), (chunk) => chunk);
      return;
    }
    const written = this.#filtered.then(async () => {
      this.stdout.write(await jq(value));
    });
    this.#filtered = written.catch(() => undefined);
    await written;
  }

  /**
   * One record of a stream (--json, --ndjson): one JSON line, or what --jq makes of it. A
   * record the filter fails on is said on stderr, and the stream goes on.
   */
  printRecord(value: unknown): void {
    if (!this.#jq) {
      this.line(JSON.stringify(value));
      return;
    }
    const jq = this.#jq;
    // The filter runs in another process: the record is written when its result is back, in turn.
    this.#filtered = this.#filtered.then(async () => {
      try {
        this.stdout.write(await jq(value));
      } catch (error) {
        this.warn(error instanceof Error ? error.message : String(error));
      }
    });
  }

  /** A table said on stderr (talk, such as the wizard's summary), coloured as stderr allows. */
  async tableOnStderr(headers: string[], rows: string[][]): Promise<void> {
    const columns = headers.map((header) => ({ key: header, header }));
    this.stderr.write(`${(await renderTable(columns, rows, this.errColor)).text}\n`);
  }

  /** Lines kept by `batch`, to be written as one. */
  #batch: string | undefined;

  /** A line of data on stdout. */
  line(text: string): void {
    if (this.#batch !== undefined) this.#batch += `${text}\n`;
    else this.stdout.write(`${text}\n`);
  }

  /** The lines `fn` writes (`line`, `printRecord` without --jq) go to stdout as one write. */
  batch(fn: () => void): void {
    if (this.#batch !== undefined) return fn();
    this.#batch = '';
    try {
      fn();
    } finally {
      const text = this.#batch;
      this.#batch = undefined;
      if (text) this.stdout.write(text);
    }
  }

  /**
   * Many lines of data, drawn and written as they come, about 64 KiB at a time; while a slow
   * reader has not taken what was written, the next batch waits. A plan of a million lines is
   * never held whole, in our memory or in the stream's buffer.
   */
  async lines<T>(items: Iterable<T>, draw: (item: T) => string): Promise<void> {
    let batch = '';
    for (const item of items) {
      batch += `${draw(item)}\n`;
      if (batch.length >= 65_536) {
        const more = this.stdout.write(batch);
        batch = '';
        if (more === false) await this.flushed();
      }
    }
    if (batch) this.stdout.write(batch);
  }

  /**
   * Resolves once everything written to stdout so far has left this process (a slow reader of a
   * pipe has it in the pipe, not in our buffer); rejects when it cannot be (the reader is gone).
   * What a run saves as "reported" is saved only after this.
   */
  async flushed(): Promise<void> {
    await this.#filtered;
    const stdout = this.stdout as WritableLike & {
      write(chunk: string, done: (error?: Error | null) => void): unknown;
    };
    return new Promise((resolve, reject) => {
      stdout.write('', (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Said only with --verbose. */
  detail(text: string): void {
    if (this.options.verbose) this.stderr.write(`${this.errColor.dim(text)}\n`);
  }

  info(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  success(text: string): void {
    this.stderr.write(`${this.errColor.green('✓')} ${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.errColor.yellow('warning:')} ${text}\n`);
  }

  hint(text: string): void {
    this.stderr.write(`${this.errColor.dim(text)}\n`);
  }
}
