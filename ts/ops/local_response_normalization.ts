/** `localResponseNormalization` (TF.js's op): each channel divided by its neighbours' energy. */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, mul, pow } from './binary.js';
import { composite } from './composite.js';
import { intArg, numberArg, withTensors, type TensorLike } from './convert.js';
import { clone } from './creation.js';
import { pad } from './joining.js';
import { reshape } from './shape.js';
import { slice } from './slicing.js';
import { square } from './unary.js';

/**
 * Local response normalization over the depth (last) axis, as TF.js
 * `localResponseNormalization(x, depthRadius, bias, alpha, beta)` (AlexNet's LRN):
 *
 * ```text
 * sqrSum[…, d] = Σ x[…, k]²  for k from max(0, d − depthRadius) to min(depth − 1, d + depthRadius)
 * out[…, d]    = x[…, d] / (bias + alpha · sqrSum[…, d]) ^ beta
 * ```
 *
 * `x` is `[batch, height, width, depth]` or `[height, width, depth]`. The window sums add
 * float32 squares (in a tree of shifted slices, about log₂(2·depthRadius + 1) additions deep),
 * where TF.js adds them one by one in float64, so the two agree to a few float32 ulps; NaN and
 * ±Infinity stay within the windows that hold them (an infinite square gives 0 for the
 * finite values around it, NaN for the infinity itself, as TF.js). Differentiable, with
 * the derivative of TF.js's `LRNGrad`:
 * `∂out[d]/∂x[k] = [k = d]·N[d]^−β − 2αβ·x[k]·out[d]/N[d]` for `k` in the window of `d`
 * (`N = bias + alpha·sqrSum`).
 *
 * Differences from TF.js 4.22: a negative `depthRadius` is an error (TF.js sums an empty
 * window), and `bias`, `alpha` and `beta` must be finite numbers (TF.js computes with NaN).
 *
 * @example localResponseNormalization(tensor4d([1, 2, 3, 4], [1, 1, 1, 4]), 1, 1, 1, 0.5)
 *   // [[[[1/√6, 2/√15, 3/√30, 4/√26]]]]
 * @throws {@link InvalidArgumentError} when `x` is not rank 3 or 4, `depthRadius` is not a
 *   non-negative integer, or `bias`, `alpha` or `beta` is not a finite number.
 */
export function localResponseNormalization<T extends Tensor = Tensor>(x: T | TensorLike, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5): T {
  const op = 'localResponseNormalization';
  return withTensors(op, { x }, (t) => {
    const s = t.x.shape;
    if (s.length !== 3 && s.length !== 4) throw new InvalidArgumentError(`${op}: x must have rank 4 [batch, height, width, depth] or rank 3 [height, width, depth], got shape [${s}]`);
    const r = intArg(op, 'depthRadius', depthRadius, 0);
    const k = numberArg(op, 'bias', bias, true);
    const a = numberArg(op, 'alpha', alpha, true);
    const b = numberArg(op, 'beta', beta, true);
    const depth = s[s.length - 1];
    if (t.x.size === 0) return composite(op, () => clone(t.x));
    return composite(op, () => {
      const x4 = s.length === 4 ? t.x : reshape(t.x, [1, ...s]);
      // A window never reaches further than the depth: a larger radius sums the same values.
      const sums = windowSums(square(x4), Math.min(r, depth - 1), depth);
      const y = mul(x4, pow(add(k, mul(a, sums)), -b));
      return s.length === 4 ? y : reshape(y, s);
    });
  }) as T;
}

/**
 * `out[…, d] = Σ v[…, d + j − radius]` over `j` in `[0, 2·radius]` (0 outside `[0, depth)`),
 * for `v` of rank 4 with `depth` entries on its last axis. With `P` = `v` padded by `radius`
 * zeros on both sides, `T₀ = P` and `T_{k+1}[i] = T_k[i] + T_k[i + 2^k]` hold the sums of
 * `2^k` consecutive entries; the window of `L = 2·radius + 1` entries is the sum of the `T_k`
 * for the bits of `L`, each read at the offset the higher bits have covered. Only non-negative
 * terms are added (no cancellation, as a difference of running sums would have), and a
 * non-finite square reaches only the windows that hold it.
 */
function windowSums(v: Tensor, radius: number, depth: number): Tensor {
  if (radius === 0) return v;
  const len = 2 * radius + 1;
  const lastAxis = (t: Tensor, begin: number, size: number): Tensor => slice(t, [0, 0, 0, begin], [-1, -1, -1, size]);
  const levels = [pad(v, [[0, 0], [0, 0], [0, 0], [radius, radius]])];
  const lengths = [depth + 2 * radius];
  for (let k = 0; 2 ** (k + 1) <= len; k++) {
    const n = lengths[k] - 2 ** k;
    levels.push(add(lastAxis(levels[k], 0, n), lastAxis(levels[k], 2 ** k, n)));
    lengths.push(n);
  }
  let sum: Tensor | null = null;
  let offset = 0;
  for (let k = levels.length - 1; k >= 0; k--) {
    if ((len & (2 ** k)) === 0) continue;
    const part = lastAxis(levels[k], offset, depth);
    sum = sum ? add(sum, part) : part;
    offset += 2 ** k;
  }
  return sum as Tensor;
}
