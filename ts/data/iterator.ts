/**
 * `LazyIterator`: one pass over a dataset, as TF.js's. `next()` resolves to `{ value, done:
 * false }` for each element, then `{ value: null, done: true }` for ever after. Calls to
 * `next()` run one at a time in call order, even when several are pending (as `prefetch`
 * makes them), so a stage with state never sees two at once. (A `mapAsync` under `prefetch(n)`
 * runs up to `n` transforms at once all the same: it asks its own upstream ahead, one call at a
 * time, and hands the results on in order; see `MapIterator` in `stages.ts`.)
 *
 * Beyond TF.js, an iterator has `return()` (the async-iterator protocol's, which `for await`
 * calls on `break`): it frees what the pass holds — elements buffered by `shuffle` and
 * `prefetch`, the generator behind `data.generator` — and closes the stages upstream. `take`
 * calls it upstream once it has its elements, and `fitDataset`, `evaluateDataset`, `toArray`
 * and `forEachAsync` when they stop, so an abandoned pass leaves no tensors behind. A pass that
 * fails (a generator or a transform throws) ends the same way: the `next()` that rejects closes
 * it first, as a generator that throws is done, so what it buffered is freed even when nobody
 * calls `return()` (`for await` does not after an error). Elements handed out stay their
 * taker's; those still inside the pass are the pass's to free.
 *
 * This module is the base class, in the main bundle (it is public: `instanceof` and subclasses
 * work before any pass has run); the stages' iterators are `stages.ts`, in the dataset chunk
 * loaded on first use (see `lazy.ts`).
 */
import { InvalidArgumentError } from '../errors.js';
import { describeElement } from './describe.js';
import { dataChunk } from './lazy.js';
import { isThenable } from '../runtime.js';

/** What `next()` resolves to. */
export type Next<T> = IteratorResult<T, null>;

const DONE: Next<never> = Object.freeze({ value: null, done: true }) as Next<never>;
/** The end of a pass. */
export const done = <T>(): Next<T> => ({ ...DONE });

/** An iterator that {@link LazyIterator} stages read from: ours, or anything with `next()` (TF.js's, a generator). */
export interface IteratorLike<T> {
  next(): Next<T> | IteratorResult<T> | Promise<Next<T> | IteratorResult<T>>;
  return?(): unknown;
}

/**
 * One pass over a dataset (TF.js's `LazyIterator`): `await it.next()` gives the elements in
 * order. Whoever pulls an element owns the tensors in it and disposes them (`fitDataset` and
 * `forEachAsync` do). Also an async iterator: `for await (const e of it)`.
 *
 * @example
 * const it = await data.array([1, 2, 3]).iterator();
 * let r = await it.next(); // { value: 1, done: false }
 */
export abstract class LazyIterator<T> implements AsyncIterableIterator<T> {
  /** The last queued call: every `next()` and `return()` waits for the one before. */
  #last: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** Produces the next element (calls never overlap). */
  protected abstract pull(): Promise<Next<T>>;

  /** Frees what this stage holds and closes the stages it reads (once: on `return()`, or when `pull()` fails). */
  protected async release(): Promise<void> {}

  /**
   * The next element: `{ value, done: false }`, or `{ value: null, done: true }` at the end
   * (and after `return()`).
   *
   * @example
   * const { value, done } = await it.next();
   */
  next(): Promise<Next<T>> {
    const p = this.#last.then(() => {
      if (this.#closed) return done<T>();
      try {
        return this.pull().catch((err: unknown) => this.#fail(err));
      } catch (err) {
        return this.#fail(err); // a pull() that throws before returning its Promise
      }
    });
    this.#last = p.catch(() => undefined);
    return p;
  }

  /**
   * A failed `pull()`: the pass ends, and what it holds is freed before the error reaches the
   * caller (the error is that failure, not one from freeing).
   */
  async #fail(err: unknown): Promise<never> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        await this.release();
      } catch {
        // The failure that ended the pass is the one to report.
      }
    }
    throw err;
  }

  /**
   * Ends the pass: frees buffered elements and closes the stages upstream. Later `next()`
   * calls give `done`. `for await` calls it on `break`; a `next()` that rejects has already
   * ended the pass the same way.
   *
   * @example
   * await it.return(); // done with it early
   */
  return(): Promise<Next<T>> {
    const p = this.#last.then(async () => {
      if (!this.#closed) {
        this.#closed = true;
        await this.release();
      }
      return done<T>();
    });
    this.#last = p.catch(() => undefined);
    return p;
  }

  /** @example for await (const e of await ds.iterator()) console.log(e); */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Every remaining element, in an array (the caller owns their tensors). If the pass fails
   * midway, the elements already collected are disposed with what the pass held, and the error
   * is thrown. Yields to the event loop now and then over a long pass.
   *
   * @example
   * const rest = await it.toArray();
   */
  async toArray(): Promise<T[]> {
    const { consume, disposeAll } = await dataChunk('toArray');
    const out: T[] = [];
    try {
      await consume('toArray', this, (v) => void out.push(v));
    } catch (err) {
      disposeAll(out);
      throw err;
    }
    return out;
  }

  /**
   * Calls `f` on every remaining element (awaiting it when it returns a Promise), then disposes
   * the tensors in the element, as TF.js. If `f` throws, the element is disposed and the pass
   * closed (its buffers freed). Yields to the event loop now and then over a long pass.
   *
   * @example
   * await it.forEachAsync((e) => console.log(e));
   */
  async forEachAsync(f: (value: T) => unknown): Promise<void> {
    if (typeof f !== 'function') throw new InvalidArgumentError(`forEachAsync: f must be a function, got ${describeElement(f)}`);
    const { consume, disposeAll } = await dataChunk('forEachAsync');
    await consume('forEachAsync', this, (v) => {
      let out: unknown;
      try {
        out = f(v);
      } catch (err) {
        disposeAll(v);
        throw err;
      }
      if (!isThenable(out)) return disposeAll(v);
      return Promise.resolve(out).finally(() => disposeAll(v));
    });
  }
}
