/**
 * `Dataset`: TF.js's `tf.data.Dataset`, in memory — a lazy, repeatable stream of elements (a
 * tensor, a number, or arrays and plain objects of them) with chainable stages (`map`, `filter`,
 * `shuffle`, `batch`, `take`, `skip`, `repeat`, `concatenate`, `prefetch`). Nothing runs until a
 * pass starts (`iterator()`, `for await`, `forEachAsync`, `toArray`, `model.fitDataset`); each
 * pass runs the stages anew.
 *
 * # Who owns the tensors
 * neurite tensors live in WebAssembly memory until disposed, so ownership is explicit, and it
 * is TF.js's:
 * - an element belongs to whoever pulls it: `toArray()` and `iterator().next()` hand their
 *   tensors to the caller; `forEachAsync` disposes each element after its callback;
 *   `model.fitDataset` and `evaluateDataset` dispose each batch after the step;
 * - `data.array(items)` gives clones of the tensors in `items` (the items stay the caller's and
 *   must outlive the dataset); `data.generator` gives what the generator yields (so it should
 *   yield new tensors);
 * - a stage that consumes an element disposes the element's tensors it does not pass on: `map`
 *   and `mapAsync` those absent from the result (a synchronous `map` runs in `tidy`, so its
 *   intermediates are freed; an async transform tidies its own), `batch` the rows it stacked,
 *   `filter` the rejected elements, `skip` the skipped ones;
 * - beyond TF.js, elements a pass holds when it ends early (the `shuffle` and `prefetch`
 *   buffers, the other streams of a `zip` that ended, a dropped small last batch) are disposed
 *   too: `take`, `toArray`, `forEachAsync`, `fitDataset` and `evaluateDataset` close the pass
 *   (`iterator.return()`, which `for await` calls on `break`), so no tensor is left behind;
 * - a pass that fails (a generator or a transform throws) ends there, freeing what it holds
 *   (buffers, a half-built batch) before the error reaches the caller; what was handed out
 *   before stays the caller's, and `toArray` disposes what it had collected.
 *
 * Loops over a pass (`toArray`, `forEachAsync`, `fitDataset`, `evaluateDataset`) yield to the
 * event loop at most every 16 ms, as `fit` does, so timers and a page stay alive through a long
 * pass; an endless dataset (size `Infinity`) where one pass is expected is an error naming the
 * option that bounds it (`take(n)`, `batchesPerEpoch`, `batches`, `validationBatches`).
 *
 * # What loads when
 * This module is synchronous and in the main bundle: making a dataset and chaining stages only
 * checks the arguments and records the pipeline. The code that runs a pass (the stages'
 * iterators in `stages.ts`, batching, the element walkers) is in the dataset chunk, loaded when
 * the first pass starts (see `lazy.ts`); every pass starts asynchronously, as in TF.js.
 */
import { InvalidArgumentError } from '../errors.js';
import { Pace } from '../pace.js';
import { Tensor } from '../tensor.js';
import type { NumberArray } from '../ops/convert.js';
import { describeElement, isPlainObject } from './describe.js';
import { seedOf } from './random.js';
import { drawSeed } from '../ops/random.js';
import { LazyIterator, type IteratorLike } from './iterator.js';
import { dataChunk, type DataChunk } from './lazy.js';

type Numeric = number | boolean | NumberArray | readonly Numeric[];

declare const zipped: unique symbol;

/**
 * An element of `zip` of an array of datasets: the tuple `T`, marked so that `batch()` types it
 * as it runs, position by position (`[Tensor, Tensor]`), even where a tuple of numbers or of
 * number arrays from elsewhere (`data.array`) would be stacked into one tensor. The mark is a
 * type only; the value is a plain array.
 */
export type ZipTuple<T> = T & { readonly [zipped]: T };

/**
 * The element type of `batch()`'s dataset for elements of type `T`: tensors, numbers and
 * (nested) arrays of numbers become one tensor each; objects, arrays holding tensors or
 * objects, and the tuples of a `zip` of an array of datasets ({@link ZipTuple}) keep their
 * structure with their leaves batched.
 */
export type Batched<T> = T extends Tensor
  ? Tensor
  : T extends { readonly [zipped]: infer U }
    ? { -readonly [K in keyof U]: Batched<U[K]> }
  : T extends Numeric
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Batched<T[K]> }
      : T extends object
        ? { [K in keyof T]: Batched<T[K]> }
        : Tensor;

/** A nested structure (arrays and plain objects) of datasets, as `zip` takes. */
export type DatasetContainer = Dataset<unknown> | readonly DatasetContainer[] | { readonly [key: string]: DatasetContainer };

/**
 * The element type of `zip(datasets)`: the structure of `datasets` with each dataset's element
 * type at its leaves — a tuple of datasets gives a tuple of their elements (a {@link ZipTuple},
 * which `batch()` joins position by position), an object of datasets an object (`never` where
 * something else than a dataset stands; `unknown` for a structure typed only as a
 * {@link DatasetContainer}, which is also what a wrong argument leaves, so that it is one plain
 * type error).
 */
export type Zipped<D> = [DatasetContainer] extends [D]
  ? unknown
  : D extends Dataset<infer E>
    ? E
    : D extends readonly unknown[]
      ? ZipTuple<{ -readonly [K in keyof D]: Zipped<D[K]> }>
      : D extends object
        ? { -readonly [K in keyof D]: Zipped<D[K]> }
        : never;

/**
 * @internal Empty passes in a row after which an endless `repeat()` ends: a dataset that gave nothing
 * that many times is taken to be empty for good (a spinning pass otherwise), while one that
 * yields on only some passes (a generator's, a filter's) goes on.
 */
export const EMPTY_PASSES = 16;

/** The datasets with a `repeat` stage (so `fitDataset` does not advise adding one when the data runs out). */
const repeating = new WeakSet<object>();

/** @internal Whether `ds` has a `repeat` stage (a look-alike dataset: not known, false). */
export const repeats = (ds: unknown): boolean => typeof ds === 'object' && ds !== null && repeating.has(ds);

/** `ds`, recorded as repeating when `repeat` is. */
function marked<T>(ds: Dataset<T>, repeat: boolean): Dataset<T> {
  if (repeat) repeating.add(ds);
  return ds;
}

/** A count that may also be `Infinity`; `min` the least accepted. */
function countArg(op: string, name: string, v: unknown, min: number, infinite = false): number {
  if (typeof v !== 'number' || !(Number.isInteger(v) || (infinite && v === Infinity)) || v < min) {
    throw new InvalidArgumentError(`${op}: ${name} must be an integer >= ${min}${infinite ? ' (or Infinity)' : ''}, got ${describeElement(v)}`);
  }
  return v;
}

/** Whether `v` is a dataset this module can read (a neurite `Dataset`, or an object with `iterator()`). */
export function isDataset(v: unknown): v is Dataset<unknown> {
  return v instanceof Dataset || (v !== null && typeof v === 'object' && typeof (v as { iterator?: unknown }).iterator === 'function');
}

/**
 * @internal `iterator()` of any dataset as a {@link LazyIterator} (a look-alike's iterator is
 * wrapped). The dataset chunk is loaded first, so a pass is never started that could not run.
 */
export async function passOf<T>(ds: { iterator(): unknown }, op: string): Promise<LazyIterator<T>> {
  const { SourceIterator } = await dataChunk(op);
  const it = (await ds.iterator()) as IteratorLike<T>;
  if (it instanceof LazyIterator) return it;
  if (it === null || typeof it !== 'object' || typeof it.next !== 'function') throw new InvalidArgumentError(`${op}: the dataset's iterator() must give an object with next(), got ${describeElement(it)}`);
  return new SourceIterator(it, op);
}

/**
 * A lazy stream of elements, as TF.js's `tf.data.Dataset`: make one with {@link array},
 * {@link generator} or {@link zip}, chain stages, and train with `model.fitDataset`. Each stage
 * returns a new dataset; nothing runs until a pass starts, and every pass starts anew. See the
 * module notes for who disposes which tensors.
 *
 * @example
 * const ds = data.zip({ xs: data.array(xs), ys: data.array(ys) }).shuffle(100, 7).batch(32);
 * await model.fitDataset(ds, { epochs: 5 });
 */
export class Dataset<T = unknown> implements AsyncIterable<T> {
  /**
   * The number of elements when known (`Infinity` for an endless `repeat()`), else `null` (a
   * generator, after `filter`), as TF.js computes it.
   */
  readonly size: number | null;
  readonly #make: (() => unknown) | null;

  /**
   * A dataset whose passes `iteratorFn` makes (TF.js's `datasetFromIteratorFn`), of `size`
   * elements if known. Usually made by {@link array}, {@link generator} or {@link zip}; a
   * subclass may override {@link Dataset.iterator} instead.
   *
   * @example
   * const ds = new Dataset(async () => (await data.array([1, 2]).iterator()), 2);
   */
  constructor(iteratorFn: (() => LazyIterator<T> | IteratorLike<T> | Promise<LazyIterator<T> | IteratorLike<T>>) | null = null, size: number | null = null) {
    if (iteratorFn !== null && typeof iteratorFn !== 'function') throw new InvalidArgumentError(`Dataset: iteratorFn must be a function that starts a pass, got ${describeElement(iteratorFn)}`);
    if (size !== null && (typeof size !== 'number' || !(Number.isInteger(size) || size === Infinity) || size < 0)) throw new InvalidArgumentError(`Dataset: size must be a non-negative integer, Infinity or null, got ${describeElement(size)}`);
    this.#make = iteratorFn;
    this.size = size;
  }

  /**
   * Starts a pass: a {@link LazyIterator} whose `next()` gives the elements in order.
   *
   * @example
   * const it = await ds.iterator();
   * for (let r = await it.next(); !r.done; r = await it.next()) use(r.value);
   */
  async iterator(): Promise<LazyIterator<T>> {
    if (this.#make === null) throw new InvalidArgumentError('iterator: this Dataset has no iteratorFn; pass one to the constructor or override iterator()');
    return passOf<T>({ iterator: this.#make }, 'iterator');
  }

  /** A new dataset of the passes `f` makes from this one's, with the stages `c` of the dataset chunk. */
  #then<O>(size: number | null, f: (pass: LazyIterator<T>, c: DataChunk) => LazyIterator<O>): Dataset<O> {
    return marked(new Dataset<O>(async () => {
      const pass = await passOf<T>(this, 'iterator');
      return f(pass, await dataChunk('iterator'));
    }, size), repeats(this));
  }

  /**
   * Groups `batchSize` consecutive elements into one, with a new first axis (TF.js's
   * `deepBatchConcat`): tensors are stacked, numbers become a 1-D tensor, and objects are
   * batched key by key.
   *
   * An array whose leaves are all numbers is one tensor when it is rectangular, as in TF.js:
   * `[1, 2]` rows give a `[n, 2]` tensor, and an array of equal-length arrays too — `[[1], [3]]`
   * rows give one `[n, 2, 1]` tensor, even when meant as a `[features, label]` pair. Other arrays
   * are batched position by position (TF.js makes no valid tensor of them): arrays holding
   * tensors or objects (`[xs, ys]` of tensors) and ragged arrays (`[[1, 2], [3]]` rows give
   * `[Tensor [n, 2], Tensor [n, 1]]`). The tuples of a `zip` of an array of datasets are always
   * batched position by position, whatever their widths (`data.zip([xs, ys])` of rows of 3
   * numbers gives `[Tensor [n, 3], Tensor [n, 3]]`, where TF.js stacks one `[n, 2, 3]` tensor);
   * a `map` returning a new array after the zip makes a plain array again. To keep features and
   * labels apart whatever their lengths, make the elements `{ xs, ys }` objects or zip them.
   *
   * The batches are new tensors and `batch` disposes the elements' tensors once stacked, so
   * each pass must give new tensors: a `map` or generator that returns tensors you
   * keep (a lookup table) should return clones (`t.clone()`), or use `data.array(tensors)`,
   * which clones its items on every pass.
   *
   * The last batch may be smaller unless `smallLastBatch` is false (then it is dropped).
   *
   * @example
   * const b = data.array([{ x: 1, y: [1, 2] }, { x: 2, y: [3, 4] }, { x: 3, y: [5, 6] }]).batch(2);
   * // first batch: { x: Tensor [2], y: Tensor [2, 2] }; then { x: [1], y: [1, 2] }
   * const pairs = data.array([[[1], [3]], [[2], [4]]]).batch(2); // one Tensor [2, 2, 1], as TF.js
   * const xy = data.array([{ xs: [1], ys: [3] }, { xs: [2], ys: [4] }]).batch(2); // { xs: [2, 1], ys: [2, 1] }
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<Batched<T>> {
    const n = countArg('batch', 'batchSize', batchSize, 1);
    if (typeof smallLastBatch !== 'boolean') throw new InvalidArgumentError(`batch: smallLastBatch must be true or false, got ${describeElement(smallLastBatch)}`);
    const s = this.size;
    const size = s === null || s === Infinity ? s : smallLastBatch ? Math.ceil(s / n) : Math.floor(s / n);
    return this.#then(size, (pass, c) => new c.BatchIterator<T, Batched<T>>(pass, n, smallLastBatch));
  }

  /**
   * This dataset's elements, then `dataset`'s.
   *
   * @example
   * await data.array([1, 2]).concatenate(data.array([3])).toArray(); // [1, 2, 3]
   */
  concatenate(dataset: Dataset<T>): Dataset<T> {
    if (!isDataset(dataset)) throw new InvalidArgumentError(`concatenate: dataset must be a Dataset, got ${describeElement(dataset)}`);
    const [a, b] = [this.size, dataset.size];
    const size = a === Infinity || b === Infinity ? Infinity : a !== null && b !== null ? a + b : null;
    return marked(new Dataset<T>(async () => {
      const { ChainIterator } = await dataChunk('iterator');
      const parts: Dataset<T>[] = [this, dataset];
      return new ChainIterator<T>(async () => {
        const next = parts.shift();
        return next ? passOf<T>(next, 'concatenate') : null;
      }, Infinity);
    }, size), repeats(this) || repeats(dataset));
  }

  /**
   * The elements for which `predicate` is truthy; the others are disposed. The predicate runs
   * in `tidy`; it may also return a Promise of a boolean. While it drops many elements in a row
   * the pass yields to the event loop now and then (every 16 ms), so timers, I/O and an abort of
   * yours still run, even when it never keeps one (`repeat().filter(() => false)`).
   *
   * @example
   * await data.array([1, 2, 3, 4]).filter((x) => x % 2 === 0).toArray(); // [2, 4]
   */
  filter(predicate: (value: T) => boolean | Promise<boolean>): Dataset<T> {
    if (typeof predicate !== 'function') throw new InvalidArgumentError(`filter: predicate must be a function, got ${describeElement(predicate)}`);
    return this.#then(this.size === Infinity ? Infinity : null, (pass, c) => new c.FilterIterator<T>(pass, predicate));
  }

  /**
   * Calls `f` on every element (awaiting it if it returns a Promise) and then disposes the
   * element's tensors, as TF.js. If `f` throws, the element and what the pass held are disposed
   * and the error is thrown.
   *
   * @example
   * await data.array([1, 2, 3]).forEachAsync((x) => console.log(x));
   */
  async forEachAsync(f: (value: T) => unknown): Promise<void> {
    if (typeof f !== 'function') throw new InvalidArgumentError(`forEachAsync: f must be a function, got ${describeElement(f)}`);
    return (await this.iterator()).forEachAsync(f);
  }

  /**
   * Transforms each element with `transform`, run in `tidy` (intermediate tensors are freed).
   * The element's tensors that the result does not contain are disposed. The tensors the result
   * holds belong to the pass from then on: a later `batch` disposes them once stacked, and the
   * caller of `toArray` owns them. So return new tensors, not ones you keep using (a lookup
   * table's rows): `(i) => ({ xs: table[i].clone(), ys: labels[i].clone() })`, or
   * `data.array(table)`, which clones its items on every pass. Returning a kept tensor works
   * for one pass only; the next one finds it disposed.
   *
   * @example
   * const scaled = data.array(images).map((x) => x.div(255));
   */
  map<O>(transform: (value: T) => O): Dataset<O> {
    if (typeof transform !== 'function') throw new InvalidArgumentError(`map: transform must be a function, got ${describeElement(transform)}`);
    return this.#then(this.size, (pass, c) => new c.MapIterator<T, O>(pass, transform, true));
  }

  /**
   * Transforms each element with an async `transform`. It cannot run in `tidy`: free its own
   * intermediates (wrap its synchronous parts in `tidy`). The element's tensors that the result
   * does not contain are disposed. One element at a time, unless `prefetch(n)` follows at once:
   * then up to `n` transforms run at once (as TF.js), their results in order; an error is thrown
   * when its element is reached, and a pass that ends early waits for the transforms in flight
   * and disposes what they gave.
   *
   * @example
   * const ds = data.array(urls).mapAsync(async (u) => tensor(await (await fetch(u)).json()));
   */
  mapAsync<O>(transform: (value: T) => Promise<O>): Dataset<O> {
    if (typeof transform !== 'function') throw new InvalidArgumentError(`mapAsync: transform must be a function, got ${describeElement(transform)}`);
    return this.#then(this.size, (pass, c) => new c.MapIterator<T, O>(pass, transform, false));
  }

  /**
   * Works up to `bufferSize` elements ahead of the consumer; the elements and their order are
   * unchanged (0 turns it off). Right after `mapAsync`, up to `bufferSize` of its transforms
   * run at once (as TF.js: `data.array(urls).mapAsync(load).prefetch(4)` loads 4 at a time).
   * Other stages give one element at a time (a `batch`, `filter` or generator upstream is not
   * run in parallel), so a `mapAsync` meant to overlap goes just before `prefetch`. The buffer
   * stops filling at the end of upstream, so a `bufferSize` beyond the dataset's length costs
   * nothing.
   *
   * @example
   * const ds = data.array(urls).mapAsync(load).prefetch(4);
   */
  prefetch(bufferSize: number): Dataset<T> {
    if (bufferSize === undefined || bufferSize === null) throw new InvalidArgumentError('prefetch: bufferSize is required (as TF.js)');
    const n = countArg('prefetch', 'bufferSize', bufferSize, 0);
    return this.#then(this.size, (pass, c) => new c.PrefetchIterator<T>(pass, n));
  }

  /**
   * The dataset `count` times over, each time a new pass (so a `shuffle` before it reshuffles);
   * forever when `count` is omitted or negative (as TF.js). A pass that gives no element is
   * skipped: `count` passes always run (a generator may yield nothing on some of them), as in
   * TF.js. Repeating forever ends once 16 passes in a row give nothing,
   * so `repeat()` of an empty dataset ends where TF.js's spins for ever.
   *
   * @example
   * await data.array([1, 2]).repeat(2).toArray(); // [1, 2, 1, 2]
   */
  repeat(count?: number): Dataset<T> {
    const forever = count === undefined || count === null || count === Infinity || (typeof count === 'number' && count < 0 && Number.isInteger(count));
    const n = forever ? Infinity : countArg('repeat', 'count', count, 0, true);
    const s = this.size;
    const size = n === 0 ? 0 : s === null ? null : s === 0 ? 0 : n === Infinity ? Infinity : s * n;
    return marked(new Dataset<T>(async () => {
      const { ChainIterator } = await dataChunk('iterator');
      let passes = 0;
      return new ChainIterator<T>(async () => (passes++ < n ? passOf<T>(this, 'repeat') : null), n === Infinity ? EMPTY_PASSES : Infinity);
    }, size), true);
  }

  /**
   * Drops the first `count` elements (disposing them); fewer than `count` gives an empty dataset.
   * A long skip yields to the event loop now and then, as `filter` does.
   *
   * @example
   * await data.array([1, 2, 3]).skip(2).toArray(); // [3]
   */
  skip(count: number): Dataset<T> {
    const n = countArg('skip', 'count', count, 0, true);
    const s = this.size;
    const size = s === null ? null : s === Infinity ? (n === Infinity ? null : Infinity) : Math.max(s - n, 0);
    return this.#then(size, (pass, c) => new c.SkipIterator<T>(pass, n));
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements: each element is drawn uniformly from the
   * buffer, whose place the next upstream element takes (TF.js's sliding-window shuffle; a
   * buffer as large as the dataset shuffles it fully). Seeded: the same `seed` (an integer in
   * [0, 2^53], or a string as TF.js's; two seeds never share an order by construction: the
   * generator keeps a 64-bit key) gives the same orders; without one, the seed is drawn
   * from the global generator when `shuffle` is called (see `setSeed`), so two unseeded
   * shuffles differ and a program shuffles the same way on every run. With
   * `reshuffleEachIteration` (the default) each pass has its own order (pass `k` of this
   * dataset always the same one); with `false` every pass has the first pass's order.
   *
   * Each reader of the dataset starts a pass of its own, so `take` and `skip` of one shuffled
   * dataset read different orders and share elements: they do not split it (the validation
   * part leaks into training). Split first and shuffle the training part
   * (`xs.take(n).shuffle(n)` and `xs.skip(n)`), or pass `reshuffleEachIteration` `false`.
   *
   * @example
   * const ds = data.array([1, 2, 3, 4, 5]).shuffle(5, 42);
   * // A train/validation split: split, then shuffle the training part each epoch.
   * const all = data.array(rows);
   * const [train, val] = [all.take(800).shuffle(800, 1), all.skip(800)];
   */
  shuffle(bufferSize: number, seed?: number | string, reshuffleEachIteration = true): Dataset<T> {
    if (bufferSize === undefined || bufferSize === null) {
      throw new InvalidArgumentError(`shuffle: bufferSize is required (as TF.js)${this.size !== null && this.size !== Infinity ? `; to shuffle the whole dataset use its size, ${this.size}` : ''}`);
    }
    const n = countArg('shuffle', 'bufferSize', bufferSize, 1);
    if (seed !== undefined && seed !== null) seedOf('shuffle', seed);
    if (typeof reshuffleEachIteration !== 'boolean') throw new InvalidArgumentError(`shuffle: reshuffleEachIteration must be true or false, got ${describeElement(reshuffleEachIteration)}`);
    // Drawn once the arguments are checked: a bad one leaves the global generator as it was.
    const s = seedOf('shuffle', seed ?? drawSeed('shuffle'));
    let pass = 0;
    return this.#then(this.size, (up, c) => new c.ShuffleIterator<T>(up, n, s, reshuffleEachIteration ? pass++ : 0));
  }

  /**
   * The first `count` elements (all of them when there are fewer, or when `count` is omitted or
   * negative, as TF.js). Once it has them it closes the pass upstream, freeing buffered elements.
   *
   * @example
   * await data.array([1, 2, 3]).take(2).toArray(); // [1, 2]
   */
  take(count: number): Dataset<T> {
    const all = count === undefined || count === null || count === Infinity || (typeof count === 'number' && count < 0 && Number.isInteger(count));
    if (all) return this.#then(this.size, (pass) => pass);
    const n = countArg('take', 'count', count, 0);
    const size = this.size === null ? null : Math.min(this.size, n);
    return this.#then(size, (pass, c) => new c.TakeIterator<T>(pass, n));
  }

  /**
   * Every element, in an array (the caller owns their tensors). An endless dataset is an error.
   * If the pass fails midway, the elements already collected are disposed (with what the pass
   * held) and the error is thrown.
   *
   * @example
   * const xs = await data.array([1, 2, 3]).map((x) => x * 2).toArray(); // [2, 4, 6]
   */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new InvalidArgumentError('toArray: the dataset is endless (size Infinity); take(n) first');
    return (await this.iterator()).toArray();
  }

  /**
   * A pass as an async iterator: `for await (const e of ds)`. Breaking out of the loop ends the
   * pass and frees what it buffered.
   *
   * @example
   * for await (const { xs, ys } of ds) { use(xs, ys); dispose([xs, ys]); }
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    let it: Promise<LazyIterator<T>> | null = null;
    const pass = () => (it ??= this.iterator());
    // A for-await loop over in-memory elements runs on microtasks alone: every ~16 ms it yields
    // a macrotask, as the stages do, so timers (a stop flag) and I/O run during it (a tester's
    // loop over repeat() never saw its stop flag).
    const pace = new Pace();
    return {
      next: async () => {
        const wait = pace.tick();
        if (wait) await wait;
        return (await pass()).next();
      },
      return: async () => (it === null ? { value: null, done: true as const } : (await it).return()),
    };
  }
}

/**
 * A dataset of `items` (TF.js's `tf.data.array`). Each pass gives a copy of each item whose
 * tensors are clones, so the items stay yours (keep them alive while the dataset is used).
 *
 * @example
 * const ds = data.array([{ x: 1, y: 2 }, { x: 3, y: 4 }]);
 */
export function array<T>(items: readonly T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new InvalidArgumentError(`data.array: items must be an array, got ${describeElement(items)}`);
  return new Dataset<T>(async () => (await dataChunk('iterator')).arrayPass(items), items.length);
}

/**
 * A dataset of what a generator yields (TF.js's `tf.data.generator`): `fn` is a generator
 * function (`function*` or `async function*`), or any function returning an iterator, called
 * anew for each pass. Yield new tensors: the consumer disposes them. Its size is unknown.
 *
 * @example
 * const ds = data.generator(function* () { for (let i = 0; i < 100; i++) yield { xs: randomNormal([3]), ys: scalar(i % 2) }; });
 */
export function generator<T>(fn: () => Iterator<T> | AsyncIterator<T> | Promise<Iterator<T> | AsyncIterator<T>>): Dataset<T> {
  if (typeof fn !== 'function') {
    const hint = fn !== null && typeof fn === 'object' && typeof (fn as { next?: unknown }).next === 'function'
      ? '; that is an iterator (a generator already called): pass the generator function itself, so each pass starts anew'
      : '';
    throw new InvalidArgumentError(`data.generator: fn must be a generator function (function* or async function*), got ${describeElement(fn)}${hint}`);
  }
  return new Dataset<T>(async () => (await dataChunk('iterator')).generatorPass(fn));
}

/**
 * A dataset of the elements of several datasets side by side (TF.js's `tf.data.zip`):
 * `datasets` is an array, an object, or a nested structure of them with datasets at its leaves,
 * and each element has that structure with one element of each dataset in place. It ends with
 * the shortest dataset. Its type follows the structure: an array of datasets gives tuples, each
 * entry of its dataset's type.
 *
 * @example
 * const ds = data.zip({ xs: data.array(xs), ys: data.array(ys) }); // elements { xs, ys }
 * const ab = data.zip([data.array([{ a: 1 }]), data.array([{ b: 4 }])]).map(([x, y]) => ({ ...x, ...y }));
 */
export function zip<const D extends DatasetContainer>(datasets: D): Dataset<Zipped<D>> {
  if (isDataset(datasets) || !(Array.isArray(datasets) || isPlainObject(datasets))) {
    throw new InvalidArgumentError(`data.zip: datasets must be an array or an object of datasets (nested structures too), got ${describeElement(datasets)}`);
  }
  const leaves: Array<Dataset<unknown>> = [];
  const walk = (d: unknown, path: string, depth: number): void => {
    if (isDataset(d)) leaves.push(d);
    else if (depth < 32 && Array.isArray(d)) d.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    else if (depth < 32 && isPlainObject(d)) for (const [k, x] of Object.entries(d)) walk(x, path === '' ? k : `${path}.${k}`, depth + 1);
    else throw new InvalidArgumentError(`data.zip: ${path === '' ? 'datasets' : `datasets.${path}`.replace('.[', '[')} is ${describeElement(d)}; the leaves of the structure must be datasets`);
  };
  walk(datasets, '', 0);
  if (leaves.length === 0) throw new InvalidArgumentError('data.zip: datasets holds no dataset');
  const sizes = leaves.map((d) => d.size);
  const size = sizes.some((s) => s === null || s === undefined) ? null : Math.min(...(sizes as number[]));
  return marked(new Dataset<Zipped<D>>(async () => (await dataChunk('iterator')).zipPass<Zipped<D>>(datasets), size), leaves.some(repeats));
}
