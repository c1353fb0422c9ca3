/**
 * What the profile verbs show, defined once: the verbs draw their tables from these, and the
 * commands' --help lists the field names (a light module: index.ts loads it on every run).
 */
import type { Column } from '../../outcome.js';

export const PROFILE_COLUMNS: Column[] = [
  { key: 'active', header: '' },
  { key: 'name', header: 'Name' },
  { key: 'partnerId', header: 'Partner ID' },
  { key: 'baseUrl', header: 'Base URL' },
  { key: 'apiKey', header: 'API key', rank: 4 },
  { key: 'store', header: 'Key store', rank: 1 },
  { key: 'mode', header: 'Mode', rank: 3 },
  { key: 'maskPii', header: 'Mask PII', rank: 2 },
];
