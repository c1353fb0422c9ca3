/**
 * The process a --jq filter runs in (started by src/output/jq.ts, built as dist/jq-child.js).
 * jq-web runs jq synchronously as WebAssembly: in the CLI's own process an endless filter could
 * not be stopped (not even by Ctrl+C) and a greedy one grew memory until V8 crashed. Here the
 * parent can kill it at a time limit or on Ctrl+C, and memory is capped inside: WebAssembly
 * memory by refusing to grow past the cap (jq then fails with "cannot allocate memory"), the JS
 * heap (jq-web collects output in a JS array) by --max-old-space-size, set by the parent.
 *
 * argv[2]: the memory cap in bytes. `{ready: true}` says jq is loaded; then requests come one at
 * a time over the IPC channel, each answered with its id.
 */
import { Worker } from 'node:worker_threads';

export interface JqRequest {
  id: number;
  input: string;
  expression: string;
  flags: string[];
}

export type JqReply =
  | { id: number; out: string }
  | { id: number; error: { message: string; exitCode?: number | undefined; memory: boolean } };

interface JqFailure extends Error {
  exitCode?: number;
  stderr?: string;
}

// jq runs synchronously on this thread, so nothing here hears the channel close while a filter
// runs: were the CLI killed (SIGKILL) mid-filter, an endless one would spin on as an orphan.
// A watchdog thread, free of jq, ends this process as soon as its parent is gone.
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL'); }, 250);`,
  { eval: true, workerData: { parent: process.ppid } },
).unref();

const PAGE = 65_536;
const cap = Number(process.argv[2]);
let refused = false;

// Wrapped before jq-web is loaded: its heap grows only through this call (emscripten_resize_heap).
// (The DOM's WebAssembly types are not in this project's lib, so the little used is declared.)
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly;
const grow = Memory.prototype.grow;
Memory.prototype.grow = function (this: WasmMemory, delta: number): number {
  if (Number.isFinite(cap) && this.buffer.byteLength + delta * PAGE > cap) {
    refused = true;
    throw new RangeError('over the --jq memory limit');
  }
  return grow.call(this, delta);
};

const { default: loading } = await import('jq-web');
const jq = await loading;

process.on('message', (request: JqRequest) => {
  refused = false;
  let reply: JqReply;
  let broken = false;
  try {
    reply = { id: request.id, out: jq.raw(request.input, request.expression, request.flags) ?? '' };
  } catch (error) {
    const failure = error as JqFailure;
    // No exit status: the runtime aborted (out of memory), and its state is not to be trusted again.
    broken = failure.exitCode === undefined || refused;
    reply = {
      id: request.id,
      error: { message: failure.stderr ?? failure.message, exitCode: failure.exitCode, memory: refused },
    };
  }
  // Then it ends: with the channel closed nothing keeps it alive, and the CLI starts a new one.
  process.send?.(reply, () => {
    if (broken) process.disconnect();
  });
});

// When the CLI is done (or gone), the channel closes and this process ends by itself.
process.send?.({ ready: true });
