/**
 * What the customer verbs show, defined once: the verbs draw their tables from these, and the
 * commands' --help lists the field names (a light module: index.ts loads it on every run).
 */
import type { Column } from '../../outcome.js';

export const CUSTOMER_LIST_COLUMNS: Column[] = [
  { key: 'reference', header: 'Reference' },
  { key: 'id', header: 'Customer ID' },
  { key: 'companyName', header: 'Company', wrap: true },
  { key: 'onboardedAt', header: 'Onboarded', rank: 1 },
  { key: 'status', header: 'Status', rank: 2 },
];

export const CUSTOMER_BREACH_COLUMNS: Column[] = [
  { key: 'uuid', header: 'Breach ID' },
  { key: 'title', header: 'Breach', wrap: true },
  { key: 'breachDate', header: 'Date', rank: 2 },
  { key: 'emails', header: 'Emails', wrap: true },
  { key: 'breachCategories', header: 'Categories', wrap: true, rank: 1 },
  { key: 'resolved', header: 'Resolved', rank: 3 },
];

export const ASSET_COLUMNS: Column[] = [
  { key: 'type', header: 'Type' },
  { key: 'asset', header: 'Asset' },
];

/** A pipe and --csv get the score and its band; a terminal gets a sentence. */
export const THREAT_COLUMNS: Column[] = [
  { key: 'threatScore', header: 'Score', align: 'right' },
  { key: 'band', header: 'Band' },
];
