/**
 * ConnectWise's `conditions` query language, as far as a ticket sync uses it: comparisons joined
 * by `and` / `or` with parentheses, e.g. `externalXRef="sw:abc" and board/id=1 and closedFlag=false`.
 * Operators = != < <= > >= contains like in, `not in`; values "quoted" (a `\"` inside), numbers,
 * true, false, null, [2026-01-01T00:00:00Z] dates. A field path uses `/` between levels
 * (`company/id`, `_info/lastUpdated`) and is matched case-insensitively, as ConnectWise does.
 */

type Value = string | number | boolean | null;
type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'like' | 'in' | 'not in';

type Node =
  { kind: 'and' | 'or'; left: Node; right: Node } | { kind: 'cmp'; field: string[]; op: Op; value: Value | Value[] };

export type Predicate = (record: Record<string, unknown>) => boolean;

export class ConditionError extends Error {}

type Token =
  | { t: 'word'; v: string }
  | { t: 'op'; v: string }
  | { t: 'str'; v: string }
  | { t: 'date'; v: string }
  | { t: '(' | ')' | ',' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new ConditionError('unterminated string');
      tokens.push({ t: 'str', v: value });
      i++;
    } else if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) throw new ConditionError('unterminated date');
      tokens.push({ t: 'date', v: text.slice(i + 1, end) });
      i = end + 1;
    } else if ('=!<>'.includes(c)) {
      const two = text.slice(i, i + 2);
      const op = ['!=', '<=', '>='].includes(two) ? two : c;
      if (op === '!') throw new ConditionError(`unexpected "!" at ${i}`);
      tokens.push({ t: 'op', v: op });
      i += op.length;
    } else {
      const match = /^[A-Za-z0-9_/.\-:+]+/.exec(text.slice(i));
      if (!match) throw new ConditionError(`unexpected "${c}" at ${i}`);
      tokens.push({ t: 'word', v: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const peekWord = (): string | undefined => {
    const token = tokens[pos];
    return token?.t === 'word' ? token.v.toLowerCase() : undefined;
  };
  const value = (): Value => {
    const token = tokens[pos++];
    if (!token) throw new ConditionError('a value is missing');
    if (token.t === 'str' || token.t === 'date') return token.v;
    if (token.t !== 'word') throw new ConditionError('a value is missing');
    const lower = token.v.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    if (lower === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(token.v)) return Number(token.v);
    throw new ConditionError(`"${token.v}" is not a value (quote strings)`);
  };
  const comparison = (): Node => {
    const token = tokens[pos];
    if (token?.t === '(') {
      pos++;
      const inner = or();
      if (tokens[pos]?.t !== ')') throw new ConditionError('a ")" is missing');
      pos++;
      return inner;
    }
    if (token?.t !== 'word') throw new ConditionError('a field name is expected');
    pos++;
    const field = token.v.split('/').filter(Boolean);
    let op: Op;
    const next = tokens[pos];
    if (next?.t === 'op') {
      op = next.v as Op;
      pos++;
    } else {
      const word = peekWord();
      if (
        word === 'not' &&
        tokens[pos + 1]?.t === 'word' &&
        (tokens[pos + 1] as { v: string }).v.toLowerCase() === 'in'
      ) {
        op = 'not in';
        pos += 2;
      } else if (word === 'contains' || word === 'like' || word === 'in') {
        op = word;
        pos++;
      } else throw new ConditionError(`an operator is expected after ${token.v}`);
    }
    if (op === 'in' || op === 'not in') {
      if (tokens[pos]?.t !== '(') throw new ConditionError(`${op} takes a list in parentheses`);
      pos++;
      const values: Value[] = [];
      while (tokens[pos]?.t !== ')') {
        values.push(value());
        if (tokens[pos]?.t === ',') pos++;
        else if (tokens[pos]?.t !== ')') throw new ConditionError('a "," or ")" is expected in the list');
      }
      pos++;
      return { kind: 'cmp', field, op, value: values };
    }
    return { kind: 'cmp', field, op, value: value() };
  };
  const and = (): Node => {
    let left = comparison();
    while (peekWord() === 'and') {
      pos++;
      left = { kind: 'and', left, right: comparison() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peekWord() === 'or') {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const tree = or();
  if (pos < tokens.length) throw new ConditionError('unexpected text after the condition');
  return tree;
}

/** The value at a `/` path, each level matched case-insensitively; undefined when absent. */
function lookup(record: unknown, path: string[]): unknown {
  let current = record;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const key = Object.keys(current).find((k) => k.toLowerCase() === part.toLowerCase());
    if (key === undefined) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function compare(actual: unknown, op: Op, expected: Value | Value[]): boolean {
  // A list field (integratorTags) matches when any of its items does.
  if (Array.isArray(actual)) return actual.some((item) => compare(item, op, expected));
  if (Array.isArray(expected)) {
    const found = expected.some((e) => compare(actual, '=', e));
    return op === 'in' ? found : !found;
  }
  if (expected === null) {
    const isNull = actual === null || actual === undefined;
    return op === '!=' ? !isNull : op === '=' ? isNull : false;
  }
  if (actual === undefined || actual === null) return op === '!=';
  if (op === 'contains' || op === 'like') {
    const text = String(actual).toLowerCase();
    const pattern = String(expected).toLowerCase();
    if (op === 'contains') return text.includes(pattern);
    const regex = new RegExp(`^${pattern.split('%').map(escapeRegex).join('.*')}$`, 's');
    return regex.test(text);
  }
  // Strings compare case-insensitively, as ConnectWise's SQL collation does.
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const b = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    case '>=':
      return (a as number) >= (b as number);
    default:
      return false;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A predicate for the conditions; `known` names the top-level fields that may be queried (an
 * unknown one is an error, as on the real API, rather than a silent empty answer).
 */
export function compileConditions(text: string, known: readonly string[]): Predicate {
  const tree = parse(text);
  const check = (node: Node): void => {
    if (node.kind !== 'cmp') {
      check(node.left);
      check(node.right);
      return;
    }
    const head = node.field[0]?.toLowerCase();
    if (!known.some((k) => k.toLowerCase() === head))
      throw new ConditionError(`Unknown field "${node.field.join('/')}" in conditions`);
  };
  check(tree);
  const run = (node: Node, record: Record<string, unknown>): boolean => {
    if (node.kind === 'and') return run(node.left, record) && run(node.right, record);
    if (node.kind === 'or') return run(node.left, record) || run(node.right, record);
    if (node.kind !== 'cmp') return false;
    return compare(lookup(record, node.field), node.op, node.value);
  };
  return (record) => run(tree, record);
}
