/**
 * Loaded before every test file (vitest.config.ts setupFiles): once the file's tests and its own
 * after-hooks are done, every directory tempDir made there is removed, whether or not the test
 * called its cleanup — a failed assertion or a forgotten `finally` leaves nothing in the temp dir.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

afterAll(() => {
  removeTempDirs();
});
