/** `safeweb schema manifest`: the JSON Schema of a plan/apply manifest. As cheap as --help: no yaml, no zod. */
import { jsonLines } from '../../customers/json-schema.js';
import { manifestJsonSchema } from '../../manifest/schema.js';
import { lines, type Outcome } from '../../outcome.js';

export function runSchemaManifest(): Outcome<ReturnType<typeof manifestJsonSchema>> {
  const schema = manifestJsonSchema();
  return { data: schema, view: lines(...jsonLines(schema)) };
}
