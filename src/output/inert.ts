/**
 * Text for a person is inert: what a record, a file or a server put in a name or a message is
 * shown, never obeyed. Control characters (ESC and the rest of C0 and C1, DEL) and the
 * bidirectional overrides that reorder what is seen become visible escapes (`\x1b`, `\u202e`),
 * so a name cannot retitle the window, clear the screen, hide text, draw a hyperlink or forge a
 * line. Only the tool's own colours, added after this, reach the terminal as escape sequences.
 * JSON escapes them as JSON does; files the tool reads back are written exact.
 */

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\t\n\r]/g;
/** CONTROLS without the flag that makes `test` keep a position: whether there is anything to replace at all. */
const ANY_CONTROL = new RegExp(CONTROLS.source);

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text that may span lines (a message, a note): its line breaks and tabs kept, every other control shown. */
export function inertText(text: string): string {
  // Most text has none: looked for without building a new string (a receiver writes a line per delivery).
  return ANY_CONTROL.test(text) ? text.replace(CONTROLS, visible) : text;
}

/** One cell or value on one line: line breaks and tabs shown too (a table row, a tab-separated field). */
export function inertCell(text: string): string {
  return text.replace(CONTROLS, visible).replace(LINE_BREAKS, visible);
}
