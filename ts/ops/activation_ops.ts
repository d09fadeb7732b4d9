/**
 * TF.js activation ops that neurite composes from other ops: `relu6` and `logSigmoid`. (The
 * activations with a kernel of their own are in `activations.ts`.)
 */
import { relu, softplus } from '../activations.js';
import type { Tensor } from '../tensor.js';
import { minimum } from './binary.js';
import { composite } from './composite.js';
import { withTensors, type TensorLike } from './convert.js';
import { neg } from './unary.js';

/**
 * `min(max(x, 0), 6)`, element-wise, as TF.js `relu6`; NaN stays NaN. The gradient is 1 on
 * `(0, 6]` and 0 elsewhere (TF.js's rule: 0 at 0, 1 at 6).
 *
 * @example relu6(tensor([-1, 2, 8]))  // [0, 2, 6]
 */
export function relu6(x: TensorLike): Tensor {
  return withTensors('relu6', { x }, (t) => composite('relu6', () => minimum(relu(t.x), 6)));
}

/**
 * `log(sigmoid(x)) = −softplus(−x)`, element-wise, as TF.js `logSigmoid`: stable for large
 * `|x|` (`logSigmoid(-100)` is `-100`, `logSigmoid(100)` is `-3.8e-44`, never `-Infinity` or
 * NaN from an overflow). The gradient is `sigmoid(−x)`.
 *
 * @example logSigmoid(tensor([0]))  // [-0.6931]
 */
export function logSigmoid(x: TensorLike): Tensor {
  return withTensors('logSigmoid', { x }, (t) => composite('logSigmoid', () => neg(softplus(neg(t.x)))));
}
