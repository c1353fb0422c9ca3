/** Partner-level endpoints: analytics and plans. */
import { IncompleteAnswerError } from '../errors.js';
import type { ApiClient } from './client.js';
import { PATHS } from './paths.js';

interface PartnerAnalytics {
  totalCustomers: number;
  activeCustomers: number;
  newCustomerLast30Days: number;
  totalMonitoredDomains: number;
  totalMonitoredEmails: number;
  totalBreachesDetected: number;
  [extra: string]: unknown;
}

export interface AnalyticsResponse {
  success: boolean;
  data: PartnerAnalytics;
}

interface PartnerPlan {
  id: string;
  displayName: string;
  planType?: string;
  status: string;
  isSystemDefault: boolean;
  allowsInsurance: boolean;
  features?: Array<{ feature_name: string }>;
  [extra: string]: unknown;
}

export interface PlansResponse {
  success: boolean;
  data: PartnerPlan[];
}

/** GET partner analytics: counts across the partner's customers. */
export async function getPartnerAnalytics(api: ApiClient): Promise<AnalyticsResponse> {
  const res = await api.request<AnalyticsResponse>({ method: 'GET', path: PATHS.partnerAnalytics });
  if (!isRecord(res.data) || !isRecord(res.data.data)) {
    throw new IncompleteAnswerError(`GET ${PATHS.partnerAnalytics}`, 'its data object');
  }
  return res.data;
}

/** GET the plans this partner may sell (undocumented endpoint, legacy base). */
export async function listPartnerPlans(api: ApiClient): Promise<PlansResponse> {
  const res = await api.request<PlansResponse>({ method: 'GET', path: PATHS.partnerPlans });
  if (!isRecord(res.data) || !Array.isArray(res.data.data)) {
    throw new IncompleteAnswerError(`GET ${PATHS.partnerPlans}`, 'its data list');
  }
  return res.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
