/** Webhook endpoint management (seed 002's system, legacy base). */
import { IncompleteAnswerError } from '../errors.js';
import type { ApiClient } from './client.js';
import { pathFor } from './paths.js';

export interface Webhook {
  id: number;
  url: string;
  events: string[];
  active: boolean;
  created_at: string;
  secret?: string;
}

/**
 * A create or update answer holds the endpoint with its numeric ID (and, from create, its
 * secret), or says `success: false` (the caller's unwrapEnvelope reports that refusal). Anything
 * else is not trusted: the callers read the endpoint's members, and a manifest keeps its ID.
 */
function checkWebhook<T extends { success: boolean; webhook: Webhook }>(data: T, where: string, secret: boolean): T {
  const answer = data as { success?: unknown; webhook?: Partial<Webhook> | null } | null;
  if (answer !== null && typeof answer === 'object' && answer.success === false) return data;
  const webhook = answer?.webhook;
  if (webhook === null || typeof webhook !== 'object' || Array.isArray(webhook))
    throw new IncompleteAnswerError(where, 'webhook');
  if (typeof webhook.id !== 'number' || !Number.isInteger(webhook.id))
    throw new IncompleteAnswerError(where, 'webhook.id');
  if (secret && (typeof webhook.secret !== 'string' || !webhook.secret))
    throw new IncompleteAnswerError(where, 'webhook.secret');
  return data;
}

/** Drops a secret the API should never have sent outside create. */
function withoutSecret(w: Webhook): Webhook {
  const { secret: _secret, ...rest } = w;
  return rest;
}

export async function listWebhooks(api: ApiClient): Promise<{ success: boolean; webhooks: Webhook[] }> {
  const res = await api.request<{ success: boolean; webhooks: Webhook[] }>({
    method: 'GET',
    path: pathFor('webhooks'),
  });
  return { ...res.data, webhooks: (Array.isArray(res.data.webhooks) ? res.data.webhooks : []).map(withoutSecret) };
}

/** POST: creates the endpoint; the answer carries its secret, once. Never re-sent. */
export async function createWebhook(
  api: ApiClient,
  body: { url: string; events: string[]; active?: boolean },
): Promise<{ success: boolean; webhook: Webhook }> {
  const path = pathFor('webhooks');
  const { data } = await api.request<{ success: boolean; webhook: Webhook }>({
    method: 'POST',
    path,
    body,
    idempotent: false,
  });
  return checkWebhook(data, `POST ${path}`, true);
}

export async function updateWebhook(
  api: ApiClient,
  id: number,
  body: { url?: string; events?: string[]; active?: boolean },
): Promise<{ success: boolean; webhook: Webhook }> {
  const path = pathFor('webhook', String(id));
  const res = await api.request<{ success: boolean; webhook: Webhook }>({
    method: 'PATCH',
    path,
    body,
    idempotent: true,
  });
  const data = checkWebhook(res.data, `PATCH ${path}`, false);
  return data.success === false ? data : { ...data, webhook: withoutSecret(data.webhook) };
}

export async function deleteWebhook(api: ApiClient, id: number): Promise<{ success: boolean; message?: string }> {
  return (
    await api.request<{ success: boolean; message?: string }>({
      method: 'DELETE',
      path: pathFor('webhook', String(id)),
    })
  ).data;
}

/** A v1 organisation signing secret; `token` is sent by create and cycle only, once. */
export interface SigningSecret {
  id: string;
  token: string;
}

/** POST create (`cycle: false`) or cycle: never repeated, since each issues a new token. */
export async function issueSigningSecret(
  api: ApiClient,
  cycle: boolean,
): Promise<{ success: boolean; secret: SigningSecret }> {
  return (
    await api.request<{ success: boolean; secret: SigningSecret }>({
      method: 'POST',
      path: pathFor(cycle ? 'webhookSecretsCycle' : 'webhookSecrets'),
      idempotent: false,
    })
  ).data;
}

/** DELETE on the guessed path (V1_GUESSES); the active or the fallback secret. */
export async function deactivateSigningSecret(
  api: ApiClient,
  id: string,
): Promise<{ success: boolean; message?: string }> {
  return (
    await api.request<{ success: boolean; message?: string }>({
      method: 'DELETE',
      path: pathFor('webhookSecret', id),
    })
  ).data;
}
