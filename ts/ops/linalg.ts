/**
 * `linalg`: TF.js's `tf.linalg` ops. `qr` and `bandPart` run in the core
 * (`crates/core/src/linalg/`); `gramSchmidt` is made of other ops, as TF.js's, so the tape
 * differentiates it through its parts.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { tidy } from '../scope.js';
import { Tensor, wrapHandle, type Tensor1D, type Tensor2D } from '../tensor.js';
import { div, mul, sub } from './binary.js';
import { boolArg, describe, intArg, withTensors, type TensorLike } from './convert.js';
import { zeros } from './creation.js';
import { stack } from './joining.js';
import { norm } from './norm.js';
import { sum } from './reduce.js';
import { unstack } from './unstack.js';

/**
 * The QR decomposition `x = Q·R` of each innermost `[M, N]` matrix of `x` (rank >= 2; batched
 * over the leading axes), by Householder reflections, as TF.js `tf.linalg.qr`: `Q` has
 * orthonormal columns, `R` is upper triangular. With `M >= N` and `fullMatrices` false (the
 * default), `Q` is `[…, M, N]` and `R` `[…, N, N]`; otherwise `Q` is `[…, M, M]` and `R`
 * `[…, M, N]`.
 *
 * Signs: the reflections are TF.js's, step for step, so `R`'s diagonal is `−sign(x_jj)·‖·‖`
 * at each step (not made positive) and `Q` and `R` agree with TF.js's to float32 rounding
 * (`R` below its diagonal is exactly 0). They run in float64 on a copy of each matrix:
 * entries near float32's limits neither overflow nor underflow. Differences from TF.js: a
 * column that is already zero (TF.js divides by zero and returns NaN everywhere) is left as
 * it is; a batch of tall matrices with `fullMatrices` false works (TF.js 4.22 throws
 * reshaping its result). NaN or ±∞ in a matrix gives NaN in its `Q` and `R`.
 *
 * No gradient, as TF.js (its QR goes through `greater`, which has none): differentiating
 * through `qr` inside `grad` is an error naming `linalg.qr`.
 *
 * @example const [q, r] = linalg.qr(tensor([[1, 2], [3, 4]]))
 * // q ≈ [[-0.316, 0.949], [-0.949, -0.316]], r ≈ [[-3.162, -4.427], [0, 0.632]] (TF.js's)
 */
export function qr(x: TensorLike, fullMatrices = false): [Tensor, Tensor] {
  return withTensors('linalg.qr', { x }, ({ x }) => {
    const h = x.handleFor('linalg.qr', 'x');
    const full = boolArg('linalg.qr', 'fullMatrices', fullMatrices);
    return call((e) => {
      check(e.nr_linalg_qr(h, full ? 1 : 0, outPtr(0), outPtr(1)));
      const hr = readOut(1);
      const q = wrapHandle(readOut(0));
      return [q, wrapHandle(hr)] as [Tensor, Tensor];
    });
  });
}

/**
 * Each innermost `[M, N]` matrix of `a` (rank >= 2) with the entries outside a central band
 * set to 0, as TF.js `tf.linalg.bandPart`: entry `(m, n)` is kept when
 * `(numLower < 0 || m − n <= numLower) && (numUpper < 0 || n − m <= numUpper)`. A negative
 * count keeps the whole lower (upper) triangle: `bandPart(a, 0, -1)` is the upper triangle,
 * `bandPart(a, 0, 0)` the diagonal. The counts are integers with `numLower <= M` and
 * `numUpper <= N` (TF.js's checks; TF.js also takes int32 scalar tensors, neurite numbers
 * only). An entry outside the band is 0 even when it is NaN. Differentiable: the gradient is
 * the same band of the incoming gradient.
 *
 * @example linalg.bandPart(tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 1, 0)
 * // [[1, 0, 0], [4, 5, 0], [0, 8, 9]]
 */
export function bandPart<T extends Tensor = Tensor>(a: T | TensorLike, numLower: number, numUpper: number): T {
  return withTensors('linalg.bandPart', { a }, ({ a }) => {
    const h = a.handleFor('linalg.bandPart', 'a');
    const lo = intArg('linalg.bandPart', 'numLower', numLower);
    const up = intArg('linalg.bandPart', 'numUpper', numUpper);
    return call((e) => {
      check(e.nr_linalg_band_part(h, lo, up, outPtr(0)));
      return wrapHandle(readOut(0));
    });
  }) as T;
}

/**
 * The Gram–Schmidt process, as TF.js `tf.linalg.gramSchmidt`: orthonormal vectors spanning
 * what `xs` spans, in order (`y_i` is `x_i` minus its projections on `y_0 … y_{i−1}`,
 * normalised). `xs` is an array of 1-D tensors of one length (the result is an array) or a
 * 2-D tensor whose rows are the vectors (the result is a 2-D tensor; `[0, d]` gives `[0, d]`).
 * At most as many vectors as their length. In float32, without rescaling, as TF.js's (the
 * same values): a vector in the span of the ones before it gives NaN only where its remainder
 * is exactly 0 (`[[3, 4], [6, 8]]`; a zero vector too); otherwise the remainder is rounding
 * noise, normalised into a unit vector that is not orthogonal to the others (`[[1, 1], [2, 2]]`
 * gives two equal rows). Entries beyond ~1.8e19 overflow the squared norms (vectors of norm 0)
 * and below ~1e-19 underflow them (Infinity, NaN). For dependent or extreme inputs use
 * {@link qr} (float64 inside): its R's near-zero diagonal tells the rank. Made of other ops, so
 * it is differentiable as TF.js's is.
 *
 * @example linalg.gramSchmidt(tensor([[3, 4], [1, 0]])) // [[0.6, 0.8], [0.8, -0.6]]
 */
export function gramSchmidt(xs: readonly Tensor[]): Tensor1D[];
/** The rows of the 2-D tensor `xs` made orthonormal, as a 2-D tensor (see the array form). */
export function gramSchmidt(xs: Tensor): Tensor2D;
export function gramSchmidt(xs: Tensor | readonly Tensor[]): Tensor | Tensor[] {
  const op = 'linalg.gramSchmidt';
  const isArray = Array.isArray(xs);
  if (isArray) {
    if (xs.length === 0) throw new InvalidArgumentError(`${op}: xs must not be empty`);
    xs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new InvalidArgumentError(`${op}: xs[${i}] must be a Tensor, got ${describe(x)}`);
      x.handleFor(op, `xs[${i}]`);
      if (x.shape.length !== 1) throw new InvalidArgumentError(`${op}: xs[${i}] must be a 1-D tensor, got shape [${x.shape}]`);
      const first = (xs[0] as Tensor).shape[0];
      if (x.shape[0] !== first) throw new InvalidArgumentError(`${op}: the vectors must have one length, got xs[0] of shape [${first}] and xs[${i}] of shape [${x.shape}]`);
    });
  } else {
    if (!(xs instanceof Tensor)) throw new InvalidArgumentError(`${op}: xs must be a 2-D Tensor or an array of 1-D tensors, got ${describe(xs)}`);
    xs.handleFor(op, 'xs');
    if (xs.shape.length !== 2) throw new InvalidArgumentError(`${op}: xs must be a 2-D tensor (or an array of 1-D tensors), got shape [${xs.shape}]`);
  }
  const [n, d] = isArray ? [xs.length, (xs[0] as Tensor).shape[0] as number] : (xs as Tensor).shape as [number, number];
  if (n > d) throw new InvalidArgumentError(`${op}: the number of vectors (${n}) exceeds their length (${d})`);
  // No rows: nothing to orthogonalise (TF.js 4.22 fails splitting into zero pieces).
  if (n === 0) return zeros([0, d]);
  return tidy(() => {
    const vs = isArray ? (xs as readonly Tensor[]) : unstack(xs as Tensor);
    const ys: Tensor[] = [];
    for (const v of vs) {
      let x = v;
      for (const y of ys) x = sub(x, mul(sum(mul(y, x)), y));
      ys.push(div(x, norm(x)));
    }
    return isArray ? ys : stack(ys);
  });
}
