import { getPartnerAnalytics } from '../../api/partner.js';
import type { Context } from '../../context.js';
import { pairs, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { ANALYTICS_FIELDS } from './columns.js';

export type PartnerAnalyticsOptions = Record<string, never>;

export async function runPartnerAnalytics(
  _opts: PartnerAnalyticsOptions,
  ctx: Context,
): Promise<Outcome<Record<string, unknown>>> {
  // The resource is the metrics object the API wraps in `data`.
  const metrics = unwrapEnvelope(await getPartnerAnalytics(await ctx.api()), 'partner analytics').data;
  const known = new Map(ANALYTICS_FIELDS.map((f) => [f.key, f.header]));
  // Known metrics first in a fixed order, then anything new the API adds.
  const keys = [
    ...ANALYTICS_FIELDS.map((f) => f.key).filter((k) => k in metrics),
    ...Object.keys(metrics).filter((k) => !known.has(k)),
  ];
  return { data: metrics, view: pairs(keys.map((key) => [known.get(key) ?? key, key, formatValue(metrics[key])])) };
}

function formatValue(value: unknown): string {
  // Digits grouped by hand: the first toLocaleString starts ICU, a measurable part of every run.
  if (typeof value === 'number') return groupDigits(value);
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '');
}

/** 1234567.891 -> "1,234,567.891" (en-US grouping of the integer part). */
function groupDigits(value: number): string {
  const [whole = '', fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
