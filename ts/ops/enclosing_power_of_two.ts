/** `enclosingPowerOfTwo`: TF.js's FFT-length helper. */
import { numberArg } from './convert.js';

/**
 * The smallest power of two at or above `value`, `2^⌈log₂ value⌉`, rounded down to an integer,
 * as TF.js `tf.enclosingPowerOfTwo(value)`: a plain number, as TF.js returns (its stft uses it
 * for the FFT length). `enclosingPowerOfTwo(5)` and `(8)` are 8 and `(1)` is 1; as in TF.js, a
 * value in (0.5, 1] gives 1, one in (0, 0.5] gives 0 (a negative power rounded down), 0 gives 0
 * and a negative value or NaN gives NaN.
 *
 * Difference from TF.js 4.22: exact at every power of two — TF.js divides two logarithms, which
 * lands just above the integer for 2^29, 2^31, 2^39, … and gives twice the value there.
 *
 * @example enclosingPowerOfTwo(300)   // 512
 * @throws {@link InvalidArgumentError} when `value` is not a number.
 */
export function enclosingPowerOfTwo(value: number): number {
  const v = numberArg('enclosingPowerOfTwo', 'value', value);
  if (!(v > 0) || v === Infinity) return Math.floor(Math.pow(2, Math.ceil(Math.log(v) / Math.log(2.0))));
  let p = Math.pow(2, Math.ceil(Math.log2(v)));
  // Math.log2 may be off by one ulp: settle on the smallest power of two that is at least v.
  while (p / 2 >= v) p /= 2;
  while (p < v) p *= 2;
  return Math.floor(p);
}
