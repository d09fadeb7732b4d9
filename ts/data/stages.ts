/**
 * The stages of a dataset pass, each a {@link LazyIterator} reading the one before: the sources
 * (`data.array`, `data.generator`), `map`/`mapAsync`, `filter`, `take`, `skip`, `repeat` and
 * `concatenate`, `zip`, `prefetch`, `shuffle` (with its seeded generator) and `batch`. They run
 * only once a pass starts (`Dataset.iterator()` is async, as TF.js's), so they live in the
 * dataset chunk loaded on first use (see `lazy.ts`); `dataset.ts` records the pipeline and
 * builds these when a pass starts.
 */
import { InvalidArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tidy } from '../scope.js';
import { batchRows } from './batch.js';
import { pairLike, stackedPairs } from './stacked.js';
import { describeElement } from './describe.js';
import { deepClone, disposeAll, disposeConsumed, tensorsIn, zipTuples } from './tree.js';
import { derive, uniform, type ShuffleKey } from './random.js';
import { done, LazyIterator, type IteratorLike, type Next } from './iterator.js';
import { isDataset, passOf } from './dataset.js';
import { isThenable } from '../runtime.js';
import { Pace } from '../pace.js';

/** Closes `it` if it can be closed, ignoring what it returns. */
export async function close(it: IteratorLike<unknown> | null | undefined): Promise<void> {
  if (it && typeof it.return === 'function') await it.return();
}

/** Reads an {@link IteratorLike}'s `next()` as a {@link Next}, checking its shape. */
async function read<T>(op: string, it: IteratorLike<T>): Promise<Next<T>> {
  const r = (await it.next()) as IteratorResult<T> | undefined;
  if (r === null || typeof r !== 'object') throw new InvalidArgumentError(`${op}: the iterator's next() must return { value, done }, got ${describeElement(r)}`);
  return r.done ? done<T>() : { value: r.value as T, done: false };
}

/** `data.array`'s pass: a copy of each item (tensors cloned, so the items stay the caller's). */
export class ArrayIterator<T> extends LazyIterator<T> {
  #i = 0;
  constructor(private readonly items: readonly T[], private readonly copy: (item: T, i: number) => T) {
    super();
  }
  protected async pull(): Promise<Next<T>> {
    if (this.#i >= this.items.length) return done();
    const i = this.#i++;
    return { value: this.copy(this.items[i], i), done: false };
  }
}

/** A pass of `data.array(items)`. */
export function arrayPass<T>(items: readonly T[]): ArrayIterator<T> {
  return new ArrayIterator<T>(items, (item, i) => deepClone(item, 'data.array', `item ${i}`) as T);
}

/** A pass over what an iterator gives (a generator's, `data.generator`); `return()` closes it too. */
export class SourceIterator<T> extends LazyIterator<T> {
  #ended = false;
  constructor(private readonly source: IteratorLike<T>, private readonly op: string) {
    super();
  }
  protected async pull(): Promise<Next<T>> {
    if (this.#ended) return done();
    const r = await read(this.op, this.source);
    if (r.done) this.#ended = true;
    return r;
  }
  protected override async release(): Promise<void> {
    if (!this.#ended) await close(this.source);
  }
}

/** A pass of `data.generator(fn)`: `fn` called anew, its iterator checked. */
export async function generatorPass<T>(fn: () => unknown): Promise<SourceIterator<T>> {
  const it = await fn();
  if (it === null || typeof it !== 'object' || typeof (it as { next?: unknown }).next !== 'function') {
    throw new InvalidArgumentError(`data.generator: fn must return an iterator (a function* returns one), got ${describeElement(it)}`);
  }
  return new SourceIterator<T>(it as IteratorLike<T>, 'data.generator');
}

/**
 * `map` and `mapAsync`: `f` on each element; then the element's tensors that the result does not
 * contain are disposed (TF.js). A synchronous `f` runs in `tidy`, so its intermediates are freed.
 *
 * An async `f` right under `prefetch(n)` runs up to `n` transforms at once, as TF.js's (which
 * does not serialise its async map): `prefetch` calls {@link MapIterator.runAhead}, and the
 * stage keeps up to `n` elements in flight, each asked from upstream once the one before has
 * come (upstream calls stay one at a time), its transform started at once. Results come out in
 * order, an error when its element is asked for; the pass ending (an error, `return()`) waits
 * for the transforms in flight and disposes what they gave.
 */
export class MapIterator<I, O> extends LazyIterator<O> {
  /** Transforms allowed in flight (1: one element at a time). */
  #ahead = 1;
  /** Elements asked for or being transformed or transformed, not yet handed on, in order. */
  readonly #running: Array<Promise<Next<O>>> = [];
  /** An upstream request is pending (the next is asked once it answers). */
  #asking = false;
  /** Upstream ended or failed, or the pass is closing: no more requests. */
  #stopped = false;
  constructor(private readonly up: LazyIterator<I>, private readonly f: (v: I) => O | Promise<O>, private readonly sync: boolean) {
    super();
  }
  /** @internal Lets an async transform run on up to `n` elements at once (`prefetch(n)` above it). */
  runAhead(n: number): void {
    if (!this.sync) this.#ahead = Math.max(this.#ahead, n);
  }
  protected async pull(): Promise<Next<O>> {
    if (this.#ahead <= 1) {
      const r = await this.up.next();
      return r.done ? done() : this.#apply(r.value);
    }
    this.#fill();
    // Left in the list while it runs, so that it counts as in flight (and release waits for it).
    const slot = this.#running[0];
    if (slot === undefined) return done(); // nothing in flight and none asked: upstream ended
    const r = await slot;
    this.#running.shift();
    this.#fill();
    return r;
  }
  /** Asks upstream for one more element when there is room and none is pending. */
  #fill(): void {
    if (this.#asking || this.#stopped || this.#running.length >= this.#ahead) return;
    this.#asking = true;
    const slot = this.up.next().then(
      (r) => {
        this.#asking = false;
        if (r.done) {
          this.#stopped = true;
          return done<O>();
        }
        const out = this.#apply(r.value);
        this.#fill();
        return out;
      },
      (err: unknown) => {
        this.#asking = false;
        this.#stopped = true;
        throw err;
      },
    );
    // Its failure surfaces when its element is asked for (or is dropped by release): not unhandled meanwhile.
    slot.catch(() => undefined);
    this.#running.push(slot);
  }
  /** `f` on `value`; the element's tensors the result does not hold are disposed (all of them if `f` fails). */
  async #apply(value: I): Promise<Next<O>> {
    const inputs = tensorsIn(value);
    let out: O;
    try {
      out = this.sync ? runTidy('map', () => this.f(value) as O, 'use mapAsync for an async transform') : await this.f(value);
    } catch (err) {
      disposeAll(value);
      throw err;
    }
    disposeConsumed(inputs, out);
    return { value: out, done: false };
  }
  protected override async release(): Promise<void> {
    this.#stopped = true;
    for (const p of this.#running.splice(0)) {
      const r = await p.catch(() => null);
      if (r && !r.done) disposeAll(r.value);
    }
    await close(this.up);
  }
}

/** Runs `f` in `tidy`; a Promise from it is an error naming `op` with `hint`. */
function runTidy<R>(op: string, f: () => R, hint: string): R {
  return tidy(() => {
    const out = f();
    if (isThenable(out)) throw new InvalidArgumentError(`${op}: the function returned a Promise; ${hint}`);
    return out;
  });
}

/** `filter`: elements for which `predicate` holds; the others are disposed (yielding to the event loop now and then while it drops many in a row). */
export class FilterIterator<T> extends LazyIterator<T> {
  constructor(private readonly up: LazyIterator<T>, private readonly predicate: (v: T) => unknown) {
    super();
  }
  protected async pull(): Promise<Next<T>> {
    const pace = new Pace(); // from the first read: its time counts
    for (;;) {
      const r = await this.up.next();
      if (r.done) return r;
      let keep: unknown;
      try {
        // The predicate runs in tidy (its intermediates are freed); an async one is awaited after.
        let pending: PromiseLike<unknown> | null = null;
        keep = tidy(() => {
          const v = this.predicate(r.value);
          if (isThenable(v)) {
            pending = v;
            return undefined;
          }
          return v;
        });
        if (pending) keep = await pending;
        if (keep instanceof Tensor) {
          keep.dispose();
          throw new InvalidArgumentError('filter: the predicate returned a Tensor; return a boolean (e.g. x.greater(0).dataSync()[0] === 1)');
        }
      } catch (err) {
        disposeAll(r.value);
        throw err;
      }
      if (keep) return r;
      disposeAll(r.value);
      const wait = pace.tick();
      if (wait) await wait;
    }
  }
  protected override release(): Promise<void> {
    return close(this.up);
  }
}

/** `take`: the first `count` elements; then the stages upstream are closed (freeing their buffers). */
export class TakeIterator<T> extends LazyIterator<T> {
  #taken = 0;
  constructor(private readonly up: LazyIterator<T>, private readonly count: number) {
    super();
  }
  protected async pull(): Promise<Next<T>> {
    if (this.#taken >= this.count) {
      await this.up.return();
      return done();
    }
    this.#taken++;
    const r = await this.up.next();
    if (this.#taken >= this.count || r.done) {
      try {
        await this.up.return();
      } catch (err) {
        // Closing the source failed (its return() threw): the element taken is nobody's now.
        if (!r.done) disposeAll(r.value);
        throw err;
      }
    }
    return r;
  }
  protected override release(): Promise<void> {
    return close(this.up);
  }
}

/** `skip`: drops (and disposes) the first `count` elements, yielding to the event loop now and then. */
export class SkipIterator<T> extends LazyIterator<T> {
  #left: number;
  constructor(private readonly up: LazyIterator<T>, count: number) {
    super();
    this.#left = count;
  }
  protected async pull(): Promise<Next<T>> {
    const pace = this.#left > 0 ? new Pace() : null;
    while (this.#left > 0) {
      this.#left--;
      const r = await this.up.next();
      if (r.done) {
        this.#left = 0;
        return r;
      }
      disposeAll(r.value);
      const wait = pace!.tick();
      if (wait) await wait;
    }
    return this.up.next();
  }
  protected override release(): Promise<void> {
    return close(this.up);
  }
}

/**
 * The passes of `next()` (a function giving the next pass, or `null` when there is none) one
 * after the other: `repeat` and `concatenate`. `emptyLimit` passes in a row that give no
 * element end the whole stream (`Infinity`: never), so an endless `repeat()` of a dataset that
 * has become empty ends instead of spinning, while a pass that happens to be empty between
 * others is skipped.
 */
export class ChainIterator<T> extends LazyIterator<T> {
  #cur: LazyIterator<T> | null = null;
  #ended = false;
  /** Passes in a row, the current one included, that have given nothing yet. */
  #empty = 0;
  constructor(private readonly nextPass: () => Promise<LazyIterator<T> | null>, private readonly emptyLimit: number) {
    super();
  }
  protected async pull(): Promise<Next<T>> {
    while (!this.#ended) {
      if (this.#cur === null) {
        if (this.#empty >= this.emptyLimit) break;
        this.#cur = await this.nextPass();
        if (this.#cur === null) break;
        this.#empty++;
      }
      const r = await this.#cur.next();
      if (!r.done) {
        this.#empty = 0;
        return r;
      }
      this.#cur = null;
    }
    this.#ended = true;
    return done();
  }
  protected override async release(): Promise<void> {
    this.#ended = true;
    await close(this.#cur);
    this.#cur = null;
  }
}

/** A nested structure (arrays and plain objects) with iterators at its leaves. */
export type IteratorTree = LazyIterator<unknown> | IteratorTree[] | { [key: string]: IteratorTree };

/**
 * `data.zip`: one element from each iterator of the structure, in the same structure; ends with
 * the shortest (the elements the longer ones gave for that step are disposed).
 */
export class ZipIterator<O> extends LazyIterator<O> {
  readonly #leaves: LazyIterator<unknown>[] = [];
  #ended = false;
  constructor(private readonly tree: IteratorTree) {
    super();
    const walk = (t: IteratorTree): void => {
      if (t instanceof LazyIterator) this.#leaves.push(t);
      else if (Array.isArray(t)) t.forEach(walk);
      else Object.values(t).forEach(walk);
    };
    walk(tree);
  }
  protected async pull(): Promise<Next<O>> {
    if (this.#ended) return done();
    const rs = await Promise.allSettled(this.#leaves.map((it) => it.next()));
    const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const got = rs.map((r) => (r.status === 'fulfilled' ? r.value : done()));
    if (failed || got.some((r) => r.done)) {
      for (const r of got) if (!r.done) disposeAll(r.value);
      this.#ended = true;
      await this.release();
      if (failed) throw failed.reason;
      return done();
    }
    const values = new Map(this.#leaves.map((it, i) => [it, got[i].value]));
    const build = (t: IteratorTree): unknown => {
      if (t instanceof LazyIterator) return values.get(t);
      if (Array.isArray(t)) {
        const tuple = t.map(build);
        zipTuples.add(tuple);
        return tuple;
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(t)) out[k] = build(v);
      return out;
    };
    return { value: build(this.tree) as O, done: false };
  }
  protected override async release(): Promise<void> {
    await Promise.all(this.#leaves.map((it) => it.return()));
  }
}

/**
 * A pass of `data.zip(datasets)`: a pass of each dataset in the structure (checked by `zip`),
 * zipped; if one fails to start, those started are closed.
 */
export async function zipPass<O>(datasets: unknown): Promise<ZipIterator<O>> {
  const made: LazyIterator<unknown>[] = [];
  const build = async (d: unknown): Promise<IteratorTree> => {
    if (isDataset(d)) {
      const it = await passOf<unknown>(d, 'data.zip');
      made.push(it);
      return it;
    }
    if (Array.isArray(d)) {
      const out: IteratorTree[] = [];
      for (const x of d) out.push(await build(x));
      return out;
    }
    const out: Record<string, IteratorTree> = {};
    for (const [k, x] of Object.entries(d as object)) out[k] = await build(x);
    return out;
  };
  try {
    return new ZipIterator<O>(await build(datasets));
  } catch (err) {
    await Promise.all(made.map((it) => it.return()));
    throw err;
  }
}

/**
 * `prefetch`: keeps up to `size` calls to the upstream `next()` pending or answered ahead (the
 * one being answered included, as TF.js's ring buffer), so slow asynchronous stages (a
 * `mapAsync` that fetches) work ahead of the consumer. Elements come out in order. Upstream
 * calls run one at a time, so a `mapAsync` just above is told to run up to `size` transforms at
 * once itself ({@link MapIterator.runAhead}). The buffer fills one request at a time and stops at the end of
 * upstream or its first failure, so a `size` beyond the dataset's length costs nothing; the
 * filling yields to the event loop as {@link Pace} says.
 */
export class PrefetchIterator<T> extends LazyIterator<T> {
  readonly #buffer: Array<Promise<Next<T>>> = [];
  readonly #pace = new Pace();
  /** A request is pending whose answer asks for the next one. */
  #asking = false;
  /** Upstream ended or failed, or the pass is closing: no more requests. */
  #stopped = false;
  constructor(private readonly up: LazyIterator<T>, private readonly size: number) {
    super();
    if (up instanceof MapIterator) up.runAhead(size);
  }
  protected async pull(): Promise<Next<T>> {
    if (this.size === 0) return this.up.next();
    if (this.#buffer.length === 0) {
      if (this.#stopped) return done();
      this.#ask();
    }
    const p = this.#buffer.shift()!;
    this.#fill();
    return p;
  }
  #fill(): void {
    if (!this.#asking && !this.#stopped && this.#buffer.length < this.size - 1) this.#ask();
  }
  #ask(): void {
    this.#asking = true;
    const p = this.up.next();
    this.#buffer.push(p);
    p.then(
      (r) => {
        this.#asking = false;
        if (r.done) return void (this.#stopped = true);
        const wait = this.#pace.tick();
        if (wait) void wait.then(() => this.#fill());
        else this.#fill();
      },
      () => {
        this.#asking = false;
        this.#stopped = true; // the error surfaces when its element is asked for
      },
    );
  }
  protected override async release(): Promise<void> {
    this.#stopped = true;
    const pending = this.#buffer.splice(0);
    for (const p of pending) {
      const r = await p.catch(() => null);
      if (r && !r.done) disposeAll(r.value);
    }
    await this.up.return();
  }
}

/**
 * `shuffle`: a buffer of up to `size` elements; each output is drawn uniformly from the buffer
 * (seeded) and its place refilled from upstream (TF.js's sliding-window shuffle). Pass `pass`
 * of a dataset shuffled with `seed` draws from `uniform(derive(seed, pass))`.
 */
export class ShuffleIterator<T> extends LazyIterator<T> {
  readonly #buffer: T[] = [];
  readonly #random: () => number;
  #exhausted = false;
  constructor(private readonly up: LazyIterator<T>, private readonly size: number, seed: ShuffleKey, pass: number) {
    super();
    this.#random = uniform(derive(seed, pass));
  }
  protected async pull(): Promise<Next<T>> {
    const pace = new Pace();
    while (!this.#exhausted && this.#buffer.length < this.size) {
      const r = await this.up.next();
      if (r.done) this.#exhausted = true;
      else this.#buffer.push(r.value);
      const wait = pace.tick();
      if (wait) await wait;
    }
    const n = this.#buffer.length;
    if (n === 0) return done();
    const i = Math.floor(this.#random() * n);
    const value = this.#buffer[i];
    this.#buffer[i] = this.#buffer[n - 1];
    this.#buffer.pop();
    return { value, done: false };
  }
  protected override async release(): Promise<void> {
    for (const v of this.#buffer.splice(0)) disposeAll(v);
    await this.up.return();
  }
}

/**
 * `batch`: `size` elements at a time joined into one (see `batch.ts`); the elements' tensors are
 * disposed once joined (the batch holds new ones). A last, smaller batch is kept or dropped
 * (and disposed) as `smallLastBatch` says.
 */
export class BatchIterator<T, B> extends LazyIterator<B> {
  constructor(private readonly up: LazyIterator<T>, private readonly size: number, private readonly smallLastBatch: boolean) {
    super();
  }
  protected async pull(): Promise<Next<B>> {
    const rows: T[] = [];
    const pace = new Pace();
    try {
      while (rows.length < this.size) {
        const r = await this.up.next();
        if (r.done) break;
        rows.push(r.value);
        const wait = pace.tick();
        if (wait) await wait;
      }
      if (rows.length === 0 || (rows.length < this.size && !this.smallLastBatch)) {
        for (const r of rows) disposeAll(r);
        return done();
      }
      const out = batchRows(rows) as B;
      if (out instanceof Tensor && pairLike(rows[0])) stackedPairs.add(out);
      for (const r of rows) disposeConsumed(tensorsIn(r), out);
      return { value: out, done: false };
    } catch (err) {
      for (const r of rows) disposeAll(r);
      throw err;
    }
  }
  protected override release(): Promise<void> {
    return close(this.up);
  }
}
