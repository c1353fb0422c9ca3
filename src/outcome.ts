/**
 * What a verb returns: what it found (the data), how a person sees it (the view), and, for
 * runs over many items, the failures it met and whether it made a finding. Verbs never print
 * their result, look at --json or TTYs, or choose an exit code: main hands the outcome to the
 * renderer (output/render.ts) and to the one exit-code rule (report.ts).
 */
import type { ExitCodeValue } from './exit-codes.js';

/**
 * What a piece of text means to a person. Only the renderer turns it into colour (none in a
 * pipe, with NO_COLOR or --no-color): `good` green, `caution` yellow, `bad` red, `severe` bold
 * red, `strong` bold, `dim` dim. Verbs and services say what a thing is; never how it looks.
 */
export type Tone = 'strong' | 'dim' | 'good' | 'caution' | 'bad' | 'severe';

/** A span of text with its tone. */
export interface Styled {
  tone: Tone;
  text: string;
}

/** Text for a person: plain, or spans some of which carry a tone. */
export type Text = string | Array<string | Styled>;

export type Cell = string | number | boolean | null | undefined | Styled;

export interface Column {
  /** The field's name for programs: CSV headers and --fields (issue 13) use it. */
  key: string;
  /** The heading a person reads on a terminal. */
  header: string;
  /** Right-align numbers. */
  align?: 'left' | 'right';
  /**
   * Free text that may be cut short with "…" to fit the terminal (whole in --json, --csv and a
   * pipe). Other columns (IDs, dates, numbers) keep their width.
   */
  wrap?: boolean;
  /**
   * How much a person needs this column on a terminal, 1 the least. A terminal too narrow for
   * every column leaves out ranked columns, lowest first (and says which), before it cuts free
   * text short; unranked columns are always shown. The renderer (output/table.ts) decides.
   */
  rank?: number;
}

/** How a person sees the result. Piped, tables and pairs become tab-separated lines. */
export type View =
  | {
      kind: 'table';
      columns: Column[];
      rows: Cell[][];
      /** Said on stderr when there are no rows. */
      empty?: string;
    }
  | { kind: 'pairs'; pairs: Array<{ label: string; key: string; value: Cell }> }
  /** Lines of text on stdout, the same on a terminal and in a pipe (where no tone is drawn). */
  | { kind: 'lines'; lines: Iterable<Text> }
  /**
   * A result line and the items it is about, each with a mark the renderer draws (`+` added,
   * `-` removed, `ok`, `failed`, `unknown`, `skip`): `✓ Updated …` then `  + domain acme.co`.
   * Without a heading the items are the result lines themselves, not indented.
   */
  | { kind: 'marked'; heading?: string | undefined; items: MarkedItem[] }
  /**
   * Prose for reading (a breach and what to do about it): an optional title, then sections, laid
   * out and wrapped by the renderer to the terminal's width (at most 100 columns).
   */
  | { kind: 'document'; title?: Text | undefined; sections: Section[] };

export type Mark = '+' | '-' | 'ok' | 'failed' | 'unknown' | 'skip';

export interface MarkedItem {
  mark: Mark;
  text: string;
}

/** One part of a document: a heading line, then its pairs, paragraphs and lists, each indented. */
export interface Section {
  heading: string;
  /** Said after the heading on its line, two spaces apart: a date, a status. */
  status?: Array<string | Styled> | undefined;
  /** `Label: value`, a paragraph each. */
  pairs?: Array<{ label: string; value: string }> | undefined;
  paragraphs?: string[] | undefined;
  /** `Label:` and a bullet for each item. */
  lists?: Array<{ label: string; items: string[] }> | undefined;
}

/**
 * Talk on stderr after the result. `success` and `hint` are for people and are left out with
 * --json; `info` and `warn` are always said; `detail` only with --verbose.
 */
export interface Note {
  tone: 'success' | 'info' | 'hint' | 'warn' | 'detail';
  text: Text;
}

export interface Outcome<T = unknown> {
  /** The one JSON document --json prints; undefined prints nothing. */
  data: T;
  /** What a person sees; without one, a terminal and a pipe get nothing on stdout. */
  view?: View | undefined;
  /** What a pipe gets instead of `view` (e.g. a bare number for `threat-score`). */
  piped?: View | undefined;
  notes?: Note[] | undefined;
  /**
   * Set when the run found what `--exit-status` (or `--fail-on`) asks about: breached
   * addresses, drift. Exit 8 only when that flag was given and nothing failed.
   */
  finding?: string | undefined;
  /** Exit codes of the items that failed in a many-item run; the worst one wins. */
  failures?: ExitCodeValue[] | undefined;
  /** `sandbox exec` only: the exit code of the command it ran, passed on as ours. */
  childExitCode?: number | undefined;
}

export function table(columns: Column[], rows: Cell[][], empty?: string): View {
  return { kind: 'table', columns, rows, ...(empty === undefined ? {} : { empty }) };
}

export function pairs(entries: Array<[label: string, key: string, value: Cell]>): View {
  return { kind: 'pairs', pairs: entries.map(([label, key, value]) => ({ label, key, value })) };
}

export function lines(...text: Text[]): View {
  return { kind: 'lines', lines: text };
}

export function marked(heading: string | undefined, items: MarkedItem[]): View {
  return { kind: 'marked', ...(heading === undefined ? {} : { heading }), items };
}

export function document(title: Text | undefined, sections: Section[]): View {
  return { kind: 'document', ...(title === undefined ? {} : { title }), sections };
}

export const styled = (tone: Tone, text: string): Styled => ({ tone, text });

/** The text without its tones: for programs (MCP answers, CSV) and wherever colour cannot go. */
export function plainText(text: Text): string {
  return typeof text === 'string' ? text : text.map((part) => (typeof part === 'string' ? part : part.text)).join('');
}

export const success = (text: Text): Note => ({ tone: 'success', text });
export const info = (text: Text): Note => ({ tone: 'info', text });
export const hint = (text: Text): Note => ({ tone: 'hint', text });
export const warn = (text: Text): Note => ({ tone: 'warn', text });
/** Said only with --verbose: where files live, what was skipped. */
export const detail = (text: Text): Note => ({ tone: 'detail', text });
