/**
 * The book's words, defined once with no imports, so every layer can name them: the kinds of
 * event `portfolio watch` emits and the ticket sync's own (findings/event.ts), the threat bands
 * (portfolio/exposure.ts), and what the integration settings' routes may name
 * (config/integrations-schema.ts).
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
  'ticket.created',
  'ticket.closed',
] as const;

/**
 * What a ticket sync did (`psa sync`, and the receiver's): only a route that names them in its
 * `events` gets them, so settings written before they existed send what they sent before.
 */
export const TICKET_EVENT_TYPES = ['ticket.created', 'ticket.closed'] as const;

/** The bands of a threat score, most exposed first. */
export const BANDS = ['critical', 'high', 'moderate', 'low'] as const;
