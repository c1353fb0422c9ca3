import { inertCell } from '../../output/inert.js';
import { redactHeader } from '../../api/redact.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readInput } from '../../io/read-input.js';
import { lines, type Outcome } from '../../outcome.js';

/** Commander checked the method (upper-cased), the path, the query pairs, and --data against --input. */
export interface ApiOptions {
  method: string;
  path: string;
  data?: string | undefined;
  input?: string | undefined;
  query: Array<[key: string, value: string]>;
  idempotent: boolean;
  include: boolean;
}

export async function runApi(opts: ApiOptions, ctx: Context): Promise<Outcome> {
  // Everything is checked before a client (or a request) exists.
  const query: Record<string, string[]> = {};
  for (const [key, value] of opts.query) (query[key] ??= []).push(value);
  let body: unknown;
  if (opts.data !== undefined) body = parseJson(opts.data, '--data');
  if (opts.input !== undefined)
    body = parseJson(await readInput(opts.input, ctx.streams.stdin), opts.input === '-' ? 'stdin' : opts.input);

  const api = await ctx.api();
  const res = await api.request<unknown>(
    { method: opts.method, path: opts.path, query, body, idempotent: opts.idempotent || undefined },
    { raw: true },
  );
  if (opts.include) {
    ctx.out.info(`HTTP ${res.status}`);
    // A server's headers are shown, never obeyed: control characters as visible escapes.
    res.headers.forEach((value, key) => ctx.out.info(inertCell(`${key}: ${redactHeader(key, value)}`)));
  }
  if (res.text === '') return { data: undefined };
  // The raw answer, in every mode: JSON pretty-printed (the same as --json), anything else as it came.
  const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data, null, 2);
  return { data: res.data, view: lines(text) };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`, 'Fix the JSON; nothing was sent.');
  }
}
