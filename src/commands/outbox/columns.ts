/** What `safeweb outbox status` shows, defined once: its table, CSV and --help field list. */
import type { Column } from '../../outcome.js';

export const OUTBOX_COLUMNS: Column[] = [
  { key: 'sink', header: 'Sink' },
  { key: 'pending', header: 'Pending', align: 'right' },
  { key: 'held', header: 'Held', align: 'right' },
  { key: 'retrying', header: 'Retrying', align: 'right' },
  { key: 'dead', header: 'Dead', align: 'right' },
  { key: 'acked', header: 'Acked', align: 'right' },
  { key: 'lastAck', header: 'Last ack', rank: 1 },
  { key: 'lastError', header: 'Last error', wrap: true },
];
