/**
 * Keeps a loop that awaits only settled promises (a dataset stage reading many upstream
 * elements for one of its own, a for-await over in-memory elements, `normalization.adapt` over
 * a dataset) from holding the thread: such a loop runs on microtasks alone, so without it
 * `repeat().filter(() => false)` would never let a timer, I/O or a user's abort run.
 */
import { YIELD_EVERY_MS } from './models/fit.js';
import { yieldNow } from './runtime.js';

/** The most pulls between two looks at the clock in a {@link Pace} made without a count. */
const PACE_PULLS = 256;

/**
 * @internal `tick()` after each pull gives a macrotask to await (`yieldNow`) once
 * {@link YIELD_EVERY_MS} have passed since the `Pace` was made or last yielded, else `null` (no
 * await on the fast path). It looks at the clock after the first pull, then as often as the
 * pulls' measured cost says (about every quarter of the interval), at most every `every`
 * pulls (growing at most twofold per look): 256 (the default) for cheap pulls, 1 where each pull is a batch's work. (Looking every
 * 256 pulls from the second look on held a browser page for 0.8 s where each element took 1 ms
 * to read: a shuffle buffer filled from a CSV.)
 */
export class Pace {
  /** Pulls since the last look. */
  #pulls = 0;
  /** Pulls between looks. */
  #stride = 1;
  /** When the loop started or last yielded. */
  #since = performance.now();
  /** When the clock was last looked at. */
  #looked = this.#since;
  constructor(private readonly every = PACE_PULLS) {}
  tick(): Promise<void> | null {
    if (++this.#pulls < this.#stride) return null;
    const now = performance.now();
    const perPull = (now - this.#looked) / this.#pulls;
    // At most doubled per look: one look that measured little (a pull that returned at once)
    // does not skip the next 256.
    this.#stride = Math.max(1, Math.min(this.every, 2 * this.#stride, Math.floor(YIELD_EVERY_MS / 4 / Math.max(perPull, 1e-6))));
    this.#pulls = 0;
    this.#looked = now;
    if (now - this.#since < YIELD_EVERY_MS) return null;
    return yieldNow().then(() => void (this.#since = this.#looked = performance.now()));
  }
}
