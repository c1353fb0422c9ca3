/** Customer endpoints. Shapes per reference.md §6.1–6.9; paths from paths.ts. */
import { IncompleteAnswerError } from '../errors.js';
import type { ApiClient } from './client.js';
import { pathFor } from './paths.js';
import type { InfoUpdate, OnboardingRequest } from '../customers/fields.js';

export interface OnboardResponse {
  success: boolean;
  message?: string;
  customerId: string;
}

export interface MessageResponse {
  success: boolean;
  message?: string;
}

export interface AssetsResponse {
  success: boolean;
  domains: string[];
  emails: string[];
}

interface CustomerBreach {
  id: string;
  uuid?: string;
  breachName: string;
  title: string;
  emails: string[];
  breachDate: string;
  breachCategories: string[];
  resolved: boolean;
  generatedDescription?: string;
  nextSteps?: string[];
}

export interface BreachesResponse {
  success: boolean;
  breachStatus: boolean;
  count: number;
  breaches: CustomerBreach[];
}

/** PATCH info's body: the updatable fields of the table (customers/fields.ts). */
export type CustomerInfoUpdate = InfoUpdate;

/** An onboarding answer holds the customer ID the contract promises. */
function hasCustomerId(data: unknown): boolean {
  const id = (data as { customerId?: unknown } | null)?.customerId;
  return typeof id === 'string' && id.trim() !== '';
}

/**
 * POST onboard. Creates a customer, so it is never re-sent once it may have arrived. A 2xx
 * without the customer ID is not accepted: the request may have taken effect, so it ends as
 * unknown (exit 5; the write's audit line says so), and nothing is recorded from it.
 */
export async function onboardCustomer(api: ApiClient, body: OnboardingRequest): Promise<OnboardResponse> {
  const path = pathFor('customerOnboard');
  const accepted = (answer: { body: Buffer }) => {
    let data: unknown;
    try {
      data = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return 'its body is not JSON (no customer ID)';
    }
    return hasCustomerId(data) || 'it holds no customer ID';
  };
  const { data } = await api.request<OnboardResponse>({ method: 'POST', path, body, idempotent: false, accepted });
  if (!hasCustomerId(data)) throw new IncompleteAnswerError(`POST ${path}`, 'a customer ID');
  return data;
}

/** POST offboard: deactivates the customer. Setting a state is safe to repeat. */
export async function offboardCustomer(api: ApiClient, customerId: string): Promise<MessageResponse> {
  return (
    await api.request<MessageResponse>({
      method: 'POST',
      path: pathFor('customerOffboard'),
      body: { customerId },
      idempotent: true,
    })
  ).data;
}

/** POST reactivate (undocumented, legacy base). */
export async function reactivateCustomer(api: ApiClient, customerId: string): Promise<MessageResponse> {
  return (
    await api.request<MessageResponse>({
      method: 'POST',
      path: pathFor('customerReactivate'),
      body: { customerId },
      idempotent: true,
    })
  ).data;
}

/** PATCH info: only the fields given change. */
export async function updateCustomerInfo(
  api: ApiClient,
  customerId: string,
  body: CustomerInfoUpdate,
): Promise<MessageResponse> {
  return (
    await api.request<MessageResponse>({
      method: 'PATCH',
      path: pathFor('customerInfo', customerId),
      body,
      idempotent: true,
    })
  ).data;
}

/**
 * An assets answer holds both lists, or says `success: false` (the caller's unwrapEnvelope turns
 * that into the API's refusal). Anything else — `{}`, a list missing — is not trusted: callers
 * count the lists, and `customer import` takes the answer as proof that the customer exists.
 */
function checkAssets(data: AssetsResponse, where: string): AssetsResponse {
  const answer = data as Partial<AssetsResponse> | null;
  if (answer !== null && typeof answer === 'object' && answer.success === false) return data;
  if (!Array.isArray(answer?.domains) || !Array.isArray(answer.emails))
    throw new IncompleteAnswerError(where, 'the lists of domains and emails');
  return data;
}

export async function getCustomerAssets(api: ApiClient, customerId: string): Promise<AssetsResponse> {
  const path = pathFor('customerAssets', customerId);
  return checkAssets((await api.request<AssetsResponse>({ method: 'GET', path })).data, `GET ${path}`);
}

/** PATCH assets: each list given replaces the stored one entirely. */
export async function setCustomerAssets(
  api: ApiClient,
  customerId: string,
  body: { domains?: string[]; emails?: string[] },
): Promise<AssetsResponse> {
  const path = pathFor('customerAssets', customerId);
  const { data } = await api.request<AssetsResponse>({ method: 'PATCH', path, body, idempotent: true });
  return checkAssets(data, `PATCH ${path}`);
}

export async function getCustomerBreaches(
  api: ApiClient,
  customerId: string,
  localeCode?: string,
): Promise<BreachesResponse> {
  const res = await api.request<BreachesResponse>({
    method: 'GET',
    path: pathFor('customerBreaches', customerId),
    query: { localeCode },
  });
  return { ...res.data, breaches: Array.isArray(res.data.breaches) ? res.data.breaches : [] };
}

export async function getThreatScore(
  api: ApiClient,
  customerId: string,
): Promise<{ success: boolean; threatScore: number }> {
  return (
    await api.request<{ success: boolean; threatScore: number }>({
      method: 'GET',
      path: pathFor('customerThreatScore', customerId),
    })
  ).data;
}

/** POST magic-link (no body): a one-time login URL. Creates a link, so never re-sent. */
export async function createMagicLink(api: ApiClient, customerId: string): Promise<{ success: boolean; url: string }> {
  return (
    await api.request<{ success: boolean; url: string }>({
      method: 'POST',
      path: pathFor('customerMagicLink', customerId),
      idempotent: false,
    })
  ).data;
}
