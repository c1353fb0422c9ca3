/**
 * The onboarding document as a JSON Schema (draft 2020-12), built from the field table, so an
 * editor completes and checks `--file` documents as the CLI does. Built here, not from zod: the
 * `schema` command must stay as cheap as `--help`. The dates also accept `now+5m` / `now+1d`,
 * since the CLI does.
 */
import { AT_LEAST_ONE, FIELDS, SCHEMA_KEY, TEXT_MAX, type FieldSpec } from './fields.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const RELATIVE_DATE = '^now\\+\\d+[mhd]$';
const NO_CONTROL = '^[^\\u0000-\\u001f\\u007f]*$';

function typeOf(field: FieldSpec): { [key: string]: Json } {
  const items = (format: string) => ({
    type: 'array',
    items: { type: 'string', format },
    ...(field.minItems === undefined ? {} : { minItems: field.minItems }),
  });
  switch (field.kind) {
    case 'string':
      return { type: 'string', minLength: 1, maxLength: field.maxLength ?? TEXT_MAX, pattern: NO_CONTROL };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'domains':
      return items('hostname');
    case 'emails':
      return items('email');
    case 'number':
      return { type: 'number', ...(field.minimum === undefined ? {} : { minimum: field.minimum }) };
    case 'date':
      return {
        anyOf: [
          { type: 'string', format: 'date-time' },
          { type: 'string', format: 'date' },
          { type: 'string', pattern: RELATIVE_DATE },
        ],
      };
    case 'enum':
      return { type: 'string', enum: [...(field.choices ?? [])] };
    case 'boolean':
      return { type: 'boolean' };
  }
}

/** The JSON Schema of one onboarding document (a JSON file, an NDJSON line, a JSON-array item). */
export function onboardingJsonSchema(fields: readonly FieldSpec[] = FIELDS): { [key: string]: Json } {
  const properties: { [key: string]: Json } = {
    [SCHEMA_KEY]: { type: 'string', description: 'The schema this document follows; safeweb does not send it.' },
  };
  for (const field of fields) {
    properties[field.key] = {
      description: `${field.description}; flag ${field.flag}`,
      ...typeOf(field),
      ...(field.default === undefined ? {} : { default: field.default }),
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'SafeWeb onboarding request',
    description:
      'One customer for `safeweb customer onboard --file`; CSV headers and NDJSON lines use the same fields.',
    type: 'object',
    properties,
    required: fields.filter((f) => f.required).map((f) => f.key),
    anyOf: AT_LEAST_ONE.map((key) => ({ required: [key], properties: { [key]: { type: 'array', minItems: 1 } } })),
    additionalProperties: false,
  };
}

/**
 * JSON laid out as prettier lays out a JSON file (objects one member per line, a list of plain
 * values on one line when it fits in `width`), so the committed schema file passes the format
 * check and equals what `safeweb schema onboarding` prints.
 */
export function jsonLines(value: Json, width = 120): string[] {
  const out: string[] = [];
  const write = (v: Json, indent: string, prefix: string, suffix: string) => {
    if (Array.isArray(v) && v.length > 0) {
      const inline = v.every((x) => x === null || typeof x !== 'object');
      const flat = `${indent}${prefix}[${v.map((x) => JSON.stringify(x)).join(', ')}]${suffix}`;
      if (inline && flat.length <= width) out.push(flat);
      else {
        out.push(`${indent}${prefix}[`);
        v.forEach((x, i) => write(x, `${indent}  `, '', i < v.length - 1 ? ',' : ''));
        out.push(`${indent}]${suffix}`);
      }
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      const entries = Object.entries(v);
      out.push(`${indent}${prefix}{`);
      entries.forEach(([k, x], i) =>
        write(x, `${indent}  `, `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : ''),
      );
      out.push(`${indent}}${suffix}`);
    } else out.push(`${indent}${prefix}${JSON.stringify(v)}${suffix}`);
  };
  write(value, '', '', '');
  return out;
}
