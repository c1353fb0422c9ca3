import { getHealth } from '../../api/health.js';
import type { Context } from '../../context.js';

export type HealthOptions = Record<string, never>;

export async function runHealth(_opts: HealthOptions, ctx: Context): Promise<void> {
  const api = await ctx.api({ auth: 'optional' });
  const result = await getHealth(api);
  if (ctx.globals.json) {
    ctx.out.printJson(result.body);
    return;
  }
  ctx.out.success(`API reachable at ${api.baseUrl.origin} (${result.status} in ${result.latencyMs} ms)`);
  const pairs = Object.entries(result.body)
    .filter(([key]) => key !== 'success')
    .map(([key, value]): [string, string, string] => [
      key,
      key,
      typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]);
  if (pairs.length) await ctx.out.printPairs(pairs);
}
