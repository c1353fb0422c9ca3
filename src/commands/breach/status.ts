import { setBreachResolved } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { success, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';

export interface BreachSetStatusOptions {
  /** A UUID: commander checked it (breach/index.ts). */
  breachId: string;
  resolved: boolean;
}

/** `breach resolve` and `breach unresolve`: the same request with a different flag. */
export async function runBreachSetStatus(opts: BreachSetStatusOptions, ctx: Context): Promise<Outcome> {
  const result = unwrapEnvelope(
    await setBreachResolved(await ctx.api(), opts.breachId, opts.resolved),
    'breach status',
  );
  return {
    data: { breachId: opts.breachId, resolved: result.resolved },
    notes: [success(`Breach ${opts.breachId} is now marked ${result.resolved ? 'resolved' : 'unresolved'}.`)],
  };
}
