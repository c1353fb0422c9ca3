/**
 * Breach routes of the sandbox: check and retrieve by email, resolve/unresolve a customer's
 * breach instance, the catalogue and its categories.
 *
 * Fault addresses, for testing scripts: an email whose local part is `error-<status>` (e.g.
 * `error-500@acme.co`) makes check and retrieve answer that HTTP status.
 */
import { breachesForEmail } from './breach-rules.js';
import { CATALOGUE, CATEGORIES, findBreach, isLocale, localTitle, LOCALES } from './catalogue.js';
import { UUID_RE } from './ids.js';
import { both, fail, ok, route, type RouteContext, type RouteResult } from './routes.js';
import type { BreachRecord } from './state.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function faultFor(email: string, error: string): RouteResult | undefined {
  const status = /^error-(\d{3})@/i.exec(email)?.[1];
  return status ? fail(Number(status), Number(status) === 429 ? 'Too many requests' : error) : undefined;
}

/** The partner's breach records that include this address. */
function recordsFor(ctx: RouteContext, email: string): BreachRecord[] {
  const mine = new Set(ctx.state.customers.filter((c) => c.partnerId === ctx.partner.partnerId).map((c) => c.id));
  return ctx.state.breaches.filter(
    (b) => mine.has(b.customerId) && b.emails.some((e) => e.toLowerCase() === email.toLowerCase()),
  );
}

/** Whether a catalogue breach counts as resolved for this address: only the partner's own records say so. */
function isResolved(records: BreachRecord[], name: string): boolean {
  return records.some((r) => r.breachName === name && r.resolved);
}

function emailFrom(body: unknown): string | RouteResult {
  const email = (body as { email?: unknown } | undefined)?.email;
  if (body === undefined || typeof body !== 'object') return fail(400, 'Request body must be valid JSON');
  if (typeof email !== 'string' || !EMAIL.test(email))
    return fail(400, 'Invalid request body: email must be a valid email address');
  return email;
}

route('POST', both('/breach/check'), true, (ctx) => {
  const email = emailFrom(ctx.body);
  if (typeof email !== 'string') return email;
  const fault = faultFor(email, 'Failed to check breach status');
  if (fault) return fault;
  const resolved = (ctx.body as { resolved?: unknown }).resolved;
  if (resolved !== undefined && typeof resolved !== 'boolean')
    return fail(400, 'Invalid request body: resolved must be a boolean');
  const records = recordsFor(ctx, email);
  const breaches = breachesForEmail(email).filter(
    (b) => resolved === undefined || isResolved(records, b.name) === resolved,
  );
  return ok({ breach: breaches.length > 0 });
});

route('POST', both('/breach/retrieve'), true, (ctx) => {
  const email = emailFrom(ctx.body);
  if (typeof email !== 'string') return email;
  const fault = faultFor(email, 'Failed to retrieve breaches');
  if (fault) return fault;
  const locale = (ctx.body as { localeCode?: unknown }).localeCode;
  const records = recordsFor(ctx, email);
  return ok({
    email,
    breaches: breachesForEmail(email).map((b) => ({
      title: localTitle(b, typeof locale === 'string' ? locale : undefined),
      description: b.description,
      breachDate: b.breachDate.slice(0, 10),
      breachCategories: b.breachCategories,
      nextSteps: b.nextSteps,
      resolvedStatus: isResolved(records, b.name),
    })),
  });
});

route('POST', both('/breach/status'), true, (ctx) => {
  const body = ctx.body as { breachId?: unknown; resolved?: unknown } | undefined;
  if (!body || typeof body !== 'object') return fail(400, 'Request body must be valid JSON');
  if (typeof body.breachId !== 'string' || !UUID_RE.test(body.breachId))
    return fail(400, 'Invalid request body: breachId must be a UUID');
  if (typeof body.resolved !== 'boolean') return fail(400, 'Invalid request body: resolved must be a boolean');
  const record = ctx.state.breaches.find((b) => b.id === body.breachId);
  const owner = record && ctx.state.customers.find((c) => c.id === record.customerId);
  if (!record || owner?.partnerId !== ctx.partner.partnerId)
    return fail(404, 'Breach not found or does not belong to partner');
  const changed = record.resolved !== body.resolved;
  record.resolved = body.resolved;
  const event = {
    event: record.resolved ? 'breach.resolved' : 'breach.unresolved',
    data: {
      customer_uuid: record.customerId,
      breach_name: record.breachName,
      emails: record.emails,
      timestamp: ctx.now.toISOString(),
    },
  };
  return { ...ok({ resolved: record.resolved }), changed, events: changed ? [event] : [] };
});

route('GET', both('/breach'), true, (ctx) => {
  const name = ctx.query.get('name');
  const uuid = ctx.query.get('uuid');
  const locale = ctx.query.get('localeCode') ?? 'en-GB';
  if ((name === null) === (uuid === null))
    return fail(400, 'Invalid query parameters: Either name or uuid must be provided');
  if (!isLocale(locale)) return fail(400, `Invalid query parameters: localeCode must be one of ${LOCALES.join(', ')}`);
  const breach = name !== null ? findBreach(name) : CATALOGUE.find((b) => b.uuid === uuid);
  if (!breach) return fail(404, 'Breach not found');
  return ok({
    breach: {
      uuid: breach.uuid,
      name: breach.name,
      title: localTitle(breach, locale),
      addedDate: breach.addedDate,
      breachCategories: breach.breachCategories,
      description: breach.description,
      nextSteps: breach.nextSteps,
    },
  });
});

route('GET', both('/breach/categories'), true, () => ok({ categories: CATEGORIES }));
