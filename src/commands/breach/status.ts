import { setBreachResolved } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { success, type Outcome } from '../../outcome.js';

export interface BreachSetStatusOptions {
  /** A UUID: commander checked it (breach/index.ts). */
  breachId: string;
  resolved: boolean;
}

/** `breach resolve` and `breach unresolve`: the same request with a different flag. */
export async function runBreachSetStatus(opts: BreachSetStatusOptions, ctx: Context): Promise<Outcome> {
  const result = await setBreachResolved(await ctx.api(), opts.breachId, opts.resolved);
  return {
    data: { ...result, breachId: opts.breachId },
    notes: [success(`Breach ${opts.breachId} is now marked ${result.resolved ? 'resolved' : 'unresolved'}.`)],
  };
}
