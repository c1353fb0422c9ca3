import { getHealth } from '../../api/health.js';
import type { Context } from '../../context.js';
import { pairs, success, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';

export type HealthOptions = Record<string, never>;

export async function runHealth(_opts: HealthOptions, ctx: Context): Promise<Outcome> {
  const api = await ctx.api({ auth: 'optional' });
  const result = await getHealth(api);
  const body = unwrapEnvelope(result.body, 'health');
  // Said first, above the details; --json leaves it out.
  ctx.sink.note(success(`API reachable at ${api.baseUrl.origin} (${result.status} in ${result.latencyMs} ms)`));
  const details = Object.entries(body).map(([key, value]): [string, string, string] => [
    key,
    key,
    typeof value === 'object' ? JSON.stringify(value) : String(value),
  ]);
  return { data: body, view: details.length ? pairs(details) : undefined };
}
