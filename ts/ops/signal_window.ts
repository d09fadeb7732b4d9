/** `signal.hannWindow`, `signal.hammingWindow`: TF.js's raised-cosine windows. */
import type { Tensor, Tensor1D } from '../tensor.js';
import { checkSize, fromFlat, intArg } from './convert.js';

/**
 * TF.js's raised-cosine window `a − b·cos(2πi / (N − 1 + even))`: symmetric for an odd length
 * N, periodic (the denominator N) for an even one, computed in float64 and rounded once to
 * float32 (TF.js's bits). A window of length 1 is `[1]`, as TensorFlow and NumPy give.
 */
function cosineWindow(op: string, windowLength: unknown, a: number, b: number): Tensor {
  const n = intArg(op, 'windowLength', windowLength, 0);
  checkSize(op, 'the window', n);
  const even = 1 - (n % 2);
  const values = new Float32Array(n);
  if (n === 1) values[0] = 1;
  else for (let i = 0; i < n; i++) values[i] = a - b * Math.cos((2 * Math.PI * i) / (n + even - 1));
  return fromFlat(op, values, [n]);
}

/**
 * A Hann window of `windowLength` values, `0.5 − 0.5·cos(2πi / M)`, as TF.js
 * `tf.signal.hannWindow`: M is `windowLength − 1` for an odd length (a symmetric window) and
 * `windowLength` for an even one (periodic, as TF.js). A constant (no gradient).
 *
 * Difference from TF.js 4.22: `hannWindow(1)` is `[1]` (TensorFlow's and NumPy's value); TF.js's
 * is `[NaN]` (it divides 0 by 0).
 *
 * @example signal.hannWindow(5)   // [0, 0.5, 1, 0.5, 0]
 * @throws {@link InvalidArgumentError} unless `windowLength` is a non-negative integer.
 */
export function hannWindow(windowLength: number): Tensor1D {
  return cosineWindow('hannWindow', windowLength, 0.5, 0.5);
}

/**
 * A Hamming window of `windowLength` values, `0.54 − 0.46·cos(2πi / M)`, as TF.js
 * `tf.signal.hammingWindow`: M is `windowLength − 1` for an odd length and `windowLength` for an
 * even one (as TF.js). A constant (no gradient).
 *
 * Difference from TF.js 4.22: `hammingWindow(1)` is `[1]` (TensorFlow's and NumPy's value);
 * TF.js's is `[NaN]`.
 *
 * @example signal.hammingWindow(3)   // [0.08, 1, 0.08]
 * @throws {@link InvalidArgumentError} unless `windowLength` is a non-negative integer.
 */
export function hammingWindow(windowLength: number): Tensor1D {
  return cosineWindow('hammingWindow', windowLength, 0.54, 0.46);
}
