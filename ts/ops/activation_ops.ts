/**
 * TF.js activation ops that neurite composes from other ops: `logSigmoid`. (The activations
 * with a kernel of their own, `relu6` among them, are in `activations.ts`.)
 */
import { softplus } from '../activations.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { withTensors, type TensorLike } from './convert.js';
import { neg } from './unary.js';

export { relu6 } from '../activations.js';

/**
 * `log(sigmoid(x)) = −softplus(−x)`, element-wise, as TF.js `logSigmoid`: stable for large
 * `|x|` (`logSigmoid(-100)` is `-100`, `logSigmoid(100)` is `-3.8e-44`, never `-Infinity` or
 * NaN from an overflow). The gradient is `sigmoid(−x)`.
 *
 * @example logSigmoid(tensor([0]))  // [-0.6931]
 */
export function logSigmoid<T extends Tensor = Tensor>(x: T | TensorLike): T {
  return withTensors('logSigmoid', { x }, (t) => composite('logSigmoid', () => neg(softplus(neg(t.x))))) as T;
}
