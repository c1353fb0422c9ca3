/**
 * A progress bar on stderr for a terminal (cli-progress): done / total, rate, ETA, failures.
 * Nothing at all when stderr is not a terminal, nor for a run too short to need one.
 */
export interface Progress {
  tick(failed: boolean): void;
  stop(): void;
}

/** Fewer items than this finish before a bar would tell anyone anything. */
const MIN_ITEMS = 20;

export async function startProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  label: string,
  total: number,
): Promise<Progress> {
  if (!stream.isTTY || total < MIN_ITEMS) return { tick: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: `${label} [{bar}] {value}/{total} | {speed}/s | ETA {eta_formatted} | failed {failed}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  let failed = 0;
  let stopped = false;
  bar.start(total, 0, { speed: '0', failed: 0 });
  return {
    tick(isFailure) {
      done++;
      if (isFailure) failed++;
      if (!stopped)
        bar.update(done, { speed: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(0), failed });
    },
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
