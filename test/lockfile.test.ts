import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

describe('the installed dependency tree', () => {
  // A peer range the lockfile does not satisfy (vite wants esbuild ^0.27 || ^0.28) is what
  // `npm ls` reports as "invalid"; a fresh `npm ci` would then install a tree no one tested.
  it('satisfies every declared range, dev tools included (`npm ls --all` exits 0)', { timeout: 30_000 }, async () => {
    const run = promisify(execFile);
    const result = await run('npm', ['ls', '--all', '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, problems: (JSON.parse(stdout) as { problems?: string[] }).problems ?? [] }),
      (error: { code?: number; stdout?: string }) => ({
        code: error.code ?? 1,
        problems: (JSON.parse(error.stdout || '{}') as { problems?: string[] }).problems ?? [String(error)],
      }),
    );
    expect(result.problems).toEqual([]);
    expect(result.code).toBe(0);
  });
});
