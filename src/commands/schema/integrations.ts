/** `safeweb schema integrations`: the JSON Schema of the integration settings. As cheap as --help: no yaml, no zod. */
import { integrationsJsonSchema } from '../../config/integrations-schema.js';
import { jsonLines } from '../../customers/json-schema.js';
import { lines, type Outcome } from '../../outcome.js';

export function runSchemaIntegrations(): Outcome<ReturnType<typeof integrationsJsonSchema>> {
  const schema = integrationsJsonSchema();
  return { data: schema, view: lines(...jsonLines(schema)) };
}
