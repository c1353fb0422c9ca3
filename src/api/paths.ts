/**
 * The path table: every endpoint the CLI knows, once. Several paths are only guessed
 * (CONTRACT.md says which); a correction is a one-line change here, and `safeweb api` reaches
 * anything this table gets wrong.
 */
export const PATHS = {
  health: '/api/v1/health',
  partnerAnalytics: '/api/v1/integrations/partner/analytics',
  partnerPlans: '/api/integrations/partner/plans',
} as const;

export type PathName = keyof typeof PATHS;
