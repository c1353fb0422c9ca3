/**
 * The integration settings (`<configDir>/integrations/<profile>.yaml`, and the `psa:`/`notify:`
 * blocks and per-customer `tags:`/`psa:` a manifest may carry) as a JSON Schema (draft 2020-12),
 * for `safeweb schema integrations` and editors. It loads neither yaml nor zod: as cheap as --help.
 * The zod rules that check a file (integrations.ts) follow the same shape; a test holds the two to
 * the same verdicts.
 *
 * Secrets are never in this file: a connection or channel names its secret (`secret: psa/cw`),
 * which lives in the profile's secret store. What a far side needs to be found (a site, a user
 * name, a client ID) is not secret and is kept here.
 */
import { BANDS, EVENT_TYPES } from '../book-vocabulary.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const PSA_KINDS = ['connectwise', 'autotask', 'halo'] as const;
export const CHANNEL_KINDS = ['teams', 'slack', 'pagerduty', 'webhook', 'email'] as const;
/** The events and bands a route may name: the book's own words (book-vocabulary.ts). */
export const ROUTE_EVENTS = EVENT_TYPES;
export const ROUTE_BANDS = BANDS;
/** How long a digest gathers what its route matched: a window of a quarter hour, an hour or a day. */
export const DIGESTS = ['15m', '1h', '1d'] as const;
/** A time of day, 00:00 to 23:59 (quiet hours). */
export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
/** An IANA time zone's shape (Europe/Copenhagen, UTC); whether it exists is checked beside the schema. */
export const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$';
/** An email address, as a route's fixed recipients name it (the same rule as `format: email`). */
const EMAIL = { type: 'string', format: 'email' } as const;

/** A connection's or channel's own name: what routes, mappings and `--sink` name it by. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,39}$';
/** A secret's name in the secret store (`psa/connectwise`), never the secret itself. */
export const SECRET_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}(/[a-z0-9][a-z0-9._-]{0,63}){0,3}$';
/** https://, or http:// to this machine only: the rule base URLs and webhook endpoints follow. */
export const URL_PATTERN = '^(https://|http://(127\\.|localhost[:/]|localhost$|\\[::1\\]))';
const HOST = '[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*';
const PORT = '(:\\d{1,5})?';
/** A host name with an optional port, no scheme (an SMTP server). */
export const HOST_PATTERN = `^${HOST}${PORT}$`;
/**
 * ConnectWise's site: a host (https implied), or https://host[:port], or http:// to this machine
 * only (an emulator); nothing after the host: the tool adds the API path.
 */
export const SITE_PATTERN = `^(${HOST}${PORT}|https://${HOST}${PORT}/?|http://(127(\\.\\d{1,3}){3}|localhost|\\[::1\\])${PORT}/?)$`;
/** The threat bands a priority is chosen for (the book's own words). */
export const PRIORITY_BANDS = BANDS;
export const GROUPINGS = ['per-breach', 'per-customer'] as const;
export const OFFBOARD_ACTIONS = ['close', 'leave'] as const;
/** The longest reopen window: ten years. */
export const MAX_REOPEN_DAYS = 3650;

const secret = (what: string): Json => ({
  description: `The name of the secret in the profile's secret store that holds ${what}; never the secret itself.`,
  type: 'string',
  pattern: SECRET_PATTERN,
});
const url = (description: string): Json => ({ description, type: 'string', format: 'uri', pattern: URL_PATTERN });
const id: Json = {
  anyOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', minLength: 1, maxLength: 100 },
  ],
};
const idOf = (what: string): Json => ({ description: what, ...(id as object) });
const mask = (byDefault: boolean): Json => ({
  description:
    'Mask the customers\u2019 addresses in what is sent (the display flag --mask-pii never changes it); ' +
    `${byDefault ? 'masked' : 'unmasked'} by default for this kind.`,
  type: 'boolean',
  default: byDefault,
});

function closed(properties: { [key: string]: Json }, required: string[], description?: string): Json {
  return {
    ...(description ? { description } : {}),
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  };
}

/** The longest hourly budget a connection may be given: Autotask's own limit per database. */
export const MAX_PER_HOUR = 10_000;

/** What a kind calls the policy's parts: ConnectWise's board is Autotask's queue. */
interface PolicyNames {
  farSide: string;
  board: string;
  /** How the setting's description names it: "service board". */
  boardText: string;
  boardKey: string;
  /** None where the board is the type already (Halo's ticket type). */
  typeKey?: string | undefined;
}

/** The ticket policy of a connection (psa-design: checked against the live lists at plan time), in its kind's words. */
function ticketPolicy(names: PolicyNames): { [key: string]: Json } {
  const { farSide, board } = names;
  return {
    [names.boardKey]: idOf(`The ${names.boardText} tickets go to (ID or name), unless a customer names its own`),
    statuses: closed(
      {
        new: idOf(
          `The status a new (or reopened) ticket gets${board === 'board' ? ', on the board' : ''} (ID or name)`,
        ),
        closed: idOf(
          `The status that closes a ticket${board === 'board' ? ', on the board' : ''} (ID or name); one ${farSide} counts as closed`,
        ),
      },
      [],
      board === 'board' ? 'Statuses on the board' : 'Ticket statuses',
    ),
    priorities: closed(
      Object.fromEntries(
        PRIORITY_BANDS.map((band) => [band, idOf(`The priority of a ticket for a customer in the ${band} band`)]),
      ),
      [],
      'The priority (ID or name) per threat band',
    ),
    source: idOf('The ticket source (ID or name), if tickets should carry one'),
    ...(names.typeKey ? { [names.typeKey]: idOf('The ticket type (ID or name), if tickets should carry one') } : {}),
    grouping: {
      description: 'per-breach: one ticket per customer and breach; per-customer: one open ticket per customer',
      type: 'string',
      enum: [...GROUPINGS],
      default: 'per-breach',
    },
    reopenDays: {
      description: 'A finding back within this many days of its ticket closing reopens it; later, a new ticket',
      type: 'integer',
      minimum: 0,
      maximum: MAX_REOPEN_DAYS,
      default: 30,
    },
    resolveOnClose: {
      description: 'A technician closing a ticket resolves its breaches in SafeWeb (and reopening unresolves them)',
      type: 'boolean',
      default: true,
    },
    offboard: {
      description: 'When a customer is offboarded: close its open tickets with a note, or leave them',
      type: 'string',
      enum: [...OFFBOARD_ACTIONS],
      default: 'close',
    },
    fallbackCompany: idOf(
      'The company (ID or identifier) an unmapped customer\u2019s tickets go to, the customer named in the ticket',
    ),
  };
}

function psaConnection(): Json {
  const common = { secret: secret('the API keys'), mask: mask(false) };
  return {
    description: 'A PSA connection, by kind. Tickets are unmasked by default: technicians need the address.',
    oneOf: [
      closed(
        {
          kind: { const: 'connectwise' },
          site: {
            description:
              'The ConnectWise site: a host (na.myconnectwise.net, https implied) or https://host[:port]; ' +
              'http:// only to this machine',
            type: 'string',
            pattern: SITE_PATTERN,
          },
          company: { description: 'The company ID you log in with', type: 'string', minLength: 1, maxLength: 100 },
          publicKey: {
            description: 'The API member\u2019s public key (not a secret; the private key is in the secret store)',
            type: 'string',
            minLength: 1,
            maxLength: 100,
          },
          clientId: { description: 'Your registered integrator clientId (not a secret)', type: 'string', minLength: 1 },
          ...ticketPolicy({
            farSide: 'ConnectWise',
            board: 'board',
            boardText: 'service board',
            boardKey: 'board',
            typeKey: 'type',
          }),
          ...common,
        },
        ['kind', 'site', 'company', 'publicKey', 'clientId', 'secret'],
      ),
      closed(
        {
          kind: { const: 'autotask' },
          username: { description: 'The API user (not a secret)', type: 'string', minLength: 1 },
          zone: url(
            'The zone\u2019s REST base (https://webservices5.autotask.net/ATServicesRest); looked up from the user name when left out',
          ),
          integrationCode: secret('the API tracking identifier (integration code); <secret>-code when left out'),
          ...ticketPolicy({
            farSide: 'Autotask',
            board: 'queue',
            boardText: 'queue',
            boardKey: 'queue',
            typeKey: 'ticketType',
          }),
          maxPerHour: {
            description:
              'At most this many requests to Autotask in any rolling hour (all integrations of a database share 10 000)',
            type: 'integer',
            minimum: 1,
            maximum: MAX_PER_HOUR,
            default: 3000,
          },
          ...common,
        },
        ['kind', 'username', 'secret'],
      ),
      closed(
        {
          kind: { const: 'halo' },
          tenant: url('The tenant\u2019s URL (https://msp.halopsa.com): the API below /api, tokens from /auth/token'),
          clientId: {
            description: 'The API application\u2019s client ID (not a secret)',
            type: 'string',
            minLength: 1,
          },
          ...ticketPolicy({
            farSide: 'HaloPSA',
            board: 'ticket type',
            boardText: 'ticket type',
            boardKey: 'ticketType',
          }),
          ...common,
        },
        ['kind', 'tenant', 'clientId', 'secret'],
      ),
    ],
  };
}

function channel(): Json {
  return {
    description: 'A notification channel, by kind. Chat and email are masked by default.',
    oneOf: [
      closed(
        {
          kind: { const: 'teams' },
          secret: secret('the Workflow URL (it carries its own signature)'),
          mask: mask(true),
        },
        ['kind', 'secret'],
      ),
      closed({ kind: { const: 'slack' }, secret: secret('the incoming-webhook URL'), mask: mask(true) }, [
        'kind',
        'secret',
      ]),
      closed(
        {
          kind: { const: 'pagerduty' },
          secret: secret('the routing key'),
          region: { description: 'eu for EU accounts', type: 'string', enum: ['us', 'eu'], default: 'us' },
          url: url('The Events API v2 URL, instead of the region\u2019s (a relay, or a test receiver)'),
          mask: mask(true),
        },
        ['kind', 'secret'],
      ),
      closed(
        {
          kind: { const: 'webhook' },
          url: url('Where events are posted (Standard Webhooks signing); no credentials in it'),
          secret: secret('the signing secret (whsec_…); unsigned without one'),
          mask: mask(true),
        },
        ['kind', 'url'],
      ),
      closed(
        {
          kind: { const: 'email' },
          host: { description: 'The SMTP server', type: 'string', pattern: HOST_PATTERN },
          port: { type: 'integer', minimum: 1, maximum: 65535, default: 587 },
          username: { description: 'The SMTP user (not a secret)', type: 'string', minLength: 1 },
          secret: secret('the SMTP password'),
          from: { type: 'string', format: 'email' },
          to: { type: 'array', items: { type: 'string', format: 'email' }, minItems: 1, uniqueItems: true },
          insecure: {
            description:
              'Send without STARTTLS (--insecure-smtp): only for a relay on this machine or a private network',
            type: 'boolean',
            default: false,
          },
          templates: {
            description:
              'A directory whose subject.txt, body.txt and body.html (each optional) replace the built-in message',
            type: 'string',
            minLength: 1,
          },
          mask: mask(true),
        },
        ['kind', 'host', 'from', 'to'],
      ),
    ],
  };
}

const names = (what: string): Json => ({
  description: what,
  type: 'array',
  items: { type: 'string', pattern: NAME_PATTERN },
  minItems: 1,
  uniqueItems: true,
});

/** The `psa:` block: connections by name, and which one customers use unless they name one. */
export function psaJsonSchema(): Json {
  return closed(
    {
      default: {
        description: 'The connection a customer\u2019s `psa:` uses when it names none',
        type: 'string',
        pattern: NAME_PATTERN,
      },
      connections: {
        type: 'object',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: psaConnection(),
      },
    },
    [],
    'PSA connections (tickets). Keys by reference only: `secret:` names an entry of the secret store.',
  );
}

/** One route: what it matches, where it sends, and when (at once, a digest, after quiet hours). */
function route(): Json {
  return {
    ...(closed(
      {
        name: {
          description:
            'The route\u2019s name: message IDs are made from it (else from its place in the list, which reordering changes)',
          type: 'string',
          pattern: NAME_PATTERN,
        },
        events: {
          ...(names(
            'Only these events (when left out: all but ticket.created and ticket.closed, which a route must name)',
          ) as object),
          items: { type: 'string', enum: [...ROUTE_EVENTS] },
        },
        minBand: {
          description: 'Only customers in this band or a worse one (critical > high > moderate > low)',
          type: 'string',
          enum: [...ROUTE_BANDS],
        },
        bands: {
          ...(names('Only customers in exactly these bands (minBand is usually what is meant; not both)') as object),
          items: { type: 'string', enum: [...ROUTE_BANDS] },
        },
        customers: {
          description: 'Only these customers (references; all when left out)',
          type: 'array',
          items: { type: 'string', minLength: 1 },
          minItems: 1,
          uniqueItems: true,
        },
        tags: names('Only customers with one of these tags (all when left out)'),
        channels: names('The channels the matching events go to'),
        digest: {
          description:
            'Gather what the route matched in a window of this length into one message per channel and recipients, ' +
            'sent by the first `notify send` after the window (PagerDuty still gets one event a message)',
          type: 'string',
          enum: [...DIGESTS],
        },
        timeZone: {
          description: 'The IANA time zone of quietHours and of a 1d digest\u2019s days (default UTC)',
          type: 'string',
          pattern: TIME_ZONE_PATTERN,
        },
        quietHours: closed(
          {
            from: { description: 'When quiet hours begin (HH:MM)', type: 'string', pattern: TIME_OF_DAY_PATTERN },
            to: {
              description: 'When they end (HH:MM; before `from`: the next day)',
              type: 'string',
              pattern: TIME_OF_DAY_PATTERN,
            },
          },
          ['from', 'to'],
          'Hold everything below the critical band until they end (in timeZone)',
        ),
        to: {
          description:
            'Email channels: `contact` (each customer\u2019s own contact, about its own findings only) or these ' +
            'addresses, instead of the channel\u2019s `to`',
          oneOf: [
            { type: 'string', const: 'contact' },
            { type: 'array', items: EMAIL, minItems: 1, uniqueItems: true },
          ],
        },
      },
      ['channels'],
    ) as object),
    // Not both: a route with bands and minBand is refused (the properties named so strict validators know them).
    not: { type: 'object', properties: { bands: {}, minBand: {} }, required: ['bands', 'minBand'] },
  };
}

/** The `notify:` block: channels by name, and routes (which events and bands go where). */
export function notifyJsonSchema(): Json {
  return closed(
    {
      channels: { type: 'object', propertyNames: { pattern: NAME_PATTERN }, additionalProperties: channel() },
      routes: {
        description:
          'Which events go to which channels, in order: an event goes to a channel once, by the first route ' +
          'that matches it and names that channel. Every condition given must hold.',
        type: 'array',
        items: route(),
      },
      optOut: {
        description:
          'Customers (references) who asked not to be told: routes with `to: contact` never email them ' +
          '(the MSP\u2019s own channels still hear of their breaches)',
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
      },
    },
    [],
    'Notification channels and the routes that send events to them. Secrets by reference only.',
  );
}

/** A customer's own PSA mapping: its company at the far side, and where its tickets go. */
export function customerPsaJsonSchema(): Json {
  return closed(
    {
      connection: {
        description: 'The PSA connection (psa.default when left out)',
        type: 'string',
        pattern: NAME_PATTERN,
      },
      company: idOf('The customer\u2019s company at the PSA (ID or identifier)'),
      board: idOf('ConnectWise: the board for this customer\u2019s tickets'),
      queue: idOf('Autotask: the queue for this customer\u2019s tickets'),
      ticketType: idOf('Halo: the ticket type for this customer\u2019s tickets'),
    },
    ['company'],
    'Local only, never sent to SafeWeb: how this customer\u2019s tickets are filed.',
  );
}

/** A customer's tags: local labels routes can match. */
export function tagsJsonSchema(): Json {
  return {
    description: 'Local only, never sent to SafeWeb: labels routes can match (vip, healthcare).',
    type: 'array',
    items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$' },
    uniqueItems: true,
  };
}

export function integrationsJsonSchema(): { [key: string]: Json } {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'SafeWeb integration settings',
    description:
      'Per-profile settings for tickets and notifications (`<config dir>/integrations/<profile>.yaml`): PSA ' +
      'connections, channels, routes, and each customer\u2019s tags and PSA mapping. Written by the commands ' +
      'that add them and editable by hand (comments are kept). A manifest may carry the same blocks. Never a ' +
      'secret: `secret:` names an entry of the secret store.',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'The schema this file follows.' },
      psa: psaJsonSchema(),
      notify: notifyJsonSchema(),
      customers: {
        description: 'Per customer reference: its tags and PSA mapping.',
        type: 'object',
        additionalProperties: closed({ tags: tagsJsonSchema(), psa: customerPsaJsonSchema() }, []),
      },
    },
    additionalProperties: false,
  };
}
