/**
 * The path table: every endpoint the CLI knows, once. Several paths are only guessed
 * (CONTRACT.md says which); a correction is a one-line change here, and `safeweb api` reaches
 * anything this table gets wrong.
 */
export const PATHS = {
  health: '/api/v1/health',
  partnerAnalytics: '/api/v1/integrations/partner/analytics',
  partnerPlans: '/api/integrations/partner/plans',
  customerOnboard: '/api/v1/integrations/customer/onboard',
  customerOffboard: '/api/v1/integrations/customer/offboard',
  customerReactivate: '/api/integrations/customer/reactivate',
  customerInfo: '/api/v1/integrations/customer/{id}/info',
  customerAssets: '/api/v1/integrations/customer/{id}/assets',
  customerBreaches: '/api/v1/integrations/customer/{id}/breaches',
  customerThreatScore: '/api/v1/integrations/customer/{id}/threat-score',
  customerMagicLink: '/api/v1/integrations/customer/{id}/magic-link',
  breachCheck: '/api/v1/integrations/breach/check',
  breachRetrieve: '/api/v1/integrations/breach/retrieve',
  breachStatus: '/api/v1/integrations/breach/status',
  breachCatalogue: '/api/v1/integrations/breach',
  breachCategories: '/api/v1/integrations/breach/categories',
  webhooks: '/api/integrations/webhooks',
  webhook: '/api/integrations/webhooks/{id}',
  /** v1 organisation signing secrets (create and cycle documented; the DELETE path is guessed). */
  webhookSecrets: '/api/v1/integrations/webhooks/secrets',
  webhookSecretsCycle: '/api/v1/integrations/webhooks/secrets/cycle',
  webhookSecret: '/api/v1/integrations/webhooks/secrets/{id}',
  /** Not SafeWeb's: the local sandbox's log of webhook delivery attempts. */
  sandboxDeliveries: '/_sandbox/deliveries',
} as const;

export type PathName = keyof typeof PATHS;

/** A path from the table with `{id}` filled in (encoded). */
export function pathFor(name: PathName, id?: string): string {
  return PATHS[name].replace('{id}', encodeURIComponent(id ?? ''));
}

/** Whether an operation reads or changes something: what the audit log and read-only profiles go by. */
type Effect = 'read' | 'write';

/**
 * Every operation, once: the methods each path answers and whether that method reads or changes
 * something. Marked here, not guessed from the method: `breach check` and `breach retrieve` are
 * POST reads; minting a magic link is a write (it creates a sign-in link for a person).
 */
const OPERATIONS: { readonly [N in PathName]: Readonly<Record<string, Effect>> } = {
  health: { GET: 'read' },
  partnerAnalytics: { GET: 'read' },
  partnerPlans: { GET: 'read' },
  customerOnboard: { POST: 'write' },
  customerOffboard: { POST: 'write' },
  customerReactivate: { POST: 'write' },
  customerInfo: { PATCH: 'write' },
  customerAssets: { GET: 'read', PATCH: 'write' },
  customerBreaches: { GET: 'read' },
  customerThreatScore: { GET: 'read' },
  customerMagicLink: { POST: 'write' },
  breachCheck: { POST: 'read' },
  breachRetrieve: { POST: 'read' },
  breachStatus: { POST: 'write' },
  breachCatalogue: { GET: 'read' },
  breachCategories: { GET: 'read' },
  webhooks: { GET: 'read', POST: 'write' },
  webhook: { GET: 'read', PATCH: 'write', DELETE: 'write' },
  webhookSecrets: { POST: 'write' },
  webhookSecretsCycle: { POST: 'write' },
  webhookSecret: { DELETE: 'write' },
  sandboxDeliveries: { GET: 'read' },
};

/** How a request is judged: the table's operation it matches (if any), and whether it writes. */
export interface Classified {
  /** The path table's name for it, when the path matches one. */
  operation: PathName | undefined;
  write: boolean;
  /** The `{id}` in the path, decoded, when the matched path has one. */
  id: string | undefined;
}

const MATCHERS = (Object.keys(PATHS) as PathName[]).map((name) => ({
  name,
  pattern: new RegExp(`^${PATHS[name].replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace('{id}', '([^/]+)')}/?$`),
}));

/**
 * Reads or writes, for any request (the `api` command's included): a match in the table decides;
 * a path or method the table does not know is a read only for GET and HEAD, a write otherwise —
 * so an unknown POST counts as a change, never the other way round.
 */
export function classify(method: string, path: string): Classified {
  const verb = method.toUpperCase();
  const bare = path.split(/[?#]/)[0] ?? '';
  // First match wins: a fixed path sits before an {id} path that would also match it (secrets/cycle).
  for (const { name, pattern } of MATCHERS) {
    const match = pattern.exec(bare);
    if (!match) continue;
    const effect = OPERATIONS[name][verb];
    const id = match[1] === undefined ? undefined : safeDecode(match[1]);
    if (effect) return { operation: name, write: effect === 'write', id };
    return { operation: name, write: !(verb === 'GET' || verb === 'HEAD'), id };
  }
  return { operation: undefined, write: !(verb === 'GET' || verb === 'HEAD'), id: undefined };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
