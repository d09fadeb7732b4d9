/** `ssim`: structural similarity of images (`crates/core/src/image/ssim.rs`). */
import { need } from '../ops/convert.js';
import { runOp } from '../ops/run.js';
import type { Tensor } from '../tensor.js';
import { checkKeys, intOption, numberOption } from '../classic/common.js';
import { imageShapeWords } from './options.js';

export interface SsimArgs {
  /** The dynamic range of the pixels: 1 for `[0, 1]` images (default), 255 for bytes. */
  maxValue?: number;
  /** The side of the Gaussian window. Default 11 (Wang et al. 2004, `tf.image.ssim`). */
  windowSize?: number;
  /** The standard deviation of the Gaussian window in pixels. Default 1.5. */
  sigma?: number;
  /** C1 = (k1·maxValue)². Default 0.01. */
  k1?: number;
  /** C2 = (k2·maxValue)². Default 0.03. */
  k2?: number;
  /** `[height, width]` to read flat images `[h·w]` or `[n, h·w]` (as for {@link psnr}). */
  imageShape?: [number, number];
}

/**
 * The structural similarity index (Wang, Bovik, Sheikh & Simoncelli 2004) of grayscale
 * images, the mean of the local SSIM map computed with an 11 × 11 Gaussian window (σ = 1.5)
 * at every position where the window fits ("valid", no padding) — the definition of
 * `tf.image.ssim`, in f64. 1 for identical images, symmetric, below 1 otherwise. One image
 * `[h, w]` gives a scalar tensor, a batch `[n, h, w]` gives `[n]`. Images smaller than the
 * window are an error: pass a smaller `windowSize` (for MNIST's 28 × 28 the default fits).
 *
 * @example
 * ssim(clean, denoised).item();
 * ssim(x, y, { imageShape: [28, 28], windowSize: 7, sigma: 1 }); // [n, 784] → [n]
 */
export function ssim(a: Tensor, b: Tensor, args: SsimArgs = {}): Tensor {
  const o = checkKeys('ssim', args, ['maxValue', 'windowSize', 'sigma', 'k1', 'k2', 'imageShape']);
  const max = numberOption('ssim', 'maxValue', o.maxValue ?? 1, (v) => v > 0, 'a finite number > 0');
  const size = intOption('ssim', 'windowSize', o.windowSize ?? 11, 1);
  const sigma = numberOption('ssim', 'sigma', o.sigma ?? 1.5, (v) => v > 0, 'a finite number > 0');
  const k1 = numberOption('ssim', 'k1', o.k1 ?? 0.01, (v) => v > 0, 'a finite number > 0');
  const k2 = numberOption('ssim', 'k2', o.k2 ?? 0.03, (v) => v > 0, 'a finite number > 0');
  const [has, h, w] = imageShapeWords('ssim', o.imageShape);
  const ha = need('ssim', 'a', a);
  const hb = need('ssim', 'b', b);
  return runOp((e, out) => e.nr_ssim(ha, hb, max, size, sigma, k1, k2, has, h, w, out));
}
