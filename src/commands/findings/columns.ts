/**
 * What `safeweb findings` shows, defined once: its table, CSV and --help field list. A narrow
 * terminal leaves out the date, then the addresses, then the breach's uuid: the key, which an
 * identifier cut short would make useless, stays whole.
 */
import type { Column } from '../../outcome.js';

export const FINDING_COLUMNS: Column[] = [
  { key: 'reference', header: 'Reference' },
  { key: 'title', header: 'Breach', wrap: true },
  { key: 'breachDate', header: 'Date', rank: 1 },
  { key: 'emails', header: 'Addresses', wrap: true, rank: 2 },
  { key: 'breachId', header: 'Breach UUID', rank: 3 },
  { key: 'key', header: 'Key' },
];
