import { redactHeader } from '../../api/redact.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readInput } from '../../io/read-input.js';

export interface ApiOptions {
  method: string;
  path: string;
  data?: string | undefined;
  input?: string | undefined;
  query: string[];
  idempotent: boolean;
  include: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export async function runApi(opts: ApiOptions, ctx: Context): Promise<void> {
  // Everything is checked before a client (or a request) exists.
  const method = opts.method.toUpperCase();
  if (!METHODS.includes(method))
    throw new UsageError(`unknown HTTP method "${opts.method}"`, `Use one of ${METHODS.join(', ')}.`);
  if (!opts.path.startsWith('/')) {
    throw new UsageError(
      `path must start with / (got "${opts.path}")`,
      'Give only the path; the host comes from the profile or --base-url, so your key never goes elsewhere.',
    );
  }
  if (opts.data !== undefined && opts.input !== undefined)
    throw new UsageError('--data and --input cannot be used together', 'Pick one source for the body.');
  const query: Record<string, string[]> = {};
  for (const pair of opts.query) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--query "${pair}" is not key=value`, 'Write it as --query name=value.');
    (query[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
  }
  let body: unknown;
  if (opts.data !== undefined) body = parseJson(opts.data, '--data');
  if (opts.input !== undefined)
    body = parseJson(await readInput(opts.input, ctx.streams.stdin), opts.input === '-' ? 'stdin' : opts.input);

  const api = await ctx.api();
  const res = await api.request<unknown>(
    { method, path: opts.path, query, body, idempotent: opts.idempotent || undefined },
    { raw: true },
  );
  if (opts.include) {
    ctx.out.info(`HTTP ${res.status}`);
    res.headers.forEach((value, key) => ctx.out.info(`${key}: ${redactHeader(key, value)}`));
  }
  if (res.text === '') return;
  if (typeof res.data === 'string') {
    if (ctx.globals.json) ctx.out.printJson(res.data);
    else ctx.out.line(res.data);
    return;
  }
  ctx.out.printJson(res.data);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`, 'Fix the JSON; nothing was sent.');
  }
}
