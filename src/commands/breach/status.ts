import { setBreachResolved } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { UUID_RE } from '../../customers/ledger.js';
import { UsageError } from '../../errors.js';

export interface BreachSetStatusOptions {
  breachId: string;
  resolved: boolean;
}

/** `breach resolve` and `breach unresolve`: the same request with a different flag. */
export async function runBreachSetStatus(opts: BreachSetStatusOptions, ctx: Context): Promise<void> {
  if (!UUID_RE.test(opts.breachId)) {
    throw new UsageError(
      `"${opts.breachId}" is not a breach UUID`,
      'Use the Breach ID column of `safeweb customer breaches <customer>` (or .breaches[].uuid with --json).',
    );
  }
  const result = await setBreachResolved(await ctx.api(), opts.breachId, opts.resolved);
  if (ctx.globals.json) ctx.out.printJson({ ...result, breachId: opts.breachId });
  else ctx.out.success(`Breach ${opts.breachId} is now marked ${result.resolved ? 'resolved' : 'unresolved'}.`);
}
