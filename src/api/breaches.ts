/** Breach intelligence endpoints (reference.md §6.10–6.13, 6.16). */
import type { ApiClient } from './client.js';
import { pathFor } from './paths.js';

interface RetrievedBreach {
  title: string;
  description?: string;
  breachDate: string;
  breachCategories: string[];
  nextSteps?: string[];
  resolvedStatus?: boolean;
}

export interface RetrieveResponse {
  success: boolean;
  email: string;
  breaches: RetrievedBreach[];
}

export interface CatalogueBreach {
  uuid: string;
  name: string;
  title: string;
  addedDate?: string;
  breachCategories: string[];
  description?: string;
  nextSteps?: string[];
}

export interface Category {
  name: string;
  description?: string;
}

/** POST breach/check: whether an address has known breaches. A read, so safe to repeat. */
export async function checkBreach(
  api: ApiClient,
  email: string,
  resolved?: boolean,
): Promise<{ success: boolean; breach: boolean }> {
  const body = resolved === undefined ? { email } : { email, resolved };
  return (
    await api.request<{ success: boolean; breach: boolean }>({
      method: 'POST',
      path: pathFor('breachCheck'),
      body,
      idempotent: true,
    })
  ).data;
}

/** POST breach/retrieve: the full details for an address. */
export async function retrieveBreaches(api: ApiClient, email: string, localeCode?: string): Promise<RetrieveResponse> {
  const body = localeCode ? { email, localeCode } : { email };
  const res = await api.request<RetrieveResponse>({
    method: 'POST',
    path: pathFor('breachRetrieve'),
    body,
    idempotent: true,
  });
  return { ...res.data, breaches: Array.isArray(res.data.breaches) ? res.data.breaches : [] };
}

/**
 * POST breach/status: sets a customer breach instance's resolved flag (idempotent). The request
 * names the breach alone; `customerId`, when the caller knows it, is the customer the audit log names.
 */
export async function setBreachResolved(
  api: ApiClient,
  breachId: string,
  resolved: boolean,
  customerId?: string,
): Promise<{ success: boolean; resolved: boolean }> {
  return (
    await api.request<{ success: boolean; resolved: boolean }>({
      method: 'POST',
      path: pathFor('breachStatus'),
      body: { breachId, resolved },
      idempotent: true,
      customerId,
    })
  ).data;
}

/** GET breach?name=|uuid=: one catalogue entry. */
export async function getCatalogueBreach(
  api: ApiClient,
  by: { name?: string | undefined; uuid?: string | undefined },
  localeCode?: string,
): Promise<{ success: boolean; breach: CatalogueBreach }> {
  return (
    await api.request<{ success: boolean; breach: CatalogueBreach }>({
      method: 'GET',
      path: pathFor('breachCatalogue'),
      query: { name: by.name, uuid: by.uuid, localeCode },
    })
  ).data;
}

/**
 * GET breach categories (path guessed). The shape is undocumented: a list of names or of
 * {name, description} objects, at `categories` or `data`; both are accepted.
 */
export async function listCategories(api: ApiClient): Promise<{ document: unknown; categories: Category[] }> {
  const res = await api.request<Record<string, unknown>>({ method: 'GET', path: pathFor('breachCategories') });
  const raw = (res.data['categories'] ?? res.data['data'] ?? []) as unknown[];
  const categories = (Array.isArray(raw) ? raw : []).map((c): Category =>
    typeof c === 'string'
      ? { name: c }
      : { name: String((c as Category).name ?? ''), description: (c as Category).description },
  );
  return { document: res.data, categories };
}
