import fs from 'node:fs';
import path from 'node:path';

/**
 * Runs `fn` holding a lock file in `dir` (proper-lockfile: mkdir-based, stale after 10 s), so
 * concurrent safeweb processes take turns at read-modify-write. Creates `dir` 0700 if needed.
 */
export async function withLock<T>(dir: string, name: string, fn: () => T | Promise<T>): Promise<T> {
  const created = !fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created) fs.chmodSync(dir, 0o700);
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(dir, {
    lockfilePath: path.join(dir, `${name}.lock`),
    retries: { retries: 50, minTimeout: 20, maxTimeout: 200 },
    stale: 10_000,
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}
