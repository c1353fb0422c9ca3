/** What `safeweb notify list` shows, defined once: its table and the --help field list. */
import type { Column } from '../../outcome.js';

export const CHANNEL_COLUMNS: Column[] = [
  { key: 'name', header: 'Name' },
  { key: 'kind', header: 'Kind' },
  { key: 'target', header: 'Sends to', wrap: true },
  { key: 'masked', header: 'Masked' },
  { key: 'secret', header: 'Secret', rank: 1 },
];

/** What `safeweb notify plan` (and `notify send`) show of each message, defined once. */
export const MESSAGE_COLUMNS: Column[] = [
  { key: 'channel', header: 'Channel' },
  { key: 'route', header: 'Route' },
  { key: 'when', header: 'When' },
  { key: 'events', header: 'Events', align: 'right' },
  { key: 'to', header: 'To', wrap: true, rank: 2 },
  { key: 'window', header: 'Window', rank: 1 },
  { key: 'id', header: 'Message ID', rank: 1 },
];
