/**
 * Safely re-runnable: an apply stopped by Ctrl+C, or killed with SIGKILL while a create was in
 * flight, is finished by running it again — the plan is recomputed, a create whose answer was
 * lost is settled (recorded, not doubled). Also the --results/--resume rules and --state.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Faults } from '../../../src/sandbox/server.js';
import { BIN, cleanEnv, tempDir, until } from '../../helpers/cli.js';
import { bookWorld, bookYaml, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
afterEach(() => w?.close());

const references = () =>
  w
    .customers('BOOK-')
    .map((c) => c.customerReference)
    .sort();

describe('an interrupted apply', () => {
  it('stops on Ctrl+C after the changes in flight; running it again does only what is left', async () => {
    w = await bookWorld({ latencyMs: 100 });
    const file = w.write('book.yaml', bookYaml(6));
    const signal = until(() => w.customers('BOOK-').length >= 2, 'two creates').then(() => 'SIGINT' as const);
    const first = await w.cli(['apply', '--file', file, '--yes', '--concurrency', '1', '--json'], { signal });
    expect(first.code).toBe(130);
    const data = JSON.parse(first.stdout) as { changes: Array<{ status: string }>; summary: { interrupted: boolean } };
    expect(data.summary.interrupted).toBe(true);
    const done = data.changes.filter((c) => c.status === 'ok').length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(6);
    expect(data.changes.filter((c) => c.status === 'not done')).toHaveLength(6 - done);
    expect(w.customers('BOOK-')).toHaveLength(done);

    const again = await w.cli(['apply', '--file', file, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { summary: { create: number } }).summary.create).toBe(6 - done);
    expect(references()).toEqual(['BOOK-1', 'BOOK-2', 'BOOK-3', 'BOOK-4', 'BOOK-5', 'BOOK-6']);
    expect((await w.cli(['plan', '--file', file, '--exit-status'])).code).toBe(0);
  });

  it(
    'killed with SIGKILL while a create was in flight: the re-run settles it without doubling',
    { timeout: 30_000 },
    async () => {
      const faults: Faults = { latencyMs: 0 };
      w = await bookWorld(faults);
      const file = w.write('book.yaml', bookYaml(3));
      faults.latencyMs = 10_000; // BOOK-1 is created at once; its answer is held back
      const child = spawn(process.execPath, [BIN, 'apply', '--file', file, '--yes', '--concurrency', '1'], {
        env: w.env as NodeJS.ProcessEnv,
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('close', resolve));
      await until(() => w.customer('BOOK-1') !== undefined, 'BOOK-1 to reach the API');
      child.kill('SIGKILL');
      await exited;
      faults.latencyMs = 0;
      // The journal says a change was in flight; the record does not know BOOK-1.
      const journals = readdirSync(path.join(w.configDir, 'apply'));
      expect(journals.some((f) => f.endsWith('.inflight'))).toBe(true);
      expect((await w.cli(['customer', 'list', '--json'])).stdout).not.toContain('BOOK-1');

      const again = await w.cli(['apply', '--file', file, '--yes', '--json']);
      expect(again.code, again.stderr).toBe(0);
      const data = JSON.parse(again.stdout) as {
        changes: Array<{ reference: string; status: string; settled?: string }>;
      };
      expect(data.changes[0]).toMatchObject({
        reference: 'BOOK-1',
        status: 'ok',
        settled: expect.stringContaining('already onboarded by an earlier attempt (duplicate reference)'),
      });
      expect(references()).toEqual(['BOOK-1', 'BOOK-2', 'BOOK-3']); // one each: nothing doubled
      // A clean run leaves no journal behind.
      expect(readdirSync(path.join(w.configDir, 'apply'))).toEqual([]);
      // The record knows BOOK-1 without its ID (the answer was lost): plan says how to link it.
      const plan = await w.cli(['plan', '--file', file, '--exit-status']);
      expect(plan.code).toBe(0);
      expect(plan.stderr).toContain('BOOK-1: its customer ID is not known');
      expect(plan.stderr).toContain('safeweb customer link BOOK-1 --id UUID');
      const id = w.customer('BOOK-1')!.id;
      expect((await w.cli(['customer', 'link', 'BOOK-1', '--id', id])).code).toBe(0);
      const linked = await w.cli(['plan', '--file', file, '--exit-status']);
      expect(linked.code).toBe(0);
      expect(linked.stderr).toBe('');
    },
  );
});

describe('--results and --resume', () => {
  it('writes one line per change; refuses an existing file unless --resume or --force', async () => {
    w = await bookWorld();
    const results = path.join(w.dir, 'run.ndjson');
    const file = w.write('book.yaml', bookYaml(2));
    expect((await w.cli(['apply', '--file', file, '--yes', '--results', results])).code).toBe(0);
    const lines = () =>
      readFileSync(results, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Lines are written as changes finish (concurrently): compared in row order.
    const byRow = () => lines().sort((a, b) => Number(a['row']) - Number(b['row']));
    expect(byRow().map((l) => [l['row'], l['key'], l['action'], l['status']])).toEqual([
      [1, 'customer:BOOK-1', 'create', 'ok'],
      [2, 'customer:BOOK-2', 'create', 'ok'],
    ]);
    expect(byRow()[0]!['customerId']).toBe(w.customer('BOOK-1')!.id);
    expect(statSync(results).mode & 0o777).toBe(0o600);

    const more = w.write('book.yaml', bookYaml(3));
    const refused = await w.cli(['apply', '--file', more, '--yes', '--results', results]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--resume ${results} (to continue it) or --force`);
    expect(w.customer('BOOK-3')).toBeUndefined();
    const resumed = await w.cli(['apply', '--file', more, '--yes', '--resume', results]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lines().map((l) => l['key'])).toHaveLength(3);
    expect(lines()[2]!['key']).toBe('customer:BOOK-3');
    expect(existsSync(`${results}.inflight`)).toBe(false);
  });
});

describe('--state', () => {
  it('keeps the state in a file, so a plan on another machine (CI) sees what this one does', async () => {
    w = await bookWorld();
    const state = path.join(w.dir, 'book.state.json');
    const file = w.write('book.yaml', bookYaml(2));
    expect((await w.cli(['apply', '--file', file, '--yes', '--state', state])).code).toBe(0);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      version: number;
      customers: Array<{ reference: string; id: string }>;
    };
    expect(saved.version).toBe(1);
    expect(saved.customers.map((c) => [c.reference, c.id])).toEqual([
      ['BOOK-1', w.customer('BOOK-1')!.id],
      ['BOOK-2', w.customer('BOOK-2')!.id],
    ]);

    // Another machine: same account, an empty config dir.
    const ci = tempDir('ci-');
    const env = { ...w.env, SAFEWEB_CONFIG_DIR: ci.dir };
    try {
      const { runInProcess } = await import('../../helpers/cli.js');
      const withState = await runInProcess(['plan', '--file', file, '--state', state, '--exit-status'], { env });
      expect(withState.code, withState.stderr).toBe(0);
      expect(withState.stdout).toContain('No changes');
      const without = await runInProcess(['plan', '--file', file, '--exit-status'], { env });
      expect(without.code).toBe(8);
      expect(without.stderr).toContain('the local record knows none of the 2 customers');
      // Drift is seen from there too: assets are read live.
      expect((await w.cli(['customer', 'assets', 'BOOK-1', '--add-domain', 'x.example'])).code).toBe(0);
      const drift = await runInProcess(['plan', '--file', file, '--state', state, '--json'], { env });
      expect(JSON.parse(drift.stdout)).toMatchObject({ summary: { update: 1, total: 1 } });
    } finally {
      ci.cleanup();
    }
  });

  it('refuses a state file of another account', async () => {
    w = await bookWorld();
    const state = path.join(w.dir, 'book.state.json');
    const file = w.write('book.yaml', bookYaml(1));
    expect((await w.cli(['apply', '--file', file, '--yes', '--state', state])).code).toBe(0);
    const other = cleanEnv({
      ...w.env,
      SAFEWEB_PARTNER_ID: w.sandbox.otherPartner.partnerId,
      SAFEWEB_API_KEY: w.sandbox.otherPartner.apiKey,
    });
    const { runInProcess } = await import('../../helpers/cli.js');
    const r = await runInProcess(['plan', '--file', file, '--state', state], { env: other });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is the state of ${w.sandbox.partnerId}@`);
  });
});

describe('a state that names a customer the API does not know', () => {
  it('fails the plan with exit 3, naming the customer and how to correct its ID', async () => {
    w = await bookWorld();
    const state = path.join(w.dir, 'book.state.json');
    const file = w.write('book.yaml', bookYaml(2));
    expect((await w.cli(['apply', '--file', file, '--yes', '--state', state])).code).toBe(0);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { customers: Array<{ id: string }> };
    saved.customers[1]!.id = '00000000-0000-4000-8000-000000000000';
    writeFileSync(state, JSON.stringify(saved));
    const r = await w.cli(['plan', '--file', file, '--state', state]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('reading the assets of BOOK-2 (00000000-0000-4000-8000-000000000000)');
    expect(r.stderr).toContain('safeweb customer link BOOK-2 --id UUID');
  });
});
