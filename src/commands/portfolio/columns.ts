/**
 * What the portfolio verbs show, defined once: `portfolio status` draws its table and CSV from
 * these, and its --help lists the field names (a light module: index.ts loads it on every run).
 */
import type { Column } from '../../outcome.js';

export const STATUS_COLUMNS: Column[] = [
  { key: 'reference', header: 'Reference' },
  { key: 'customerId', header: 'Customer ID' },
  { key: 'companyName', header: 'Company', wrap: true },
  { key: 'threatScore', header: 'Score', align: 'right', rank: 4 },
  { key: 'band', header: 'Band' },
  { key: 'unresolvedBreaches', header: 'Unresolved', align: 'right' },
  { key: 'resolvedBreaches', header: 'Resolved', align: 'right', rank: 3 },
  { key: 'monitoredDomains', header: 'Domains', align: 'right', rank: 2 },
  { key: 'monitoredEmails', header: 'Emails', align: 'right', rank: 1 },
];

/** Only when a customer could not be read: no empty column otherwise. */
export const STATUS_ERROR_COLUMN: Column = { key: 'error', header: 'Error', wrap: true };
