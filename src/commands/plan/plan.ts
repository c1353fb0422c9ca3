/**
 * `safeweb plan`: checks the whole manifest, reads the book (the state, plus live assets and
 * webhook endpoints) and shows what `apply` would change. Sends nothing but reads.
 */
import type { Context } from '../../context.js';
import type { PlanData } from '../../manifest/plan.js';
import { preparePlan, type PlanOptions } from '../../manifest/prepare.js';
import { planLines } from '../../manifest/view.js';
import { lines, warn, type Outcome } from '../../outcome.js';

export async function runPlan(opts: PlanOptions, ctx: Context): Promise<Outcome<PlanData>> {
  const { plan, data } = await preparePlan(opts, ctx);
  const creates = plan.changes.filter((c) => c.kind === 'webhook' && c.action === 'create').length;
  const notes = plan.warnings.map((w) => warn(w));
  if (creates)
    notes.push(
      warn(
        `${creates} webhook endpoint${creates === 1 ? '' : 's'} would be created: \`apply\` needs --secret-dir DIR ` +
          'to keep each signing secret (it is never printed).',
      ),
    );
  return {
    data,
    view: lines(...planLines(plan, data, ctx.out.color)),
    notes,
    finding: data.summary.total > 0 ? `${data.summary.total} changes` : undefined,
  };
}
