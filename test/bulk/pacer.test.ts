import { describe, expect, it } from 'vitest';
import { Pacer, runPaced } from '../../src/bulk/pacer.js';

/** A fake clock: sleeping advances time at once. */
function clock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

async function* items(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

describe('Pacer', () => {
  it('never has more than `concurrency` in flight', async () => {
    const pacer = new Pacer({ concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    await runPaced(
      items(20),
      pacer,
      async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
      },
      () => false,
    );
    expect(peak).toBe(3);
  });

  it('spaces starts to honour --max-rps', async () => {
    const c = clock();
    const pacer = new Pacer({ concurrency: 10, maxRps: 4, ...c });
    const starts: number[] = [];
    await runPaced(
      items(5),
      pacer,
      async () => void starts.push(c.now()),
      () => false,
    );
    expect(starts).toEqual([0, 250, 500, 750, 1000]);
  });

  it('on 429 pauses everyone for Retry-After, halves concurrency, then grows back', async () => {
    const c = clock();
    const pacer = new Pacer({ concurrency: 8, ...c });
    pacer.rateLimited(2000);
    expect(pacer.limit).toBe(4);
    await pacer.acquire();
    expect(c.now()).toBe(2000);
    pacer.release();
    pacer.rateLimited(1000);
    expect(pacer.limit).toBe(2);
    for (let i = 0; i < 20; i++) pacer.succeeded();
    expect(pacer.limit).toBe(3);
    for (let i = 0; i < 200; i++) pacer.succeeded();
    expect(pacer.limit).toBe(8);
  });

  it('stops dispatching when told to, and still waits for the work in flight', async () => {
    const pacer = new Pacer({ concurrency: 2 });
    const done: number[] = [];
    let stop = false;
    await runPaced(
      items(100),
      pacer,
      async (i) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        done.push(i);
        if (i === 3) stop = true;
      },
      () => stop,
    );
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect(done.length).toBeLessThan(10);
    expect(pacer.inFlight).toBe(0);
  });
});
