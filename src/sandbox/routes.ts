/**
 * The sandbox's route table. Each route is served on both the versioned base
 * (/api/v1/integrations) and the legacy one (/api/integrations), as the real API appears to.
 */
import type { CustomerRecord, PartnerRecord, SandboxState } from './state.js';

export interface RouteContext {
  partner: PartnerRecord;
  /** http://host:port as the client addressed the sandbox. */
  origin: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  state: SandboxState;
  now: Date;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** Send this text as HTML instead of JSON (the magic-link landing page). */
  html?: string;
  /** Extra response headers (Retry-After on a 429). */
  headers?: Record<string, string>;
  /** The state changed; persist it. */
  changed?: boolean;
  /** Events to deliver to the partner's webhook endpoints once the answer is sent. */
  events?: Array<{ event: string; data: Record<string, unknown> }>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  auth: boolean;
  handle: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

const SANDBOX_VERSION = '1.0.0-sandbox';

const routes: Route[] = [];

/** Registers a route under the given full paths; `:name` segments become params. */
export function route(method: string, paths: string[], auth: boolean, handle: Route['handle']): void {
  for (const p of paths) {
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${p.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
        keys.push(key);
        return '([^/]+)';
      })}/?$`,
    );
    routes.push({ method, pattern, keys, auth, handle });
  }
}

/** `/customer/onboard` -> the v1 and the legacy path. */
export function both(sub: string): string[] {
  return [`/api/v1/integrations${sub}`, `/api/integrations${sub}`];
}

export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    if (r.method !== method) {
      allowed.push(r.method);
      continue;
    }
    const params: Record<string, string> = {};
    r.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1] ?? '')));
    return { route: r, params };
  }
  return allowed.length ? { allowed } : undefined;
}

/** A handler's early answer rather than the record it looked for. */
export const isResult = (v: unknown): v is RouteResult =>
  typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

export const ok = (body: Record<string, unknown>, status = 200): RouteResult => ({
  status,
  body: { success: true, ...body },
});
export const fail = (status: number, error: string): RouteResult => ({ status, body: { success: false, error } });

function ownedCustomers(state: SandboxState, partnerId: string): CustomerRecord[] {
  return state.customers.filter((c) => c.partnerId === partnerId);
}

// --- platform -------------------------------------------------------------------------------

route('GET', ['/api/v1/health', '/api/health'], false, ({ now }) =>
  ok({ status: 'ok', service: 'safeweb-sandbox', version: SANDBOX_VERSION, time: now.toISOString() }),
);

// --- partner --------------------------------------------------------------------------------

route('GET', both('/partner/analytics'), true, ({ state, partner, now }) => {
  const mine = ownedCustomers(state, partner.partnerId);
  const active = mine.filter((c) => c.status === 'active');
  const since = now.getTime() - 30 * 86_400_000;
  const ids = new Set(mine.map((c) => c.id));
  return ok({
    data: {
      totalCustomers: mine.length,
      activeCustomers: active.length,
      newCustomerLast30Days: mine.filter((c) => Date.parse(c.createdAt) >= since).length,
      totalMonitoredDomains: active.reduce((n, c) => n + c.domains.length, 0),
      totalMonitoredEmails: active.reduce((n, c) => n + c.emails.length, 0),
      totalBreachesDetected: state.breaches.filter((b) => ids.has(b.customerId)).length,
    },
  });
});

const PLANS = [
  {
    id: '3f1c2a9e-0b7d-4c1e-9a55-1d2e3f4a5b61',
    displayName: 'SafeWeb Basic',
    planType: 'safeweb-basic',
    status: 'active',
    isSystemDefault: true,
    allowsInsurance: false,
    features: [{ feature_name: 'Dark-web monitoring' }, { feature_name: 'Breach alerts' }],
  },
  {
    id: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c02',
    displayName: 'SafeWeb Plus',
    planType: 'safeweb-plus',
    status: 'active',
    isSystemDefault: false,
    allowsInsurance: true,
    features: [
      { feature_name: 'Dark-web monitoring' },
      { feature_name: 'Breach alerts' },
      { feature_name: 'Customer portal' },
      { feature_name: 'Monthly security report' },
    ],
  },
  {
    id: 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e03',
    displayName: 'SafeWeb Pro',
    planType: 'safeweb-pro',
    status: 'active',
    isSystemDefault: false,
    allowsInsurance: true,
    features: [
      { feature_name: 'Dark-web monitoring' },
      { feature_name: 'Breach alerts' },
      { feature_name: 'Customer portal' },
      { feature_name: 'Monthly security report' },
      { feature_name: 'Cyber insurance' },
    ],
  },
  {
    id: '0e9d8c7b-6a5f-4e4d-8c3b-2a1f0e9d8c04',
    displayName: 'SafeWeb Legacy (2023)',
    planType: 'safeweb-basic',
    status: 'archived',
    isSystemDefault: false,
    allowsInsurance: false,
    features: [{ feature_name: 'Dark-web monitoring' }],
  },
];

route('GET', both('/partner/plans'), true, () => ok({ data: PLANS }));
