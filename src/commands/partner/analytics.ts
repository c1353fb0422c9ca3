import { getPartnerAnalytics } from '../../api/partner.js';
import type { Context } from '../../context.js';

export type PartnerAnalyticsOptions = Record<string, never>;

const LABELS: Record<string, string> = {
  totalCustomers: 'Total customers',
  activeCustomers: 'Active customers',
  newCustomerLast30Days: 'New customers (30 days)',
  totalMonitoredDomains: 'Monitored domains',
  totalMonitoredEmails: 'Monitored emails',
  totalBreachesDetected: 'Breaches detected',
};

export async function runPartnerAnalytics(_opts: PartnerAnalyticsOptions, ctx: Context): Promise<void> {
  const result = await getPartnerAnalytics(await ctx.api());
  if (ctx.globals.json) {
    ctx.out.printJson(result);
    return;
  }
  // Known metrics first in a fixed order, then anything new the API adds.
  const keys = [
    ...Object.keys(LABELS).filter((k) => k in result.data),
    ...Object.keys(result.data).filter((k) => !(k in LABELS)),
  ];
  await ctx.out.printPairs(keys.map((key) => [LABELS[key] ?? key, key, formatValue(result.data[key])]));
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString('en-US');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '');
}
