/**
 * What a verb returns: what it found (the data), how a person sees it (the view), and, for
 * runs over many items, the failures it met and whether it made a finding. Verbs never print
 * their result, look at --json or TTYs, or choose an exit code: main hands the outcome to the
 * renderer (output/render.ts) and to the one exit-code rule (report.ts).
 */
import type { ExitCodeValue } from './exit-codes.js';

export type Cell = string | number | boolean | null | undefined;

export interface Column {
  /** The field's name for programs: CSV headers and --fields (issue 13) use it. */
  key: string;
  /** The heading a person reads on a terminal. */
  header: string;
  /** Right-align numbers. */
  align?: 'left' | 'right';
  /** Free text that may wrap to fit the terminal. Other columns (IDs, dates) keep their width. */
  wrap?: boolean;
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
  /** Lines of text on stdout, the same on a terminal and in a pipe. */
  | { kind: 'lines'; lines: string[] }
  /**
   * A result line and the items it is about, each with a mark the renderer draws (`+` added,
   * `-` removed, `ok`, `failed`, `unknown`, `skip`): `✓ Updated …` then `  + domain acme.co`.
   */
  | { kind: 'marked'; heading: string; items: MarkedItem[] };

export type Mark = '+' | '-' | 'ok' | 'failed' | 'unknown' | 'skip';

export interface MarkedItem {
  mark: Mark;
  text: string;
}

/**
 * Talk on stderr after the result. `success` and `hint` are for people and are left out with
 * --json; `info` and `warn` are always said; `detail` only with --verbose.
 */
export interface Note {
  tone: 'success' | 'info' | 'hint' | 'warn' | 'detail';
  text: string;
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

export function lines(...text: string[]): View {
  return { kind: 'lines', lines: text };
}

export function marked(heading: string, items: MarkedItem[]): View {
  return { kind: 'marked', heading, items };
}

export const success = (text: string): Note => ({ tone: 'success', text });
export const info = (text: string): Note => ({ tone: 'info', text });
export const hint = (text: string): Note => ({ tone: 'hint', text });
export const warn = (text: string): Note => ({ tone: 'warn', text });
/** Said only with --verbose: where files live, what was skipped. */
export const detail = (text: string): Note => ({ tone: 'detail', text });
