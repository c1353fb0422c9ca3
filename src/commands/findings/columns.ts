/** What `safeweb findings` shows, defined once: its table, CSV and --help field list. */
import type { Column } from '../../outcome.js';

export const FINDING_COLUMNS: Column[] = [
  { key: 'reference', header: 'Reference' },
  { key: 'title', header: 'Breach', wrap: true },
  { key: 'breachDate', header: 'Date' },
  { key: 'emails', header: 'Addresses', wrap: true },
  { key: 'breachId', header: 'Breach UUID' },
  { key: 'key', header: 'Key' },
];
