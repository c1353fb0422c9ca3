/**
 * What the webhook verbs show, defined once: the verbs draw their views from these, and the
 * commands' --help lists the field names (a light module: index.ts loads it on every run).
 */
import type { Column } from '../../outcome.js';

export const WEBHOOK_COLUMNS: Column[] = [
  { key: 'id', header: 'ID' },
  { key: 'url', header: 'URL', wrap: true },
  { key: 'events', header: 'Events', wrap: true },
  { key: 'active', header: 'Active', rank: 2 },
  { key: 'created_at', header: 'Created', rank: 1 },
];

/** `webhook create` shows the new endpoint, and its secret unless it went to --secret-file. */
export const CREATED_FIELDS: Column[] = [...WEBHOOK_COLUMNS, { key: 'secret', header: 'Secret' }];
