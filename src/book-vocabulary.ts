/**
 * The book's words, defined once with no imports, so every layer can name them: the kinds of
 * event `portfolio watch` emits (findings/event.ts), the threat bands (portfolio/exposure.ts),
 * and what the integration settings' routes may name (config/integrations-schema.ts).
 */
export const EVENT_TYPES = [
  'breach.new',
  'breach.resolved',
  'breach.unresolved',
  'breach.removed',
  'customer.added',
  'customer.removed',
  'email.added',
  'email.removed',
  'domain.added',
  'domain.removed',
  'band.changed',
  'customer.error',
] as const;

/** The bands of a threat score, most exposed first. */
export const BANDS = ['critical', 'high', 'moderate', 'low'] as const;
