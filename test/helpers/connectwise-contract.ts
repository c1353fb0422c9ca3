/**
 * An independent check of ConnectWise traffic against the vendor's spec
 * (test/fixtures/psa/connectwise.openapi.json, a copy of ../shared/psa/), with ajv over the spec's own components: the
 * operation is found from the path templates, the path/query parameters and the JSON body of a
 * request are checked against its schemas, and an answer's status, content type and body against
 * the operation's declared response. Nothing here is taken from the emulator.
 *
 * One deliberate relaxation, where the spec is stricter than the real API: `PatchOperation.value`
 * is typed `object`, but ConnectWise takes scalars (`{"op":"replace","path":"summary","value":"x"}`),
 * so the checker accepts any JSON value there (`strictSpec` keeps the spec as written, to show it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// A copy of ../shared/psa/connectwise.openapi.json (the vendor's document, trimmed), kept in the
// repository: CI checks out this repository alone.
const SPEC_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/psa/connectwise.openapi.json',
);
const RESPONSE_TYPE = 'application/vnd.connectwise.com+json; version=2025.8';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Record<string, unknown>;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

export interface ContractCheck {
  /** Problems with a request (empty when valid). `pathname` is relative to the REST base. */
  request(req: { method: string; pathname: string; query?: URLSearchParams; body?: unknown }): string[];
  /** Problems with an answer; `declared` false when the spec declares no answer with this status. */
  response(res: { method: string; pathname: string; status: number; contentType: string | null; body: unknown }): {
    declared: boolean;
    problems: string[];
  };
}

export function connectWiseContract(options: { strictSpec?: boolean } = {}): ContractCheck {
  const spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8')) as Spec;
  if (!options.strictSpec) {
    const patch = spec.components.schemas['PatchOperation'] as { properties: Record<string, unknown> };
    patch.properties['value'] = {}; // any JSON value, as the real API takes
  }
  // strict off: the vendor's schemas carry OpenAPI words (nullable, example, readOnly) that are
  // not JSON Schema; ajv knows `nullable` and ignores the rest.
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addSchema({ $id: 'cw', components: spec.components });
  const cache = new Map<string, ValidateFunction>();
  const compile = (schema: Record<string, unknown>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      const rewritten = JSON.parse(key.replaceAll('"#/components/', '"cw#/components/')) as Record<string, unknown>;
      validate = ajv.compile(rewritten);
      cache.set(key, validate);
    }
    return validate;
  };
  const errors = (where: string, validate: ValidateFunction): string[] =>
    (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? ''}`);

  const find = (method: string, pathname: string) => {
    const parts = pathname.split('/').filter(Boolean);
    for (const [template, item] of Object.entries(spec.paths)) {
      const tparts = template.split('/').filter(Boolean);
      if (tparts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      if (
        tparts.every((t, i) => {
          if (t.startsWith('{')) {
            params[t.slice(1, -1)] = decodeURIComponent(parts[i]!);
            return true;
          }
          return t === parts[i];
        })
      ) {
        const operation = item[method.toLowerCase()];
        if (operation) return { template, operation, params };
      }
    }
    return undefined;
  };

  const coerce = (text: string, schema: Record<string, unknown>): unknown => {
    if ((schema['type'] === 'integer' || schema['type'] === 'number') && /^-?\d+(\.\d+)?$/.test(text))
      return Number(text);
    if (schema['type'] === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
    return text;
  };

  return {
    request({ method, pathname, query, body }) {
      const found = find(method, pathname);
      if (!found) return [`no operation ${method} ${pathname} in the spec`];
      const problems: string[] = [];
      const declared = found.operation.parameters ?? [];
      for (const p of declared) {
        const raw = p.in === 'path' ? found.params[p.name] : p.in === 'query' ? query?.get(p.name) : undefined;
        if (p.in === 'header') continue; // headers (clientId) are checked by the emulator's auth test
        if (raw === undefined || raw === null) {
          if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
          continue;
        }
        const validate = compile(p.schema);
        if (!validate(coerce(raw, p.schema))) problems.push(...errors(`${p.in} ${p.name}`, validate));
      }
      for (const key of query?.keys() ?? [])
        if (!declared.some((p) => p.in === 'query' && p.name === key)) problems.push(`query ${key} is not in the spec`);
      const requestBody = found.operation.requestBody;
      if (!requestBody) {
        if (body !== undefined) problems.push('the operation takes no body');
      } else if (body === undefined) {
        if (requestBody.required) problems.push('the body is required');
      } else {
        const media = requestBody.content['application/json'];
        if (!media) problems.push('the operation takes no application/json body');
        else {
          const validate = compile(media.schema);
          if (!validate(body)) problems.push(...errors('body', validate));
        }
      }
      return problems;
    },
    response({ method, pathname, status, contentType, body }) {
      const found = find(method, pathname);
      if (!found) return { declared: false, problems: [`no operation ${method} ${pathname} in the spec`] };
      const declared = found.operation.responses[String(status)];
      if (!declared) return { declared: false, problems: [] };
      if (!declared.content) return { declared: true, problems: body === undefined ? [] : ['no body is declared'] };
      const media = contentType ? declared.content[contentType] : undefined;
      if (!media)
        return {
          declared: true,
          problems: [
            `content type ${contentType ?? '(none)'} is not one of ${Object.keys(declared.content).join(', ')}`,
          ],
        };
      const validate = compile(media.schema);
      return { declared: true, problems: validate(body) ? [] : errors('answer', validate) };
    },
  };
}

export { RESPONSE_TYPE };
