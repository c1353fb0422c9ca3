/**
 * Rows for people and for programs: a cli-table3 table on a terminal, tab-separated lines with
 * no header and no colour when piped (so `cut -f2` and `awk` work).
 */
import type { Cell, Column as ViewColumn } from '../outcome.js';

/** What drawing a table needs of a column (its key matters to programs, not here). */
type Column = Omit<ViewColumn, 'key'>;
import { paint, type Colors } from './color.js';
import { inertCell } from './inert.js';

/** Box lines around the table and under the header only: no rule between every row. */
export const COMPACT_CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function plain(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  if (typeof cell === 'object') return plain(cell.text);
  return inertCell(String(cell));
}

/** A cell as a terminal shows it: a styled one in its tone's colour. */
function drawn(cell: Cell, chalk: Colors): string {
  return typeof cell === 'object' && cell !== null ? paint(chalk, cell.tone, plain(cell.text)) : plain(cell);
}

/** Tab-separated text, one line per row; no line ends in an empty field (a stray tab). */
export function renderTsv(rows: Cell[][]): string {
  return rows.map((row) => row.map(plain).join('\t').replace(/\t+$/, '')).join('\n') + (rows.length ? '\n' : '');
}

/** A boxed table for a terminal (cli-table3 is loaded only here). */
export async function renderTable(columns: Column[], rows: Cell[][], chalk: Colors, width?: number): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const cells = [columns.map((c) => c.header), ...rows.map((r) => r.map(plain))];
  const widths = width
    ? fitWidths(
        cells,
        width,
        columns.map((c) => Boolean(c.wrap)),
      )
    : undefined;
  // Too many columns for this terminal even with wrapping: one block per row instead.
  if (width && widths && widths.reduce((a, b) => a + b, 0) + columns.length + 1 > width)
    return renderRecords(columns, rows, chalk);
  const table = new Table({
    head: columns.map((c) => chalk.bold(c.header)),
    chars: COMPACT_CHARS,
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: chalk.level ? ['grey'] : [] },
    wordWrap: true,
    wrapOnWordBoundary: true,
    ...(widths ? { colWidths: widths } : {}),
  });
  for (const row of rows) table.push(row.map((cell) => drawn(cell, chalk)));
  return `${table.toString()}\n`;
}

/** Rows as blocks of "Header  value" lines, for terminals too narrow for the table. */
function renderRecords(columns: Column[], rows: Cell[][], chalk: Colors): string {
  const pad = Math.max(...columns.map((c) => c.header.length)) + 2;
  return `${rows.map((row) => columns.map((c, i) => `${chalk.bold(c.header.padEnd(pad))}${drawn(row[i], chalk)}`).join('\n')).join('\n\n')}\n`;
}

/**
 * Column widths (cell padding included) that fit `total` terminal columns by narrowing only the
 * wrappable columns, widest first, never below 12. IDs and dates are never cut. Undefined when
 * the natural widths already fit, or nothing can be narrowed.
 */
export function fitWidths(cells: string[][], total: number, wrappable: boolean[]): number[] | undefined {
  const count = cells[0]?.length ?? 0;
  if (count === 0 || !wrappable.some(Boolean)) return undefined;
  const widths = Array.from(
    { length: count },
    (_, i) => Math.max(...cells.map((row) => Math.max(...(row[i] ?? '').split('\n').map((l) => l.length)))) + 2,
  );
  const budget = total - (count + 1); // one border character per column, plus the last
  const MIN = 16;
  let over = widths.reduce((a, b) => a + b, 0) - budget;
  if (over <= 0) return undefined;
  while (over > 0) {
    const candidates = widths.map((w, i) => (wrappable[i] && w > MIN ? w : 0));
    const widest = Math.max(...candidates);
    if (widest === 0) break;
    const next = Math.max(MIN, ...candidates.filter((w) => w < widest));
    const atWidest = candidates.filter((w) => w === widest).length;
    const cut = Math.min(widest - next, Math.ceil(over / atWidest));
    for (let i = 0; i < widths.length; i++) if (candidates[i] === widest) widths[i] = widest - cut;
    over = widths.reduce((a, b) => a + b, 0) - budget;
  }
  return widths;
}
