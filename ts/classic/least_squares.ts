/**
 * `leastSquares`: regularized linear least squares by Householder QR in f64
 * (`crates/core/src/classic/least_squares.rs`, where the method and the tolerance are documented).
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { withTensors, type TensorLike } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { checkKeys, numberOption } from './common.js';

/** Options of {@link leastSquares}. */
export interface LeastSquaresArgs {
  /** λ in `‖a·x − b‖² + λ‖x‖²` (ridge). Default 0 (plain least squares). */
  l2?: number | undefined;
}

/**
 * `x = argmin ‖a·x − b‖² + l2·‖x‖²` for `a: [n, p]` and `b: [n]` (→ `x: [p]`) or
 * `b: [n, m]` (→ `x: [p, m]`), each a tensor or nested arrays. Solved by Householder QR of `a`
 * (of `[a; √l2·I]` with a ridge) in f64, so ill-conditioned problems — a degree-12
 * polynomial fit, condition 2.5e8 — reach NumPy's `lstsq` residual. A column of `a` that is a
 * linear combination of the columns before it (less than 1e-10 of its norm outside their
 * span: a repeated or zero column, one scaled by a power of 2, or more columns than rows) is
 * an error naming it, unless `l2 > 0`. A column computed from others with rounding (`h / 2.54`
 * beside `h`) is only nearly dependent in float32 (~1e-7 of its norm outside): it is solved,
 * as NumPy's `lstsq` solves it, with large coefficients that cancel; drop it or pass `l2 > 0`.
 * It has no gradient under `grad` (the solve is not recorded). `l2` is read as a float32: a
 * positive `l2` that rounds to 0 there (below 1.4e-45) is an error, not a silent `l2 = 0`.
 *
 * @example
 * leastSquares([[2, 1], [1, 3]], [5, 10]); // [1, 3]
 */
export function leastSquares(a: TensorLike, b: TensorLike, args: LeastSquaresArgs = {}): Tensor {
  const o = checkKeys('leastSquares', args, ['l2']);
  const l2 = numberOption('leastSquares', 'l2', o.l2 ?? 0, (v) => v >= 0, 'a finite number >= 0');
  // NOTE: the core reads l2 as a float32: a positive l2 below its smallest (1.4e-45) would
  // arrive as 0, and the solve would then say "l2 = 0" to a caller who passed l2 > 0.
  if (l2 > 0 && Math.fround(l2) === 0) {
    throw new InvalidArgumentError(`leastSquares: l2 is ${l2}, which rounds to 0 in float32 (neurite computes in float32; the smallest positive l2 is ${2 ** -149}); pass l2 = 0 for no ridge, or a larger l2 (e.g. 1e-6)`);
  }
  return withTensors('leastSquares', { a, b }, (t) => {
    const ha = t.a.handleFor('leastSquares', 'a');
    const hb = t.b.handleFor('leastSquares', 'b');
    return call((e) => {
      check(e.nr_least_squares(ha, hb, l2, outPtr(0)));
      return wrapHandle(readOut(0));
    });
  });
}
