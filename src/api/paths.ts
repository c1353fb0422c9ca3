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
