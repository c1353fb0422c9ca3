/**
 * Another process that writes with src/io (test/io/child.mjs), for the tests where two
 * processes meet or one is killed mid-write: bundled once per test file with esbuild into a temp
 * directory, so it runs without building the whole tool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { ROOT } from './cli.js';

export interface IoChild {
  process: ChildProcess;
  /** Resolves with the child's next line on stdout (undefined once it has ended). */
  line(): Promise<string | undefined>;
  /** Resolves when it has ended. */
  ended: Promise<void>;
}

/** Bundles the child program (`entry`, from the repository's root) into `dir` and returns a way to start it with arguments. */
export async function ioChild(dir: string, entry = 'test/io/child.mjs'): Promise<(...args: string[]) => IoChild> {
  const outfile = path.join(dir, `${path.basename(entry, '.mjs')}.cjs`);
  // CommonJS: proper-lockfile and its dependencies require() node built-ins, which an ESM bundle cannot.
  await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  return (...args) => {
    const child = spawn(process.execPath, [outfile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
    return { process: child, line: async () => (await lines.next()).value as string | undefined, ended };
  };
}
