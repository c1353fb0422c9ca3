/**
 * Spreadsheet formulas in --csv output made inert (OWASP "CSV injection"): a spreadsheet runs a
 * cell that starts with `=`, `+`, `-`, `@`, a tab or a CR as a formula, so a company name such as
 * `=HYPERLINK(...)` from the record or the API would act on the reader's machine. Such a cell gets
 * a leading `'`, which spreadsheets read as "this is text" and hide. `customer import` reads these
 * files back and takes the `'` off again (restoreCsvCell), so an export imports back exactly.
 */

/**
 * A formula's first character, after any `'` already there: a cell that already starts with `'`
 * and then one of these gets one more, so that taking one off on the way back gives it exactly.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * Text that is only a negative decimal number (e.g. `-5`, `-0.25`) is a number to a spreadsheet,
 * never a formula: it is left as it is, so numbers that a view shows as text still sort and sum.
 */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

/** A text cell as it goes into --csv output: with a leading `'` when a spreadsheet would run it. */
export function inertCsvCell(text: string): string {
  return FORMULA_START.test(text) && !NEGATIVE_NUMBER.test(text) ? `'${text}` : text;
}

/** A cell of a CSV file read back: inertCsvCell undone (one `'` off a cell it would have marked). */
export function restoreCsvCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
