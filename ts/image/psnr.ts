/** `psnr`: peak signal-to-noise ratio of images (`crates/core/src/image/psnr.rs`). */
import { need } from '../ops/convert.js';
import { runOp } from '../ops/run.js';
import type { Tensor } from '../tensor.js';
import { checkKeys, numberOption } from '../classic/common.js';
import { imageShapeWords } from './options.js';

export interface PsnrArgs {
  /** The dynamic range of the pixels: 1 for `[0, 1]` images (default), 255 for bytes. */
  maxValue?: number;
  /**
   * `[height, width]` to read flat images: `a` and `b` are then `[h·w]` (one image) or
   * `[n, h·w]` (a batch, e.g. MNIST rows) instead of `[h, w]` / `[n, h, w]`.
   */
  imageShape?: [number, number];
}

/**
 * Peak signal-to-noise ratio in decibels, `10·log₁₀(maxValue² / MSE)`, with the mean squared
 * error over the pixels of each image (computed in f64). One image `[h, w]` gives a scalar
 * tensor; a batch `[n, h, w]` gives `[n]`, one value per image (average them yourself if you
 * want one number). Identical images give `Infinity` (as `tf.image.psnr`). `a` and `b` must
 * have the same shape (else a `ShapeError` naming both) and finite values.
 *
 * @example
 * psnr(clean, denoised).item();                              // [28, 28] images in [0, 1]
 * psnr(x, y, { imageShape: [28, 28] });                      // [n, 784] → [n]
 */
export function psnr(a: Tensor, b: Tensor, args: PsnrArgs = {}): Tensor {
  const o = checkKeys('psnr', args, ['maxValue', 'imageShape']);
  const max = numberOption('psnr', 'maxValue', o.maxValue ?? 1, (v) => v > 0, 'a finite number > 0');
  const [has, h, w] = imageShapeWords('psnr', o.imageShape);
  const ha = need('psnr', 'a', a);
  const hb = need('psnr', 'b', b);
  return runOp((e, out) => e.nr_psnr(ha, hb, max, has, h, w, out));
}
