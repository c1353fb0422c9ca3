/**
 * `JSON.stringify(value, null, 2)`, in pieces: joined with "\n" they are exactly that text. The
 * first two levels (a document, its lists) are taken apart; each item below is stringified
 * whole. So a plan's --json document of 150 MB is written as it is made, never held as one
 * string, and a small document costs a handful of pieces.
 */
const DEPTH = 2;

function isContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** What JSON leaves out of an object (and writes as null in a list). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

export function* jsonChunks(value: unknown): Generator<string> {
  yield* pieces(value, '', 0);
}

/** The lines of `value` at `indent`, its first without the indentation (the caller writes what leads it). */
function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (depth >= DEPTH || !isContainer(value)) {
    yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item) => ['', omitted(item) ? null : item])
    : Object.entries(value)
        .filter(([, item]) => !omitted(item))
        .map(([key, item]) => [`${JSON.stringify(key)}: `, item]);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    yield `${open}${close}`;
    return;
  }
  yield open;
  for (const [i, [lead, item]] of entries.entries()) {
    let pending: string | undefined;
    let first = true;
    for (const piece of pieces(item, inner, depth + 1)) {
      if (pending !== undefined) yield pending;
      pending = first ? `${inner}${lead}${piece}` : piece;
      first = false;
    }
    yield `${pending}${i < entries.length - 1 ? ',' : ''}`;
  }
  yield `${indent}${close}`;
}
