/** What `safeweb psa list` shows, defined once: its table and the --help field list. */
import type { Column } from '../../outcome.js';

export const PSA_COLUMNS: Column[] = [
  { key: 'name', header: 'Name' },
  { key: 'default', header: 'Default' },
  { key: 'kind', header: 'Kind' },
  { key: 'site', header: 'Site', wrap: true },
  { key: 'company', header: 'Company' },
  { key: 'board', header: 'Board', rank: 2 },
  { key: 'secret', header: 'Secret', rank: 1 },
];
