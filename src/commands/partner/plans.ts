import { listPartnerPlans } from '../../api/partner.js';
import type { Context } from '../../context.js';
import { hint, table, type Outcome } from '../../outcome.js';

export interface PartnerPlansOptions {
  all: boolean;
}

export async function runPartnerPlans(opts: PartnerPlansOptions, ctx: Context): Promise<Outcome> {
  const result = await listPartnerPlans(await ctx.api());
  const plans = opts.all ? result.data : result.data.filter((p) => p.status === 'active');
  const hidden = result.data.length - plans.length;
  const view = table(
    [
      { key: 'id', header: 'ID' },
      { key: 'displayName', header: 'Name', wrap: true },
      { key: 'planType', header: 'Type' },
      { key: 'status', header: 'Status' },
      { key: 'allowsInsurance', header: 'Insurance' },
      { key: 'isSystemDefault', header: 'Default' },
      { key: 'features', header: 'Features', wrap: true },
    ],
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
  // The --json document is the API's, every plan included.
  return {
    data: result,
    view,
    notes: hidden > 0 ? [hint(`${hidden} inactive plan${hidden === 1 ? '' : 's'} hidden; --all shows ${them}.`)] : [],
  };
}
