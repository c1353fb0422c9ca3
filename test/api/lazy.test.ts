/**
 * ky, and the runtime's fetch machinery it starts on import (undici: Request, Response,
 * streams), are loaded only by runs that send a request: they cost more than a bare Node start.
 * Checked on the built binary, with Node's own list of the internal modules a process loaded.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';

// Written at exit by a preload: every internal module the process loaded.
const PRELOAD =
  "data:text/javascript,import{writeFileSync}from'node:fs';" +
  "process.on('exit',()=>writeFileSync(process.env.LOADED_LIST,process.moduleLoadList.join('\\n')))";

function loadedBy(argv: string[]): { code: number | null; undici: boolean } {
  const { dir } = tempDir();
  const list = path.join(dir, 'loaded.txt');
  const r = spawnSync(process.execPath, ['--import', PRELOAD, BIN, ...argv], {
    env: cleanEnv({ LOADED_LIST: list, SAFEWEB_CONFIG_DIR: dir }) as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return { code: r.status, undici: readFileSync(list, 'utf8').includes('undici') };
}

describe('the HTTP engine stays off paths that send nothing', () => {
  it.each([
    [['--help'], 0],
    [['--version'], 0],
    [['customer', '--help'], 0],
    [['webhook', 'listen', '--help'], 0],
    [['completion', 'bash'], 0],
    [['schema', 'onboarding'], 0],
    [['profile', 'list'], 0],
    [['customer', 'list', '--no-such-flag'], 2],
    [['no-such-command'], 2],
  ])('safeweb %j', (argv, code) => {
    expect(loadedBy(argv)).toEqual({ code, undici: false });
  });

  it('while a run that sends a request does load it (so the check above can fail)', () => {
    // Port 1 on loopback: refused at once, after the engine is loaded.
    const r = loadedBy(['health', '--base-url', 'http://127.0.0.1:1', '--retries', '0']);
    expect(r).toEqual({ code: 5, undici: true });
  });
});
