import { listPartnerPlans } from '../../api/partner.js';
import type { Context } from '../../context.js';
import { hint, table, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { PLAN_COLUMNS } from './columns.js';

export interface PartnerPlansOptions {
  all: boolean;
}

export async function runPartnerPlans(opts: PartnerPlansOptions, ctx: Context): Promise<Outcome> {
  const all = unwrapEnvelope(await listPartnerPlans(await ctx.api()), 'partner plans').data;
  // --json shows what the table shows: the active plans, every plan with --all.
  const plans = opts.all ? all : all.filter((p) => p.status === 'active');
  const hidden = all.length - plans.length;
  const view = table(
    PLAN_COLUMNS,
    plans.map((p) => [
      p.id,
      p.displayName,
      p.planType ?? '',
      p.status,
      p.allowsInsurance,
      p.isSystemDefault,
      (p.features ?? []).map((f) => f.feature_name).join(', '),
    ]),
    'No plans are available to this partner.',
  );
  const them = hidden === 1 ? 'it' : 'them';
  return {
    data: plans,
    view,
    notes: hidden > 0 ? [hint(`${hidden} inactive plan${hidden === 1 ? '' : 's'} hidden; --all shows ${them}.`)] : [],
  };
}
