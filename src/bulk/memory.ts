/**
 * Keeps a long bulk run's memory flat. The live data of a run is small, but V8 lets garbage pile
 * up while allocation is brisk, so peak RSS grew with the file (docs/speed.md). A full collection
 * every few thousand rows keeps it down, at a small cost each. `gc` is reached the documented
 * way for a running process: --expose-gc set at run time, then read from a fresh context.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined | null;

function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/**
 * Call once per row. Every `every` rows, when the process has grown past `threshold` bytes,
 * collects garbage (a full collection pauses everything, so small runs never pay for one).
 */
export function memoryKeeper(every = 1000, threshold = 96 * 1024 * 1024): () => void {
  let count = 0;
  return () => {
    if (++count % every === 0 && process.memoryUsage.rss() > threshold) collector()?.();
  };
}
