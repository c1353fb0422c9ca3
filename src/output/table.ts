/**
 * Rows for people and for programs: a cli-table3 table on a terminal, tab-separated lines with
 * no header and no colour when piped (so `cut -f2` and `awk` work).
 */
import type { Colors } from './color.js';

export interface Column {
  header: string;
  /** Right-align numbers. */
  align?: 'left' | 'right';
}

export type Cell = string | number | boolean | null | undefined;

/** Box lines around the table and under the header only: no rule between every row. */
export const COMPACT_CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function plain(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  return String(cell).replace(/[\t\n\r]+/g, ' ');
}

/** Tab-separated text, one line per row. */
export function renderTsv(rows: Cell[][]): string {
  return rows.map((row) => row.map(plain).join('\t')).join('\n') + (rows.length ? '\n' : '');
}

/** A boxed table for a terminal (cli-table3 is loaded only here). */
export async function renderTable(columns: Column[], rows: Cell[][], chalk: Colors, width?: number): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: columns.map((c) => chalk.bold(c.header)),
    chars: COMPACT_CHARS,
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: chalk.level ? ['grey'] : [] },
    wordWrap: true,
    ...(width ? {} : {}),
  });
  for (const row of rows) table.push(row.map(plain));
  return `${table.toString()}\n`;
}
