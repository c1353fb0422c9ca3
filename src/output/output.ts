/**
 * The streams and colours a run writes with: data on stdout (the renderer decides its form),
 * talk (status, hints, warnings) on stderr.
 */
import type { Colors } from './color.js';

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
    readonly options: { verbose: boolean } = { verbose: false },
  ) {}

  /** The one JSON document of a --json run. */
  printJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A line of data on stdout. */
  line(text: string): void {
    this.stdout.write(`${text}\n`);
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
