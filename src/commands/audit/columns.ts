/** What `safeweb audit` shows (a light module: index.ts loads it for --help). */
import type { Column } from '../../outcome.js';

export const AUDIT_COLUMNS: Column[] = [
  { key: 'time', header: 'Time' },
  { key: 'user', header: 'User', rank: 3 },
  { key: 'profile', header: 'Profile', rank: 4 },
  { key: 'via', header: 'Via', rank: 2 },
  { key: 'method', header: 'Method' },
  { key: 'path', header: 'Path', wrap: true },
  { key: 'customer', header: 'Customer' },
  { key: 'status', header: 'Status', align: 'right' },
  { key: 'outcome', header: 'Outcome' },
  { key: 'durationMs', header: 'ms', align: 'right', rank: 1 },
  { key: 'command', header: 'Command', wrap: true, rank: 5 },
];
