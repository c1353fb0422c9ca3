/**
 * Rows for people and for programs: a cli-table3 table on a terminal, one line per row and no
 * wider than the terminal; tab-separated lines with no header and no colour when piped (so
 * `cut -f2` and `awk` work), where every cell is whole.
 */
import type { Cell, Column as ViewColumn } from '../outcome.js';

/** What drawing a table needs of a column (its key matters to programs, not here). */
type Column = Omit<ViewColumn, 'key'> & { key?: string };
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

/** Tab-separated text, one line per row; no line ends in an empty field (a stray tab). */
export function renderTsv(rows: Cell[][]): string {
  return rows.map((row) => row.map(plain).join('\t').replace(/\t+$/, '')).join('\n') + (rows.length ? '\n' : '');
}

export interface DrawnTable {
  text: string;
  /** The headers of the columns left out to fit the terminal (the caller says so on stderr). */
  hidden: string[];
}

/**
 * A boxed table for a terminal (cli-table3 and string-width are loaded only here). With a
 * `width`, the table fits it: see layoutColumns. `drop: false` (the user chose the columns with
 * --fields) cuts text short but leaves no column out.
 */
export async function renderTable(
  columns: Column[],
  rows: Cell[][],
  chalk: Colors,
  width?: number,
  drop = true,
): Promise<DrawnTable> {
  const [{ default: Table }, { default: stringWidth }] = await Promise.all([
    import('cli-table3'),
    import('string-width'),
  ]);
  const texts = [columns.map((c) => c.header), ...rows.map((r) => r.map(plain))];
  const layout = width
    ? layoutColumns(columns, texts, width, stringWidth, drop)
    : { shown: columns.map((_, i) => i), widths: undefined };
  const fit = (text: string, i: number) => (layout.widths ? cut(text, layout.widths[i]! - PAD, stringWidth) : text);
  const table = new Table({
    head: layout.shown.map((i) => chalk.bold(fit(columns[i]!.header, i))),
    chars: COMPACT_CHARS,
    colAligns: layout.shown.map((i) => columns[i]!.align ?? 'left'),
    style: { head: [], border: chalk.level ? ['grey'] : [] },
    // Every cell is one line, cut to its width above: cli-table3 neither wraps nor cuts.
    wordWrap: false,
    ...(layout.widths ? { colWidths: layout.shown.map((i) => layout.widths![i]!) } : {}),
  });
  for (const row of rows) {
    table.push(
      layout.shown.map((i) => {
        // Cut first, then paint: the colour codes never count as width, and never get cut in half.
        const cell = row[i];
        const text = fit(plain(cell), i);
        return typeof cell === 'object' && cell !== null ? paint(chalk, cell.tone, text) : text;
      }),
    );
  }
  const hidden = columns.filter((_, i) => !layout.shown.includes(i)).map((c) => c.header || c.key || '');
  return { text: `${table.toString()}\n`, hidden };
}

/** Cell padding: a space each side. */
const PAD = 2;
/** Free text is cut to no fewer characters than these before a ranked column is left out… */
const KEEP_TEXT = 30;
/** …and ranked free text (less needed) to these. */
const KEEP_RANKED_TEXT = 16;
/** Once no ranked column is left: free text down to this, then any column down to LAST. */
const FLOOR_TEXT = 8;
const LAST = 2;

/**
 * Which columns a terminal of `total` characters shows, and their widths (padding included,
 * indexed like `columns`), so that each row is one line no wider than the terminal:
 *
 * 1. every column as wide as its widest cell, when that fits;
 * 2. else free text (`wrap`) is cut, the widest first, down to KEEP_TEXT (ranked free text to
 *    KEEP_RANKED_TEXT); IDs, dates and numbers keep their width;
 * 3. else the lowest-ranked column is left out and 2 is tried again, until no ranked column is
 *    left (a narrow terminal gets fewer columns, not a block of lines per row);
 * 4. else free text is cut down to FLOOR_TEXT, and then, as a last resort, any column to LAST.
 *
 * `measure` is the width of text on a terminal (string-width: wide characters count two).
 */
export function layoutColumns(
  columns: Array<Pick<Column, 'wrap' | 'rank'>>,
  cells: string[][],
  total: number,
  measure: (text: string) => number,
  drop = true,
): { shown: number[]; widths: number[] } {
  const natural = columns.map((_, i) => Math.max(0, ...cells.map((row) => measure(row[i] ?? ''))) + PAD);
  const atMost = (i: number, n: number) => Math.min(natural[i]!, n + PAD);
  const keep = (i: number) =>
    columns[i]!.wrap ? atMost(i, columns[i]!.rank === undefined ? KEEP_TEXT : KEEP_RANKED_TEXT) : undefined;
  let shown = columns.map((_, i) => i);
  let widths = natural;
  for (;;) {
    widths = narrowed(natural, shown, total, keep);
    if (fits(widths, shown, total)) return { shown, widths };
    const ranked = shown.filter((i) => columns[i]!.rank !== undefined);
    if (!drop || ranked.length === 0) break;
    // The least needed; of equals, the rightmost.
    const least = ranked.reduce((a, b) => (columns[b]!.rank! <= columns[a]!.rank! ? b : a));
    shown = shown.filter((i) => i !== least);
  }
  widths = narrowed(widths, shown, total, (i) => (columns[i]!.wrap ? atMost(i, FLOOR_TEXT) : undefined));
  if (!fits(widths, shown, total)) widths = narrowed(widths, shown, total, (i) => atMost(i, LAST));
  return { shown, widths };
}

/** One border character per shown column, and the last. */
function fits(widths: number[], shown: number[], total: number): boolean {
  return shown.reduce((sum, i) => sum + widths[i]!, 0) + shown.length + 1 <= total;
}

/**
 * `widths` with the widest shown columns narrowed, one character at a time, each no further
 * than its floor (undefined: not narrowed), until they fit `total` or none can give more.
 */
function narrowed(
  widths: number[],
  shown: number[],
  total: number,
  floor: (i: number) => number | undefined,
): number[] {
  const next = [...widths];
  while (!fits(next, shown, total)) {
    let widest: number | undefined;
    for (const i of shown) {
      const min = floor(i);
      if (min !== undefined && next[i]! > min && (widest === undefined || next[i]! >= next[widest]!)) widest = i;
    }
    if (widest === undefined) break;
    next[widest]!--;
  }
  return next;
}

/** `text` in at most `max` terminal columns: cut short with "…" when longer. */
export function cut(text: string, max: number, measure: (text: string) => number): string {
  if (measure(text) <= max) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = measure(segment);
    if (used + w > max - 1) break;
    kept += segment;
    used += w;
  }
  // No space before the ellipsis: "Freight…", not "Freight …".
  return `${kept.trimEnd()}…`;
}
