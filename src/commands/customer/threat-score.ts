import { getThreatScore } from '../../api/customers.js';
import { lines, type Outcome } from '../../outcome.js';
import type { Context } from '../../context.js';
import type { Colors } from '../../output/color.js';
import { customerTarget, describeCustomer } from './target.js';

export interface CustomerThreatScoreOptions {
  customer: string;
}

/** The band a score falls in, with its colour: the scale is 0 to 97. */
export function scoreBand(score: number, c: Colors): { name: string; paint: (t: string) => string } {
  if (score < 25) return { name: 'low', paint: c.green };
  if (score < 50) return { name: 'moderate', paint: c.yellow };
  if (score < 75) return { name: 'high', paint: c.red };
  return { name: 'critical', paint: (t) => c.bold(c.red(t)) };
}

export async function runCustomerThreatScore(
  opts: CustomerThreatScoreOptions,
  ctx: Context,
): Promise<Outcome<Awaited<ReturnType<typeof getThreatScore>>>> {
  const target = await customerTarget(ctx, opts.customer);
  const result = await getThreatScore(target.api, target.id);
  const band = scoreBand(result.threatScore, ctx.out.color);
  return {
    data: result,
    view: lines(
      `Threat score for ${describeCustomer(target)}: ${band.paint(`${result.threatScore}/97 (${band.name})`)}`,
    ),
    piped: lines(String(result.threatScore)),
  };
}
