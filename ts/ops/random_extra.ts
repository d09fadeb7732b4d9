/**
 * More of TF.js's random ops, built on neurite's seeded generators (`randomUniform`,
 * `randomNormal`: Philox4x32-10, see `random.ts`): `randomStandardNormal`, `randomUniformInt`
 * and `multinomial`. A `seed` gives the same values in every runtime; without one the global
 * generator ({@link setSeed}) draws them. The values differ from TF.js's (seedrandom's alea)
 * for the same seed, as every neurite random op's do.
 */
import { InvalidArgumentError } from '../errors.js';
import { checkArgs } from '../options.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { softmax } from '../activations.js';
import { composite } from './composite.js';
import { boolArg, checkShape, checkSize, dtypeArg, EXACT_INT, exactInt, f32String, fromFlat, intArg, withTensors, type TensorLike } from './convert.js';
import { randomNormal, randomUniform, seedOptions } from './random.js';


/**
 * The seed of a `{ seed }` options object at argument `n`, with the other arguments it must
 * not come with; `undefined` when `v` is not an options object (the positional form).
 */
function seedOption(op: string, v: unknown, n: number, form: string): { seed?: number } | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = checkArgs(op, v, ['seed']);
  const seeded = seedOptions(op, o.seed);
  if (n > 0) throw new InvalidArgumentError(`${op}: an options object must be the last argument: ${form}`);
  return seeded ?? {};
}

/**
 * A tensor of values drawn from the standard normal distribution (mean 0, standard deviation
 * 1), as TF.js `randomStandardNormal(shape, dtype, seed)`: `randomNormal(shape, { seed })`
 * (the same values for the same seed). `randomStandardNormal(shape, { seed })` takes the seed
 * as `randomNormal`'s options do.
 *
 * Differences from TF.js 4.22: `dtype` must be `'float32'` (TF.js also rounds to `'int32'`);
 * `seed` must be an integer in `[0, 2^53]`.
 *
 * @example randomStandardNormal([2, 3], 'float32', 42)
 * @example randomStandardNormal([2, 3], { seed: 42 }) // the same tensor
 * @throws {@link InvalidArgumentError} for a bad shape, a `dtype` other than `'float32'`, or a
 *   `seed` that is not an integer in `[0, 2^53]`; {@link OutOfMemoryError} for a shape of more
 *   than {@link MAX_ELEMENTS} values.
 */
export function randomStandardNormal<R extends Rank = Rank>(shape: readonly number[], options?: { seed?: number | undefined }): Tensor<R>;
/** TF.js's positional form `randomStandardNormal(shape, dtype, seed)` (`dtype` must be `'float32'`). */
export function randomStandardNormal<R extends Rank = Rank>(shape: readonly number[], dtype?: 'float32', seed?: number): Tensor<R>;
export function randomStandardNormal(shape: readonly number[], ...args: unknown[]): Tensor {
  const op = 'randomStandardNormal';
  const s = checkShape(op, shape);
  if (args.length > 2) throw new InvalidArgumentError(`${op}: too many arguments (${args.length + 1}); expected (shape, dtype, seed) or (shape, { seed })`);
  const [dtype, seed] = args;
  const o = seedOption(op, dtype, args.length - 1, '(shape, { seed })');
  if (o !== undefined) return composite(op, () => randomNormal(s, o));
  dtypeArg(op, dtype);
  const seeded = seedOptions(op, seed);
  return composite(op, () => randomNormal(s, seeded));
}

/**
 * A tensor of integers drawn uniformly from `[minval, maxval)`, as TF.js
 * `randomUniformInt(shape, minval, maxval, seed)`: `minval + ⌊(maxval − minval)·u⌋` for a
 * uniform draw `u` on the 2⁻²⁴ grid of {@link randomUniform} (computed exactly, in float64),
 * so every integer of the range has probability `1 / (maxval − minval)` to within
 * `(maxval − minval) / 2^24`. The seed may also come as `randomUniform`'s options do:
 * `randomUniformInt(shape, minval, maxval, { seed })`, or everything as options:
 * `randomUniformInt(shape, { minval, maxval, seed })`.
 *
 * Differences from TF.js 4.22: the result is float32 holding integers (TF.js returns int32;
 * neurite has one dtype); `minval` and `maxval` must be integers within ±2^24 with
 * `minval < maxval` (TF.js takes any numbers, even `minval ≥ maxval`); and the integers are
 * uniform for negative `minval` too (TF.js 4.22 truncates towards zero, so with `minval < 0`
 * it never draws `minval` and draws 0 twice as often as the others).
 *
 * @example randomUniformInt([2, 3], 0, 10, 42)   // integers 0 … 9
 * @example randomUniformInt([2, 3], 0, 10, { seed: 42 })   // the same tensor
 * @example randomUniformInt([2, 3], { minval: 0, maxval: 10, seed: 42 })   // the same tensor
 * @throws {@link InvalidArgumentError} for a bad shape, `minval`/`maxval` that are not
 *   integers within ±2^24 or not `minval < maxval`, or a `seed` that is not an integer in
 *   `[0, 2^53]`; {@link OutOfMemoryError} for a shape of more than {@link MAX_ELEMENTS} values.
 */
export function randomUniformInt<R extends Rank = Rank>(shape: readonly number[], minval: number, maxval: number, seed?: number | { seed?: number | undefined }): Tensor<R>;
/** The options form: `randomUniformInt(shape, { minval, maxval, seed })` (`minval` and `maxval` required). */
export function randomUniformInt<R extends Rank = Rank>(shape: readonly number[], options: { minval: number; maxval: number; seed?: number | undefined }): Tensor<R>;
export function randomUniformInt(shape: readonly number[], ...args: unknown[]): Tensor {
  const op = 'randomUniformInt';
  const s = checkShape(op, shape);
  if (args.length > 3) throw new InvalidArgumentError(`${op}: too many arguments (${args.length + 1}); expected (shape, minval, maxval, seed) or (shape, { minval, maxval, seed })`);
  let [minval, maxval, seed] = args;
  const first = minval;
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (args.length > 1) throw new InvalidArgumentError(`${op}: an options object must be the last argument: (shape, { minval, maxval, seed })`);
    const o = checkArgs(op, first, ['minval', 'maxval', 'seed']);
    [minval, maxval, seed] = [o.minval, o.maxval, o.seed];
  } else if (seed !== null && typeof seed === 'object' && !Array.isArray(seed)) {
    seed = checkArgs(op, seed, ['seed']).seed;
  }
  const lo = intArg(op, 'minval', minval, -EXACT_INT, EXACT_INT);
  const hi = intArg(op, 'maxval', maxval, -EXACT_INT, EXACT_INT);
  if (!(lo < hi)) throw new InvalidArgumentError(`${op}: minval (${lo}) must be less than maxval (${hi})`);
  const seeded = seedOptions(op, seed);
  return composite(op, () => {
    const u = randomUniform(s, seeded).data();
    // u = k·2⁻²⁴ with k < 2²⁴, so (hi − lo)·u < hi − lo is exact in float64 and its floor is < hi − lo.
    const width = hi - lo;
    const out = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) out[i] = lo + Math.floor(width * u[i]);
    return fromFlat(op, out, s);
  });
}

/**
 * Draws `numSamples` outcome indices from each row of `logits`, as TF.js
 * `multinomial(logits, numSamples, seed, normalized)`. `logits` is `[numOutcomes]` (result
 * `[numSamples]`) or `[batch, numOutcomes]` (result `[batch, numSamples]`); outcome `i` has
 * probability `softmax(logits)[i]`, or `logits[i]` itself with `normalized = true`.
 * Probabilities given without `normalized` (every row in [0, 1] summing to 1: a softmax
 * output) are sampled as logits, as TF.js does, with a warning once that names `normalized`. A uniform
 * `u` picks the first outcome whose running sum of probabilities exceeds `u`: for logits the
 * sum is float64 and a share of the whole, so a logit of `-Infinity` (probability 0) is never
 * drawn and a large vocabulary's tail keeps its share; with `normalized` it is TF.js's float32
 * sum, else the last outcome, so the last takes whatever the others leave (`1 − Σ` of theirs;
 * the probabilities need not sum to 1). Not differentiable (an index is a constant).
 *
 * Differences from TF.js 4.22: from logits, the float64 shares above (TF.js's float32 sum of
 * 50,000 equal probabilities ends at 1.0006, so its last 31 outcomes were never drawn, and with
 * banned outcomes at the end it drew them ~3 times in 10,000); the indices are float32 (TF.js
 * returns int32; neurite has one dtype); the rows draw independent uniforms (TF.js restarts its generator for each row, so
 * its rows are correlated); `seed` 0 is a seed (TF.js draws a random one for 0); a batch of 0
 * rows gives an empty result (TF.js throws); NaN or `+Infinity` logits, a row of `-Infinity`
 * only, and (with `normalized`) negative or non-finite probabilities are errors (TF.js
 * samples from NaN probabilities); `numSamples` must be a non-negative integer; more than
 * 2^24 + 1 outcomes are an error (float32 indices past 2^24 are not exact).
 *
 * @example multinomial(tensor([0, 0, Math.log(2)]), 5, 42)           // 5 draws; outcome 2 half the time
 * @example multinomial(tensor([[0.2, 0.8], [1, 0]]), 3, 1, true)      // [[…], [0, 0, 0]]
 * @throws {@link InvalidArgumentError} when `logits` is not rank 1 or 2 or has fewer than 2
 *   outcomes, holds values it cannot sample from (see above), `numSamples` is not a
 *   non-negative integer, `seed` is not an integer in `[0, 2^53]`, or `normalized` is not a
 *   boolean; {@link OutOfMemoryError} when the result would be too large.
 */
export function multinomial(logits: TensorLike, numSamples: number, seed?: number, normalized = false): Tensor {
  const op = 'multinomial';
  return withTensors(op, { logits }, (t) => {
    const s = t.logits.shape;
    if (s.length !== 1 && s.length !== 2) throw new InvalidArgumentError(`${op}: logits must have rank 1 [numOutcomes] or 2 [batch, numOutcomes], got shape [${s}]`);
    const outcomes = s[s.length - 1];
    if (outcomes < 2) throw new InvalidArgumentError(`${op}: logits must have at least 2 outcomes (its last axis), got shape [${s}]`);
    exactInt(op, 'the last outcome index of logits', outcomes - 1, `logits shape [${s}]`);
    const n = intArg(op, 'numSamples', numSamples, 0);
    const seeded = seedOptions(op, seed);
    const norm = boolArg(op, 'normalized', normalized);
    const rows = s.length === 2 ? s[0] : 1;
    checkSize(op, `the result [${s.length === 2 ? [rows, n] : [n]}]`, rows * n);
    const values = t.logits.data();
    checkValues(op, values, outcomes, norm, s.length === 2);
    if (!norm && !warnedProbabilities && looksLikeProbabilities(values, outcomes)) {
      warnedProbabilities = true;
      console.warn(
        `${op}: every row of logits lies in [0, 1] and sums to 1, as probabilities do (a softmax output), but without normalized multinomial reads logits and samples softmax(logits), a flatter distribution (as TF.js); ` +
          `pass normalized = true, multinomial(probs, ${n}, seed, true), to sample the probabilities themselves, or give it the logits (said once)`,
      );
    }
    return composite(op, () => {
      const probs = norm ? values : softmax(t.logits, -1).data();
      const u = randomUniform([rows, n], seeded).data();
      const out = new Float32Array(rows * n);
      const cdf = new Float32Array(outcomes - 1);
      const k = cdf.length;
      const start = new Int32Array(k + 1);
      const share = norm ? null : new Float64Array(k);
      for (let b = 0; b < rows; b++) {
        if (share) {
          // The softmax's probabilities: each outcome's running sum as a share of all of them,
          // in float64. TF.js's float32 running sum misses 1 by ~3e-4 over 50,000 outcomes, so
          // its "else the last" drew an outcome of a -Infinity logit, and where the sum went past
          // 1 the tail was never drawn; here the share reaches exactly 1 at the last outcome of
          // probability above 0, and none of probability 0 can be drawn.
          let total = 0;
          for (let e = 0; e < outcomes; e++) total += probs[b * outcomes + e];
          let run = 0;
          for (let e = 0; e < k; e++) share[e] = (run += probs[b * outcomes + e]) / total;
          for (let j = 0; j < n; j++) out[b * n + j] = firstAbove(share, u[b * n + j], 0, k);
          continue;
        }
        // The running sum of all outcomes but the last, in float32 as TF.js's kernel.
        cdf[0] = probs[b * outcomes];
        for (let e = 1; e < k; e++) cdf[e] = cdf[e - 1] + probs[b * outcomes + e];
        guideTable(cdf, start);
        for (let j = 0; j < n; j++) {
          const x = u[b * n + j];
          const g = Math.floor(x * k);
          out[b * n + j] = firstAbove(cdf, x, start[g], start[g + 1]);
        }
      }
      return fromFlat(op, out, s.length === 2 ? [rows, n] : [n]);
    });
  });
}

/** Whether multinomial warned about probabilities given as logits (once). */
let warnedProbabilities = false;

/** Whether every row of `values` (rows of `outcomes`) is in [0, 1] and sums to 1 (within float32 rounding of a softmax). */
function looksLikeProbabilities(values: Float32Array, outcomes: number): boolean {
  if (values.length === 0) return false;
  for (let b = 0; b < values.length; b += outcomes) {
    let sum = 0;
    for (let e = b; e < b + outcomes; e++) {
      const v = values[e];
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-4 * Math.max(1, Math.sqrt(outcomes))) return false;
  }
  return true;
}

/**
 * A guide table for {@link firstAbove} (Chen and Asau 1974): `start[g]` is the first index `e`
 * with `g < k·cdf[e]` (`k = cdf.length`; `start[k] = k` for a cdf ending at or below 1), so a
 * uniform `u` with `⌊k·u⌋ = g` has its answer in `start[g] ..= start[g + 1]`. `k·u` and
 * `k·cdf[e]` are exact in float64 (24-bit values times `k ≤ 2^24`), so the bounds hold
 * exactly and the search in them finds the index the search over the whole cdf finds, in
 * about one step instead of log₂ k.
 */
function guideTable(cdf: Float32Array, start: Int32Array): void {
  const k = cdf.length;
  for (let g = 0, e = 0; g <= k; g++) {
    while (e < k && !(g < cdf[e] * k)) e++;
    start[g] = e;
  }
}

/** The first index `e` in `lo ..= hi` with `u < cdf[e]` (`cdf` is non-decreasing), or `hi`. */
function firstAbove(cdf: Float32Array | Float64Array, u: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < cdf[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Throws unless every row of `v` (`outcomes` wide) can be sampled from. */
function checkValues(op: string, v: Float32Array, outcomes: number, normalized: boolean, batched: boolean): void {
  const at = (i: number): string => (batched ? `logits[${Math.floor(i / outcomes)}][${i % outcomes}]` : `logits[${i}]`);
  for (let row = 0; row < v.length; row += outcomes) {
    let finite = false;
    for (let i = row; i < row + outcomes; i++) {
      const x = v[i];
      if (normalized && !(x >= 0 && x < Infinity)) {
        throw new InvalidArgumentError(`${op}: with normalized = true logits are probabilities and must be finite and >= 0, got ${at(i)} = ${f32String(x)}`);
      }
      if (Number.isNaN(x) || x === Infinity) throw new InvalidArgumentError(`${op}: ${at(i)} is ${x}; logits must be finite or -Infinity (an outcome of probability 0)`);
      if (x !== -Infinity) finite = true;
    }
    if (!finite) throw new InvalidArgumentError(`${op}: ${batched ? `row ${row / outcomes} of logits` : 'logits'} is -Infinity everywhere: no outcome has a probability above 0`);
  }
}
