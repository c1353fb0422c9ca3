import { getPartnerAnalytics } from '../../api/partner.js';
import type { Context } from '../../context.js';
import { pairs, type Outcome } from '../../outcome.js';

export type PartnerAnalyticsOptions = Record<string, never>;

const LABELS: Record<string, string> = {
  totalCustomers: 'Total customers',
  activeCustomers: 'Active customers',
  newCustomerLast30Days: 'New customers (30 days)',
  totalMonitoredDomains: 'Monitored domains',
  totalMonitoredEmails: 'Monitored emails',
  totalBreachesDetected: 'Breaches detected',
};

export async function runPartnerAnalytics(_opts: PartnerAnalyticsOptions, ctx: Context): Promise<Outcome> {
  const result = await getPartnerAnalytics(await ctx.api());
  // Known metrics first in a fixed order, then anything new the API adds.
  const keys = [
    ...Object.keys(LABELS).filter((k) => k in result.data),
    ...Object.keys(result.data).filter((k) => !(k in LABELS)),
  ];
  return { data: result, view: pairs(keys.map((key) => [LABELS[key] ?? key, key, formatValue(result.data[key])])) };
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString('en-US');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '');
}
