/** `psnr`: peak signal-to-noise ratio of images (`crates/core/src/image/psnr.rs`). */
import { withTensors, type TensorLike } from '../ops/convert.js';
import { runOp } from '../ops/run.js';
import { reshape } from '../ops/shape.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { checkKeys, numberOption } from '../classic/common.js';
import { channelsLast, checkDefaultRange, imageShapeWords, positionalMax } from './options.js';

/** Options of `psnr` (`image.psnr`). */
export interface PsnrArgs {
  /** The dynamic range of the pixels: 1 for `[0, 1]` images (default), 255 for bytes. Left at the default with images that reach above 2, the metric warns once (8-bit images need 255). */
  maxValue?: number | undefined;
  /**
   * `[height, width]` to read flat images: `a` and `b` are then `[h·w]` (one image) or
   * `[n, h·w]` (a batch, e.g. MNIST rows or a dense autoencoder's output) instead of `[h, w]` /
   * `[n, h, w]`. Without it a rank-2 tensor is one image, never rows of images.
   */
  imageShape?: [number, number] | undefined;
}

/**
 * Peak signal-to-noise ratio in decibels, `10·log₁₀(maxValue² / MSE)`, with the mean squared
 * error over the pixels (and channels) of each image, computed in f64. Identical images give
 * `Infinity` (as `tf.image.psnr`). `a` and `b` must have the same shape (else a `ShapeError`
 * naming both) and finite values; they may be nested arrays (temporary tensors, freed). The
 * layouts:
 *
 * - `[h, w]`: one grayscale image, a scalar tensor. **A rank-2 tensor is always one image**:
 *   rows of flattened images `[n, h·w]` (MNIST, a dense autoencoder) need
 *   `{ imageShape: [h, w] }`, else they are scored as a single `n × h·w` image (one number).
 * - `[n, h, w]`: a batch of grayscale images, `[n]` (one value per image; average them
 *   yourself if you want one number).
 * - `[n, h, w, c]`: a channels-last batch (a convolutional model's images, `tf.image.psnr`'s
 *   layout), `[n]`: the MSE of each image is over its `h·w·c` values, as TF's. `c = 1` gives
 *   the same bits as `[n, h, w]`. Rank 3 is never one `[h, w, c]` image (it is `[n, h, w]`):
 *   add the batch axis with `expandDims(image, 0)`.
 * - with `imageShape: [h, w]`: `[h·w]` (scalar) or `[n, h·w]` (`[n]`).
 *
 * @example
 * psnr(clean, denoised).item();                              // [28, 28] images in [0, 1]
 * psnr(x, y, { imageShape: [28, 28] });                      // [n, 784] → [n]
 * psnr(x, convAe.predict(x));                                // [n, 28, 28, 1] → [n]
 */
export function psnr(a: TensorLike, b: TensorLike, args: PsnrArgs = {}): Tensor {
  positionalMax('psnr', args);
  const o = checkKeys('psnr', args, ['maxValue', 'imageShape']);
  const max = numberOption('psnr', 'maxValue', o.maxValue ?? 1, (v) => v > 0, 'a finite number > 0');
  const [has, h, w] = imageShapeWords('psnr', o.imageShape);
  return withTensors('psnr', { a, b }, ({ a, b }) => {
    const ha = a.handleFor('psnr', 'a');
    const hb = b.handleFor('psnr', 'b');
    const nhwc = channelsLast('psnr', a, b, o.imageShape);
    checkDefaultRange('psnr', o.maxValue, a, b);
    if (nhwc === null) return runOp((e, out) => e.nr_psnr(ha, hb, max, has, h, w, out));
    // [n, h, w·c] keeps each image's values together and in order: one MSE over h·w·c.
    const [n, ih, iw, c] = nhwc;
    return tidy(() => psnr(reshape(a, [n, ih, iw * c]), reshape(b, [n, ih, iw * c]), { maxValue: max }));
  });
}
