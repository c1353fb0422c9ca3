/**
 * The zod schema of an onboarding document, from the field table (fields.ts). zod/mini: the same
 * checks and messages as zod's classic API, but tree-shaken, so a bulk run's start loads far less
 * of zod (bench/bulk.js). Once a process has checked a few documents it compiles the schema
 * (zod's `compile`: the checks as one generated function, the runtime parser kept for reporting
 * problems), which speeds up a bulk file's one pass over its rows, as that pass runs mostly cold;
 * a single document is not worth the compiling (docs/speed.md).
 */
import {
  array,
  boolean,
  compile,
  enum as oneOfValues,
  minLength,
  number,
  object,
  optional,
  refine,
  strictObject,
  string,
  validate,
} from 'zod/mini';
import { FIELDS, textProblem, UPDATABLE, type FieldSpec } from './fields.js';
import { domainProblem, emailProblem, isDateInput } from './field-checks.js';

/** A document's problems as zod finds them: each one's field path and message. */
type Issues = readonly { path: PropertyKey[]; message: string }[];

/** Documents a process checks before it compiles the schema: one document does not pay for it. */
const COMPILE_AFTER = 20;

/**
 * What zod finds wrong with each document it is given; none when valid. A valid document (nearly
 * every row of a bulk file) is only validated, building no parsed copy; an invalid one is parsed
 * again for its problems. Past COMPILE_AFTER documents, with the compiled schema.
 */
export function schemaChecker(): (doc: unknown) => Issues {
  const plain = buildSchema();
  let checked = 0;
  let compiled: typeof plain | undefined;
  return (doc) => {
    const schema = compiled ?? (++checked > COMPILE_AFTER ? (compiled = compile(plain)) : plain);
    if (validate(schema, doc)) return [];
    const result = schema.safeParse(doc);
    return result.success ? [] : result.error.issues;
  };
}

/** What zod finds wrong with an info update (the updatable fields, each optional, no others). */
export function updateChecker(): (doc: unknown) => Issues {
  const rule = fieldRule();
  const schema = strictObject(Object.fromEntries(UPDATABLE.map((f) => [f.key, optional(rule(f))])));
  return (doc) => {
    const result = schema.safeParse(doc);
    return result.success ? [] : result.error.issues;
  };
}

function buildSchema() {
  const rule = fieldRule();
  return object(Object.fromEntries(FIELDS.map((f) => [f.key, f.required ? rule(f) : optional(rule(f))])));
}

/** Each field's zod rule, from its kind in the table. */
function fieldRule() {
  const typed = (what: string) => ({
    error: (issue: { input: unknown }) =>
      issue.input === undefined ? 'is required' : `must be ${what} (got ${JSON.stringify(issue.input)})`,
  });
  const oneOf = (values: readonly string[]) => ({
    error: (issue: { input: unknown }) =>
      issue.input === undefined
        ? 'is required'
        : `must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`,
  });
  const email = string(typed('a string')).check(
    refine((v: string) => !emailProblem(v), { error: (i) => emailProblem(String(i.input))! }),
  );
  const domain = string(typed('a string')).check(
    refine((v: string) => !domainProblem(v), { error: (i) => domainProblem(String(i.input))! }),
  );
  const list = (item: typeof email, [one, many]: [string, string], field: FieldSpec) => {
    const items = array(item, typed(`an array of ${many}`));
    const least = field.minItems === 1 ? `one ${one}` : `${field.minItems} ${many}`;
    return field.minItems ? items.check(minLength(field.minItems, `needs at least ${least}`)) : items;
  };

  const rule = (field: FieldSpec) => {
    switch (field.kind) {
      case 'string':
        return string(typed('a string')).check(
          refine((v: string) => v.trim() !== '', 'must not be empty'),
          refine((v: string) => !textProblem(v, field.maxLength), {
            error: (i) => textProblem(String(i.input), field.maxLength)!,
          }),
        );
      case 'email':
        return email;
      case 'domains':
        return list(domain, ['domain name', 'domain names'], field);
      case 'emails':
        return list(email, ['email address', 'email addresses'], field);
      case 'number': {
        const min = field.minimum ?? -Infinity;
        return number(typed('a number')).check(
          refine(Number.isFinite, 'must be a finite number'),
          refine((v: number) => v >= min, { error: (i) => `must be ${min} or more (got ${String(i.input)})` }),
        );
      }
      case 'date':
        return string(typed('an ISO 8601 date-time string')).check(
          refine(isDateInput, {
            error: (i) => `"${String(i.input)}" is not an ISO 8601 date-time (e.g. 2026-06-01T00:00:00Z)`,
          }),
        );
      case 'enum': {
        const choices = (field.choices ?? []) as readonly [string, ...string[]];
        return oneOfValues(choices, oneOf(choices));
      }
      case 'boolean':
        return boolean(typed('true or false'));
    }
  };
  return rule;
}
