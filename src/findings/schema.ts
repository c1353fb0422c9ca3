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
      'tickets, notifications and the receiver act on. `version` changes only when a meaning changes.',
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
          'breach.* only: the key of the breach of this customer (SHA-256 over the partner ID, the customer ID ' +
          'and the breach uuid), shared by its new, resolved and unresolved events and listed by `safeweb findings`.',
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
      at: { type: 'string', format: 'date-time', description: 'When this run saw it (not part of the key).' },
    },
    additionalProperties: false,
    allOf: EVENT_TYPES.map(kindRule),
  };
}
