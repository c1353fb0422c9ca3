/**
 * The one renderer: turns a verb's outcome into what stdout and stderr show. With --json, the
 * data as one JSON document; on a terminal, the view as a table, pairs or lines; in a pipe,
 * the same as tab-separated lines with no header and no colour. main is its only caller.
 */
import type { Note, Outcome, View } from '../outcome.js';
import type { Output } from './output.js';
import { COMPACT_CHARS, renderTable, renderTsv } from './table.js';

export async function render(outcome: Outcome, out: Output): Promise<void> {
  if (out.json) {
    if (outcome.data !== undefined) out.printJson(outcome.data);
  } else {
    const view = (!out.stdout.isTTY && outcome.piped) || outcome.view;
    if (view) await renderView(view, out);
  }
  for (const note of outcome.notes ?? []) say(note, out);
}

/** A note on stderr; `success` and `hint` are for people, so --json leaves them out. */
export function say(note: Note, out: Output): void {
  if (out.json && (note.tone === 'success' || note.tone === 'hint')) return;
  out[note.tone](note.text);
}

async function renderView(view: View, out: Output): Promise<void> {
  const tty = Boolean(out.stdout.isTTY);
  switch (view.kind) {
    case 'lines':
      for (const line of view.lines) out.line(line);
      return;
    case 'table':
      if (view.rows.length === 0) {
        if (view.empty) out.info(view.empty);
        return;
      }
      out.stdout.write(
        tty ? await renderTable(view.columns, view.rows, out.color, out.stdout.columns) : renderTsv(view.rows),
      );
      return;
    case 'pairs': {
      if (!tty) {
        out.stdout.write(renderTsv(view.pairs.map((p) => [p.key, p.value])));
        return;
      }
      const { default: Table } = await import('cli-table3');
      const table = new Table({ chars: COMPACT_CHARS, style: { head: [], border: out.color.level ? ['grey'] : [] } });
      for (const p of view.pairs) {
        table.push({ [out.color.bold(p.label)]: p.value === null || p.value === undefined ? '' : String(p.value) });
      }
      out.stdout.write(`${table.toString()}\n`);
    }
  }
}
