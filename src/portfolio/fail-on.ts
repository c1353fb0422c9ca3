/**
 * `--fail-on EXPR` for `portfolio status`: `threat-score>=N`, `unresolved>=N`, with `>=`, `>`
 * or `=`. A customer meets it when its reads succeeded and its number compares so.
 */
export interface FailOn {
  /** As the user wrote it, for messages. */
  text: string;
  field: 'threatScore' | 'unresolvedBreaches';
  op: '>=' | '>' | '=';
  value: number;
}

// A Map, not a plain object: `FIELDS[name]` on an object literal finds `constructor` and the other
// inherited members, so `constructor>=0` would pass as a field that never has a number.
const FIELDS = new Map<string, FailOn['field']>([
  ['threat-score', 'threatScore'],
  ['unresolved', 'unresolvedBreaches'],
]);

const SHAPE = /^\s*([a-z-]+)\s*(>=|>|==?)\s*(\d+)\s*$/;

/** The expression, or why it is malformed (a sentence naming the accepted forms). */
export function parseFailOn(text: string): FailOn | string {
  const match = SHAPE.exec(text);
  const field = match ? FIELDS.get(match[1]!) : undefined;
  if (!match || !field)
    return `"${text}" is not an expression it knows; use threat-score>=N or unresolved>=N (also > and =), e.g. threat-score>=50.`;
  const op = match[2] === '==' ? '=' : (match[2] as FailOn['op']);
  return { text: text.replace(/\s+/g, ''), field, op, value: Number(match[3]) };
}

export function meets(expression: FailOn, values: Partial<Record<FailOn['field'], number | null>>): boolean {
  const n = values[expression.field];
  if (typeof n !== 'number') return false;
  return expression.op === '>='
    ? n >= expression.value
    : expression.op === '>'
      ? n > expression.value
      : n === expression.value;
}
