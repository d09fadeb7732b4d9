/**
 * `image.cropAndResize`: crops boxes out of a batch of images and resizes each to one size, as
 * TF.js's `tf.image.cropAndResize` (the region-of-interest step of two-stage detectors).
 * Computed in JS on the values read out, as TF.js's CPU kernel computes it (f64 arithmetic on
 * the float32 values, rounded to float32 once at the end), so the bits are TF.js's.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor4D } from '../tensor.js';
import { checkSize, EXACT_INT, exactInts, f32String, fromFlat, intArg, numberArg, show, withTensors, type TensorLike } from '../ops/convert.js';
import { batchOfImages, finiteRows } from './options.js';
import { withoutGradient } from '../autodiff.js';

/**
 * Crops `boxes` out of `image` and resizes each crop to `cropSize`, as TF.js
 * `tf.image.cropAndResize(image, boxes, boxInd, cropSize, method, extrapolationValue)`.
 *
 * # Shapes
 * `image [batch, height, width, channels]`, `boxes [numBoxes, 4]`, `boxInd [numBoxes]` →
 * `[numBoxes, cropHeight, cropWidth, channels]`.
 *
 * Box `i` is `[y1, x1, y2, x2]` in normalised coordinates (0 is the first row or column, 1 the
 * last) of image `boxInd[i]`. Output row `y` samples the image at row `y1·(h − 1) + y·(y2 −
 * y1)·(h − 1)/(cropHeight − 1)`, so `y1 > y2` flips the crop upside down (and `x1 > x2` left to
 * right); a `cropHeight` (or `cropWidth`) of 1 samples the box's centre, `(y1 + y2)/2·(h − 1)`.
 * A sample outside the image (a box reaching past `[0, 1]`) is `extrapolationValue`.
 * `'bilinear'` (the default) interpolates the four pixels around a sample, `'nearest'` takes
 * the nearest one (`Math.round`: halves go down-right, as TF.js).
 *
 * `boxInd` holds float32 integers here (TF.js takes int32), each an image index in
 * `[0, batch)`. A gradient through the crops (to `image` or `boxes`) is an error naming
 * cropAndResize, as TF.js 4.22 throws for CropAndResize (it has no gradient for it); on a
 * constant image inside `grad` the op runs as usual.
 *
 * Differences from TF.js 4.22: none in the values. Where TF.js reads outside the image or
 * writes zeros, neurite throws: a `boxInd` entry that is not an integer in `[0, batch)` (TF.js
 * truncates fractions, leaves the crop of an index ≥ batch at 0 and reads NaN for a negative
 * one), a box coordinate that is NaN or ±Infinity (TF.js gives NaN pixels), an image with no
 * rows or columns.
 *
 * @example
 * const crops = image.cropAndResize(photos, [[0.1, 0.2, 0.6, 0.7], [1, 0, 0, 1]], [0, 2], [32, 32]);
 * // [2, 32, 32, c]: a region of image 0, and image 2 upside down
 * @example image.cropAndResize(img, [[-0.5, -0.5, 1.5, 1.5]], [0], [4, 4], 'nearest', -1)   // -1 outside
 * @throws {@link InvalidArgumentError} when `image` is not rank 4 with rows and columns,
 *   `boxes` not `[numBoxes, 4]` of finite numbers, `boxInd` not `[numBoxes]` of image indices,
 *   `cropSize` not two integers ≥ 1, `method` not `'bilinear'` or `'nearest'`, or
 *   `extrapolationValue` not a number; `OutOfMemoryError` when the crops would hold more than
 *   `MAX_ELEMENTS` values.
 */
export function cropAndResize(
  image: TensorLike,
  boxes: TensorLike,
  boxInd: TensorLike,
  cropSize: [number, number],
  method: 'bilinear' | 'nearest' = 'bilinear',
  extrapolationValue = 0,
): Tensor4D {
  const op = 'cropAndResize';
  exactInts(op, 'boxInd', boxInd);
  return withTensors(op, { image, boxes, boxInd }, (t) => {
    const is = t.image.shape;
    const bs = t.boxes.shape;
    const [batch, h, w, c] = batchOfImages(op, is);
    if (h === 0 || w === 0) throw new InvalidArgumentError(`${op}: image has no ${h === 0 ? 'rows' : 'columns'} (shape ${show(is)}); it needs height and width ≥ 1`);
    if (bs.length !== 2 || bs[1] !== 4) throw new InvalidArgumentError(`${op}: boxes must have shape [numBoxes, 4] (rows [y1, x1, y2, x2]), got shape ${show(bs)}`);
    const n = bs[0];
    const ks = t.boxInd.shape;
    if (ks.length !== 1 || ks[0] !== n) throw new InvalidArgumentError(`${op}: boxInd must have shape [${n}] (one image index per box; boxes shape ${show(bs)}), got shape ${show(ks)}`);
    if (!Array.isArray(cropSize) || cropSize.length !== 2) throw new InvalidArgumentError(`${op}: cropSize must be [cropHeight, cropWidth], got ${show(cropSize)}`);
    const ch = intArg(op, 'cropSize[0]', cropSize[0], 1);
    const cw = intArg(op, 'cropSize[1]', cropSize[1], 1);
    if (method !== 'bilinear' && method !== 'nearest') throw new InvalidArgumentError(`${op}: method must be 'bilinear' or 'nearest', got ${show(method)}`);
    const fill = numberArg(op, 'extrapolationValue', extrapolationValue);
    checkSize(op, `the crops [${n}, ${ch}, ${cw}, ${c}]`, n * ch * cw * c);

    const box = t.boxes.data();
    finiteRows(op, box, 4, (i) => `boxes[${i}]`, 'box coordinates must be finite');
    // Past 2^24 + 1 images an index past 2^24 could be in range, but float32 holds it rounded.
    if (batch > EXACT_INT + 1) exactInts(op, 'boxInd', t.boxInd, true);
    const ind = t.boxInd.data();
    for (let i = 0; i < n; i++) {
      const b = ind[i];
      if (!Number.isInteger(b) || b < 0 || b >= batch) {
        throw new InvalidArgumentError(`${op}: boxInd[${i}] = ${f32String(b)} is not an image index: it must be an integer in [0, ${batch}) (image shape ${show(is)})`);
      }
    }
    const img = n > 0 ? t.image.data() : new Float32Array(0);
    return withoutGradient(op, [t.image, t.boxes], fromFlat(op, crop(img, is, box, ind, ch, cw, method === 'bilinear', fill), [n, ch, cw, c]));
  });
}

/**
 * TF.js's CPU kernel (tfjs-backend-cpu `CropAndResize.ts`, after TensorFlow's
 * `crop_and_resize_op.cc`), operation for operation: the sample positions, the interpolation
 * and the bounds tests run in f64 on the float32 inputs; only the stores round to float32.
 */
function crop(img: Float32Array, shape: readonly number[], box: Float32Array, ind: Float32Array, ch: number, cw: number, bilinear: boolean, fill: number): Float32Array {
  const [, h, w, c] = shape;
  const n = ind.length;
  const out = new Float32Array(n * ch * cw * c);
  // No values to write (no channels, boxes or crop rows): the loops would only walk positions.
  if (out.length === 0) return out;
  // Strides of image [batch, h, w, c] and of the crops [n, ch, cw, c].
  const inB = h * w * c;
  const inY = w * c;
  const outB = ch * cw * c;
  const outY = cw * c;
  for (let b = 0; b < n; b++) {
    const y1 = box[4 * b];
    const x1 = box[4 * b + 1];
    const y2 = box[4 * b + 2];
    const x2 = box[4 * b + 3];
    const base = ind[b] * inB;
    const heightScale = ch > 1 ? ((y2 - y1) * (h - 1)) / (ch - 1) : 0;
    const widthScale = cw > 1 ? ((x2 - x1) * (w - 1)) / (cw - 1) : 0;
    for (let y = 0; y < ch; y++) {
      const yInd = ch > 1 ? y1 * (h - 1) + y * heightScale : 0.5 * (y1 + y2) * (h - 1);
      const row = b * outB + y * outY;
      if (yInd < 0 || yInd > h - 1) {
        out.fill(fill, row, row + outY);
        continue;
      }
      const top = Math.floor(yInd);
      const bottom = Math.ceil(yInd);
      const yLerp = yInd - top;
      const closestY = Math.round(yInd);
      for (let x = 0; x < cw; x++) {
        const xInd = cw > 1 ? x1 * (w - 1) + x * widthScale : 0.5 * (x1 + x2) * (w - 1);
        const o = row + x * c;
        if (xInd < 0 || xInd > w - 1) {
          out.fill(fill, o, o + c);
          continue;
        }
        if (bilinear) {
          const left = Math.floor(xInd);
          const right = Math.ceil(xInd);
          const xLerp = xInd - left;
          for (let k = 0; k < c; k++) {
            const topLeft = img[base + top * inY + left * c + k];
            const topRight = img[base + top * inY + right * c + k];
            const bottomLeft = img[base + bottom * inY + left * c + k];
            const bottomRight = img[base + bottom * inY + right * c + k];
            const t = topLeft + (topRight - topLeft) * xLerp;
            const u = bottomLeft + (bottomRight - bottomLeft) * xLerp;
            out[o + k] = t + (u - t) * yLerp;
          }
        } else {
          const src = base + closestY * inY + Math.round(xInd) * c;
          for (let k = 0; k < c; k++) out[o + k] = img[src + k];
        }
      }
    }
  }
  return out;
}
