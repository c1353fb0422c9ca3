/**
 * The tool registry: each tool's name, description, input schema (zod, published as JSON
 * Schema), output schema, annotations, and what it runs. Every tool calls the service the CLI
 * verb that answers the same question calls (never the verb: mcp/ imports nothing of commands/),
 * so its structured result is that verb's --json document.
 * The reading tools are in tools-read.ts, the writing ones in tools-write.ts.
 */
import type { Context } from '../context.js';
import { ValidationError } from '../errors.js';
import type { Note } from '../outcome.js';
import type { ConfirmationTokens } from './confirm.js';
import type { ToolName } from './names.js';
import { OUTPUT_SCHEMAS, type JsonSchema } from './schemas.js';

export type Zod = (typeof import('zod'))['z'];
export type Schema = ReturnType<Zod['object']>;

export interface ToolAnswer {
  /** The CLI's --json document for the same question (a list under a plural key). */
  structured: Record<string, unknown>;
  notes?: Note[] | undefined;
  /** The magic link: its URL is the result, so secret-looking parts are not redacted. */
  credential?: boolean;
}

export interface ToolContext {
  ctx: Context;
  tokens: ConfirmationTokens;
}

export interface ToolDef {
  name: ToolName;
  title: string;
  description: string;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** The arguments checked, or a ValidationError naming every problem (nothing is sent). */
  parse(args: unknown): Record<string, unknown>;
  run(args: Record<string, unknown>, tc: ToolContext): Promise<ToolAnswer>;
}

export const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;

/** The JSON Schema an assistant sees, from the zod schema that checks the call. */
function jsonSchemaOf(z: Zod, schema: Schema, extra: JsonSchema = {}): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return { ...json, ...extra };
}

/** zod's issues as the CLI lists problems: `field: why`, all of them. */
function parseWith(schema: Schema, tool: string, args: unknown): Record<string, unknown> {
  const result = schema.safeParse(args ?? {});
  if (result.success) return result.data as Record<string, unknown>;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`);
  throw new ValidationError(`invalid arguments for ${tool}; nothing was sent:`, problems);
}

/** `reference` or `id`, exactly one: how every customer tool names its customer. */
export function customerShape(z: Zod) {
  return {
    reference: z.string().min(1).max(200).optional().describe('the reference the customer was onboarded with'),
    id: z.uuid().optional().describe('the customer ID (a UUID)'),
  };
}

/** Exactly one of reference and id, as a zod refinement. */
export function oneCustomer(z: Zod, shape: Record<string, import('zod').ZodType>): Schema {
  return z
    .strictObject({ ...customerShape(z), ...shape })
    .refine((v: { reference?: string; id?: string }) => (v.reference === undefined) !== (v.id === undefined), {
      message: 'give exactly one of reference and id',
    }) as unknown as Schema;
}

export function customerArg(args: Record<string, unknown>): string {
  return (args['id'] ?? args['reference']) as string;
}

type Definition = Omit<ToolDef, 'parse' | 'inputSchema' | 'outputSchema'> & {
  input: Schema;
  /** Two arguments of which exactly one must be given (zod checks it; JSON Schema says it). */
  exactlyOne?: [string, string];
};

export function define(z: Zod, def: Definition): ToolDef {
  const { input, exactlyOne, ...rest } = def;
  return {
    ...rest,
    inputSchema: jsonSchemaOf(z, input, exactlyOne ? { oneOf: exactlyOne.map((key) => ({ required: [key] })) } : {}),
    outputSchema: OUTPUT_SCHEMAS[def.name as keyof typeof OUTPUT_SCHEMAS],
    parse: (args) => parseWith(input, def.name, args),
  };
}
