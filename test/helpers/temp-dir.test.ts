/**
 * The temporary directories of tests: tempDir's cleanup removes one, and removeTempDirs (which
 * clean-temp.ts runs after every test file) removes all the others it made, files and all.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './cli.js';

describe('tempDir', () => {
  it('is removed by its cleanup, and every other one by removeTempDirs', () => {
    removeTempDirs();
    const cleaned = tempDir('cleaned-');
    const left = tempDir('left-');
    mkdirSync(path.join(left.dir, 'deep'));
    writeFileSync(path.join(left.dir, 'deep', 'file.txt'), 'x');
    cleaned.cleanup();
    expect(existsSync(cleaned.dir)).toBe(false);
    expect(existsSync(left.dir)).toBe(true);
    expect(removeTempDirs()).toBe(1);
    expect(existsSync(left.dir)).toBe(false);
    expect(removeTempDirs()).toBe(0);
  });
});
