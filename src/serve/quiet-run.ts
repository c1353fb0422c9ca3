/**
 * What the bulk machinery needs of a run (bulk/runner.ts `BulkRun`), for the receiver's own runs
 * (a PSA sync, a catch-up read of the book): the same client and pacing, but nothing on stdout —
 * stdout is the receiver's NDJSON, one line per delivery — and talk as log lines. Its "Ctrl+C"
 * is the receiver stopping: a run in flight sends no new rows and settles what it sent.
 */
import type { ApiClient } from '../api/client.js';
import type { BulkRun } from '../bulk/runner.js';
import { plainText, type Note } from '../outcome.js';

export function quietRun(
  bulkApi: BulkRun['bulkApi'],
  signal: AbortSignal,
  log: (tone: Note['tone'], text: string) => void,
): BulkRun {
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    if (signal.aborted) resolve('SIGTERM');
    else signal.addEventListener('abort', () => resolve('SIGTERM'), { once: true });
  });
  return {
    bulkApi: (extra): Promise<ApiClient> => bulkApi(extra),
    waitForSignal: () => stopped,
    sink: {
      event: () => undefined,
      batch: (fn) => fn(),
      item: () => undefined,
      row: () => undefined,
      note: (note) => log(note.tone, plainText(note.text)),
      progress: async () => ({ tick: () => undefined, stop: () => undefined }),
      flushed: async () => undefined,
    },
  };
}
