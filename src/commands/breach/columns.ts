/**
 * What the breach verbs show, defined once: the verbs draw their views from these, and the
 * commands' --help lists the field names (a light module: index.ts loads it on every run).
 */
import type { Column } from '../../outcome.js';

export const CHECK_COLUMNS: Column[] = [
  { key: 'email', header: 'Email' },
  { key: 'breached', header: 'Breached' },
];

/** Shown only when an address failed: no empty column when none did. */
export const CHECK_ERROR_COLUMN: Column = { key: 'error', header: 'Error', wrap: true };

export const RETRIEVE_COLUMNS: Column[] = [
  { key: 'title', header: 'Breach' },
  { key: 'breachDate', header: 'Date' },
  { key: 'breachCategories', header: 'Categories', wrap: true, rank: 1 },
  { key: 'resolvedStatus', header: 'Status' },
];

export const CATALOGUE_FIELDS: Column[] = [
  { key: 'uuid', header: 'UUID' },
  { key: 'name', header: 'Name' },
  { key: 'title', header: 'Title' },
  { key: 'addedDate', header: 'Added' },
  { key: 'breachCategories', header: 'Categories' },
  { key: 'description', header: 'Description' },
  { key: 'nextSteps', header: 'Next steps' },
];

export const CATEGORY_COLUMNS: Column[] = [
  { key: 'name', header: 'Category' },
  { key: 'description', header: 'Description', wrap: true },
];
