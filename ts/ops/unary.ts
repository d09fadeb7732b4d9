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
function unary(op: UnaryOpName, x: TensorLike): Tensor {
  const r = resolve(op, 'x', x);
  const id = idOf(UNARY_OPS, op);
  return runOp((e, out) => e.nr_unary(id, r.handle, out), r.temp ? [r.temp] : undefined);
}

/** `-x`. */
export const neg = (x: TensorLike): Tensor => unary('neg', x);
/** `|x|`. */
export const abs = (x: TensorLike): Tensor => unary('abs', x);
/** `e^x`, within 2 ulp (a polynomial in SIMD, the same bits in every runtime). */
export const exp = (x: TensorLike): Tensor => unary('exp', x);
/** Natural logarithm, within 2 ulp; `log(0) = -Infinity`, negative → NaN. */
export const log = (x: TensorLike): Tensor => unary('log', x);
/** Square root; negative → NaN. */
export const sqrt = (x: TensorLike): Tensor => unary('sqrt', x);
/** `x²`. */
export const square = (x: TensorLike): Tensor => unary('square', x);
/**
 * −1, 0 or 1; `sign(±0) = ±0` and NaN stays NaN (as NumPy; TF.js gives 0 for both). Its
 * gradient is 0 (as TF.js's), or with `{ straightThrough: true }` the straight-through
 * estimator `dx = dy`: the gradient of the `'sign'` activation with `straightThrough` (whose
 * values differ at 0, where that bipolar unit gives 1). The values do not change.
 *
 * @example sign(x, { straightThrough: true }) // binarised weights or activations that train
 */
export function sign(x: TensorLike, options?: StraightThroughOptions): Tensor {
  const o = checkArgs('sign', options, ['straightThrough']);
  if (!boolArg('sign', 'straightThrough', o.straightThrough) || !tapeRecording()) return unary('sign', x);
  // The op's values minus a correction that is exactly 0 wherever x is not NaN (±1 − ±1, so
  // ±0 stays ±0), whose gradient is the straight-through activation's dx = dy.
  return withTensors('sign', { x }, (t) => composite('sign', () => sub(unary('sign', t.x), sub(activation(t.x, 'sign'), activation(t.x, { name: 'sign', straightThrough: true })))));
}
/** Rounds down. */
export const floor = (x: TensorLike): Tensor => unary('floor', x);
/** Rounds up. */
export const ceil = (x: TensorLike): Tensor => unary('ceil', x);
/** Rounds to the nearest integer, halves to even (as TF.js); `round(-0.5)` is `-0` (IEEE). */
export const round = (x: TensorLike): Tensor => unary('round', x);
/** `1 / x`. */
export const reciprocal = (x: TensorLike): Tensor => unary('reciprocal', x);
/** `ln(1 + x)`, accurate near 0. */
export const log1p = (x: TensorLike): Tensor => unary('log1p', x);
/** `e^x − 1`, accurate near 0. */
export const expm1 = (x: TensorLike): Tensor => unary('expm1', x);
/** Sine. */
export const sin = (x: TensorLike): Tensor => unary('sin', x);
/** Cosine. */
export const cos = (x: TensorLike): Tensor => unary('cos', x);
/** Tangent (radians); this op and the ones below are computed in f64 and rounded once, as TF.js. */
export const tan = (x: TensorLike): Tensor => unary('tan', x);
/** Arcsine; NaN outside `[-1, 1]`. */
export const asin = (x: TensorLike): Tensor => unary('asin', x);
/** Arccosine; NaN outside `[-1, 1]`. */
export const acos = (x: TensorLike): Tensor => unary('acos', x);
/** Arctangent, in `(-π/2, π/2)`. */
export const atan = (x: TensorLike): Tensor => unary('atan', x);
/** Hyperbolic sine; finite up to `sinh(89.4)` (no f32 overflow in between). */
export const sinh = (x: TensorLike): Tensor => unary('sinh', x);
/** Hyperbolic cosine. */
export const cosh = (x: TensorLike): Tensor => unary('cosh', x);
/** Inverse hyperbolic sine. */
export const asinh = (x: TensorLike): Tensor => unary('asinh', x);
/** Inverse hyperbolic cosine; NaN below 1. */
export const acosh = (x: TensorLike): Tensor => unary('acosh', x);
/** Inverse hyperbolic tangent; ±Infinity at ±1, NaN beyond. */
export const atanh = (x: TensorLike): Tensor => unary('atanh', x);
/** The error function `erf(x) = (2/√π)∫₀ˣ e^(−t²) dt` (exact to f32 rounding; TF.js uses a 1e-7 approximation). */
export const erf = (x: TensorLike): Tensor => unary('erf', x);
/** `1 / √x`; `rsqrt(0) = Infinity`, negative → NaN. */
export const rsqrt = (x: TensorLike): Tensor => unary('rsqrt', x);
