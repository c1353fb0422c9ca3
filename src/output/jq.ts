/**
 * --jq EXPR, with gh's meaning: the expression runs over exactly the document --json prints,
 * and each result is printed on its own line, strings raw. jq itself, compiled to WebAssembly
 * (jq-web), runs in a child process (jq-child.ts), started only when the flag is given and used
 * for the whole run: there it can be stopped at a time limit or by Ctrl+C, and its memory is
 * capped, so no filter can hang or exhaust the machine. No jq needs to be installed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { UsageError } from '../errors.js';
import type { JqReply, JqRequest } from './jq-child.js';

/** The filter's output for one document: one result a line. */
export type JqFilter = (document: unknown) => Promise<string>;

/** How long one run of the filter may take, and how much memory jq may use. */
interface JqLimits {
  timeoutMs: number;
  memoryMiB: number;
}

const DEFAULT_TIMEOUT_S = 10;
const DEFAULT_MEMORY_MIB = 512;
/** Below this jq-web cannot even start (its initial WebAssembly memory is 16 MiB). */
const MIN_MEMORY_MIB = 32;

/** jq's exit status for an expression that does not compile. */
const COMPILE_ERROR = 3;

const HINT = 'The expression runs over the document --json prints; try that first.';

/**
 * The filter for `expression`, or exit 2 with jq's message when it does not compile. Checked
 * before the command runs, so a typo never follows a change already made. `env` gives the
 * limits: SAFEWEB_JQ_TIMEOUT (seconds, default 10) and SAFEWEB_JQ_MEMORY (MiB, default 512).
 */
export async function compileJq(expression: string, env: Record<string, string | undefined> = {}): Promise<JqFilter> {
  const limits = jqLimits(env);
  const jq = takeStarted(limits) ?? new JqProcess(limits);
  try {
    await jq.apply(expression, 'null', ['-n']);
  } catch (error) {
    // Only a compile error is wrong everywhere; `.[0]` may fail on null and work on the document.
    // A limit hit here is hit by the expression alone (`def f: f; f`): no document will do better.
    const code = (error as { jqExitCode?: number }).jqExitCode;
    if (code === COMPILE_ERROR || error instanceof JqLimitError) throw error;
  }
  return async (document) => {
    const out = await jq.apply(expression, JSON.stringify(document) ?? 'null', ['-r', '-c']);
    return out === '' || out.endsWith('\n') ? out : `${out}\n`;
  };
}

/** A child started ahead of compileJq (startJq), with the limits it was started with. */
let started: JqProcess | undefined;

/**
 * Starts jq's child now, for a run that has --jq: it takes about a Node start to be ready, and
 * so it gets ready while the command tree is built. compileJq takes it up; a run that fails
 * before that leaves it idle, and it ends with this process.
 */
export function startJq(env: Record<string, string | undefined>): void {
  let limits: JqLimits;
  try {
    limits = jqLimits(env);
  } catch {
    return; // compileJq says what is wrong with them
  }
  started = new JqProcess(limits);
  started.start();
}

function takeStarted(limits: JqLimits): JqProcess | undefined {
  const jq = started;
  started = undefined;
  return jq && jq.limits.timeoutMs === limits.timeoutMs && jq.limits.memoryMiB === limits.memoryMiB ? jq : undefined;
}

function jqLimits(env: Record<string, string | undefined>): JqLimits {
  const number = (name: string, fallback: number, min: number, unit: string): number => {
    const text = env[name]?.trim();
    if (!text) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min)
      throw new UsageError(`${name} must be a number of ${unit}, at least ${min}; got "${text}"`);
    return value;
  };
  return {
    timeoutMs: number('SAFEWEB_JQ_TIMEOUT', DEFAULT_TIMEOUT_S, 0.001, 'seconds') * 1000,
    memoryMiB: Math.floor(number('SAFEWEB_JQ_MEMORY', DEFAULT_MEMORY_MIB, MIN_MEMORY_MIB, 'MiB')),
  };
}

/** A filter stopped at one of its limits: exit 2, one line naming the limit and how to lift it. */
class JqLimitError extends UsageError {}

function overTime(limits: JqLimits): JqLimitError {
  return new JqLimitError(
    `--jq: the filter ran longer than ${limits.timeoutMs / 1000} s and was stopped`,
    'Simplify the filter, or allow more time with SAFEWEB_JQ_TIMEOUT=<seconds>.',
  );
}

function overMemory(limits: JqLimits): JqLimitError {
  return new JqLimitError(
    `--jq: the filter needed more than ${limits.memoryMiB} MiB of memory and was stopped`,
    'Simplify the filter, or allow more with SAFEWEB_JQ_MEMORY=<MiB>.',
  );
}

/**
 * The child jq runs in: started on first use, one request at a time, restarted when a limit
 * killed it (a stream's next record still gets filtered). It keeps the CLI alive only while a
 * request is out, and it dies with the CLI (Ctrl+C is process.exit(130) in bin/safeweb.js).
 */
class JqProcess {
  #queue: Promise<unknown> = Promise.resolve();
  #next = 0;

  #child: Started | undefined;

  constructor(readonly limits: JqLimits) {}

  /** jq's stdout for `jq FLAGS EXPRESSION` over `input`; throws a UsageError when jq fails. */
  apply(expression: string, input: string, flags: string[]): Promise<string> {
    const result = this.#queue.then(() => this.#run(expression, input, flags));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** The child, started unless it runs already (a limit killed the last one). */
  start(): Started {
    return (this.#child ??= this.#fork());
  }

  #fork(): Started {
    const entry = new URL('./jq-child.js', import.meta.url);
    const memory = this.limits.memoryMiB;
    const child = fork(entry, [String(memory * 1024 * 1024)], {
      // The JS heap too: jq-web gathers jq's output in a JS array.
      execArgv: [`--max-old-space-size=${memory}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => (said = `${said}${chunk.toString('utf8')}`.slice(-2000)));
    stderrOf.set(child, () => said);
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => {
      process.off('exit', kill);
      this.#forget(child);
    });
    // Idle until asked (#run holds it): it must not keep this process alive.
    hold(child, false);
    // Ready once jq is loaded (the time limit is the filter's, not a Node start's on a busy machine).
    const ready = new Promise<void>((resolve, reject) => {
      const onReady = (message: unknown) => {
        if ((message as { ready?: boolean }).ready !== true) return;
        child.off('message', onReady);
        child.off('close', onClose);
        resolve();
      };
      const onClose = () => reject(new Error(`jq could not start: ${said.split('\n')[0] ?? ''}`.trim()));
      child.on('message', onReady);
      child.once('close', onClose);
    });
    ready.catch(() => undefined); // a child started ahead that is never used
    return { child, ready };
  }

  /** The next request starts a new child: this one is dead or about to be. */
  #forget(child: ChildProcess): void {
    if (this.#child?.child === child) this.#child = undefined;
  }

  async #run(expression: string, input: string, flags: string[]): Promise<string> {
    const { child, ready } = this.start();
    const id = ++this.#next;
    const request: JqRequest = { id, input, expression, flags };
    hold(child, true);
    try {
      await ready;
      return await new Promise<string>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('close', onExit);
        };
        const timer = setTimeout(() => {
          done();
          this.#forget(child);
          child.kill('SIGKILL');
          reject(overTime(this.limits));
        }, this.limits.timeoutMs);
        const onMessage = (reply: JqReply) => {
          if (reply.id !== id) return;
          done();
          if ('out' in reply) return resolve(reply.out);
          // Out of memory, jq's runtime has aborted, and the child exits (jq-child.ts).
          if (reply.error.memory || reply.error.exitCode === undefined) this.#forget(child);
          if (reply.error.memory) reject(overMemory(this.limits));
          else reject(jqError(reply.error.message, reply.error.exitCode));
        };
        const onExit = () => {
          done();
          this.#forget(child);
          const said = stderrOf.get(child)?.() ?? '';
          // Out of JS heap (V8's fatal "heap out of memory") is the one way it dies mid-request.
          if (/out of memory|allocation failed/i.test(said)) reject(overMemory(this.limits));
          else reject(new Error(`jq stopped unexpectedly: ${said.split('\n')[0] ?? ''}`.trim()));
        };
        child.on('message', onMessage);
        // 'close', not 'exit': by then the child's stderr has been read to its end.
        child.once('close', onExit);
        child.send(request, (error) => {
          if (!error) return;
          done();
          this.#forget(child);
          reject(error);
        });
      });
    } finally {
      hold(child, false);
    }
  }
}

interface Started {
  child: ChildProcess;
  /** Resolves once jq is loaded in it. */
  ready: Promise<void>;
}

/** The end of each child's stderr: a V8 crash prints a native stack there, read but never shown. */
const stderrOf = new WeakMap<ChildProcess, () => string>();

/** Whether the child keeps this process alive: only while a filter is running. */
function hold(child: ChildProcess, running: boolean): void {
  const handles = [child, child.channel, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>;
  for (const handle of handles) (running ? handle?.ref : handle?.unref)?.call(handle);
}

function jqError(text: string, exitCode: number | undefined): UsageError {
  return Object.assign(new UsageError(`--jq: ${jqMessage(text)}`, HINT), { jqExitCode: exitCode });
}

function jqMessage(text: string): string {
  return text
    .replace(/^Non-zero exit code: \d+\s*/, '')
    .replace(/\s*\(Unix shell quoting issues\?\)/, '')
    .replace(/\s*jq: \d+ compile errors?\s*$/, '')
    .replace(/^jq: error(?: \(at [^)]*\))?: /, '')
    .replace(/\s+/g, ' ')
    .trim();
}
