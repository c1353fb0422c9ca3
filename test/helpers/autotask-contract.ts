/**
 * An independent check of Autotask traffic against the vendor's Swagger 2.0 document
 * (test/fixtures/psa/autotask.openapi.json, a copy of ../shared/psa/), with ajv over the
 * document's own definitions (Swagger 2.0's schemas are JSON Schema): the operation is found from
 * the path templates below the spec's basePath, its declared parameters (path, query, header —
 * the three auth headers are required ones — and the body) are checked, then an answer's status,
 * content type (one the operation `produces`) and body against the declared response. Nothing here
 * is taken from the emulator or the client.
 *
 * Two deliberate relaxations, where the spec is stricter than the real API (`strictSpec` keeps the
 * spec as written, to show them):
 * - `Filter.value` is typed `object`, but Autotask takes scalars and lists
 *   (`{"op":"eq","field":"externalID","value":"…"}`): any JSON value is accepted there;
 * - the definition `Object` (the vendor's .NET System.Object, typed `object`) stands for any value:
 *   a create or update answers `{"itemId": 7001}`, a number.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// A copy of ../shared/psa/autotask.openapi.json (the vendor's document, trimmed), kept in the
// repository: CI checks out this repository alone.
const SPEC_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/psa/autotask.openapi.json');

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'body';
  required?: boolean;
  type?: string;
  schema?: Record<string, unknown>;
}
interface Operation {
  consumes?: string[];
  produces?: string[];
  parameters?: Parameter[];
  responses: Record<string, { schema?: Record<string, unknown> }>;
}
interface Spec {
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Record<string, unknown>>;
}

export interface AutotaskContract {
  /** The spec's basePath: what a request's path is taken below (`/ATServicesRest`). */
  basePath: string;
  /** Problems with a request (empty when valid). `pathname` is below the basePath: `/V1.0/Tickets`. */
  request(req: {
    method: string;
    pathname: string;
    query?: URLSearchParams;
    headers: Record<string, string | undefined>;
    body?: unknown;
  }): string[];
  /** Problems with an answer; `declared` false when the spec declares no answer with this status. */
  response(res: { method: string; pathname: string; status: number; contentType: string | null; body: unknown }): {
    declared: boolean;
    problems: string[];
  };
}

export function autotaskContract(options: { strictSpec?: boolean } = {}): AutotaskContract {
  const spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8')) as Spec;
  if (!options.strictSpec) {
    const filter = spec.definitions['Filter'] as { properties: Record<string, unknown> };
    filter.properties['value'] = {}; // any JSON value, as the real API takes
    spec.definitions['Object'] = {}; // System.Object: `itemId` is a number
  }
  // strict off: the vendor's schemas carry Swagger words (readOnly, example) that ajv need not know.
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addSchema({ $id: 'at', definitions: spec.definitions });
  const cache = new Map<string, ValidateFunction>();
  const compile = (schema: Record<string, unknown>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      const rewritten = JSON.parse(key.replaceAll('"#/definitions/', '"at#/definitions/')) as Record<string, unknown>;
      validate = ajv.compile(rewritten);
      cache.set(key, validate);
    }
    return validate;
  };
  const errors = (where: string, validate: ValidateFunction): string[] =>
    (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? ''}`);

  // Autotask's paths are not case-sensitive: templates are matched without case. A literal
  // segment wins over a parameter (`/Tickets/entityInformation` is not `/Tickets/{id}`).
  const find = (method: string, pathname: string) => {
    const parts = pathname.split('/').filter(Boolean);
    let best: { template: string; operation: Operation; params: Record<string, string> } | undefined;
    for (const [template, item] of Object.entries(spec.paths)) {
      const tparts = template.split('/').filter(Boolean);
      if (tparts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const fits = tparts.every((t, i) => {
        if (t.startsWith('{')) {
          params[t.slice(1, -1)] = decodeURIComponent(parts[i]!);
          return true;
        }
        return t.toLowerCase() === parts[i]!.toLowerCase();
      });
      const operation = fits ? item[method.toLowerCase()] : undefined;
      if (operation && (!best || Object.keys(params).length < Object.keys(best.params).length))
        best = { template, operation, params };
    }
    return best;
  };

  const coerce = (text: string, type: string | undefined): unknown =>
    (type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;

  return {
    basePath: spec.basePath,
    request({ method, pathname, query, headers, body }) {
      const found = find(method, pathname);
      if (!found) return [`no operation ${method} ${pathname} in the spec`];
      const problems: string[] = [];
      const declared = found.operation.parameters ?? [];
      for (const p of declared) {
        if (p.in === 'body') {
          if (body === undefined) {
            if (p.required) problems.push(`the body (${p.name}) is required`);
          } else {
            const validate = compile(p.schema ?? {});
            if (!validate(body)) problems.push(...errors('body', validate));
          }
          continue;
        }
        const raw =
          p.in === 'path'
            ? found.params[p.name]
            : p.in === 'query'
              ? (query?.get(p.name) ?? undefined)
              : headers[p.name.toLowerCase()];
        if (raw === undefined || raw === '') {
          if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
          continue;
        }
        const validate = compile({ type: p.type ?? 'string' });
        if (!validate(coerce(raw, p.type))) problems.push(...errors(`${p.in} ${p.name}`, validate));
      }
      if (body !== undefined && !declared.some((p) => p.in === 'body')) problems.push('the operation takes no body');
      if (body !== undefined && !(found.operation.consumes ?? []).includes('application/json'))
        problems.push('the operation consumes no application/json');
      for (const key of query?.keys() ?? [])
        if (!declared.some((p) => p.in === 'query' && p.name === key)) problems.push(`query ${key} is not in the spec`);
      return problems;
    },
    response({ method, pathname, status, contentType, body }) {
      const found = find(method, pathname);
      if (!found) return { declared: false, problems: [`no operation ${method} ${pathname} in the spec`] };
      const declared = found.operation.responses[String(status)];
      if (!declared) return { declared: false, problems: [] };
      // An error the spec declares without a body (401, 403): the wire holds it to Autotask's error shape.
      if (!declared.schema)
        return { declared: true, problems: body === undefined || status >= 400 ? [] : ['no body is declared'] };
      const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (!(found.operation.produces ?? []).includes(media))
        return {
          declared: true,
          problems: [
            `content type ${contentType ?? '(none)'} is not one of ${(found.operation.produces ?? []).join(', ')}`,
          ],
        };
      const validate = compile(declared.schema);
      return { declared: true, problems: validate(body) ? [] : errors('answer', validate) };
    },
  };
}
