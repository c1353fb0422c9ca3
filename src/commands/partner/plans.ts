import { listPartnerPlans } from '../../api/partner.js';
import type { Context } from '../../context.js';

export interface PartnerPlansOptions {
  all: boolean;
}

export async function runPartnerPlans(opts: PartnerPlansOptions, ctx: Context): Promise<void> {
  const result = await listPartnerPlans(await ctx.api());
  if (ctx.globals.json) {
    ctx.out.printJson(result);
    return;
  }
  const plans = opts.all ? result.data : result.data.filter((p) => p.status === 'active');
  const hidden = result.data.length - plans.length;
  await ctx.out.printRows(
    [
      { header: 'ID' },
      { header: 'Name', wrap: true },
      { header: 'Type' },
      { header: 'Status' },
      { header: 'Insurance' },
      { header: 'Default' },
      { header: 'Features', wrap: true },
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
  if (hidden > 0)
    ctx.out.hint(
      `${hidden} inactive plan${hidden === 1 ? '' : 's'} hidden; --all shows ${hidden === 1 ? 'it' : 'them'}.`,
    );
}
