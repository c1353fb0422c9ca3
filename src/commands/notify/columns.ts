/** What `safeweb notify list` shows, defined once: its table and the --help field list. */
import type { Column } from '../../outcome.js';

export const CHANNEL_COLUMNS: Column[] = [
  { key: 'name', header: 'Name' },
  { key: 'kind', header: 'Kind' },
  { key: 'target', header: 'Sends to', wrap: true },
  { key: 'masked', header: 'Masked' },
  { key: 'secret', header: 'Secret', rank: 1 },
];
