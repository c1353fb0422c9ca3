/**
 * One row per setting, with where it came from: the table `profile show` and `whoami` both
 * show, defined once for both nouns (a light module: their index.ts lists the field names in --help).
 */
import type { Column } from '../outcome.js';

export const SETTING_COLUMNS: Column[] = [
  { key: 'setting', header: 'Setting' },
  { key: 'value', header: 'Value' },
  { key: 'source', header: 'Source', wrap: true },
];
