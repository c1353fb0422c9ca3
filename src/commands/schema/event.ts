/** `safeweb schema event`: the JSON Schema of a book event (watch --json, the sinks, the receiver). */
import { jsonLines } from '../../customers/json-schema.js';
import { eventJsonSchema } from '../../findings/schema.js';
import { lines, type Outcome } from '../../outcome.js';

export function runSchemaEvent(): Outcome<ReturnType<typeof eventJsonSchema>> {
  const schema = eventJsonSchema();
  return { data: schema, view: lines(...jsonLines(schema)) };
}
