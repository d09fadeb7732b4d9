/** Vector and matrix norms: `norm` and `euclideanNorm` (TF.js names, arguments and defaults). */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { pow } from './binary.js';
import { composite, keptShape, reductionAxes } from './composite.js';
import { boolArg, describe, extraArgs, show, withTensors, type TensorLike } from './convert.js';
import { max, min, sum } from './reduce.js';
import { reshape } from './shape.js';
import { abs, sqrt, square } from './unary.js';

/** The order of a norm: `'euclidean'`, `'fro'` or a number (see {@link norm}). */
export type NormOrd = 'euclidean' | 'fro' | number;

/**
 * The norm of `x`, as TF.js `norm(x, ord, axis, keepDims)`.
 *
 * `axis` picks what is measured:
 * - omitted or `null`: all of `x` as one vector (`norm(x)` is `norm(reshape(x, [-1]))`);
 * - one axis (a number or `[a]`): a vector norm along it, for each position of the others;
 * - two axes `[rows, columns]`: a matrix norm over them, for each position of the others.
 *
 * `ord` (default `'euclidean'`):
 *
 * | ord           | vectors               | matrices                     |
 * |---------------|-----------------------|------------------------------|
 * | `'euclidean'` | `√Σ x²`               | Frobenius, `√Σ x²`           |
 * | `'fro'`       | (error, as TF.js)     | Frobenius                    |
 * | `1`           | `Σ |x|`               | largest column sum of `|x|`  |
 * | `2`           | `√Σ x²`               | (error, as TF.js)            |
 * | `Infinity`    | `max |x|`             | largest row sum of `|x|`     |
 * | `-Infinity`   | `min |x|`             | smallest row sum of `|x|`    |
 * | other `p > 0` | `(Σ |x|^p)^(1/p)`     | (error, as TF.js)            |
 *
 * With `keepDims` the result keeps the rank of `x` (the measured axes, or all axes when `axis`
 * is omitted, become 1). A rank-0 `x` gives `|x|` for every `ord`, as TF.js. The sums are not
 * rescaled (as TF.js and NumPy): `norm([1e30, 1e30])` overflows to Infinity and
 * `norm([1e-30])` underflows to 0. Differentiable; at `x = 0` the gradient of the 2-norm is
 * NaN (`0 · ∞`), as in TF.js.
 *
 * Differences from TF.js 4.22: vector p-norms for any finite `p > 0` (TF.js documents them
 * but throws `invalid ord value`); matrix norms take the two axes in either order and
 * negative (`[-2, -1]`, `[1, 0]`), with NumPy's meaning (TF.js assumes `axis[0] < axis[1]`,
 * both non-negative, and throws or reduces the wrong axis otherwise); `Infinity`/`-Infinity`
 * over an empty axis throw, as `max`/`min` do (TF.js gives NaN); an axis with a rank-0 `x`
 * throws (TF.js ignores it).
 *
 * @example norm(tensor([3, 4]))                          // 5
 * @example norm(tensor([[1, -2], [3, 4]]), 1, [0, 1])    // 6 (largest column sum)
 * @example norm(x, 'euclidean', -1, true)                // row norms, shape [..., 1]
 * @throws {@link InvalidArgumentError} for an unknown `ord`, an `ord` the kind of norm does
 *   not support, an axis out of range or repeated, or more than two axes.
 */
export function norm(x: TensorLike, ord: NormOrd = 'euclidean', axis: number | number[] | null = null, keepDims = false): Tensor {
  extraArgs('norm', arguments.length, ['x', 'ord', 'axis', 'keepDims']);
  return normAs('norm', x, ord, axis, keepDims);
}

/** {@link norm}, its errors naming `op` (`norm` or `euclideanNorm`). */
function normAs(op: string, x: TensorLike, ord: NormOrd, axis: number | number[] | null, keepDims: boolean): Tensor {
  return withTensors(op, { x }, (t) => {
    checkOrd(op, ord);
    if (Array.isArray(axis) && (axis.length === 0 || axis.length > 2)) {
      throw new InvalidArgumentError(`${op}: axis must be omitted, one axis, or a pair of axes [rows, columns], got ${show(axis)}`);
    }
    const axes = reductionAxes(op, t.x, axis);
    const keep = boolArg(op, 'keepDims', keepDims);
    const whole = axis === undefined || axis === null;
    const matrix = !whole && axes.length === 2;
    if (matrix && !(ord === 'euclidean' || ord === 'fro' || ord === 1 || ord === Infinity || ord === -Infinity)) {
      throw new InvalidArgumentError(`${op}: ord ${show(ord)} is not a matrix norm; matrix norms (two axes) take 'euclidean', 'fro', 1, Infinity or -Infinity, got axes ${show(axis)}`);
    }
    if (!matrix && ord === 'fro' && t.x.rank > 0) {
      throw new InvalidArgumentError(`${op}: ord 'fro' is a matrix norm; pass two axes [rows, columns], or use 'euclidean' for a vector norm`);
    }
    if (t.x.rank > 0) checkExtremum(op, t.x.shape, ord, whole ? t.x.shape.map((_, i) => i) : axes, matrix);
    return composite(op, () => {
      if (t.x.rank === 0) return abs(t.x);
      const v = whole ? reshape(t.x, [-1]) : t.x;
      // An empty x: every norm is a sum (0) or has no values (a max/min over nothing would throw).
      const o = t.x.size === 0 ? (matrix ? 'fro' : 1) : ord;
      const r = matrix ? matrixNorm(v, o, axes[0], axes[1]) : vectorNorm(v, o, whole ? [0] : axes);
      return keep ? reshape(r, keptShape(t.x.shape, axes)) : r;
    });
  });
}

/**
 * The Euclidean norm of `x`, as TF.js `euclideanNorm(x, axis, keepDims)`: `norm(x,
 * 'euclidean', axis, keepDims)` (the 2-norm of vectors, the Frobenius norm of matrices).
 *
 * @example euclideanNorm(tensor([[3, 4], [6, 8]]), 1)  // [5, 10]
 */
export function euclideanNorm(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  return normAs('euclideanNorm', x, 'euclidean', axis, keepDims);
}

function checkOrd(op: string, ord: unknown): void {
  const ok = ord === 'euclidean' || ord === 'fro' || ord === Infinity || ord === -Infinity || (typeof ord === 'number' && Number.isFinite(ord) && ord > 0);
  if (!ok) {
    const got = typeof ord === 'number' || typeof ord === 'string' ? show(ord) : describe(ord);
    throw new InvalidArgumentError(`${op}: ord must be 'euclidean', 'fro', Infinity, -Infinity or a number p > 0 (1 and 2 included), got ${got}`);
  }
}

/**
 * Throws when a maximum or minimum the norm takes would run over an empty axis (and have
 * values to give): the vector ±Infinity norms, and the matrix 1 and ±Infinity norms.
 */
function checkExtremum(op: string, shape: readonly number[], ord: NormOrd, axes: number[], matrix: boolean): void {
  const out = shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1);
  if (out === 0) return;
  let over: number[] | null = null;
  if (!matrix && (ord === Infinity || ord === -Infinity)) over = axes;
  else if (matrix && ord === 1) over = [axes[1]];
  else if (matrix && (ord === Infinity || ord === -Infinity)) over = [axes[0]];
  if (over && over.some((a) => shape[a] === 0)) {
    const what = ord === -Infinity ? 'minimum' : 'maximum';
    throw new InvalidArgumentError(`${op}: ord ${ord} takes a ${what} over ${matrix ? (ord === 1 ? 'the columns' : 'the rows') : 'the axis'}, which is empty (x shape [${shape}], axes [${axes}]); TF.js gives NaN`);
  }
}

function vectorNorm(x: Tensor, ord: NormOrd, axes: number[]): Tensor {
  if (ord === 1) return sum(abs(x), axes);
  if (ord === Infinity) return max(abs(x), axes);
  if (ord === -Infinity) return min(abs(x), axes);
  if (ord === 2 || ord === 'euclidean') return sqrt(sum(square(x), axes));
  const p = ord as number;
  return pow(sum(pow(abs(x), p), axes), 1 / p);
}

/** A matrix norm over `rows` and `cols` (distinct, non-negative), as NumPy's `norm`. */
function matrixNorm(x: Tensor, ord: NormOrd, rows: number, cols: number): Tensor {
  if (ord === 'euclidean' || ord === 'fro') return sqrt(sum(square(x), [rows, cols]));
  // The axis left after the first sum shifts down by one if it came after the summed one.
  if (ord === 1) return max(sum(abs(x), rows), cols > rows ? cols - 1 : cols);
  const rowSums = sum(abs(x), cols);
  const at = rows > cols ? rows - 1 : rows;
  return ord === Infinity ? max(rowSums, at) : min(rowSums, at);
}
