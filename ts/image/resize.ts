/**
 * Resizing images, as TF.js's `tf.image.resizeBilinear` and `tf.image.resizeNearestNeighbor`
 * (channels last). The `upSampling2d` layer runs the same kernels and backward rules
 * (`crates/core/src/ops/resize.rs`).
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { boolArg, checkSize, intArg, show, withTensors, type TensorLike } from '../ops/convert.js';
import { runOp } from '../ops/run.js';

/** `images` may be any TensorLike (nested arrays, as TF.js), a temporary tensor freed after the op. */
function resize(op: 'resizeBilinear' | 'resizeNearestNeighbor', images: TensorLike, size: [number, number], alignCorners: unknown, halfPixelCenters: unknown): Tensor {
  return withTensors(op, { images }, ({ images }) => {
    const h = images.handleFor(op, 'images');
    if (!Array.isArray(size) || size.length !== 2) {
      throw new InvalidArgumentError(`${op}: size must be [newHeight, newWidth], got ${show(size)}`);
    }
    const [nh, nw] = size.map((v, i) => intArg(op, `size[${i}]`, v, 0));
    const ac = boolArg(op, 'alignCorners', alignCorners);
    const hp = boolArg(op, 'halfPixelCenters', halfPixelCenters);
    if (images.rank >= 3) {
      const out = [...images.shape.slice(0, -3), nh, nw, images.shape[images.rank - 1]];
      checkSize(op, `the output [${out}] (images ${show(images.shape)} to size [${nh}, ${nw}])`, out.reduce((a, b) => a * b, 1));
    }
    return runOp((e, out) => e.nr_resize(h, nh, nw, op === 'resizeBilinear' ? 1 : 0, ac ? 1 : 0, hp ? 1 : 0, out));
  });
}

/**
 * Resizes `images` (`[batch, height, width, channels]`, or one image `[height, width,
 * channels]`) to `size` = `[newHeight, newWidth]` by bilinear interpolation, as TF.js
 * `tf.image.resizeBilinear` (the same bits: computed in f64 as its CPU kernel).
 * `alignCorners` maps the corner pixels onto each other (scale `(h − 1)/(newH − 1)`);
 * `halfPixelCenters` samples at pixel centres, as OpenCV's `INTER_LINEAR` and Keras 3's
 * `resize` do. They cannot both be true. Differentiable with respect to `images` (for every
 * option, unlike TF.js 4.22, whose gradient ignores `halfPixelCenters` and fails on images that
 * are not square).
 *
 * @example image.resizeBilinear(images, [14, 14])                  // 28×28 → 14×14
 * @example image.resizeBilinear(photo, [224, 224], false, true)    // half-pixel centres
 */
export function resizeBilinear<T extends Tensor = Tensor>(images: T | TensorLike, size: [number, number], alignCorners = false, halfPixelCenters = false): T {
  return resize('resizeBilinear', images, size, alignCorners, halfPixelCenters) as T;
}

/**
 * Resizes `images` (`[batch, height, width, channels]` or `[height, width, channels]`) to
 * `size` = `[newHeight, newWidth]` by copying the nearest pixel, as TF.js
 * `tf.image.resizeNearestNeighbor` (its sources: `⌊scale·o⌋`, rounded with `alignCorners`, at
 * `scale·(o + ½)` with `halfPixelCenters`). Differentiable: the gradient of a pixel sums `dy`
 * over its copies.
 *
 * @example image.resizeNearestNeighbor(mask, [56, 56])   // 28×28 → 56×56, each pixel 2×2 times
 */
export function resizeNearestNeighbor<T extends Tensor = Tensor>(images: T | TensorLike, size: [number, number], alignCorners = false, halfPixelCenters = false): T {
  return resize('resizeNearestNeighbor', images, size, alignCorners, halfPixelCenters) as T;
}
