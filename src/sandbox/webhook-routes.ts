/**
 * Webhook endpoint management in the sandbox (the legacy system of seed 002): the secret is
 * returned once, on create; list and update never show it; delete removes the endpoint and its
 * delivery log. Plus `/_sandbox/deliveries`, the sandbox's own view of every delivery attempt,
 * and v1's organisation signing secrets (create only when none is active, cycle, deactivate).
 */
import { randomUUID } from 'node:crypto';
import { PATHS } from '../api/paths.js';
import { EVENTS, V1_EVENTS } from '../webhooks/events.js';
import { V1_GUESSES } from '../webhooks/v1.js';
import { fail, isResult, ok, route, type RouteContext, type RouteResult } from './routes.js';
import type { SigningSecretRecord, WebhookRecord } from './state.js';

const BASE = '/api/integrations/webhooks';
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'url is required';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be a valid URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return undefined;
  return 'url must be an HTTPS URL';
}

function eventsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'events must be a non-empty array';
  const known: readonly unknown[] = [...EVENTS, ...V1_EVENTS];
  const unknown = value.find((e) => !known.includes(e));
  return unknown === undefined ? undefined : `unknown event ${JSON.stringify(unknown)}; use ${known.join(', ')}`;
}

/** What list and update show: everything but the secret. */
function publicView(w: WebhookRecord) {
  return { id: w.id, url: w.url, events: w.events, active: w.active, created_at: w.created_at };
}

function ownWebhook(ctx: RouteContext): WebhookRecord | RouteResult {
  const raw = ctx.params['id'] ?? '';
  if (!/^\d+$/.test(raw)) return fail(400, 'Invalid webhook ID');
  const hook = (ctx.state.webhooks ?? []).find((w) => w.id === Number(raw) && w.partnerId === ctx.partner.partnerId);
  return hook ?? fail(404, 'Webhook not found');
}

route('GET', [BASE], true, (ctx) =>
  ok({
    webhooks: (ctx.state.webhooks ?? [])
      .filter((w) => w.partnerId === ctx.partner.partnerId)
      .sort((a, b) => b.id - a.id)
      .map(publicView),
  }),
);

route('POST', [BASE], true, (ctx) => {
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return fail(400, 'Invalid JSON in request body');
  const problem = urlProblem(body['url']) ?? eventsProblem(body['events']);
  if (problem) return fail(400, `Invalid request body: ${problem}`);
  if (body['active'] !== undefined && typeof body['active'] !== 'boolean')
    return fail(400, 'Invalid request body: active must be a boolean');
  const hooks = (ctx.state.webhooks ??= []);
  const hook: WebhookRecord = {
    id: Math.max(0, ...hooks.map((w) => w.id)) + 1,
    partnerId: ctx.partner.partnerId,
    url: body['url'] as string,
    secret: randomUUID(),
    events: [...new Set(body['events'] as string[])],
    active: (body['active'] as boolean | undefined) ?? true,
    created_at: ctx.now.toISOString(),
  };
  hooks.push(hook);
  return { ...ok({ webhook: { ...publicView(hook), secret: hook.secret } }, 201), changed: true };
});

route('PATCH', [`${BASE}/:id`], true, (ctx) => {
  const hook = ownWebhook(ctx);
  if (isResult(hook)) return hook;
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return fail(400, 'Invalid JSON in request body');
  if (body['url'] === undefined && body['events'] === undefined && body['active'] === undefined)
    return fail(400, 'Invalid request body: provide at least one of url, events, active');
  const problem =
    (body['url'] !== undefined ? urlProblem(body['url']) : undefined) ??
    (body['events'] !== undefined ? eventsProblem(body['events']) : undefined);
  if (problem) return fail(400, `Invalid request body: ${problem}`);
  if (body['active'] !== undefined && typeof body['active'] !== 'boolean')
    return fail(400, 'Invalid request body: active must be a boolean');
  if (body['url'] !== undefined) hook.url = body['url'] as string;
  if (body['events'] !== undefined) hook.events = [...new Set(body['events'] as string[])];
  if (body['active'] !== undefined) hook.active = body['active'] as boolean;
  return { ...ok({ webhook: publicView(hook) }), changed: true };
});

route('DELETE', [`${BASE}/:id`], true, (ctx) => {
  const hook = ownWebhook(ctx);
  if (isResult(hook)) return hook;
  ctx.state.webhooks = (ctx.state.webhooks ?? []).filter((w) => w !== hook);
  ctx.state.deliveries = (ctx.state.deliveries ?? []).filter((d) => d.webhookId !== hook.id);
  return { ...ok({ message: 'Webhook deleted successfully' }), changed: true };
});

route('GET', ['/_sandbox/deliveries'], true, (ctx) =>
  ok({
    deliveries: (ctx.state.deliveries ?? [])
      .filter((d) => d.partnerId === ctx.partner.partnerId)
      .sort((a, b) => b.id - a.id),
  }),
);

// --- v1 organisation signing secrets (CONTRACT.md "Current event delivery") -------------------

const SECRETS = PATHS.webhookSecrets;

function newSecret(ctx: RouteContext): SigningSecretRecord {
  const record: SigningSecretRecord = {
    id: randomUUID(),
    partnerId: ctx.partner.partnerId,
    token: randomUUID(),
    status: 'active',
    created_at: ctx.now.toISOString(),
  };
  (ctx.state.signingSecrets ??= []).push(record);
  return record;
}

const ownSecrets = (ctx: RouteContext) =>
  (ctx.state.signingSecrets ?? []).filter((s) => s.partnerId === ctx.partner.partnerId);

/** The token is in this answer only; nothing else ever shows it. */
const issued = (s: SigningSecretRecord): RouteResult => ({
  ...ok({ secret: { id: s.id, token: s.token } }, 201),
  changed: true,
});

route('POST', [SECRETS], true, (ctx) => {
  if (ownSecrets(ctx).some((s) => s.status === 'active'))
    return fail(409, 'An active signing secret already exists; cycle it to replace it');
  return issued(newSecret(ctx));
});

route('POST', [PATHS.webhookSecretsCycle], true, (ctx) => {
  const mine = ownSecrets(ctx);
  const active = mine.find((s) => s.status === 'active');
  if (!active) return fail(404, 'No active signing secret to cycle; create one first');
  // One fallback at most: the one cycled out before this is dropped.
  ctx.state.signingSecrets = (ctx.state.signingSecrets ?? []).filter(
    (s) => !(s.partnerId === ctx.partner.partnerId && s.status === 'fallback'),
  );
  active.status = 'fallback';
  return issued(newSecret(ctx));
});

route('DELETE', [V1_GUESSES.deactivatePath.replace('{id}', ':id')], true, (ctx) => {
  const id = ctx.params['id'] ?? '';
  const found = ownSecrets(ctx).find((s) => s.id === id);
  if (!found) return fail(404, 'Signing secret not found');
  ctx.state.signingSecrets = (ctx.state.signingSecrets ?? []).filter((s) => s !== found);
  return { ...ok({ message: `Signing secret deactivated (${found.status})` }), changed: true };
});
