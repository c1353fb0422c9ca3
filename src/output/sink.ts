/**
 * Where long-running verbs (bulk runs, `breach check --ndjson`, `webhook listen`, the sandbox)
 * send what happens while they run. main owns it and decides the form under the same rules as
 * the renderer (JSON lines or lines for people, colour or none), so those verbs never look at
 * --json, --ndjson or a TTY either.
 */
import type { Cell, Note, Text } from '../outcome.js';
import { drawText } from './color.js';
import type { Output } from './output.js';
import { startProgress, type Progress } from './progress.js';
import { renderTsv } from './table.js';
import { say } from './render.js';
import { maskPii } from '../safety/mask.js';

export interface Sink {
  /**
   * One record of a stream (a delivery received, a change seen): one JSON line with --json or
   * --ndjson; otherwise its line for people, its tones in colour on a terminal.
   */
  event(data: unknown, line: Text): void;
  /** The events (and other lines of data) `fn` writes go to stdout as one write: a burst, not a write each. */
  batch(fn: () => void): void;
  /**
   * One record of a run whose result is the list of them (an address checked): one JSON line as
   * it is made when the run streams (--ndjson), and then the renderer prints no list at the end;
   * otherwise nothing now, since the outcome shows the whole list.
   */
  item(data: unknown): void;
  /**
   * One item of a run whose result is a summary (a bulk row): a tab-separated line in a pipe;
   * nothing on a terminal, where the progress bar shows it, nor with --json.
   */
  row(cells: Cell[]): void;
  /** Talk during the run, on stderr. */
  note(note: Note): void;
  /** A progress bar on stderr when it is a terminal and there are enough items; else nothing. */
  progress(label: string, total: number): Promise<Progress>;
  /** Resolves once every event so far has left this process (Output.flushed). */
  flushed(): Promise<void>;
}

export function createSink(out: Output, ndjson: boolean): Sink {
  // Masked e-mails are caught by the stream; names need the record's keys.
  const record = (data: unknown) => out.printRecord(out.options.maskPii ? maskPii(data) : data);
  return {
    event(data, line) {
      if (out.json || ndjson) record(data);
      else out.line(drawText(line, out.color));
    },
    batch: (fn) => out.batch(fn),
    item(data) {
      if (ndjson) record(data);
    },
    row(cells) {
      if (!out.json && !out.stdout.isTTY) out.stdout.write(renderTsv([cells]));
    },
    note: (note) => say(note, out),
    progress: (label, total) => startProgress(out.stderr as NodeJS.WritableStream & { isTTY?: boolean }, label, total),
    flushed: () => out.flushed(),
  };
}
