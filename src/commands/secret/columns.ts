/** What `safeweb secret list` shows, defined once: its table and the --help field list. */
import type { Column } from '../../outcome.js';

export const SECRET_COLUMNS: Column[] = [
  { key: 'name', header: 'Name' },
  { key: 'source', header: 'Source' },
  { key: 'inEffect', header: 'In effect' },
  { key: 'location', header: 'Where', wrap: true },
  { key: 'updated', header: 'Stored', rank: 1 },
];
