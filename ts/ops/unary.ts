/** Element-wise unary math. The shape is preserved. */
import { idOf, UNARY_OPS, type UnaryOpName } from '../wasm/codes.js';
import type { Tensor } from '../tensor.js';
import { need } from './convert.js';
import { runOp } from './run.js';

function unary(op: UnaryOpName, x: Tensor): Tensor {
  const h = need(op, 'x', x);
  const id = idOf(UNARY_OPS, op);
  return runOp((e, out) => e.nr_unary(id, h, out));
}

/** `-x`. */
export const neg = (x: Tensor): Tensor => unary('neg', x);
/** `|x|`. */
export const abs = (x: Tensor): Tensor => unary('abs', x);
/** `e^x`, within 2 ulp (a polynomial in SIMD, the same bits in every runtime). */
export const exp = (x: Tensor): Tensor => unary('exp', x);
/** Natural logarithm, within 2 ulp; `log(0) = -Infinity`, negative → NaN. */
export const log = (x: Tensor): Tensor => unary('log', x);
/** Square root; negative → NaN. */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** `x²`. */
export const square = (x: Tensor): Tensor => unary('square', x);
/** −1, 0 or 1; `sign(±0) = ±0` and NaN stays NaN (as NumPy; TF.js gives 0 for both). */
export const sign = (x: Tensor): Tensor => unary('sign', x);
/** Rounds down. */
export const floor = (x: Tensor): Tensor => unary('floor', x);
/** Rounds up. */
export const ceil = (x: Tensor): Tensor => unary('ceil', x);
/** Rounds to the nearest integer, halves to even (as TF.js); `round(-0.5)` is `-0` (IEEE). */
export const round = (x: Tensor): Tensor => unary('round', x);
/** `1 / x`. */
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
/** `ln(1 + x)`, accurate near 0. */
export const log1p = (x: Tensor): Tensor => unary('log1p', x);
/** `e^x − 1`, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => unary('expm1', x);
/** Sine. */
export const sin = (x: Tensor): Tensor => unary('sin', x);
/** Cosine. */
export const cos = (x: Tensor): Tensor => unary('cos', x);
