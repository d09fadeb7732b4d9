/**
 * Seeded random tensors: `randomUniform`, `randomNormal`, `truncatedNormal`, and `setSeed`.
 *
 * Values come from the counter-based Philox4x32-10 generator in the Rust core
 * (`crates/core/src/rng.rs`): element `i` depends only on `(seed, i)`, so a seed gives the same
 * bits in Node, Deno and browsers, and the first `k` values of a larger tensor equal a
 * size-`k` tensor with the same seed.
 *
 * Without a `seed` option, a seed is drawn from the global generator, which starts at seed 0:
 * a program that makes the same calls in the same order gets the same numbers on every run.
 * {@link setSeed} restarts the global generator from another seed.
 */
import { checkArgs } from '../options.js';
import { InvalidArgumentError } from '../errors.js';
import { writeArgs } from '../engine.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { checkShape, describe, dtypeArg } from './convert.js';
import { mixSeed } from '../data/random.js';
import { runOp } from './run.js';

/** Options of {@link randomUniform}. */
export interface RandomUniformOptions {
  /** Lower bound, included. Default 0. */
  min?: number | undefined;
  /** Upper bound, excluded. Default 1. Must be greater than `min`. */
  max?: number | undefined;
  /** `min` by TF.js's and Keras's name (as `randomUniformInt` and `initializers.randomUniform` take it). */
  minval?: number | undefined;
  /** `max` by TF.js's and Keras's name. */
  maxval?: number | undefined;
  /** A non-negative integer ≤ 2⁵³. Default: the next seed of the global generator. */
  seed?: number | undefined;
}

/** Options of {@link randomNormal} and {@link truncatedNormal}. */
export interface RandomNormalOptions {
  /** Mean of the distribution. Default 0. */
  mean?: number | undefined;
  /** Standard deviation, ≥ 0. Default 1. */
  stddev?: number | undefined;
  /** A non-negative integer ≤ 2⁵³. Default: the next seed of the global generator. */
  seed?: number | undefined;
}

/** @internal A Philox key: the u64 seed (≤ 2⁵³ here) and a stream number. */
export interface RandomKey {
  seed: number;
  stream: number;
}

const MAX_SEED = 2 ** 53;
/** The global generator: its seed, and how many keys it has handed out. */
let globalSeed = 0;
let drawn = 0;

/** Throws unless `seed` is an integer in [0, 2⁵³]. */
function checkSeed(op: string, arg: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new InvalidArgumentError(`${op}: ${arg} must be an integer between 0 and 2^53, got ${describe(seed)}`);
  }
  return seed;
}

/**
 * @internal The `{ seed }` options of a composite random op from its optional `seed`, checked
 * now (before the op's other checks, as TF.js's order); `undefined` and `null` (TF.js's "no
 * seed") give none, so the op draws from the global generator.
 */
export function seedOptions(op: string, seed: unknown): { seed: number } | undefined {
  return seed === undefined || seed === null ? undefined : { seed: checkSeed(op, 'seed', seed) };
}

/**
 * Restarts the global random generator from `seed` (a non-negative integer ≤ 2⁵³). Every
 * random function called without a `seed` option draws from it, and so does every model or
 * network made without one (`sequential`, `model`, `autoencoder`, `perceptron`,
 * `rbfNetwork`, `kmeans`), once, when it is made: that seed then gives its initial weights,
 * dropout and noise masks and `fit`'s shuffles. So two unseeded models differ, and the same
 * program after the same `setSeed` gives the same bits again (as Keras 3's
 * `keras.utils.set_random_seed`). The generator starts at seed 0, so programs are
 * reproducible even without calling this.
 *
 * @example
 * setSeed(7);
 * const a = randomNormal([3]);
 * setSeed(7);
 * const b = randomNormal([3]); // same values as a
 */
export function setSeed(seed: number): void {
  globalSeed = checkSeed('setSeed', 'seed', seed);
  drawn = 0;
}

/**
 * @internal The key for one random op: an explicit seed uses stream 0; otherwise the global
 * generator hands out its seed with streams 1, 2, 3, ... (so unseeded calls never repeat an
 * explicit seed's values). `drawSeed` (models, classic networks) and the shuffles use it too.
 * A `null` seed is no seed, as TF.js's (tfjs-examples' `multinomial(logits, 1, null, true)`).
 */
export function randomKey(op: string, seed?: number | null): RandomKey {
  if (seed !== undefined && seed !== null) return { seed: checkSeed(op, 'seed', seed), stream: 0 };
  if (scoped) {
    scoped.drawn = (scoped.drawn % 0xffffffff) + 1;
    return { seed: scoped.seed, stream: scoped.drawn };
  }
  drawn = (drawn % 0xffffffff) + 1; // streams 1 ..= 2^32 - 1
  return { seed: globalSeed, stream: drawn };
}

/** The generator {@link drawsFrom} puts in the global one's place while its function runs. */
let scoped: { seed: number; drawn: number } | null = null;

/**
 * @internal Runs `f` (synchronous) with every draw from the global generator taken from a
 * generator of its own, seeded with `seed`. `loadModel` draws `seed` when it is called and
 * builds the model under it once the files are read: the seeds of unseeded models in the file
 * then depend on the order of the `loadModel` calls, not on the order their reads finish.
 */
export function drawsFrom<T>(seed: number, f: () => T): T {
  const outer = scoped;
  scoped = { seed, drawn: 0 };
  try {
    return f();
  } finally {
    scoped = outer;
  }
}

/**
 * @internal How far the global generator has gone (with {@link rewindTo}: a draw taken back,
 * as a layer's apply on a tensor does when its layer turns out to use no randomness).
 */
export function drawnSoFar(): number {
  return scoped ? scoped.drawn : drawn;
}

/** @internal Takes back the draws since {@link drawnSoFar} gave `n` (the same seed as then). */
export function rewindTo(n: number): void {
  if (scoped) scoped.drawn = n;
  else drawn = n;
}

/**
 * @internal A seed for a model or network made without one (`sequential`, `model`,
 * `autoencoder`, `perceptron`, `rbfNetwork`, `kmeans`): the next key of the global generator
 * hashed to an integer in [0, 2⁵³). Drawn at construction, so `setSeed(n)` followed by the
 * same program gives every such object the same seed, and two of them get different seeds.
 */
export function drawSeed(op: string): number {
  const { seed, stream } = randomKey(op);
  return mixSeed(seed, stream);
}

/** Reads `options`, rejecting unknown keys and non-finite or non-float32 numbers. */
function readOptions<K extends string>(op: string, options: unknown, defaults: Record<K, number>): Record<K, number> & { seed?: number } {
  // checkArgs: an object (not a Map or the like) with known keys, read into a null-prototype copy.
  const given = checkArgs(op, options, [...Object.keys(defaults), 'seed']);
  const out: Record<string, number | undefined> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    if (k !== 'seed' && (typeof v !== 'number' || !Number.isFinite(Math.fround(v)))) {
      throw new InvalidArgumentError(`${op}: ${k} must be a finite number within float32 range, got ${describe(v)}`);
    }
    out[k] = v as number;
  }
  return out as Record<K, number> & { seed?: number };
}

/** Calls a random export with the shape in the argument area and the key split into words. */
function create(
  op: string,
  shape: readonly number[],
  a: number,
  b: number,
  key: RandomKey,
  f: 'nr_random_uniform' | 'nr_random_normal' | 'nr_truncated_normal',
): Tensor {
  const lo = key.seed % 2 ** 32;
  const hi = Math.floor(key.seed / 2 ** 32);
  return runOp((e, out) => e[f](writeArgs(op, shape), shape.length, a, b, lo, hi, key.stream, out));
}

/**
 * @internal Reads the TF.js positional form `(shape, a, b, dtype, seed)` as an options object
 * `{ [keyA]: a, [keyB]: b, seed }`; an options object (or nothing) is passed through when no
 * further arguments follow it. Anything else — a string or boolean where a number belongs, an
 * object followed by more arguments — is an error naming the argument.
 */
function positional(op: string, args: readonly unknown[], keyA: string, keyB: string): unknown {
  const [first, b, dtype, seed] = args;
  if (typeof first !== 'number' && !(first === undefined && args.length > 1)) {
    if (args.length > 1) {
      throw new InvalidArgumentError(`${op}: expected (shape, options) or (shape, ${keyA}, ${keyB}, dtype, seed) with numbers, got ${describe(first)} then ${args.length - 1} more argument(s)`);
    }
    return first;
  }
  if (args.length > 4) throw new InvalidArgumentError(`${op}: too many arguments (${args.length + 1}); expected (shape, ${keyA}, ${keyB}, dtype, seed)`);
  if (b !== undefined && typeof b !== 'number') throw new InvalidArgumentError(`${op}: ${keyB} (argument 3) must be a number, got ${describe(b)}`);
  // randomUniform(shape, 0, 1, { seed: 1 }): the two forms mixed.
  if (typeof dtype === 'object' && dtype !== null) {
    throw new InvalidArgumentError(`${op}: argument 4 is the dtype in TF.js's positional form (shape, ${keyA}, ${keyB}, dtype, seed), got ${describe(dtype)}; pass the seed fifth (${op}(shape, ${first}, ${b ?? 1}, 'float32', seed)) or every option in one object (${op}(shape, { ${keyA}, ${keyB}, seed }))`);
  }
  dtypeArg(op, dtype);
  const o: Record<string, unknown> = {};
  if (first !== undefined) o[keyA] = first;
  if (b !== undefined) o[keyB] = b;
  if (seed !== undefined) o.seed = seed;
  return o;
}

/**
 * A tensor of values drawn uniformly from `[min, max)`. The TF.js positional form
 * `randomUniform(shape, min, max, dtype, seed)` is accepted too (`dtype` must be `'float32'`).
 *
 * @example randomUniform([2, 3], { min: -1, max: 1, seed: 42 })
 * @example randomUniform([2, 3], -1, 1, 'float32', 42) // the same tensor, TF.js style
 */
export function randomUniform<R extends Rank = Rank>(shape: readonly number[], options?: RandomUniformOptions): Tensor<R>;
/**
 * Uniform values in `[min, max)` (default max 1), TF.js's positional form
 * `tf.randomUniform(shape, min, max, dtype, seed)` (`dtype` must be `'float32'`).
 *
 * @example randomUniform([2, 3], -1, 1, 'float32', 42) // randomUniform([2, 3], { min: -1, max: 1, seed: 42 })
 */
export function randomUniform<R extends Rank = Rank>(shape: readonly number[], min: number, max?: number, dtype?: 'float32', seed?: number): Tensor<R>;
export function randomUniform(shape: readonly number[], ...args: unknown[]): Tensor {
  const op = 'randomUniform';
  const s = checkShape(op, shape);
  const o = positional(op, args, 'min', 'max');
  const r = readOptions(op, o, { min: 0, max: 1, minval: NaN, maxval: NaN });
  for (const [k, alias] of [['min', 'minval'], ['max', 'maxval']] as const) {
    if (Number.isNaN(r[alias])) continue;
    if (Object.hasOwn(o as object, k)) throw new InvalidArgumentError(`${op}: ${k} and ${alias} are two names of one option; give one`);
    r[k] = r[alias];
  }
  const { min, max, seed } = r;
  if (!(Math.fround(min) < Math.fround(max))) {
    throw new InvalidArgumentError(`${op}: min (${min}) must be less than max (${max})`);
  }
  return create(op, s, min, max, randomKey(op, seed), 'nr_random_uniform');
}

/**
 * A tensor of values drawn from a normal distribution (Box–Muller on Philox4x32-10). The TF.js
 * positional form `randomNormal(shape, mean, stdDev, dtype, seed)` is accepted too.
 *
 * @example randomNormal([64, 32], { stddev: 0.05, seed: 1 })
 * @example randomNormal([64, 32], 0, 0.05, 'float32', 1) // the same tensor, TF.js style
 */
export function randomNormal<R extends Rank = Rank>(shape: readonly number[], options?: RandomNormalOptions): Tensor<R>;
/**
 * Normal values (default `stddev` 1), TF.js's positional form
 * `tf.randomNormal(shape, mean, stdDev, dtype, seed)` (`dtype` must be `'float32'`).
 *
 * @example randomNormal([64, 32], 0, 0.05, 'float32', 1) // randomNormal([64, 32], { stddev: 0.05, seed: 1 })
 */
export function randomNormal<R extends Rank = Rank>(shape: readonly number[], mean: number, stddev?: number, dtype?: 'float32', seed?: number): Tensor<R>;
export function randomNormal(shape: readonly number[], ...args: unknown[]): Tensor {
  return normal('randomNormal', shape, positional('randomNormal', args, 'mean', 'stddev'), 'nr_random_normal');
}

/**
 * A tensor of normal values where any value more than two standard deviations from the mean
 * is re-drawn, as TF.js and Keras `truncatedNormal` (all values lie in `mean ± 2·stddev`).
 *
 * @example truncatedNormal([784, 128], { stddev: 0.05, seed: 3 })
 */
export function truncatedNormal<R extends Rank = Rank>(shape: readonly number[], options?: RandomNormalOptions): Tensor<R>;
/**
 * Normal values within `mean ± 2·stddev` (default `stddev` 1), TF.js's positional form
 * `tf.truncatedNormal(shape, mean, stdDev, dtype, seed)` (`dtype` must be `'float32'`).
 *
 * @example truncatedNormal([784, 128], 0, 0.05, 'float32', 3) // truncatedNormal([784, 128], { stddev: 0.05, seed: 3 })
 */
export function truncatedNormal<R extends Rank = Rank>(shape: readonly number[], mean: number, stddev?: number, dtype?: 'float32', seed?: number): Tensor<R>;
export function truncatedNormal(shape: readonly number[], ...args: unknown[]): Tensor {
  return normal('truncatedNormal', shape, positional('truncatedNormal', args, 'mean', 'stddev'), 'nr_truncated_normal');
}

function normal(op: string, shape: readonly number[], options: unknown, f: 'nr_random_normal' | 'nr_truncated_normal'): Tensor {
  const s = checkShape(op, shape);
  const { mean, stddev, seed } = readOptions(op, options, { mean: 0, stddev: 1 });
  if (stddev < 0) throw new InvalidArgumentError(`${op}: stddev must be >= 0, got ${stddev}`);
  return create(op, s, mean, stddev, randomKey(op, seed), f);
}
