/**
 * The "Output fields" section of a command's help, from the same column definitions the verb
 * draws its table with, so the names --fields and --csv take are documented where they are used.
 */
export function fieldsHelp(columns: ReadonlyArray<{ key: string; header: string }>, note?: string): string {
  const width = Math.max(...columns.map((c) => c.key.length)) + 2;
  const rows = columns.map((c) => `  ${c.header ? c.key.padEnd(width) + c.header : c.key}`.trimEnd());
  // Commander ends each help text with a line break of its own.
  return `\nOutput fields (for --fields and --csv):\n${[...rows, ...(note ? [note] : [])].join('\n')}`;
}
