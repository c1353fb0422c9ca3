/**
 * The one renderer: turns a verb's outcome into what stdout and stderr show. With --json, the
 * data as one JSON document; on a terminal, the view as a table, pairs, lines, marked result
 * lines or a document laid out to the terminal's width; in a pipe, the same as tab-separated
 * lines with no header and no colour; with --csv, a header row of field names and RFC 4180 rows.
 * --fields chooses and orders the columns of all three forms. Views and notes say what a thing
 * is (outcome.ts `Tone`); only here, and in the sink, does that become colour or width.
 * main is its only caller.
 */
import { UsageError } from '../errors.js';
import {
  plainText,
  type Cell,
  type Column,
  type Mark,
  type Note,
  type Outcome,
  type Section,
  type Text,
  type View,
} from '../outcome.js';
import { drawText, plainColors, type Colors } from './color.js';
import { inertCell } from './inert.js';
import type { Output } from './output.js';
import { COMPACT_CHARS, renderTable, renderTsv } from './table.js';
import { isPersonKey, maskPii } from '../safety/mask.js';
import { inertCsvCell } from './csv-cell.js';

export interface RenderOptions {
  /** --csv: table-shaped output as CSV. */
  csv?: boolean | undefined;
  /** --fields: these columns (by key), in this order. */
  fields?: string[] | undefined;
  /**
   * --ndjson: the run's records went out as JSON lines while it ran (Sink.item), so the list
   * at the end is not printed again, in any form; stdout stays one format.
   */
  streamed?: boolean | undefined;
}

export async function render(shown: Outcome, out: Output, options: RenderOptions = {}): Promise<void> {
  const outcome = out.options.maskPii ? await masked(shown) : shown;
  if (options.streamed) {
    // The records are out already.
  } else if (out.json) {
    if (outcome.data !== undefined) await out.printJson(outcome.data);
  } else {
    // CSV is for programs, like a pipe: the piped form when it is table-shaped, else the view.
    const chosen = options.csv
      ? ([outcome.piped, outcome.view].find((v) => v && v.kind !== 'lines') ?? outcome.view)
      : out.stdout.isTTY
        ? outcome.view
        : (outcome.piped ?? outcome.view);
    const view = chosen && options.fields ? selectFields(chosen, options.fields) : chosen;
    if (view && options.csv) await renderCsv(view, out);
    // Columns chosen with --fields are all shown, however narrow the terminal (cut short if need be).
    else if (view) await renderView(view, out, !options.fields);
  }
  for (const note of outcome.notes ?? []) say(note, out);
}

/**
 * --mask-pii: the data (every e-mail, and person names by their key) and the views (by column
 * key) masked; the output streams mask any e-mail that is left (context.ts).
 */
async function masked(outcome: Outcome): Promise<Outcome> {
  const view = (v: View | undefined): View | undefined => {
    if (v?.kind === 'lines') return { kind: 'lines', lines: mapLines(v.lines, maskPii) };
    if (!v || v.kind === 'marked' || v.kind === 'document') return v && maskPii(v);
    if (v.kind === 'pairs')
      return {
        ...v,
        pairs: v.pairs.map((p) => ({
          ...p,
          value: isPersonKey(p.key) ? maskPii({ contactName: p.value }).contactName : maskPii(p.value),
        })),
      };
    const person = v.columns.map((c) => isPersonKey(c.key));
    return {
      ...v,
      rows: v.rows.map((row) =>
        row.map((cell, i) => (person[i] ? maskPii({ contactName: cell }).contactName : maskPii(cell))),
      ),
    };
  };
  return {
    ...outcome,
    data: maskPii(outcome.data),
    view: view(outcome.view),
    piped: view(outcome.piped),
    notes: maskPii(outcome.notes),
  };
}

/** A note on stderr; `success` and `hint` are for people, so --json leaves them out. */
export function say(note: Note, out: Output): void {
  if (out.json && (note.tone === 'success' || note.tone === 'hint')) return;
  out[note.tone](drawText(note.text, out.errColor));
}

/** The view with only the named columns (or pairs), in the order named; an unknown name is exit 2. */
function selectFields(view: View, fields: string[]): View {
  if (view.kind === 'lines' || view.kind === 'marked' || view.kind === 'document') return view;
  const keys = view.kind === 'table' ? view.columns.map((c) => c.key) : view.pairs.map((p) => p.key);
  const unknown = fields.filter((f) => !keys.includes(f));
  if (unknown.length) {
    throw new UsageError(
      `--fields: no field named ${unknown.map((f) => `"${f}"`).join(', ')} here`,
      `Fields: ${keys.join(', ')}.`,
    );
  }
  if (view.kind === 'pairs') {
    return { ...view, pairs: fields.map((f) => view.pairs.find((p) => p.key === f)!) };
  }
  const index = fields.map((f) => keys.indexOf(f));
  return {
    ...view,
    columns: index.map((i) => view.columns[i]!),
    rows: view.rows.map((row) => index.map((i) => row[i])),
  };
}

async function renderCsv(view: View, out: Output): Promise<void> {
  let header: string[];
  let rows: Cell[][];
  if (view.kind === 'table') {
    header = view.columns.map((c: Column) => c.key);
    rows = view.rows;
  } else if (view.kind === 'pairs') {
    header = view.pairs.map((p) => p.key);
    rows = [view.pairs.map((p) => p.value)];
  } else if (view.kind === 'marked') {
    header = ['mark', 'text'];
    rows = view.items.map((item) => [item.mark, item.text]);
  } else {
    header = ['line'];
    const text =
      view.kind === 'lines'
        ? Array.from(view.lines, plainText)
        : (await layoutDocument(view, plainColors, 100)).split('\n');
    rows = text.map((l) => [l]);
  }
  const { stringify } = await import('csv-stringify/sync');
  // Text that a spreadsheet would run as a formula gets a leading ' (csv-cell.ts). Not numbers
  // (-5 is a value, not a formula), and not a marked view's mark: `+` and `-` there are this
  // tool's own words for added and removed, never data, and programs read them as they are.
  const own = view.kind === 'marked' ? 1 : 0;
  const cells = rows.map((row) =>
    row.map((c, i) => {
      const text = c === null || c === undefined ? '' : typeof c === 'object' ? c.text : c;
      return typeof text === 'string' && i >= own ? inertCsvCell(text) : text;
    }),
  );
  out.stdout.write(stringify([header, ...cells], { record_delimiter: 'windows', cast: { boolean: (b) => String(b) } }));
}

async function renderView(view: View, out: Output, drop: boolean): Promise<void> {
  const tty = Boolean(out.stdout.isTTY);
  switch (view.kind) {
    case 'lines':
      await out.lines(view.lines, (line) => drawText(line, out.color));
      return;
    case 'document':
      // At most 100 columns: prose wider than that is hard to read, however wide the terminal.
      out.line(await layoutDocument(view, out.color, Math.min(out.stdout.columns ?? 80, 100)));
      return;
    case 'marked': {
      const c = out.color;
      const marks: Record<Mark, string> = {
        '+': c.green('+'),
        '-': c.red('-'),
        ok: c.green('✓'),
        failed: c.red('✗'),
        unknown: c.yellow('?'),
        skip: c.dim('·'),
      };
      if (view.heading === undefined) {
        for (const item of view.items) out.line(`${marks[item.mark]} ${item.text}`);
        return;
      }
      out.line(`${c.green('✓')} ${view.heading}`);
      for (const item of view.items) out.line(`  ${marks[item.mark]} ${item.text}`);
      return;
    }
    case 'table': {
      if (view.rows.length === 0) {
        if (view.empty) out.info(view.empty);
        return;
      }
      if (!tty) {
        out.stdout.write(renderTsv(view.rows));
        return;
      }
      const width = out.stdout.columns;
      const drawn = await renderTable(view.columns, view.rows, out.color, width, drop);
      out.stdout.write(drawn.text);
      if (drawn.hidden.length)
        out.hint(
          `Left out to fit ${width} columns: ${drawn.hidden.join(', ')}. ` +
            '--json shows every field; a wider terminal or --fields shows them here.',
        );
      return;
    }
    case 'pairs': {
      if (!tty) {
        out.stdout.write(renderTsv(view.pairs.map((p) => [p.key, p.value])));
        return;
      }
      const { default: Table } = await import('cli-table3');
      const table = new Table({ chars: COMPACT_CHARS, style: { head: [], border: out.color.level ? ['grey'] : [] } });
      for (const p of view.pairs) {
        table.push({
          [out.color.bold(p.label)]: p.value === null || p.value === undefined ? '' : inertCell(String(p.value)),
        });
      }
      out.stdout.write(`${table.toString()}\n`);
    }
  }
}

/**
 * A document laid out for reading: the title and a blank line, then each section (separated by
 * a blank line) as its heading in bold with its status, and its pairs, paragraphs and lists
 * wrapped to `width` and indented under it.
 */
async function layoutDocument(view: Extract<View, { kind: 'document' }>, c: Colors, width: number): Promise<string> {
  const { default: wrapAnsi } = await import('wrap-ansi');
  const wrap = (text: string, indent: string) =>
    wrapAnsi(text, Math.max(30, width - indent.length), { hard: true })
      .split('\n')
      .map((l) => `${indent}${l}`)
      .join('\n');
  const section = (s: Section) => {
    const lines = [`${c.bold(s.heading)}${(s.status ?? []).map((part) => `  ${drawText([part], c)}`).join('')}`];
    for (const { label, value } of s.pairs ?? []) lines.push(wrap(`${label}: ${value}`, '  '));
    for (const paragraph of s.paragraphs ?? []) lines.push(wrap(paragraph, '  '));
    for (const list of s.lists ?? []) {
      lines.push(`  ${list.label}:`);
      for (const item of list.items) lines.push(wrap(`• ${item}`, '    '));
    }
    return lines.join('\n');
  };
  const body = view.sections.map(section).join('\n\n');
  return view.title === undefined ? body : `${drawText(view.title, c)}\n\n${body}`;
}

/** Each line masked as it is read: a long view (a plan) is never copied whole. */
function* mapLines(lines: Iterable<Text>, map: (line: Text) => Text): Generator<Text> {
  for (const line of lines) yield map(line);
}
