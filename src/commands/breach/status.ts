import { setBreachStatus } from '../../breaches/status.js';
import type { Context } from '../../context.js';
import type { Outcome } from '../../outcome.js';

export interface BreachSetStatusOptions {
  /** A UUID: commander checked it (breach/index.ts). */
  breachId: string;
  resolved: boolean;
}

/** `breach resolve` and `breach unresolve`: the same request with a different flag. */
export async function runBreachSetStatus(opts: BreachSetStatusOptions, ctx: Context): Promise<Outcome> {
  return setBreachStatus(await ctx.api(), opts.breachId, opts.resolved);
}
