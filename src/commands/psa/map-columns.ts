import type { Column } from '../../outcome.js';

/** `psa map`'s table: shared by the verb and its --help (--fields). */
export const PSA_MAP_COLUMNS: Column[] = [
  { header: 'REFERENCE', key: 'reference' },
  { header: 'CUSTOMER', key: 'companyName', wrap: true, rank: 2 },
  { header: 'MATCH', key: 'match' },
  { header: 'COMPANY ID', key: 'companyId', align: 'right' },
  { header: 'IDENTIFIER', key: 'identifier', rank: 3 },
  { header: 'COMPANY', key: 'company', wrap: true, rank: 1 },
  { header: 'NOTE', key: 'note', wrap: true },
];
