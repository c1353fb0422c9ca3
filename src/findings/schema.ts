/**
 * The event (findings/event.ts) as a JSON Schema (draft 2020-12): `safeweb schema event`, and
 * schema/event.schema.json. It says how each kind of event is keyed. As cheap as --help.
 */
import { EVENT_TYPES, EVENT_VERSION } from './event.js';
import { KEY_MAX } from './keys.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const KEYING: Record<string, string> = {
  breach: 'the breach instance’s uuid',
  customer: 'nothing more',
  email: 'the addresses, lower-cased and sorted',
  domain: 'the domains, lower-cased and sorted',
  band: 'the bands before and after',
  ticket: 'the ticket’s key',
};

const band: Json = { enum: ['critical', 'high', 'moderate', 'low'] };
const strings: Json = { type: 'array', items: { type: 'string' } };

/** Which fields each kind carries besides the common ones. */
function kindRule(type: string): Json {
  const required = type.startsWith('breach.')
    ? ['breachId', 'finding', 'breachName']
    : type.startsWith('email.')
      ? ['emails']
      : type.startsWith('domain.')
        ? ['domains']
        : type === 'band.changed'
          ? ['from', 'to', 'threatScore']
          : type.startsWith('ticket.')
            ? ['ticket']
            : [];
  return { if: { properties: { type: { const: type } } }, then: { required } };
}

export function eventJsonSchema(): { [key: string]: Json } {
  const keyed = Object.entries(KEYING)
    .map(([prefix, about]) => `${prefix}.*: ${about}`)
    .join('; ');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'SafeWeb book event',
    description:
      'Something that happened to the book: what `safeweb portfolio watch --json` prints one a line, and what ' +
      'tickets, notifications and the receiver act on; and what a ticket sync did (ticket.created, ' +
      'ticket.closed), which goes only to notification routes that name it. `version` changes only when a ' +
      'meaning changes.',
    type: 'object',
    required: ['version', 'key', 'type', 'partnerId', 'reference', 'customerId', 'at'],
    properties: {
      version: { const: EVENT_VERSION },
      key: {
        type: 'string',
        maxLength: KEY_MAX,
        pattern: '^sw:[a-z.]+:[0-9a-f]{32}$',
        description:
          'This event’s identity, the same on every machine and every run: `sw:<type>:` and 128 bits of SHA-256 ' +
          `over the type, the partner ID, the customer ID and what the event is about (${keyed}). Never names, ` +
          'never the time it was seen.',
      },
      finding: {
        type: 'string',
        maxLength: KEY_MAX,
        pattern: '^sw:finding:[0-9a-f]{32}$',
        description:
          'breach.*, and ticket.* of a ticket covering one breach: the key of the breach of this customer (SHA-256 ' +
          'over the partner ID, the customer ID and the breach uuid), shared by its new, resolved and unresolved ' +
          'events and its ticket’s, and listed by `safeweb findings`.',
      },
      type: { enum: [...EVENT_TYPES] },
      partnerId: { type: 'string' },
      reference: { type: 'string', description: 'The partner’s own reference for the customer.' },
      customerId: {
        type: ['string', 'null'],
        description: 'The SafeWeb customer ID; null when the local record lacks it (the key then uses the reference).',
      },
      breachId: { type: 'string', description: 'The breach instance’s uuid (what `breach resolve` takes).' },
      breachName: { type: 'string' },
      breachDate: { type: 'string' },
      emails: strings,
      domains: strings,
      from: band,
      to: band,
      threatScore: { type: 'number', minimum: 0 },
      error: {
        type: 'object',
        required: ['message', 'exitCode'],
        properties: { message: { type: 'string' }, exitCode: { type: 'integer' } },
        additionalProperties: false,
      },
      ticket: {
        type: 'object',
        description: 'ticket.*: the ticket a `psa sync` (or the receiver’s) created or saw closed.',
        required: ['connection', 'psa', 'id', 'key', 'findings'],
        properties: {
          connection: { type: 'string', description: 'The PSA connection’s name in the integration settings.' },
          psa: { type: 'string', description: 'Which PSA: ConnectWise, Autotask, HaloPSA.' },
          id: { type: 'integer', minimum: 1, description: 'The PSA’s ticket ID.' },
          key: {
            type: 'string',
            maxLength: KEY_MAX,
            pattern: '^sw:ticket:[0-9a-f]{32}$',
            description: 'The ticket’s key, held by the PSA as the ticket’s external reference.',
          },
          findings: {
            type: 'array',
            items: { type: 'string', maxLength: KEY_MAX, pattern: '^sw:finding:[0-9a-f]{32}$' },
            description: 'The keys of the findings the ticket covers.',
          },
          reason: {
            enum: ['resolved', 'offboarded', 'technician'],
            description:
              'ticket.closed: SafeWeb resolved what it covers, the customer was offboarded, or a technician closed it.',
          },
        },
        additionalProperties: false,
      },
      at: { type: 'string', format: 'date-time', description: 'When this run saw it (not part of the key).' },
    },
    additionalProperties: false,
    allOf: EVENT_TYPES.map(kindRule),
  };
}
