/**
 * TF.js's `tf.image` colour and orientation helpers, built from differentiable ops: `reverse`,
 * `tile`, `mul` and `sum` (their kernels and backward rules). `image` may be any TensorLike
 * (nested arrays, as TF.js), a temporary tensor freed after the op.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor, Tensor4D } from '../tensor.js';
import { show, withTensors, type TensorLike } from '../ops/convert.js';
import { reverse } from '../ops/slicing.js';
import { tile } from '../ops/joining.js';
import { mul } from '../ops/binary.js';
import { sum } from '../ops/reduce.js';
import { tensor1d } from '../ops/creation.js';
import { tidy } from '../scope.js';

/** @internal TF.js's luma weights of red, green and blue (ITU-R BT.601); `threshold` uses them too. */
export const LUMA: readonly number[] = [0.2989, 0.587, 0.114];

function channels(op: string, image: Tensor, want: number): void {
  if (image.rank < 2 || image.shape[image.rank - 1] !== want) {
    throw new InvalidArgumentError(`${op}: image must have rank 2 or more and ${want} channel${want === 1 ? '' : 's'} in its last axis, got shape ${show(image.shape)}`);
  }
}

/**
 * Mirrors each image of `image` (`[batch, height, width, channels]`) left to right, as TF.js
 * `tf.image.flipLeftRight` (a data-augmentation staple). Differentiable.
 *
 * @example image.flipLeftRight(batch)   // column j of each image becomes column w − 1 − j
 */
export function flipLeftRight(image: TensorLike): Tensor4D {
  return withTensors('flipLeftRight', { image }, ({ image }) => {
    if (image.rank !== 4) {
      throw new InvalidArgumentError(`flipLeftRight: image must have rank 4 [batch, height, width, channels] (as TF.js), got shape ${show(image.shape)}`);
    }
    return reverse(image, 2);
  });
}

/**
 * Grayscale from RGB, as TF.js `tf.image.rgbToGrayscale`: `0.2989·r + 0.587·g + 0.114·b` over
 * the last axis (size 3), kept as an axis of size 1 (`[…, 3]` → `[…, 1]`). Differentiable.
 *
 * @example image.rgbToGrayscale(photos)   // [n, h, w, 3] → [n, h, w, 1]
 */
export function rgbToGrayscale<T extends Tensor = Tensor>(image: T | TensorLike): T {
  return withTensors('rgbToGrayscale', { image }, ({ image }) => {
    channels('rgbToGrayscale', image, 3);
    return tidy(() => sum(mul(image, tensor1d(LUMA)), -1, true));
  }) as T;
}

/**
 * RGB from grayscale, as TF.js `tf.image.grayscaleToRGB`: the one channel copied three times
 * (`[…, 1]` → `[…, 3]`). Differentiable (the gradient sums the three copies).
 *
 * @example image.grayscaleToRGB(digits)   // [n, 28, 28, 1] → [n, 28, 28, 3]
 */
export function grayscaleToRGB<T extends Tensor = Tensor>(image: T | TensorLike): T {
  return withTensors('grayscaleToRGB', { image }, ({ image }) => {
    channels('grayscaleToRGB', image, 1);
    return tile(image, [...image.shape.map(() => 1).slice(1), 3]);
  }) as T;
}
