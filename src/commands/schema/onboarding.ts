/**
 * `safeweb schema onboarding`: the JSON Schema of an onboarding request, from the field table.
 * It loads neither zod nor the HTTP client: it is as cheap as --help.
 */
import { jsonLines, onboardingJsonSchema } from '../../customers/json-schema.js';
import { lines, type Outcome } from '../../outcome.js';

export function runSchemaOnboarding(): Outcome<ReturnType<typeof onboardingJsonSchema>> {
  const schema = onboardingJsonSchema();
  return { data: schema, view: lines(...jsonLines(schema)) };
}
