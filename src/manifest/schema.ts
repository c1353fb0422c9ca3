/**
 * The manifest (`safeweb plan|apply --file`) as a JSON Schema (draft 2020-12), built from the
 * onboarding field table's schema (customers/json-schema.ts), so the two never disagree. It loads
 * neither yaml nor zod: `safeweb schema manifest` is as cheap as --help.
 *
 * The onboarding fields that are required to create a customer (price, currency …) are not
 * required here: a customer that exists already needs only its reference and company, and an
 * exported manifest may lack fields the local record never knew. `plan` names them for creates.
 */
import {
  customerPsaJsonSchema,
  notifyJsonSchema,
  psaJsonSchema,
  tagsJsonSchema,
} from '../config/integrations-schema.js';
import { onboardingJsonSchema } from '../customers/json-schema.js';
import { EVENTS, V1_EVENTS } from '../webhooks/events.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A free-text note a tool may leave in a JSON manifest (export names missing fields in one). */
export const NOTE_KEY = '//';
export const STATUSES = ['active', 'offboarded'] as const;
export const WEBHOOK_EVENTS: readonly string[] = [...EVENTS, ...V1_EVENTS];

const note: Json = { type: 'string', description: 'A note for people; safeweb ignores it.' };

export function manifestJsonSchema(): { [key: string]: Json } {
  const onboarding = onboardingJsonSchema();
  const fields = { ...(onboarding['properties'] as { [key: string]: Json }) };
  delete fields['$schema'];
  const { customerReference: _reference, ...defaultable } = fields;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'SafeWeb customers manifest',
    description:
      'The whole book as code, for `safeweb plan` and `safeweb apply`: customers (the onboarding fields, with ' +
      '`defaults` merged into each) and webhook endpoints; the integration settings kept with the book (`psa`, ' +
      '`notify`, and each customer\u2019s `tags` and `psa`) are local only, never sent. Fields required to onboard (see `safeweb schema ' +
      'onboarding`) are needed for customers that do not exist yet.',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'The schema this manifest follows.' },
      [NOTE_KEY]: note,
      defaults: {
        description: 'Onboarding fields merged into every customer; a customer’s own value wins.',
        type: 'object',
        properties: { ...defaultable, [NOTE_KEY]: note },
        additionalProperties: false,
      },
      customers: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            ...fields,
            status: {
              description: 'offboarded stops monitoring; back to active reactivates',
              type: 'string',
              enum: [...STATUSES],
              default: 'active',
            },
            tags: tagsJsonSchema(),
            psa: customerPsaJsonSchema(),
            [NOTE_KEY]: note,
          },
          required: ['customerReference', 'companyName'],
          additionalProperties: false,
        },
      },
      webhooks: {
        description:
          'Webhook endpoints, matched by URL. Leave the key out to leave endpoints alone; with --prune, ' +
          'endpoints not listed are deleted.',
        type: 'array',
        items: {
          type: 'object',
          properties: {
            url: {
              description: 'https://, or http:// to 127.0.0.1 / localhost',
              type: 'string',
              format: 'uri',
              pattern: '^(https://|http://(127\\.|localhost[:/]|\\[::1\\]))',
            },
            events: {
              type: 'array',
              items: { type: 'string', enum: [...WEBHOOK_EVENTS] },
              minItems: 1,
              uniqueItems: true,
            },
            active: { type: 'boolean', default: true },
            [NOTE_KEY]: note,
          },
          required: ['url', 'events'],
          additionalProperties: false,
        },
      },
      psa: psaJsonSchema(),
      notify: notifyJsonSchema(),
    },
    additionalProperties: false,
  };
}
