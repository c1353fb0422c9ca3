/**
 * An independent check of HaloPSA traffic against the vendor's spec
 * (test/fixtures/psa/halopsa.openapi.json, a copy of ../shared/psa/), with ajv over the spec's own
 * components: the operation is found from the path templates, the path/query parameters and the
 * JSON body of a request are checked against its schemas (Halo's schemas forbid additional
 * properties, so an unknown field is a problem), and an answer's status, content type and body
 * against the operation's declared response. Nothing here is taken from the emulator.
 *
 * Where the spec says less than the API does, the check says what it holds to instead:
 * - `GET /Status` and `GET /TicketType` declare a 200 without a schema: any JSON list of records
 *   with numeric IDs is taken.
 * - 400, 401, 404 and 429 are declared without a body: an empty body, or Halo's error record
 *   (`{message}`), is taken; an undeclared error status (503) must be such a record too.
 * - The token endpoint is Halo's authorisation server, not in the spec: it is held to OAuth2's
 *   client-credentials grant (RFC 6749 §4.4) instead (halo-wire.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// A copy of ../shared/psa/halopsa.openapi.json (the vendor's document, trimmed), kept in the
// repository: CI checks out this repository alone.
const SPEC_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/psa/halopsa.openapi.json');

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

export interface HaloContractCheck {
  /** Problems with a request (empty when valid). `pathname` is relative to the REST base (`/Tickets`). */
  request(req: { method: string; pathname: string; query?: URLSearchParams; body?: unknown }): string[];
  /** Problems with an answer; `declared` false when the spec declares no answer with this status. */
  response(res: { method: string; pathname: string; status: number; contentType: string | null; body: unknown }): {
    declared: boolean;
    problems: string[];
  };
}

/** Halo's error record: what its 4xx and 5xx answers carry. */
export function isHaloError(body: unknown): boolean {
  return (
    body !== null &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    typeof (body as { message?: unknown }).message === 'string'
  );
}

export function haloContract(): HaloContractCheck {
  const spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8')) as Spec;
  // strict off: the vendor's schemas carry OpenAPI words (nullable, x-trimmed-ref) that are not
  // JSON Schema; ajv knows `nullable` and ignores the rest.
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  // .NET's TimeSpan, "hh:mm:ss" (with optional days and fractions).
  ajv.addFormat('date-span', /^-?(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d+)?$/);
  ajv.addSchema({ $id: 'halo', components: spec.components });
  const cache = new Map<string, ValidateFunction>();
  const compile = (schema: Record<string, unknown>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      const rewritten = JSON.parse(key.replaceAll('"#/components/', '"halo#/components/')) as Record<string, unknown>;
      validate = ajv.compile(rewritten);
      cache.set(key, validate);
    }
    return validate;
  };
  const errors = (where: string, validate: ValidateFunction): string[] =>
    (validate.errors ?? []).map(
      (e) =>
        `${where}${e.instancePath} ${e.message ?? ''}${e.params['additionalProperty'] ? `: ${String(e.params['additionalProperty'])}` : ''}`,
    );

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

  const listOfRecords = (body: unknown): string[] =>
    Array.isArray(body) &&
    body.every((x) => x !== null && typeof x === 'object' && Number.isInteger((x as { id?: unknown }).id))
      ? []
      : ['answer is not a list of records with numeric IDs'];

  return {
    request({ method, pathname, query, body }) {
      const found = find(method, pathname);
      if (!found) return [`no operation ${method} ${pathname} in the spec`];
      const problems: string[] = [];
      const declared = found.operation.parameters ?? [];
      for (const p of declared) {
        const raw = p.in === 'path' ? found.params[p.name] : p.in === 'query' ? query?.get(p.name) : undefined;
        if (p.in === 'header') continue;
        if (raw === undefined || raw === null) {
          if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
          continue;
        }
        const validate = compile(p.schema);
        if (!validate(coerce(raw, p.schema))) problems.push(...errors(`${p.in} ${p.name}`, validate));
      }
      for (const key of new Set(query?.keys() ?? []))
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
      if (!declared.content) {
        if (status < 300) return { declared: true, problems: listOfRecords(body) };
        return {
          declared: true,
          problems: body === undefined || isHaloError(body) ? [] : ['answer is neither empty nor a Halo error'],
        };
      }
      const type = contentType?.split(';')[0]?.trim() ?? null;
      const media = type ? declared.content[type] : undefined;
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
