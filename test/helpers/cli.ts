/**
 * Ways to run the CLI in tests: in-process through run() with captured streams (fast, with TTY
 * flags set as a test needs), or the built binary as a child process, or inside a real
 * pseudo-terminal (util-linux `script`) where TTY behaviour matters.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Context } from '../../src/context.js';
import { run } from '../../src/main.js';
import type { Wire } from '../../src/api/transport.js';
import type { Prompter } from '../../src/prompt/prompter.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/safeweb.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every directory tempDir made in this test file and not yet removed. */
const made = new Set<string>();

/**
 * A Context with no environment whose output goes nowhere (or to `sink`): what building the
 * command tree needs, for tests that read the tree itself.
 */
export function quietContext(sink: { write(text: string): boolean } = { write: () => true }): Context {
  return new Context({
    stdin: process.stdin,
    stdout: sink as never,
    stderr: sink as never,
    env: {},
    nodeVersion: process.version,
    waitForSignal: () => new Promise(() => {}),
  });
}

/**
 * A fresh, empty directory, removed by the returned cleanup, and in any case after the test
 * file's last test (removeTempDirs, run by test/helpers/clean-temp.ts for every file).
 */
export function tempDir(prefix = 'safeweb-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      made.delete(dir);
    },
  };
}

/** Removes every directory tempDir made that is still there; returns how many it removed. */
export function removeTempDirs(): number {
  const count = made.size;
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
  return count;
}

/** An environment with nothing from the developer's own shell that could change results. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'],
    HOME: os.tmpdir(),
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
  };
  return { ...env, ...extra };
}

function capture(isTTY: boolean, columns = 120): PassThrough & { isTTY: boolean; text: () => string; columns: number } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string; columns: number };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.isTTY = isTTY;
  stream.columns = columns;
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  tty?: boolean;
  stdin?: string;
  prompter?: Prompter;
  signal?: Promise<NodeJS.Signals>;
  /** The terminal's width (stdout.columns); 120 unless given. */
  columns?: number;
  /** What every request is sent on, in place of node:http (a wire that checks or records them). */
  wire?: Wire;
}

/** run() in this process with captured streams. */
export async function runInProcess(argv: string[], options: InProcessOptions = {}): Promise<CliResult> {
  const stdout = capture(Boolean(options.tty), options.columns);
  const stderr = capture(Boolean(options.tty), options.columns);
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & {
    isTTY?: boolean;
  };
  stdin.isTTY = Boolean(options.tty);
  const code = await run(argv, {
    stdin,
    stdout,
    stderr,
    env: options.env ?? cleanEnv(),
    nodeVersion: process.version,
    ...(options.prompter ? { prompter: options.prompter } : {}),
    ...(options.wire ? { wire: options.wire } : {}),
    waitForSignal: () => options.signal ?? new Promise(() => {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The built binary as a child process, stdin from `input` (or closed). */
export function runBinary(
  argv: string[],
  options: { env?: Record<string, string | undefined>; input?: string; node?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [BIN, ...argv], {
      env: (options.env ?? cleanEnv()) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export interface PtySession {
  /** Everything the terminal showed so far, ANSI codes removed. */
  screen(): string;
  /** The bytes as the terminal received them, escape sequences included. */
  raw(): string;
  write(keys: string): void;
  /** Resolves once `text` has appeared on screen (after `from` characters). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Sends Ctrl+C to the program through the terminal. */
  interrupt(): void;
  exit: Promise<number>;
}

/**
 * The binary inside a real pseudo-terminal, via util-linux `script`, so stdin and stdout are
 * TTYs exactly as for a person. Keys typed with write() go through the terminal line discipline.
 */
export function runInPty(
  argv: string[],
  options: { env?: Record<string, string | undefined>; columns?: number } = {},
): PtySession {
  const quoted = [process.execPath, BIN, ...argv].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const cols = options.columns ?? 120;
  const child = spawn('script', ['-qfec', `stty cols ${cols} rows 40; exec ${quoted}`, '/dev/null'], {
    env: (options.env ?? cleanEnv()) as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  const waiters: Array<() => void> = [];
  const onData = (c: Buffer) => {
    raw += c.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return {
    screen: () => stripAnsi(raw),
    raw: () => raw,
    write: (keys) => child.stdin.write(keys),
    interrupt: () => child.stdin.write('\x03'),
    exit,
    waitFor(text, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const test = () => (typeof text === 'string' ? stripAnsi(raw).includes(text) : text.test(stripAnsi(raw)));
        if (test()) return resolve();
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${String(text)}; screen was:\n${stripAnsi(raw)}`));
        }, timeoutMs);
        const check = () => {
          if (test()) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            resolve();
          }
        };
        waiters.push(check);
      });
    },
  };
}

/** Waits until `ready` holds, polling every 10 ms; fails naming `what` after `ms`. */
export async function until(ready: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
