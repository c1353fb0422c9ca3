import { getThreatScore } from '../../api/customers.js';
import { lines, table, type Outcome } from '../../outcome.js';
import type { Context } from '../../context.js';
import type { Colors } from '../../output/color.js';
import { resource } from '../../output/envelope.js';
import { THREAT_COLUMNS } from './columns.js';
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
): Promise<Outcome<{ customerId: string; threatScore: number; band: string }>> {
  const target = await customerTarget(ctx, opts.customer);
  const { threatScore } = resource(await getThreatScore(target.api, target.id), 'customer threat-score');
  const band = scoreBand(threatScore, ctx.out.color);
  // The band is a fact a person sees, so every form carries it.
  return {
    data: { customerId: target.id, threatScore, band: band.name },
    view: lines(`Threat score for ${describeCustomer(target)}: ${band.paint(`${threatScore}/97 (${band.name})`)}`),
    piped: table(THREAT_COLUMNS, [[threatScore, band.name]]),
  };
}
