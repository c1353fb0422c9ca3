/**
 * Two runs of a kind at once on one account: the second is refused (exit 2, naming the first:
 * PID, host, command, start time) or, with --wait, waits and then finds nothing left to do. Before
 * the lock, two concurrent applies both created every webhook endpoint and the record lost the
 * new customers' IDs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, until } from '../../helpers/cli.js';
import { bookWorld, bookYaml, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await w?.close();
});

const HOOK = 'http://127.0.0.1:9/two-runs';

/** A run of the built binary in the background; resolves with its exit code and stderr. */
function background(argv: string[]): { child: ChildProcess; done: Promise<{ code: number; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...argv], { env: w.env as NodeJS.ProcessEnv, stdio: 'pipe' });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stderr })),
  );
  return { child, done };
}

const held = (kind: string) => () =>
  existsSync(path.join(w.configDir, 'locks')) &&
  readdirSync(path.join(w.configDir, 'locks')).some((f) => f.endsWith(`.${kind}.lock`));

/** An apply of `file` in the background, one change at a time, once it holds the account's lock. */
async function firstApply(file: string) {
  const run = background([
    'apply',
    '--file',
    file,
    '--yes',
    '--concurrency',
    '1',
    '--secret-dir',
    path.join(w.dir, 's1'),
  ]);
  await until(held('apply'), 'the first apply to hold the lock');
  return run;
}

describe('two applies at once', () => {
  it('the second is refused, naming the first; the book ends with one endpoint and every ID', async () => {
    w = await bookWorld({ latencyMs: 150 });
    const file = w.write('book.yaml', bookYaml(4, { webhook: HOOK }));
    const first = await firstApply(file);
    const second = await w.cli(['apply', '--file', file, '--yes', '--secret-dir', path.join(w.dir, 's2')]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(
        `is in use by another \`safeweb apply\` \\(PID ${first.child.pid} on ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\); nothing was sent`,
      ),
    );
    expect(second.stderr).toContain('--wait');
    const one = await first.done;
    expect(one.code, one.stderr).toBe(0);
    expect(w.sandbox.state.webhooks!.filter((h) => h.url === HOOK)).toHaveLength(1);
    const list = JSON.parse((await w.cli(['customer', 'list', '--json'])).stdout) as Array<{ id: string | null }>;
    expect(list).toHaveLength(4);
    expect(list.every((c) => typeof c.id === 'string')).toBe(true);
    expect((await w.cli(['plan', '--file', file, '--exit-status'])).code).toBe(0);
  });

  it('with --wait, the second waits for the first, then finds nothing to do', async () => {
    w = await bookWorld({ latencyMs: 100 });
    const file = w.write('book.yaml', bookYaml(3, { webhook: HOOK }));
    const first = await firstApply(file);
    const second = await w.cli([
      'apply',
      '--file',
      file,
      '--yes',
      '--wait',
      '--json',
      '--secret-dir',
      path.join(w.dir, 's2'),
    ]);
    expect((await first.done).code).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ changes: [], summary: { total: 0 } });
    expect(w.sandbox.state.webhooks!.filter((h) => h.url === HOOK)).toHaveLength(1);
    expect(w.customers('BOOK-')).toHaveLength(3);
  });
});

describe('two bulk onboardings at once', () => {
  it('the second is refused before it checks or sends a row; a lock of a killed run is taken over at once', async () => {
    w = await bookWorld({ latencyMs: 100 });
    const rows = Array.from({ length: 5 }, (_, i) => `Two ${i},TWO-${i},two${i}.example,soc@two.example,10,USD,now+1d`);
    const csv = w.write(
      'rows.csv',
      `companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n${rows.join('\n')}\n`,
    );
    const first = background(['customer', 'onboard', '--file', csv, '--concurrency', '1']);
    await until(held('bulk-onboard'), 'the first run to hold the lock');
    const second = await w.cli(['customer', 'onboard', '--file', csv]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('is in use by another `safeweb customer onboard --file (bulk)`');
    // Killed: its lock names a process that is gone, and the next run takes it over at once.
    first.child.kill('SIGKILL');
    await first.done;
    const again = await w.cli(['customer', 'onboard', '--file', csv, '--skip-invalid']);
    expect(again.stderr).not.toContain('is in use');
    expect(w.customers('TWO-')).toHaveLength(5);
  });
});
