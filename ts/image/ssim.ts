/** `ssim`: structural similarity of images (`crates/core/src/image/ssim.rs`). */
import { show, withTensors, type TensorLike } from '../ops/convert.js';
import { runOp } from '../ops/run.js';
import { mean } from '../ops/reduce.js';
import { reshape, transpose } from '../ops/shape.js';
import { tidy } from '../scope.js';
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkKeys, intOption, numberOption } from '../classic/common.js';
import { channelsLast, checkDefaultRange, imageShapeWords, positionalMax } from './options.js';

/** Options of `ssim` (`image.ssim`; TF.js's `tf.image.ssim` defaults). */
export interface SsimArgs {
  /** The dynamic range of the pixels: 1 for `[0, 1]` images (default), 255 for bytes. Left at the default with images that reach above 2, the metric warns once (8-bit images need 255). */
  maxValue?: number | undefined;
  /** The side of the Gaussian window. Default 11 (Wang et al. 2004, `tf.image.ssim`). */
  windowSize?: number | undefined;
  /** The standard deviation of the Gaussian window in pixels. Default 1.5. */
  sigma?: number | undefined;
  /** C1 = (k1·maxValue)². Default 0.01. */
  k1?: number | undefined;
  /** C2 = (k2·maxValue)². Default 0.03. */
  k2?: number | undefined;
  /**
   * `[height, width]` to read flat images `[h·w]` or `[n, h·w]` (as for {@link psnr}).
   * Without it a rank-2 tensor is one image, never rows of images.
   */
  imageShape?: [number, number] | undefined;
}

/**
 * The structural similarity index (Wang, Bovik, Sheikh & Simoncelli 2004), the mean of the
 * local SSIM map computed with an 11 × 11 Gaussian window (σ = 1.5, k1 = 0.01, k2 = 0.03) at
 * every position where the window fits ("valid", no padding) — the definition and defaults of
 * `tf.image.ssim`, computed in f64 (TF: float32). 1 for identical images, symmetric, below 1
 * otherwise. `a` and `b` must have the same shape (else a `ShapeError` naming both) and finite
 * values; they may be nested arrays (temporary tensors, freed). The layouts:
 *
 * - `[h, w]`: one grayscale image, a scalar tensor. **A rank-2 tensor is always one image**:
 *   rows of flattened images `[n, h·w]` (MNIST, a dense autoencoder) need
 *   `{ imageShape: [h, w] }`, else they are scored as a single `n × h·w` image whose windows
 *   cross from one image into the next (a wrong, single number).
 * - `[n, h, w]`: a batch of grayscale images, `[n]` (one value per image; average them
 *   yourself if you want one number).
 * - `[n, h, w, c]`: a channels-last batch (a convolutional model's images, `tf.image.ssim`'s
 *   layout), `[n]`: the SSIM of each channel on its own, averaged over the channels, as TF's.
 *   `c = 1` gives the same bits as `[n, h, w]`. Rank 3 is never one `[h, w, c]` image (it is
 *   `[n, h, w]`): add the batch axis with `expandDims(image, 0)`.
 * - with `imageShape: [h, w]`: `[h·w]` (scalar) or `[n, h·w]` (`[n]`).
 *
 * Images smaller than the window are an error: pass a smaller `windowSize` (for MNIST's
 * 28 × 28 the default fits).
 *
 * @example
 * ssim(clean, denoised).item();
 * ssim(x, y, { imageShape: [28, 28] });                      // [n, 784] → [n]
 * ssim(x, y, { imageShape: [16, 16], windowSize: 7, sigma: 1 }); // [n, 256] → [n]
 * ssim(photos, decoded, { maxValue: 255 });                  // [n, h, w, 3] → [n]
 */
export function ssim(a: TensorLike, b: TensorLike, args: SsimArgs = {}): Tensor {
  positionalMax('ssim', args);
  const o = checkKeys('ssim', args, ['maxValue', 'windowSize', 'sigma', 'k1', 'k2', 'imageShape']);
  const max = numberOption('ssim', 'maxValue', o.maxValue ?? 1, (v) => v > 0, 'a finite number > 0');
  const size = intOption('ssim', 'windowSize', o.windowSize ?? 11, 1);
  const sigma = numberOption('ssim', 'sigma', o.sigma ?? 1.5, (v) => v > 0, 'a finite number > 0');
  const k1 = numberOption('ssim', 'k1', o.k1 ?? 0.01, (v) => v > 0, 'a finite number > 0');
  const k2 = numberOption('ssim', 'k2', o.k2 ?? 0.03, (v) => v > 0, 'a finite number > 0');
  const [has, h, w] = imageShapeWords('ssim', o.imageShape);
  return withTensors('ssim', { a, b }, ({ a, b }) => {
    const ha = a.handleFor('ssim', 'a');
    const hb = b.handleFor('ssim', 'b');
    const nhwc = channelsLast('ssim', a, b, o.imageShape);
    checkDefaultRange('ssim', o.maxValue, a, b);
    if (nhwc === null) return runOp((e, out) => e.nr_ssim(ha, hb, max, size, sigma, k1, k2, has, h, w, out));
    const [n, ih, iw, c] = nhwc;
    if (ih < size || iw < size) {
      throw new InvalidArgumentError(`ssim: images of ${ih} × ${iw} are smaller than the ${size} × ${size} window (shape ${show(a.shape)}); pass a smaller windowSize`);
    }
    const same = { maxValue: max, windowSize: size, sigma, k1, k2 };
    if (c === 1) return tidy(() => ssim(reshape(a, [n, ih, iw]), reshape(b, [n, ih, iw]), same));
    // Each channel as an image of its own: [n, c, h, w] → [n·c, h, w], then the mean over c.
    const planes = (t: Tensor) => reshape(transpose(t, [0, 3, 1, 2]), [n * c, ih, iw]);
    return tidy(() => mean(reshape(ssim(planes(a), planes(b), same), [n, c]), 1));
  });
}
