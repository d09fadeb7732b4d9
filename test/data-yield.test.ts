// A dataset stage that reads many upstream elements for one of its own (`filter` dropping them,
// `skip`, filling a `shuffle` buffer or a batch) yields to the event loop now and then
// (ts/data/stages.ts `Pace`). Stages pass elements on in microtasks only, so before it
// `data.array([1]).repeat().filter(() => false).take(1).toArray()` never let a timer fire: the
// process froze, and no timeout or abort of the user's could run (a break-testing report).
//
// Each pipeline below would run for ever; it ends once a timer set before it has fired (or,
// without the yields, after LIMIT pulls, with the timer not fired: the failure).
import { describe, expect, it } from 'vitest';
import './setup.js';
import { data } from '../ts/index.js';

const LIMIT = 2_000_000;

/**
 * Runs the pipeline `make(stop)`, where `stop()` says whether to end it; whether a 10 ms timer,
 * set at the first call of `stop` (once the pass runs: loading the dataset code on the first
 * pass is a real wait), fired first.
 */
async function timerFires(make: (stop: () => boolean) => Promise<unknown>): Promise<{ fired: boolean; pulls: number }> {
  let fired = false;
  let pulls = 0;
  await make(() => {
    if (pulls++ === 0) setTimeout(() => (fired = true), 10);
    return fired || pulls >= LIMIT;
  });
  return { fired, pulls };
}

describe('stages that pull many elements for one yield to the event loop', () => {
  it('filter dropping every element of an endless dataset lets a timer fire', async () => {
    const r = await timerFires((stop) => data.array([1]).repeat().filter(() => stop()).take(1).toArray());
    expect(r.fired).toBe(true);
    expect(r.pulls).toBeLessThan(LIMIT);
  });

  it('so does a long skip, a large shuffle buffer and a large batch', async () => {
    const endless = (stop: () => boolean) => data.generator(function* () {
      while (!stop()) yield 1;
    });
    for (const [name, make] of [
      ['skip', (stop: () => boolean) => endless(stop).skip(LIMIT).toArray()],
      ['shuffle', (stop: () => boolean) => endless(stop).shuffle(LIMIT, 1).take(1).toArray()],
      ['batch', (stop: () => boolean) => endless(stop).batch(LIMIT).take(1).forEachAsync((b) => (b as { dispose(): void }).dispose())],
    ] as const) {
      const r = await timerFires(make);
      expect(r.fired, name).toBe(true);
      expect(r.pulls, name).toBeLessThan(LIMIT);
    }
  });
});

describe('slow elements: the stages yield by the clock, not by a count of elements', () => {
  // A student's page filled shuffle(1000) from a CSV at ~1 ms per row and froze for 0.2–0.8 s:
  // the clock was looked at every 256 elements, and its first look only started the timer.
  it('shuffle, batch, skip and filter over elements of 1 ms each keep every gap between timer ticks far below 300 ms', async () => {
    const slow = () => data.generator(function* () {
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        while (performance.now() - t < 1);
        yield i;
      }
    });
    for (const [name, run] of [
      ['shuffle', () => slow().shuffle(300, 1).take(1).toArray()],
      ['batch', () => slow().batch(300).take(1).forEachAsync((b) => (b as { dispose(): void }).dispose())],
      ['skip', () => slow().skip(299).toArray()],
      ['filter', () => slow().filter((i) => i === 299).toArray()],
    ] as const) {
      await run(); // loads the dataset code
      let last = performance.now();
      let gap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 1);
      await run();
      clearInterval(timer);
      gap = Math.max(gap, performance.now() - last);
      // 16 ms between yields (YIELD_EVERY_MS) plus an element and the timer's own lateness;
      // 300 ms is what one unbroken read of the 300 elements takes.
      expect(gap, name).toBeLessThan(200); // 100 flaked at 130 on a loaded CI machine
    }
  });
});

describe('a for-await loop over a dataset yields to the event loop', () => {
  // A data engineer's `for await (const b of ds.repeat()) { if (stop) break; }` never saw the
  // stop flag a timer set: the pass ran on microtasks alone.
  it('an endless in-memory dataset: a timer fires and ends the loop', async () => {
    const r = await timerFires(async (stop) => {
      for await (const _ of data.array([1, 2, 3]).repeat()) if (stop()) break;
    });
    expect(r.fired).toBe(true);
    expect(r.pulls).toBeLessThan(LIMIT);
  });
});
