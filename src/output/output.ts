/**
 * Where everything a command shows goes. Data on stdout (one JSON document with --json; a
 * table on a terminal; tab-separated text in a pipe). Talk (status, hints, warnings) on stderr.
 */
import type { Colors } from './color.js';
import type { Cell, Column as ViewColumn } from '../outcome.js';

type Column = Omit<ViewColumn, 'key'>;
import { COMPACT_CHARS, renderTable, renderTsv } from './table.js';

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
  ) {}

  /** The one JSON document of a --json run. */
  printJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Rows: a table on a terminal, TSV in a pipe. An empty list prints `empty` as a hint on stderr. */
  async printRows(columns: Column[], rows: Cell[][], empty = 'Nothing to show.'): Promise<void> {
    if (rows.length === 0) {
      this.info(empty);
      return;
    }
    if (this.stdout.isTTY) this.stdout.write(await renderTable(columns, rows, this.color, this.stdout.columns));
    else this.stdout.write(renderTsv(rows));
  }

  /** Label/value pairs: a two-column table on a terminal, `key<TAB>value` lines in a pipe. */
  async printPairs(pairs: Array<[label: string, key: string, value: Cell]>): Promise<void> {
    if (this.stdout.isTTY) {
      const { default: Table } = await import('cli-table3');
      const table = new Table({ chars: COMPACT_CHARS, style: { head: [], border: this.color.level ? ['grey'] : [] } });
      for (const [label, , value] of pairs)
        table.push({ [this.color.bold(label)]: value === null || value === undefined ? '' : String(value) });
      this.stdout.write(`${table.toString()}\n`);
    } else {
      this.stdout.write(renderTsv(pairs.map(([, key, value]) => [key, value])));
    }
  }

  /** A line of data on stdout. */
  line(text: string): void {
    this.stdout.write(`${text}\n`);
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
