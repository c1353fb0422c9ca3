/** What `safeweb audit` shows (a light module: index.ts loads it for --help). */
import type { Column } from '../../outcome.js';

export const AUDIT_COLUMNS: Column[] = [
  { key: 'time', header: 'Time' },
  { key: 'user', header: 'User' },
  { key: 'profile', header: 'Profile' },
  { key: 'via', header: 'Via' },
  { key: 'method', header: 'Method' },
  { key: 'path', header: 'Path', wrap: true },
  { key: 'customer', header: 'Customer' },
  { key: 'status', header: 'Status', align: 'right' },
  { key: 'outcome', header: 'Outcome' },
  { key: 'durationMs', header: 'ms', align: 'right' },
  { key: 'command', header: 'Command', wrap: true },
];
