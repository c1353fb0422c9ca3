import type { Context } from '../../context.js';
import { readThreatScore, type ThreatScore } from '../../customers/reads.js';
import { scoreBand } from '../../customers/score-band.js';
import { lines, styled, table, type Outcome } from '../../outcome.js';
import { customerTarget, describeCustomer } from '../../services.js';
import { THREAT_COLUMNS } from './columns.js';

export interface CustomerThreatScoreOptions {
  customer: string;
}

export async function runCustomerThreatScore(
  opts: CustomerThreatScoreOptions,
  ctx: Context,
): Promise<Outcome<ThreatScore>> {
  const target = await customerTarget(ctx, opts.customer);
  const score = await readThreatScore(target.deps.api, target.id);
  const { tone } = scoreBand(score.threatScore);
  // The band is a fact a person sees, so every form carries it.
  return {
    data: score,
    view: lines([
      `Threat score for ${describeCustomer(target)}: `,
      styled(tone, `${score.threatScore}/97 (${score.band})`),
    ]),
    piped: table(THREAT_COLUMNS, [[score.threatScore, score.band]]),
  };
}
