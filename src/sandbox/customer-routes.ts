/**
 * Customer routes of the sandbox, with the server-side rules of CONTRACT.md: a future
 * billedFromDate, a customerReference unique per partner, and ownership (another partner's
 * customer is "not found").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { threatScore } from './breach-rules.js';
import { findBreach, localTitle } from './catalogue.js';
import { UUID_RE } from './ids.js';
import { both, fail, isResult, ok, route, type RouteContext, type RouteResult } from './routes.js';
import { breachesOf, syncBreaches, type BreachRecord, type CustomerRecord, type SandboxState } from './state.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const PLANS = ['safeweb-basic', 'safeweb-plus', 'safeweb-pro'];
const CURRENCIES = ['AUD', 'GBP', 'USD'];
const NOT_FOUND = 'Customer not found or does not belong to partner';

type Body = Record<string, unknown>;

/** partner + reference of every customer, so a bulk run of 100 000 is not quadratic. */
const indexes = new WeakMap<SandboxState, Set<string>>();
function referenceIndex(state: SandboxState): Set<string> {
  let index = indexes.get(state);
  if (!index) {
    index = new Set(state.customers.map((c) => `${c.partnerId}\u0000${c.customerReference}`));
    indexes.set(state, index);
  }
  return index;
}

function invalid(problem: string): RouteResult {
  return fail(400, `Invalid request body: ${problem}`);
}

function asObject(body: unknown): Body | undefined {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : undefined;
}

function stringList(body: Body, key: string, pattern: RegExp, what: string): string[] | RouteResult | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    return invalid(`${key} must be an array of strings`);
  const bad = (value as string[]).find((v) => !pattern.test(v));
  if (bad !== undefined) return invalid(`${key} contains an invalid ${what}: ${bad}`);
  return [...new Set(value as string[])];
}

/** The customer with this id owned by the caller, or the 400/404 to answer. */
function ownCustomer(ctx: RouteContext, id: string | undefined): CustomerRecord | RouteResult {
  if (!id) return fail(400, 'Customer ID is required');
  if (!UUID_RE.test(id)) return fail(400, 'Invalid route parameters: Customer ID must be a valid UUID');
  const customer = ctx.state.customers.find((c) => c.id === id);
  return customer && customer.partnerId === ctx.partner.partnerId ? customer : fail(404, NOT_FOUND);
}

function isoDate(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

route('POST', both('/customer/onboard'), true, (ctx) => {
  const body = asObject(ctx.body);
  if (!body) return fail(400, 'Invalid JSON in request body');
  for (const key of ['companyName', 'customerReference'] as const) {
    if (typeof body[key] !== 'string' || !(body[key] as string).trim()) return invalid(`${key} is required`);
  }
  if (
    body['contactEmail'] !== undefined &&
    (typeof body['contactEmail'] !== 'string' || !EMAIL.test(body['contactEmail']))
  )
    return invalid('contactEmail must be a valid email');
  const domains = stringList(body, 'assetsDomains', DOMAIN, 'domain');
  if (isResult(domains)) return domains;
  const emails = stringList(body, 'assetsEmails', EMAIL, 'email');
  if (isResult(emails)) return emails;
  const recipients = stringList(body, 'alertRecipients', EMAIL, 'email');
  if (isResult(recipients)) return recipients;
  if (!recipients?.length) return invalid('alertRecipients must contain at least one email');
  if (typeof body['price'] !== 'number' || !Number.isFinite(body['price']) || body['price'] < 0)
    return invalid('price must be a number >= 0');
  if (!CURRENCIES.includes(body['currencyCode'] as string))
    return invalid(`currencyCode must be one of ${CURRENCIES.join(', ')}`);
  if (body['planType'] !== undefined && !PLANS.includes(body['planType'] as string))
    return invalid(`planType must be one of ${PLANS.join(', ')}`);
  if (body['enrolType'] !== undefined && !['opt-in', 'opt-out'].includes(body['enrolType'] as string))
    return invalid('enrolType must be opt-in or opt-out');
  if (body['sendMonthlyReport'] !== undefined && typeof body['sendMonthlyReport'] !== 'boolean')
    return invalid('sendMonthlyReport must be a boolean');
  if (body['localeCode'] !== undefined && (typeof body['localeCode'] !== 'string' || !body['localeCode']))
    return invalid('localeCode must be a non-empty string');
  const billedFrom = isoDate(body['billedFromDate']);
  if (billedFrom === undefined) return invalid('billedFromDate must be an ISO 8601 date-time');
  if (billedFrom <= ctx.now.getTime()) return invalid('billedFromDate must be in the future');
  if (body['insuranceActiveFromDate'] !== undefined && isoDate(body['insuranceActiveFromDate']) === undefined)
    return invalid('insuranceActiveFromDate must be an ISO 8601 date-time');

  // The rule is checked on what the partner sent; contactEmail is added only afterwards.
  if (!(domains?.length || emails?.length))
    return fail(400, 'At least one of assetsDomains or assetsEmails must be provided');
  const contactEmail = body['contactEmail'] as string | undefined;
  const allEmails = [...(emails ?? [])];
  if (contactEmail && !allEmails.some((e) => e.toLowerCase() === contactEmail.toLowerCase()))
    allEmails.push(contactEmail);
  const reference = (body['customerReference'] as string).trim();
  const references = referenceIndex(ctx.state);
  if (references.has(`${ctx.partner.partnerId}\u0000${reference}`)) {
    return fail(409, `Customer reference ${reference} already exists for this partner`);
  }
  const customer: CustomerRecord = {
    id: randomUUID(),
    partnerId: ctx.partner.partnerId,
    companyName: (body['companyName'] as string).trim(),
    customerReference: reference,
    contactEmail,
    domains: domains ?? [],
    emails: allEmails,
    alertRecipients: recipients,
    price: body['price'] as number,
    currencyCode: body['currencyCode'] as string,
    planType: (body['planType'] as string | undefined) ?? 'safeweb-basic',
    enrolType: (body['enrolType'] as string | undefined) ?? 'opt-out',
    sendMonthlyReport: (body['sendMonthlyReport'] as boolean | undefined) ?? false,
    localeCode: (body['localeCode'] as string | undefined) ?? 'en-GB',
    billedFromDate: new Date(billedFrom).toISOString(),
    insuranceActiveFromDate: body['insuranceActiveFromDate'] as string | undefined,
    status: 'active',
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.customers.push(customer);
  references.add(`${ctx.partner.partnerId}\u0000${reference}`);
  const found = syncBreaches(ctx.state, customer, ctx.now);
  return {
    ...ok({ message: 'Customer onboarded successfully', customerId: customer.id }, 201),
    changed: true,
    events: breachNewEvent(customer, found, ctx.now),
  };
});

function setStatus(status: CustomerRecord['status'], message: string) {
  return (ctx: RouteContext): RouteResult => {
    const body = asObject(ctx.body);
    if (!body) return fail(400, 'Invalid JSON in request body');
    const customer = ownCustomer(ctx, typeof body['customerId'] === 'string' ? body['customerId'] : undefined);
    if (isResult(customer)) return customer;
    // Idempotent: offboarding an offboarded customer succeeds again, so a retry is harmless.
    customer.status = status;
    return { ...ok({ message }), changed: true };
  };
}

route('POST', both('/customer/offboard'), true, setStatus('offboarded', 'Customer offboarded successfully'));
route('POST', both('/customer/reactivate'), true, setStatus('active', 'Customer reactivated successfully'));

route('PATCH', both('/customer/:id/info'), true, (ctx) => {
  const customer = ownCustomer(ctx, ctx.params['id']);
  if (isResult(customer)) return customer;
  const body = asObject(ctx.body);
  if (!body) return fail(400, 'Request body must be valid JSON');
  const update: Partial<CustomerRecord> = {};
  if (body['companyName'] !== undefined) {
    if (typeof body['companyName'] !== 'string' || !body['companyName'].trim())
      return invalid('companyName must be a non-empty string');
    update.companyName = body['companyName'].trim();
  }
  if (body['contactEmail'] !== undefined) {
    if (typeof body['contactEmail'] !== 'string' || !EMAIL.test(body['contactEmail']))
      return invalid('contactEmail must be a valid email');
    update.contactEmail = body['contactEmail'];
  }
  if (body['price'] !== undefined) {
    if (typeof body['price'] !== 'number' || !Number.isFinite(body['price']) || body['price'] < 0)
      return invalid('price must be a number >= 0');
    update.price = body['price'];
  }
  if (body['planType'] !== undefined) {
    if (!PLANS.includes(body['planType'] as string)) return invalid(`planType must be one of ${PLANS.join(', ')}`);
    update.planType = body['planType'] as string;
  }
  if (Object.keys(update).length === 0)
    return invalid('provide at least one of companyName, contactEmail, price, planType');
  Object.assign(customer, update);
  return { ...ok({ message: 'Customer info updated successfully' }), changed: true };
});

route('GET', both('/customer/:id/assets'), true, (ctx) => {
  const customer = ownCustomer(ctx, ctx.params['id']);
  if (isResult(customer)) return customer;
  return ok({ domains: customer.domains, emails: customer.emails });
});

route('PATCH', both('/customer/:id/assets'), true, (ctx) => {
  const customer = ownCustomer(ctx, ctx.params['id']);
  if (isResult(customer)) return customer;
  const body = asObject(ctx.body);
  if (!body) return fail(400, 'Request body must be valid JSON');
  const domains = stringList(body, 'domains', DOMAIN, 'domain');
  if (isResult(domains)) return domains;
  const emails = stringList(body, 'emails', EMAIL, 'email');
  if (isResult(emails)) return emails;
  if (domains === undefined && emails === undefined)
    return fail(400, 'At least one of domains or emails must be provided');
  const before = customer.emails;
  if (domains !== undefined) customer.domains = domains;
  if (emails !== undefined) customer.emails = emails;
  const found = syncBreaches(ctx.state, customer, ctx.now);
  const lower = (list: string[]) => new Set(list.map((e) => e.toLowerCase()));
  const added = customer.emails.filter((e) => !lower(before).has(e.toLowerCase()));
  const removed = before.filter((e) => !lower(customer.emails).has(e.toLowerCase()));
  const timestamp = ctx.now.toISOString();
  const events = [
    ...(added.length ? [{ event: 'email.added', data: { customer_uuid: customer.id, emails: added, timestamp } }] : []),
    ...(removed.length
      ? [{ event: 'email.removed', data: { customer_uuid: customer.id, emails: removed, timestamp } }]
      : []),
    ...breachNewEvent(customer, found, ctx.now),
  ];
  return { ...ok({ domains: customer.domains, emails: customer.emails }), changed: true, events };
});

/** `breach.new` for breach records a scan just created (none when nothing new was found). */
function breachNewEvent(
  customer: CustomerRecord,
  found: BreachRecord[],
  now: Date,
): NonNullable<RouteResult['events']> {
  if (found.length === 0) return [];
  return [
    {
      event: 'breach.new',
      data: {
        customer_uuid: customer.id,
        breaches_found: found.length,
        new_breach_names: found.map((b) => b.breachName),
        emails_scanned: customer.emails.length,
        timestamp: now.toISOString(),
      },
    },
  ];
}

/** The customer's breach records, in the shape of the customer-breaches listing. */
function breachListing(state: SandboxState, customer: CustomerRecord, locale: string | null) {
  return breachesOf(state, customer.id).map((record, n) => {
    const breach = findBreach(record.breachName);
    return {
      id: `${customer.id}-${record.breachName}-${n}`,
      uuid: record.id,
      breachName: record.breachName,
      title: breach ? localTitle(breach, locale) : record.breachName,
      emails: record.emails,
      breachDate: breach?.breachDate ?? record.discoveredAt,
      breachCategories: breach?.breachCategories ?? [],
      resolved: record.resolved,
      generatedDescription: breach?.description ?? '',
      nextSteps: breach?.nextSteps ?? [],
    };
  });
}

route('GET', both('/customer/:id/breaches'), true, (ctx) => {
  const customer = ownCustomer(ctx, ctx.params['id']);
  if (isResult(customer)) return customer;
  const breaches = breachListing(ctx.state, customer, ctx.query.get('localeCode'));
  return ok({ breachStatus: breaches.length > 0, count: breaches.length, breaches });
});

route('GET', both('/customer/:id/threat-score'), true, (ctx) => {
  const customer = ownCustomer(ctx, ctx.params['id']);
  if (isResult(customer)) return customer;
  const records = breachesOf(ctx.state, customer.id).map((b) => ({
    resolved: b.resolved,
    categories: findBreach(b.breachName)?.breachCategories ?? [],
  }));
  return ok({ threatScore: threatScore(records) });
});

route('POST', both('/customer/:id/magic-link'), true, (ctx) => {
  const customer = ownCustomer(ctx, ctx.params['id']);
  if (isResult(customer)) return customer;
  if (customer.status !== 'active') return fail(400, 'Customer is not active; reactivate it first');
  const tokenHash = randomBytes(24).toString('hex');
  (ctx.state.magicLinks ??= []).push({
    tokenHash,
    customerId: customer.id,
    expiresAt: new Date(ctx.now.getTime() + 3_600_000).toISOString(),
    used: false,
  });
  return { ...ok({ url: `${ctx.origin}/auth/confirm?token_hash=${tokenHash}&type=magiclink` }), changed: true };
});

// The customer-portal side of a magic link: works once, within the hour.
route('GET', ['/auth/confirm'], false, (ctx) => {
  const link = (ctx.state.magicLinks ?? []).find((l) => l.tokenHash === ctx.query.get('token_hash'));
  const page = (title: string, text: string) => `<!doctype html><title>${title}</title><h1>${title}</h1><p>${text}</p>`;
  if (!link || ctx.query.get('type') !== 'magiclink')
    return { status: 404, body: null, html: page('Link not recognised', 'This sign-in link is not valid.') };
  if (link.used || Date.parse(link.expiresAt) <= ctx.now.getTime())
    return {
      status: 410,
      body: null,
      html: page('Link expired', 'This sign-in link was already used or has expired. Ask for a new one.'),
    };
  link.used = true;
  const customer = ctx.state.customers.find((c) => c.id === link.customerId);
  return {
    status: 200,
    body: null,
    html: page('Signed in', `Signed in to the SafeWeb portal (sandbox) as ${customer?.companyName ?? 'a customer'}.`),
    changed: true,
  };
});
