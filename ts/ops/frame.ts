/** `signal.frame`: a 1-D signal cut into (possibly overlapping) frames. */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { boolArg, checkSize, EXACT_INT, fromFlat, intArg, numberArg, withTensors, type TensorLike } from './convert.js';
import { concat, pad } from './joining.js';
import { reshape } from './shape.js';
import { gather, slice } from './slicing.js';

/**
 * The frames of `frameLength` samples of the 1-D `signal`, one every `frameStep` samples, as
 * TF.js `tf.signal.frame(signal, frameLength, frameStep, padEnd, padValue)`: a tensor of shape
 * `[frames, frameLength]` whose row `f` is `signal[f·frameStep … f·frameStep + frameLength)`.
 * Without `padEnd` only whole frames are taken (none when the signal is shorter than a frame:
 * shape `[0, frameLength]`); with it, frames keep starting every `frameStep` samples while they
 * start inside the signal, their missing end filled with `padValue` (default 0). Differentiable
 * with respect to `signal` (made of pad and gather: a sample in several frames gets the sum of
 * their gradients); `padValue` is a constant.
 *
 * Differences from TF.js 4.22: `signal` may be an array (TF.js reads its `size` and returns no
 * frames for one); a `frameStep` of 0 or a `frameLength` of 0 is an error (TF.js loops forever,
 * or returns empty frames).
 *
 * @example signal.frame([1, 2, 3, 4, 5], 3, 2, true)   // [[1, 2, 3], [3, 4, 5], [5, 0, 0]]
 * @throws {@link InvalidArgumentError} when `signal` is not 1-D, `frameLength` or `frameStep`
 *   is not a positive integer, `padEnd` not a boolean or `padValue` not a number.
 */
export function frame(signal: TensorLike, frameLength: number, frameStep: number, padEnd = false, padValue = 0): Tensor {
  const op = 'frame';
  return withTensors(op, { signal }, (t) => {
    const x = t.signal;
    if (x.rank !== 1) throw new InvalidArgumentError(`${op}: signal must be 1-D (TF.js's frame takes a Tensor1D), got shape [${x.shape}]`);
    const len = intArg(op, 'frameLength', frameLength, 1);
    const step = intArg(op, 'frameStep', frameStep, 1);
    const padded = boolArg(op, 'padEnd', padEnd);
    const fillValue = numberArg(op, 'padValue', padValue);
    const n = x.shape[0];
    // TF.js's two loops: whole frames, then (padEnd) frames that start inside the signal.
    let count = n >= len ? Math.floor((n - len) / step) + 1 : 0;
    if (padded && count * step < n) count += Math.ceil((n - count * step) / step);
    checkSize(op, `the frames [${count}, ${len}]`, count * len);
    if (count === 0) return fromFlat(op, [], [0, len]);
    const need = (count - 1) * step + len;
    return composite(op, () => {
      const src = need > n ? pad(x, [[0, need - n]], fillValue) : x;
      if (need <= EXACT_INT) {
        const idx = new Float32Array(count * len);
        for (let f = 0, k = 0; f < count; f++) for (let j = 0; j < len; j++) idx[k++] = f * step + j;
        return reshape(gather(src, fromFlat(op, idx, [idx.length])), [count, len]);
      }
      // Past 2^24 float32 indices are not exact: one slice per frame.
      const frames: Tensor[] = [];
      for (let f = 0; f < count; f++) frames.push(slice(src, f * step, len));
      return reshape(concat(frames), [count, len]);
    });
  });
}
