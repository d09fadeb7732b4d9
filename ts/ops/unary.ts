/** Element-wise unary math. The shape is preserved. */
import { activation, type StraightThroughOptions } from '../activations.js';
import { tapeRecording } from '../autodiff.js';
import { checkArgs } from '../options.js';
import { idOf, UNARY_OPS, type UnaryOpName } from '../wasm/codes.js';
import type { Tensor } from '../tensor.js';
import { sub } from './binary.js';
import { composite } from './composite.js';
import { boolArg, resolve, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

/** `x` may be any TensorLike (nested arrays too: `exp([1, 2])`, as TF.js), as a freed temporary. */
function unary<T extends Tensor>(op: UnaryOpName, x: TensorLike): T {
  const r = resolve(op, 'x', x);
  const id = idOf(UNARY_OPS, op);
  return runOp((e, out) => e.nr_unary(id, r.handle, out), r.temp ? [r.temp] : undefined) as T;
}

/** `-x`. */
export const neg = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('neg', x);
/** `|x|`. */
export const abs = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('abs', x);
/** `e^x`, within 2 ulp (a polynomial in SIMD, the same bits in every runtime). */
export const exp = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('exp', x);
/** Natural logarithm, within 2 ulp; `log(0) = -Infinity`, negative → NaN. */
export const log = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('log', x);
/** Square root; negative → NaN. */
export const sqrt = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('sqrt', x);
/** `x²`. */
export const square = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('square', x);
/**
 * −1, 0 or 1; `sign(±0) = ±0` and NaN stays NaN (as NumPy; TF.js gives 0 for both). Its
 * gradient is 0 (as TF.js's), or with `{ straightThrough: true }` the straight-through
 * estimator `dx = dy`: the gradient of the `'sign'` activation with `straightThrough` (whose
 * values differ at 0, where that bipolar unit gives 1). The values do not change.
 *
 * @example sign(x, { straightThrough: true }) // binarised weights or activations that train
 */
export function sign<T extends Tensor = Tensor>(x: T | TensorLike, options?: StraightThroughOptions): T {
  const o = checkArgs('sign', options, ['straightThrough']);
  if (!boolArg('sign', 'straightThrough', o.straightThrough) || !tapeRecording()) return unary('sign', x);
  // The op's values minus a correction that is exactly 0 wherever x is not NaN (±1 − ±1, so
  // ±0 stays ±0), whose gradient is the straight-through activation's dx = dy.
  return withTensors('sign', { x }, (t) => composite('sign', () => sub(unary('sign', t.x), sub(activation(t.x, 'sign'), activation(t.x, { name: 'sign', straightThrough: true }))))) as T;
}
/** Rounds down. */
export const floor = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('floor', x);
/** Rounds up. */
export const ceil = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('ceil', x);
/** Rounds to the nearest integer, halves to even (as TF.js); `round(-0.5)` is `-0` (IEEE). */
export const round = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('round', x);
/** `1 / x`. */
export const reciprocal = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('reciprocal', x);
/** `ln(1 + x)`, accurate near 0. */
export const log1p = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('log1p', x);
/** `e^x − 1`, accurate near 0. */
export const expm1 = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('expm1', x);
/** Sine. */
export const sin = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('sin', x);
/** Cosine. */
export const cos = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('cos', x);
/** Tangent (radians); this op and the ones below are computed in f64 and rounded once, as TF.js. */
export const tan = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('tan', x);
/** Arcsine; NaN outside `[-1, 1]`. */
export const asin = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('asin', x);
/** Arccosine; NaN outside `[-1, 1]`. */
export const acos = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('acos', x);
/** Arctangent, in `(-π/2, π/2)`. */
export const atan = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('atan', x);
/** Hyperbolic sine; finite up to `sinh(89.4)` (no f32 overflow in between). */
export const sinh = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('sinh', x);
/** Hyperbolic cosine. */
export const cosh = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('cosh', x);
/** Inverse hyperbolic sine. */
export const asinh = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('asinh', x);
/** Inverse hyperbolic cosine; NaN below 1. */
export const acosh = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('acosh', x);
/** Inverse hyperbolic tangent; ±Infinity at ±1, NaN beyond. */
export const atanh = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('atanh', x);
/** The error function `erf(x) = (2/√π)∫₀ˣ e^(−t²) dt` (exact to f32 rounding; TF.js uses a 1e-7 approximation). */
export const erf = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('erf', x);
/** `1 / √x`; `rsqrt(0) = Infinity`, negative → NaN. */
export const rsqrt = <T extends Tensor = Tensor>(x: T | TensorLike): T => unary('rsqrt', x);
