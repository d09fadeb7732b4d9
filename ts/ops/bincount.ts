/** `bincount` and `denseBincount`: how often each integer occurs, or the sum of its weights (TF.js names). */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor, Tensor1D } from '../tensor.js';
import { boolArg, checkSize, describe, EXACT_INT, exactInt, exactInts, f32String, fromFlat, position, withTensors, type TensorLike } from './convert.js';
import { composite } from './composite.js';
import { unsortedSegmentSum } from './segment.js';
import { reshape } from './shape.js';

/**
 * Counts the integers in `x`, as TF.js `bincount(x, weights, size)`: entry `v` of the result
 * (shape `[size]`) is the number of entries of `x` equal to `v`, or, when `weights` has values,
 * the sum of the weights at those entries. Values of `x` at or past `size` are not counted.
 * `x` may have any shape (it is read flat, as TF.js does); `weights` has `x`'s size (read in the
 * same order) or size 0 (plain counts). The sums are float32, added in `x`'s order as TF.js adds
 * them. Differentiable w.r.t. `weights` (a scatter-add of them; TF.js 4.22 has no gradient);
 * counts are constants under `grad`.
 *
 * `x` holds non-negative integers stored as float32 (TF.js requires an int32 tensor); any other
 * value (negative, fractional, NaN, ±Infinity) throws, naming its position. Float32 holds
 * integers exactly only up to 2^24, so a value past 2^24 in a given array (or, with `size` past
 * 2^24 + 1, in a tensor) throws, and so does a count that would pass 2^24.
 *
 * Differences from TF.js 4.22: `size` must be an integer (TF.js gives a tensor of shape `[1.5]`
 * for 1.5); a fractional or NaN `x` throws where TF.js rejects the float32 dtype.
 *
 * @example bincount([1, 1, 2, 5], [], 3)             // [0, 2, 1]
 * @example bincount([1, 1, 2], [0.5, 2, 1], 4)        // [0, 2.5, 1, 0]
 * @throws {@link InvalidArgumentError} when `x` holds a value that is not a non-negative
 *   integer, or `size` is not a non-negative integer. {@link ShapeError} when `weights` has
 *   values but not as many as `x`. {@link OutOfMemoryError} when `size` exceeds
 *   {@link MAX_ELEMENTS}.
 */
export function bincount<T extends Tensor1D = Tensor1D>(x: T | TensorLike, weights: TensorLike, size: number): T {
  const op = 'bincount';
  exactInts(op, 'x', x);
  return withTensors(op, { x, weights }, (t) => {
    const n = sizeArg(op, size);
    if (hasWeights(op, t.x, t.weights)) return weighted(op, t.x, t.weights, n, 1, t.x.size, [n]);
    return fromFlat(op, count(op, t.x, n, 1, t.x.size, false), [n]);
  }) as T;
}

/**
 * Counts the integers in `x` per row, as TF.js `denseBincount(x, weights, size, binaryOutput)`.
 * A 1-D `x` gives one row of counts (shape `[size]`), as {@link bincount}; a 2-D `x` of shape
 * `[rows, n]` gives one row of counts per row of `x` (shape `[rows, size]`). With `weights`
 * (same size as `x`, read in the same order) each entry adds its weight instead of 1. With
 * `binaryOutput` an entry is 1 when its value occurs at all in the row, 0 otherwise (weights
 * are then ignored, as TF.js does). Values at or past `size` are not counted. Differentiable
 * w.r.t. `weights` (TF.js 4.22 has no gradient); counts are constants under `grad`.
 *
 * `x` holds non-negative integers stored as float32 (TF.js requires an int32 tensor); values
 * and counts past 2^24 throw, as in {@link bincount}.
 *
 * Differences from TF.js 4.22: `binaryOutput` applies to a 1-D `x` too (TF.js ignores it there
 * and returns counts, unlike TF's `DenseBincount`); `size` must be an integer.
 *
 * @example denseBincount([[1, 1, 3], [0, 3, 3]], [], 4)        // [[0, 2, 0, 1], [1, 0, 0, 2]]
 * @example denseBincount([[1, 1, 3], [0, 3, 3]], [], 4, true)  // [[0, 1, 0, 1], [1, 0, 0, 1]]
 * @throws {@link InvalidArgumentError} when `x` is not 1-D or 2-D or holds a value that is not a
 *   non-negative integer, `size` is not a non-negative integer, or `binaryOutput` is not a
 *   boolean. {@link ShapeError} when `weights` has values but not as many as `x`.
 *   {@link OutOfMemoryError} when the result would exceed {@link MAX_ELEMENTS}.
 */
export function denseBincount<T extends Tensor = Tensor>(x: T | TensorLike, weights: TensorLike, size: number, binaryOutput = false): T {
  const op = 'denseBincount';
  exactInts(op, 'x', x);
  return withTensors(op, { x, weights }, (t) => {
    const r = t.x.rank;
    if (r !== 1 && r !== 2) throw new InvalidArgumentError(`${op}: x must be 1-D or 2-D, got rank ${r} (shape [${t.x.shape}])`);
    const n = sizeArg(op, size);
    const binary = boolArg(op, 'binaryOutput', binaryOutput);
    const w = hasWeights(op, t.x, t.weights);
    const rows = r === 1 ? 1 : t.x.shape[0];
    const cols = r === 1 ? t.x.size : t.x.shape[1];
    const shape = r === 1 ? [n] : [rows, n];
    checkSize(op, `the result [${shape}]`, rows * n);
    if (w && !binary) return weighted(op, t.x, t.weights, n, rows, cols, shape);
    return fromFlat(op, count(op, t.x, n, rows, cols, binary), shape);
  }) as T;
}

/**
 * The sums of `weights` per bin of `x` (`[rows, size]` flat): a scatter-add of the weights
 * (`unsortedSegmentSum`), in float32 in `x`'s order as TF.js adds them, and differentiable
 * w.r.t. `weights` (TF.js 4.22 has no gradient for bincount).
 */
function weighted(op: string, x: Tensor, weights: Tensor, size: number, rows: number, cols: number, shape: number[]): Tensor {
  exactInt(op, 'the last bin of the weighted counts', rows * size - 1, `x shape [${x.shape}], size ${size}`);
  const bins = new Float32Array(x.size);
  count(op, x, size, rows, cols, false, bins);
  return composite(op, () => reshape(unsortedSegmentSum(reshape(weights, [x.size]), fromFlat(op, bins, [x.size]), rows * size), shape));
}

function sizeArg(op: string, size: unknown): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw new InvalidArgumentError(`${op}: size must be a non-negative integer, got ${describe(size)}`);
  }
  return checkSize(op, `the result (size ${size})`, size);
}

/** Whether `weights` has values (else plain counts); throws unless it has as many as `x`. */
function hasWeights(op: string, x: Tensor, weights: Tensor): boolean {
  if (weights.size === 0) return false;
  if (weights.size !== x.size) {
    throw new ShapeError(`${op}: weights must have as many values as x (${x.size}) or none, got weights shape [${weights.shape}] for x shape [${x.shape}]`);
  }
  return true;
}

/**
 * The counts of `x` read as `rows` rows of `cols` values: a `[rows, size]` Float32Array (1 for
 * each value present with `binary`); with `bins`, each entry's bin there (`row·size + value`,
 * -1 past `size`), for {@link weighted}.
 */
function count(op: string, x: Tensor, size: number, rows: number, cols: number, binary: boolean, bins?: Float32Array): Float32Array {
  const out = new Float32Array(rows * size);
  if (x.size === 0) return out;
  const v = x.data();
  const at = (i: number, j: number, p: number): string => (x.rank === 2 ? `[${i},${j}]` : x.rank === 0 ? '' : position(p, x.shape));
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const p = i * cols + j;
      const b = v[p];
      if (!(Number.isInteger(b) && b >= 0)) throw new InvalidArgumentError(`${op}: x${at(i, j, p)} is ${f32String(b)}; x must hold non-negative integers (x shape [${x.shape}])`);
      // Past 2^24 + 1 bins a value past 2^24 would be counted, but float32 holds it rounded.
      if (b > EXACT_INT && size > EXACT_INT + 1) exactInt(op, `x${at(i, j, p)}`, b, `x shape [${x.shape}], size ${size}`);
      if (bins) bins[p] = b < size ? i * size + b : -1;
      if (b >= size) continue;
      const k = i * size + b;
      if (binary) out[k] = 1;
      else if (out[k] === EXACT_INT) exactInt(op, `the count of ${b} in ${rows > 1 ? `row ${i} of ` : ''}x`, EXACT_INT + 1, `so far; x shape [${x.shape}]`);
      else out[k] += 1;
    }
  }
  return out;
}
