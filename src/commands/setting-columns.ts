/**
 * One row per setting, with where it came from: `profile show` and `whoami` draw their tables
 * from these, and their --help lists the field names (a light module: both nouns load it on every run).
 */
import type { Column } from '../outcome.js';

export const SETTING_COLUMNS: Column[] = [
  { key: 'setting', header: 'Setting' },
  { key: 'value', header: 'Value' },
  { key: 'source', header: 'Source', wrap: true },
];
