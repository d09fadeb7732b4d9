/**
 * `util`: the helpers of TF.js's `tf.util` that ported code commonly calls — `shuffle`,
 * `shuffleCombo`, `createShuffledIndices`, `sizeFromShape`, `arraysEqual`, `flatten`, `now` and
 * `assert` — plain JavaScript, no tensors.
 *
 * The shuffles are seeded, as every random choice in neurite: Fisher–Yates in place (as TF.js),
 * drawing from the generator of `Dataset.shuffle` (`data/random.ts`) instead of `Math.random`.
 * With a `seed` (an integer in [0, 2^53], or a string as TF.js's seeds) the order depends only on
 * the seed and the length; without one, each call takes the next seed of the global generator
 * (the one `setSeed` restarts, which starts at 0), so successive calls give different orders and
 * a program gives the same orders on every run. The orders are not TF.js's (its are random).
 */
import { InvalidArgumentError, OutOfMemoryError } from './errors.js';
import { describe, isTypedArray, type TypedArray } from './ops/convert.js';
import { randomKey } from './ops/random.js';
import { now as clock } from './performance.js';
import { derive, fisherYates, seedOf, uniform } from './data/random.js';

/** The typed arrays `shuffle` reorders (any but a `DataView`). */
export type { TypedArray };

/** Arrays nested to any depth, as `flatten` takes them. */
export type RecursiveArray<T> = Array<T | RecursiveArray<T> | TypedArray>;

/** `v` as an array or typed array to reorder in place, or the error naming `arg`. */
function shuffleable(op: string, arg: string, v: unknown): unknown[] | TypedArray {
  if (Array.isArray(v) || isTypedArray(v)) return v;
  const hint = typeof v === 'number' && Number.isInteger(v) && v > 0 ? `; for the indices 0 … ${v - 1} in random order use util.createShuffledIndices(${v})` : '';
  throw new InvalidArgumentError(`${op}: ${arg} must be an array or a typed array (it is shuffled in place), got ${describe(v)}${hint}`);
}

/**
 * A uniform generator on [0, 1) for one shuffle: from `seed` when given (checked as
 * `Dataset.shuffle`'s), else from the next key of the global generator (see `setSeed`).
 */
function generator(op: string, seed: unknown): () => number {
  if (seed !== undefined && seed !== null) return uniform(seedOf(op, seed));
  const key = randomKey(op);
  return uniform(derive(seedOf(op, key.seed), key.stream));
}

/** Swaps `a[i]` and `a[j]`. */
function swapIn(a: unknown[] | TypedArray, i: number, j: number): void {
  const t = a[i];
  (a as unknown[])[i] = a[j];
  (a as unknown[])[j] = t;
}

/**
 * Shuffles `array` in place (Fisher–Yates, as TF.js's `tf.util.shuffle`) and returns it (TF.js
 * returns nothing). Seeded: the same `seed` (an integer in [0, 2^53] or a string) gives the same
 * order for the same length; without one, each call takes the next seed of the global generator
 * (see `setSeed`; it starts at 0), so a program shuffles the same way on every run. The orders
 * differ from TF.js's, which come from `Math.random`.
 *
 * @example
 * const order = [0, 1, 2, 3, 4];
 * util.shuffle(order, 42); // order is now a permutation, the same one on every run
 */
export function shuffle<T extends unknown[] | TypedArray>(array: T, seed?: number | string): T {
  const op = 'util.shuffle';
  const a = shuffleable(op, 'array', array);
  const random = generator(op, seed);
  fisherYates(a.length, random, (i, j) => swapIn(a, i, j));
  return array;
}

/**
 * Shuffles `array` and `array2` in place with the same permutation (TF.js's
 * `tf.util.shuffleCombo`), so pairs `(array[i], array2[i])` stay together: for samples and their
 * labels. Both must have the same length. Seeded as {@link shuffle}.
 *
 * @example
 * util.shuffleCombo(images, labels, 7);
 */
export function shuffleCombo<T extends unknown[] | TypedArray, U extends unknown[] | TypedArray>(array: T, array2: U, seed?: number | string): void {
  const op = 'util.shuffleCombo';
  const a = shuffleable(op, 'array', array);
  const b = shuffleable(op, 'array2', array2);
  if (a.length !== b.length) {
    throw new InvalidArgumentError(`${op}: array has ${a.length} elements but array2 has ${b.length}; the two are shuffled together, so they need the same length`);
  }
  const random = generator(op, seed);
  fisherYates(a.length, random, (i, j) => {
    swapIn(a, i, j);
    swapIn(b, i, j);
  });
}

/**
 * The integers `0 … n−1` in a random order, as a `Uint32Array` (TF.js's
 * `tf.util.createShuffledIndices`): for drawing batches without reordering the data. Seeded as
 * {@link shuffle}.
 *
 * @example
 * const order = util.createShuffledIndices(60000, 1); // a permutation of 0 … 59999
 */
export function createShuffledIndices(n: number, seed?: number | string): Uint32Array {
  const op = 'util.createShuffledIndices';
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InvalidArgumentError(`${op}: n must be an integer in [0, 2^32 − 1] (how many indices), got ${describe(n)}`);
  }
  const random = generator(op, seed);
  let out: Uint32Array;
  try {
    out = new Uint32Array(n);
  } catch {
    throw new OutOfMemoryError(`${op}: cannot allocate ${n} indices (${4 * n} bytes) in JavaScript memory`);
  }
  for (let i = 0; i < n; i++) out[i] = i;
  fisherYates(n, random, (i, j) => swapIn(out, i, j));
  return out;
}

/**
 * The number of elements of a tensor of `shape`: the product of its dimensions, 1 for `[]` (a
 * scalar), as TF.js's `tf.util.sizeFromShape`. Each dimension must be a non-negative integer
 * (TF.js multiplies whatever it is given).
 *
 * @example util.sizeFromShape([2, 3, 4]) // 24
 */
export function sizeFromShape(shape: readonly number[]): number {
  const op = 'util.sizeFromShape';
  if (!Array.isArray(shape) && !isTypedArray(shape)) throw new InvalidArgumentError(`${op}: shape must be an array of dimensions such as [2, 3], got ${describe(shape)}`);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new InvalidArgumentError(`${op}: shape[${i}] must be a non-negative integer, got ${describe(d)}`);
    size *= d;
  }
  return size;
}

/**
 * Whether `a` and `b` have the same length and the same elements (`===`, so `NaN` differs from
 * itself, and nested arrays are compared by identity), as TF.js's `tf.util.arraysEqual`; arrays
 * and typed arrays compare by their elements. As TF.js, `null` or `undefined` equals nothing but
 * itself (the same value in both places).
 *
 * @example util.arraysEqual(t.shape, [2, 3])
 */
export function arraysEqual(a: ArrayLike<unknown> | null | undefined, b: ArrayLike<unknown> | null | undefined): boolean {
  const op = 'util.arraysEqual';
  for (const [arg, v] of [['a', a], ['b', b]] as const) {
    if (v !== null && v !== undefined && !Array.isArray(v) && !isTypedArray(v)) throw new InvalidArgumentError(`${op}: ${arg} must be an array or a typed array (or null), got ${describe(v)}`);
  }
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The leaves of nested arrays, depth first, in one flat array (TF.js's `tf.util.flatten`):
 * arrays and typed arrays are opened (a typed array is kept whole with `skipTypedArray`), every
 * other value is a leaf (TF.js also opens objects with numeric keys). The leaves are pushed onto
 * `result` when given (and it is returned). An array that contains itself is an error.
 *
 * @example util.flatten([[1, 2], [3, [4]]]) // [1, 2, 3, 4]
 */
export function flatten<T>(nested: T | RecursiveArray<T> | TypedArray, result?: T[] | null, skipTypedArray = false): T[] {
  const op = 'util.flatten';
  if (!Array.isArray(nested) && !isTypedArray(nested)) throw new InvalidArgumentError(`${op}: nested must be an array or a typed array, got ${describe(nested)}`);
  if (result !== undefined && result !== null && !Array.isArray(result)) throw new InvalidArgumentError(`${op}: result must be an array to push onto (or omitted), got ${describe(result)}`);
  if (typeof skipTypedArray !== 'boolean') throw new InvalidArgumentError(`${op}: skipTypedArray must be true or false, got ${describe(skipTypedArray)}`);
  const out = (result ?? []) as unknown[];
  // Iterative (no stack overflow on deep nesting); `open` holds the arrays being walked, to find cycles.
  const stack: Array<{ items: ArrayLike<unknown>; at: number; path: string }> = [{ items: nested as ArrayLike<unknown>, at: 0, path: 'nested' }];
  const open = new Set<unknown>([nested]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.at >= top.items.length) {
      open.delete(top.items);
      stack.pop();
      continue;
    }
    const i = top.at++;
    const v = top.items[i];
    if (Array.isArray(v) || (isTypedArray(v) && !skipTypedArray)) {
      const path = `${top.path}[${i}]`;
      if (open.has(v)) {
        const outer = stack.find((f) => f.items === v)!.path;
        throw new InvalidArgumentError(`${op}: ${path} is ${outer} again (an array that contains itself cannot be flattened)`);
      }
      open.add(v);
      stack.push({ items: v as ArrayLike<unknown>, at: 0, path });
    } else {
      out.push(v);
    }
  }
  return out as T[];
}

/**
 * The current time in milliseconds from a monotonic clock (`performance.now()`, where there is
 * one), as TF.js's `tf.util.now`: for timing, by differences.
 *
 * @example const t0 = util.now(); …; console.log(`${util.now() - t0} ms`);
 */
export function now(): number {
  return clock();
}

/**
 * Throws when `condition` is falsy, as TF.js's `tf.util.assert`: an {@link InvalidArgumentError}
 * (TF.js throws a plain `Error`; this one is an `Error` too) whose message is `message()` — or
 * `message` itself when it is a string — unchanged. `message` is only called when the check fails.
 *
 * @example util.assert(x.rank === 2, () => `expected a matrix, got rank ${x.rank}`);
 */
export function assert(condition: unknown, message: (() => string) | string): void {
  if (typeof message !== 'function' && typeof message !== 'string') {
    throw new InvalidArgumentError(`util.assert: message must be a function returning the message (or a string), got ${describe(message)}`);
  }
  if (!condition) throw new InvalidArgumentError(typeof message === 'string' ? message : String(message()));
}
