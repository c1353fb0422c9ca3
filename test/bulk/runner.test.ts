/**
 * The bulk runner on its own, with work functions that stand in for requests: what it skips,
 * settles, records and counts, and when it stops. It gets only what it uses of a run (a bulk
 * client, the sink, Ctrl+C), not a whole Context. The verbs that use it (customer onboard
 * --file, breach check) are tested against the sandbox in test/commands/.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/api/client.js';
import { runBulk, summaryOutcome, type BulkRow, type BulkRun, type RowDone } from '../../src/bulk/runner.js';
import { AuthError, UnavailableError } from '../../src/errors.js';
import { plainColors } from '../../src/output/color.js';
import { Output } from '../../src/output/output.js';
import { createSink } from '../../src/output/sink.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
function results(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'r.ndjson');
}

/**
 * The work functions here send nothing, so the run's client is one that fails the test if
 * anything uses it; the runner still asks for it once, with its 429 hook.
 */
const unusedClient = new Proxy({} as ApiClient, {
  get: (_, key) => {
    // Not a thenable: a promise may resolve to it.
    if (key === 'then') return undefined;
    throw new Error(`the bulk client was used (${String(key)}) by work that sends nothing`);
  },
});

function context(signal: Promise<NodeJS.Signals> = new Promise(() => {})) {
  const stream = () => {
    const s = Object.assign(new PassThrough(), { isTTY: false, text: '' });
    s.on('data', (c: Buffer) => (s.text += c.toString()));
    return s;
  };
  const [stdout, stderr] = [stream(), stream()];
  const hooks: unknown[] = [];
  const ctx: BulkRun = {
    bulkApi: (extra) => (hooks.push(extra.onRateLimited), Promise.resolve(unusedClient)),
    sink: createSink(new Output(stdout, stderr, plainColors, plainColors, false), false),
    waitForSignal: () => signal,
  };
  return { ctx, stdout, stderr, hooks };
}

const rows = (n: number): BulkRow[] => Array.from({ length: n }, (_, i) => ({ row: i + 1, key: `K-${i + 1}` }));
async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
const ok = (row: BulkRow): RowDone => ({
  line: { row: row.row, key: row.key, status: 'ok' },
  cells: [row.row, row.key, 'ok'],
});
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { row: number; key: string; status: string });

describe('runBulk', () => {
  it('does every row, records each line, prints piped rows, and leaves no journal', async () => {
    const { ctx, stdout, hooks } = context();
    const file = results();
    const report = await runBulk(ctx, {
      label: 'Testing',
      noun: 'rows',
      rows: iterate(rows(5)),
      total: 5,
      concurrency: 2,
      results: file,
      work: async (row) => ok(row),
    });
    expect(report.counts).toEqual({ ok: 5, failed: 0, unknown: 0, skipped: 0, alreadyDone: 0 });
    expect(report.failures).toEqual([]);
    expect(
      lines(file)
        .map((l) => l.key)
        .sort(),
    ).toEqual(['K-1', 'K-2', 'K-3', 'K-4', 'K-5']);
    expect(existsSync(`${file}.inflight`)).toBe(false);
    // Asked once for its client, with the hook that slows the pace on a 429.
    expect(hooks).toEqual([expect.any(Function)]);
    expect(stdout.text.trim().split('\n').sort()).toEqual([
      '1\tK-1\tok',
      '2\tK-2\tok',
      '3\tK-3\tok',
      '4\tK-4\tok',
      '5\tK-5\tok',
    ]);
  });

  it('skips rows already ok, settles unknown ones with the hook, and records decided rows unsent', async () => {
    const { ctx } = context();
    const worked: string[] = [];
    const settled: string[] = [];
    const input: BulkRow[] = [
      ...rows(4),
      { row: 5, key: 'K-5', done: { line: { row: 5, key: 'K-5', status: 'skipped', error: 'invalid' } } },
    ];
    const report = await runBulk(ctx, {
      label: 'Testing',
      noun: 'rows',
      rows: iterate(input),
      total: 2,
      concurrency: 4,
      resume: {
        ok: new Map([
          ['K-1', {}],
          ['K-2', {}],
        ]),
        unknown: new Set(['K-3']),
      },
      work: async (row) => (worked.push(row.key!), ok(row)),
      settle: async (row) => (settled.push(row.key!), ok(row)),
    });
    expect(worked).toEqual(['K-4']);
    expect(settled).toEqual(['K-3']);
    expect(report.counts).toEqual({ ok: 2, failed: 0, unknown: 0, skipped: 1, alreadyDone: 2 });
    expect(report.failures).toEqual([2]);
  });

  it('stops dispatching at the first authentication failure, finishes the rest in flight, then throws it', async () => {
    const { ctx } = context();
    const file = results();
    const started: number[] = [];
    const denied = new AuthError('Failed to verify org API key');
    const run = runBulk(ctx, {
      label: 'Testing',
      noun: 'rows',
      rows: iterate(rows(50)),
      total: 50,
      concurrency: 1,
      results: file,
      work: async (row) => {
        started.push(row.row);
        if (row.row < 3) return ok(row);
        return { line: { row: row.row, key: row.key, status: 'failed', error: denied.message }, error: denied };
      },
    });
    await expect(run).rejects.toBe(denied);
    expect(started).toEqual([1, 2, 3]);
    expect(lines(file).map((l) => l.status)).toEqual(['ok', 'ok', 'failed']);
  });

  it('on Ctrl+C sends no new row, lets the ones in flight finish, and reports 130', async () => {
    let interrupt!: (s: NodeJS.Signals) => void;
    const { ctx, stderr } = context(new Promise((resolve) => (interrupt = resolve)));
    let inFlight = 0;
    const report = await runBulk(ctx, {
      label: 'Testing',
      noun: 'rows',
      rows: iterate(rows(100)),
      total: 100,
      concurrency: 3,
      work: async (row) => {
        inFlight++;
        if (row.row === 5) interrupt('SIGINT');
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return ok(row);
      },
    });
    expect(inFlight).toBe(0);
    expect(report.interrupted).toBe(true);
    expect(report.counts.ok).toBeGreaterThanOrEqual(5);
    expect(report.counts.ok).toBeLessThan(10);
    expect(report.failures).toContain(130);
    expect(stderr.text).toContain('Stopping: no new rows are sent; waiting for the ones in flight…');
  });

  it('tallies failures and unknowns into the exit codes, the first failures and the summary', async () => {
    const { ctx } = context();
    const report = await runBulk(ctx, {
      label: 'Testing',
      noun: 'rows',
      rows: iterate(rows(14)),
      total: 14,
      concurrency: 1,
      work: async (row) => {
        if (row.row === 1) return ok(row);
        const error = new UnavailableError(`no answer for ${row.key}`);
        return { line: { row: row.row, key: row.key, status: row.row === 2 ? 'unknown' : 'failed' }, error };
      },
    });
    expect(report.failures.sort()).toEqual([5]);
    expect(report.firstFailures[0]).toBe('row 2 (K-2): unknown: no answer for K-2');
    expect(report.firstFailures).toHaveLength(10);
    expect(report.moreFailures).toBe(3);
    const outcome = summaryOutcome(report, 'Testing t.csv', 14);
    expect(outcome.data).toEqual({
      total: 14,
      ok: 1,
      failed: 12,
      unknown: 1,
      skipped: 0,
      alreadyDone: 0,
      interrupted: false,
      results: null,
    });
    expect(outcome.notes!.map((n) => n.text.split('\n')[0])).toEqual([
      'Testing t.csv: 14 rows — ok 1, failed 12, unknown 1, skipped 0.',
      '  row 2 (K-2): unknown: no answer for K-2',
      "1 row's outcome is unknown (sent, no answer). Resume with --resume RESULTS to settle it without doubling.",
    ]);
    expect(outcome.notes![1]!.text).toMatch(/… and 3 more$/);
  });
});
