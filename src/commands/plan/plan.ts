/**
 * `safeweb plan`: checks the whole manifest, reads the book (the state, plus live assets and
 * webhook endpoints) and shows what `apply` would change (manifest/prepare.ts). Sends nothing but reads.
 */
import type { Context } from '../../context.js';
import { planNotes, preparePlan, type PlanOptions } from '../../manifest/prepare.js';
import type { PlanData } from '../../manifest/plan.js';
import { planLines } from '../../manifest/view.js';
import type { Outcome } from '../../outcome.js';

export async function runPlan(opts: PlanOptions, ctx: Context): Promise<Outcome<PlanData>> {
  const { plan, data } = await preparePlan(opts, ctx);
  return {
    data,
    // Not lines(...): a plan of 20 000 creates is more lines than a call can take as arguments.
    view: { kind: 'lines', lines: planLines(plan, data) },
    notes: planNotes(plan),
    finding: data.summary.total > 0 ? `${data.summary.total} changes` : undefined,
  };
}
