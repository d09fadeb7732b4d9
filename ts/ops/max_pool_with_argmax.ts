/** `maxPoolWithArgmax`: max pooling and where each maximum came from. */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { boolArg, exactInt, fromFlat, pair, withTensors, type TensorLike } from './convert.js';
import { maxPool, padArg, type OpPadding, type Size2D } from './convolution.js';

/**
 * Max pooling with the position of each maximum, as TF.js `maxPoolWithArgmax(x, filterSize,
 * strides, pad, includeBatchInIndex)`: `result` is `maxPool(x, filterSize, strides, pad)` and
 * `indexes` (same shape) the flat position in `x` of each window's maximum, `(y · width + x) ·
 * channels + c`, or `((b · height + y) · width + x) · channels + c` with `includeBatchInIndex`.
 * The first maximum of a window in row-major order is taken (TF.js's rule for ties), a window
 * holding NaN points at its first NaN (neurite's `maxPool` gives NaN there). `x` is
 * `[batch, height, width, channels]` or `[height, width, channels]` (one image), `pad`
 * `'valid'` or `'same'`. `result` is differentiable (maxPool's gradient); `indexes` are float32
 * integers (TF.js's are int32), a constant, computed in TypeScript from the values.
 *
 * Differences from TF.js 4.22: a window holding NaN gives NaN and its NaN's position (TF.js's
 * CPU kernel skips NaN, and gives −1 for a window of NaN or −Infinity only, where neurite
 * points at its first value); a rank-3 `x` works (TF.js's kernel throws); a numeric `pad` is
 * an error, as for `maxPool`.
 *
 * @example
 * const { result, indexes } = maxPoolWithArgmax(tensor4d([1, 5, 3, 2], [1, 2, 2, 1]), 2, 2, 'valid');
 * // result [[[[5]]]], indexes [[[[1]]]]
 * @throws {@link InvalidArgumentError} for bad sizes, strides or pad, a non-boolean
 *   `includeBatchInIndex`, `x` of rank other than 3 or 4, or positions past 2^24 (which
 *   float32 cannot hold exactly).
 */
export function maxPoolWithArgmax(x: TensorLike, filterSize: Size2D, strides: Size2D, pad: OpPadding, includeBatchInIndex = false): { result: Tensor; indexes: Tensor } {
  const op = 'maxPoolWithArgmax';
  return withTensors(op, { x }, (t) => {
    const [kh, kw] = pair(op, 'filterSize', filterSize);
    const [sh, sw] = pair(op, 'strides', strides);
    const same = padArg(op, pad) === 1;
    const withBatch = boolArg(op, 'includeBatchInIndex', includeBatchInIndex);
    const s = t.x.shape;
    if (s.length !== 3 && s.length !== 4) throw new InvalidArgumentError(`${op}: x must be [batch, height, width, channels] or [height, width, channels], got shape [${s}]`);
    const [n, h, w, c] = s.length === 4 ? s : [1, ...s];
    const last = withBatch ? n * h * w * c - 1 : h * w * c - 1;
    exactInt(op, `the last position in x${withBatch ? ' (the batch included)' : ''}`, last, `x shape [${s}]`);
    const result = composite(op, () => maxPool(t.x, [kh, kw], [sh, sw], pad));
    try {
      const os = result.shape;
      const [oh, ow] = os.length === 4 ? [os[1], os[2]] : [os[0], os[1]];
      // TensorFlow's 'same' padding: the extra row or column (odd total) goes after.
      const top = same ? Math.floor(Math.max(0, (oh - 1) * sh + kh - h) / 2) : 0;
      const left = same ? Math.floor(Math.max(0, (ow - 1) * sw + kw - w) / 2) : 0;
      const xv = n * h * w * c > 0 ? t.x.data() : new Float32Array(0);
      const idx = new Float32Array(n * oh * ow * c);
      let k = 0;
      for (let b = 0; b < n; b++) {
        for (let oy = 0; oy < oh; oy++) {
          const y0 = oy * sh - top;
          const y1 = Math.min(h, y0 + kh);
          for (let ox = 0; ox < ow; ox++) {
            const x0 = ox * sw - left;
            const x1 = Math.min(w, x0 + kw);
            for (let ch = 0; ch < c; ch++) {
              let best = -1;
              let bv = 0;
              scan: for (let y = Math.max(0, y0); y < y1; y++) {
                for (let xx = Math.max(0, x0); xx < x1; xx++) {
                  const pos = ((b * h + y) * w + xx) * c + ch;
                  const u = xv[pos];
                  if (u !== u) {
                    best = pos;
                    break scan;
                  }
                  if (best < 0 || u > bv) {
                    best = pos;
                    bv = u;
                  }
                }
              }
              idx[k++] = withBatch ? best : best - b * h * w * c;
            }
          }
        }
      }
      return { result, indexes: fromFlat(op, idx, os) };
    } catch (err) {
      result.dispose();
      throw err;
    }
  });
}
