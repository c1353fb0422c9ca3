import { getThreatScore } from '../../api/customers.js';
import { lines, table, type Outcome } from '../../outcome.js';
import type { Context } from '../../context.js';
import { scoreBand } from '../../customers/score-band.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { THREAT_COLUMNS } from './columns.js';
import { customerTarget, describeCustomer } from '../../services.js';

export interface CustomerThreatScoreOptions {
  customer: string;
}

export async function runCustomerThreatScore(
  opts: CustomerThreatScoreOptions,
  ctx: Context,
): Promise<Outcome<{ customerId: string; threatScore: number; band: string }>> {
  const target = await customerTarget(ctx, opts.customer);
  const { threatScore } = unwrapEnvelope(await getThreatScore(target.deps.api, target.id), 'customer threat-score');
  const band = scoreBand(threatScore, ctx.out.color);
  // The band is a fact a person sees, so every form carries it.
  return {
    data: { customerId: target.id, threatScore, band: band.name },
    view: lines(`Threat score for ${describeCustomer(target)}: ${band.paint(`${threatScore}/97 (${band.name})`)}`),
    piped: table(THREAT_COLUMNS, [[threatScore, band.name]]),
  };
}
