/**
 * Keeps a loop that awaits only settled promises (a dataset stage reading many upstream
 * elements for one of its own, a for-await over in-memory elements, `normalization.adapt` over
 * a dataset) from holding the thread: such a loop runs on microtasks alone, so without it
 * `repeat().filter(() => false)` would never let a timer, I/O or a user's abort run.
 */
import { YIELD_EVERY_MS } from './models/fit.js';
import { yieldNow } from './runtime.js';

/** Pulls between two looks at the clock in a {@link Pace} made without a count. */
const PACE_PULLS = 256;

/**
 * @internal `tick()` after each pull gives a macrotask to await (`yieldNow`) once
 * {@link YIELD_EVERY_MS} have passed since the loop's first look at the clock or its last
 * yield, else `null` (no await on the fast path). The clock is looked at every `every` pulls:
 * 256 (the default) for cheap pulls, 1 where each pull is a batch's work.
 */
export class Pace {
  #pulls = 0;
  #since = -1;
  constructor(private readonly every = PACE_PULLS) {}
  tick(): Promise<void> | null {
    if (++this.#pulls % this.every !== 0) return null;
    const now = performance.now();
    if (this.#since < 0 || now - this.#since < YIELD_EVERY_MS) {
      if (this.#since < 0) this.#since = now;
      return null;
    }
    return yieldNow().then(() => void (this.#since = performance.now()));
  }
}
