/**
 * Reading a pass: the one loop behind `toArray`, `forEachAsync`, `evaluateDataset` and the
 * validation of `fitDataset` (its training reads its pass through `fit`'s loop, which yields and
 * closes the pass the same way). It pulls one element at a time and hands it over (whoever it is
 * handed to owns it from then on); it yields to the event loop at most every
 * {@link YIELD_EVERY_MS} milliseconds, as `fit` does by default, so timers, I/O and a page stay
 * alive through a long pass; and a pass the caller owns is closed on every way out — an error in
 * the handler, a limit reached — which frees what its stages buffered (the `shuffle` and
 * `prefetch` buffers, a generator). A failure inside the pass has closed it already (see
 * `LazyIterator.next`). It runs only while a pass runs, so it lives in the dataset chunk (see
 * `lazy.ts`).
 */
import { InvalidArgumentError } from '../errors.js';
import { describeElement } from './describe.js';
import { LazyIterator, type IteratorLike, type Next } from './iterator.js';
import { close } from './stages.js';
import { YIELD_EVERY_MS } from '../models/fit.js';
import { isThenable, yieldNow } from '../runtime.js';

/** Reads `it`'s next result as `{ value, done }` (ours, TF.js's, a generator's), checking its shape. */
export async function pull<T>(op: string, it: IteratorLike<T>): Promise<Next<T>> {
  const r = (await it.next()) as IteratorResult<T> | undefined;
  if (r === null || typeof r !== 'object') throw new InvalidArgumentError(`${op}: the dataset's iterator gave ${describeElement(r)} instead of { value, done }`);
  return r.done ? { value: null, done: true } : { value: r.value as T, done: false };
}

/** How {@link consume} reads a pass. */
export interface ConsumeOptions {
  /** At most this many elements (null: to the end). */
  limit?: number | null | undefined;
  /** Whether the pass is the caller's to close (false for an iterator the user handed in, which is left open). */
  own?: boolean | undefined;
  /** Runs after every await of the loop (a pull, a yield): throws to stop it (`fitDataset`'s liveness checks). */
  check?: (() => void) | undefined;
}

/**
 * Hands the elements of `it` to `each` in order (awaiting it when it returns a Promise), up to
 * `limit`, yielding to the event loop now and then; gives how many it handed. `each` owns each
 * element it is given (and frees it, on an error too). A pass it owns is closed at the end, and
 * when `each` or the pass fails (the error then is the one thrown, not one from closing).
 */
export async function consume<T>(op: string, it: IteratorLike<T>, each: (value: T, index: number) => unknown, { limit = null, own = true, check }: ConsumeOptions = {}): Promise<number> {
  let n = 0;
  // The clock is read once per group of `stride` elements: a group grows (to 16) while it takes
  // under 1 ms and is back to 1 element once one is slower, so a pass of tiny elements does not
  // pay a clock read for each (a read can cost as much as passing a tiny element on), and a pass
  // of slow ones still yields on time.
  let last = performance.now();
  let mark = last;
  let stride = 1;
  let left = 1;
  const ours = it instanceof LazyIterator;
  try {
    while (limit === null || n < limit) {
      const r = ours ? await it.next() as Next<T> : await pull(op, it);
      check?.();
      if (r.done) break;
      const out = each(r.value, n++);
      if (isThenable(out)) await out;
      if (--left === 0) {
        const now = performance.now();
        stride = now - mark < 1 ? Math.min(stride * 2, 16) : 1;
        left = stride;
        mark = now;
        if (now - last >= YIELD_EVERY_MS) {
          await yieldNow();
          check?.();
          last = mark = performance.now();
        }
      }
    }
  } catch (err) {
    if (own) await close(it).catch(() => undefined);
    throw err;
  }
  if (own) await close(it);
  return n;
}
