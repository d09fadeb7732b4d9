/**
 * Geometric image transforms, as TF.js's `tf.image.transform` (a projective transform per
 * image, with TensorFlow's fill modes) and `tf.image.rotateWithOffset`. Computed in JS on the
 * values read out, operation for operation as TF.js's CPU kernels (f64 coordinates and
 * interpolation on the float32 pixels, one rounding to float32 per output value), so the bits
 * are TF.js's.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor4D } from '../tensor.js';
import { checkSize, describe, fromFlat, intArg, numberArg, show, withTensors, type TensorLike } from '../ops/convert.js';
import { batchOfImages, finiteRows } from './options.js';
import { withoutGradient } from '../autodiff.js';

type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';
const FILL_MODES: readonly string[] = ['constant', 'reflect', 'wrap', 'nearest'];

/**
 * Applies a projective transform to each image of `image`, as TF.js
 * `tf.image.transform(image, transforms, interpolation, fillMode, fillValue, outputShape)`.
 *
 * # Shapes
 * `image [batch, height, width, channels]`, `transforms [batch, 8]` or `[1, 8]` (one for
 * every image) → `[batch, outHeight, outWidth, channels]`, `outputShape = [outHeight,
 * outWidth]` (default: the image's).
 *
 * A row `[a0, a1, a2, b0, b1, b2, c0, c1]` maps each output pixel `(x, y)` to the input point
 * `((a0·x + a1·y + a2)/k, (b0·x + b1·y + b2)/k)`, `k = c0·x + c1·y + 1` (the inverse of the
 * transform that moves the image; `[1, 0, tx, 0, 1, ty, 0, 0]` shifts it by `(−tx, −ty)`).
 * The point is read with `'nearest'` (default; `Math.round`) or `'bilinear'` interpolation.
 * Points outside the image follow `fillMode`: `'constant'` (default) reads `fillValue` there
 * (`k k | a b c d | k k`), `'reflect'` mirrors about the edge (`d c b a | a b c d | d c b a`),
 * `'wrap'` tiles (`a b c d | a b c d`), `'nearest'` repeats the edge pixel (`a a | a b c d |
 * d d`). A pixel with `k = 0` is `fillValue` in every mode. The coordinate mappings are
 * TensorFlow's, quirk included: `'wrap'` is exact up to about one image past an edge; farther
 * out its formula (which divides by `len − 1`) lands off the period and is clamped to the edge
 * (a row `[1, 2, 3, 4]` shifted by 6 wraps to `[1, 1, 1, 1]`, not `[3, 4, 1, 2]`), as in TF.js
 * and TensorFlow.
 *
 * A gradient through the result is an error naming transform, as TF.js 4.22 throws for
 * Transform (it has no gradient for it); on a constant image inside `grad` it runs as usual.
 *
 * Differences from TF.js 4.22: every image is transformed (TF.js's CPU kernel returns after
 * the first, leaving images 1… filled with `fillValue`); a rank-1 `transforms` of 8 values is
 * taken as `[1, 8]` (TF.js's docs allow it, its check refuses it); an unknown `fillMode`
 * throws (TF.js reads it as `'constant'`), and so do transform values that are NaN or
 * ±Infinity.
 *
 * @example image.transform(img, [[1, 0, 2, 0, 1, 0, 0, 0]])                    // content moves 2 pixels left
 * @example image.transform(img, [[0.5, 0, 0, 0, 0.5, 0, 0, 0]], 'bilinear', 'reflect', 0, [64, 64])
 * @throws {@link InvalidArgumentError} when `image` is not rank 4, `transforms` not `[batch,
 *   8]`, `[1, 8]` or `[8]` of finite numbers, `interpolation` or `fillMode` not one of theirs,
 *   `fillValue` not a number, or `outputShape` not two integers ≥ 0; `OutOfMemoryError` when
 *   the output would hold more than `MAX_ELEMENTS` values.
 */
export function transform(
  image: TensorLike,
  transforms: TensorLike,
  interpolation: 'nearest' | 'bilinear' = 'nearest',
  fillMode: FillMode = 'constant',
  fillValue = 0,
  outputShape?: [number, number],
): Tensor4D {
  const op = 'transform';
  return withTensors(op, { image, transforms }, (t) => {
    const s = t.image.shape;
    const [batch, h, w, c] = batchOfImages(op, s);
    const ts = t.transforms.shape;
    const rows = ts.length === 1 ? 1 : ts[0];
    if (!((ts.length === 1 && ts[0] === 8) || (ts.length === 2 && ts[1] === 8 && (rows === 1 || rows === batch)))) {
      throw new InvalidArgumentError(`${op}: transforms must have shape [${batch}, 8] (one row [a0, a1, a2, b0, b1, b2, c0, c1] per image), [1, 8] or [8] (one for all), got shape ${show(ts)} (image shape ${show(s)})`);
    }
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw new InvalidArgumentError(`${op}: interpolation must be 'nearest' or 'bilinear', got ${show(interpolation)}`);
    if (!FILL_MODES.includes(fillMode)) throw new InvalidArgumentError(`${op}: fillMode must be 'constant', 'reflect', 'wrap' or 'nearest', got ${show(fillMode)}`);
    const fill = numberArg(op, 'fillValue', fillValue);
    let oh = h;
    let ow = w;
    if (outputShape !== undefined && outputShape !== null) {
      if (!Array.isArray(outputShape) || outputShape.length !== 2) throw new InvalidArgumentError(`${op}: outputShape must be [height, width] (or undefined: the image's), got ${show(outputShape)}`);
      oh = intArg(op, 'outputShape[0]', outputShape[0], 0);
      ow = intArg(op, 'outputShape[1]', outputShape[1], 0);
    }
    checkSize(op, `the output [${batch}, ${oh}, ${ow}, ${c}]`, batch * oh * ow * c);
    const m = t.transforms.data();
    finiteRows(op, m, 8, (r) => `transforms row ${r}`, 'transform values must be finite');
    const img = t.image.size > 0 ? t.image.data() : new Float32Array(0);
    const out = new Float32Array(batch * oh * ow * c).fill(fill);
    // No values to write (no channels): the loops would only walk the output positions.
    if (out.length === 0) return withoutGradient(op, [t.image, t.transforms], fromFlat(op, out, [batch, oh, ow, c]));
    const read = interpolation === 'nearest' ? nearest : bilinear;
    const inB = h * w * c;
    for (let b = 0; b < batch; b++) {
      const r = rows === 1 ? 0 : 8 * b;
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          const projection = m[r + 6] * x + m[r + 7] * y + 1;
          // Infinite coordinates: outside the image, the fill value (already there).
          if (projection === 0) continue;
          const inX = (m[r] * x + m[r + 1] * y + m[r + 2]) / projection;
          const inY = (m[r + 3] * x + m[r + 4] * y + m[r + 5]) / projection;
          const px = mapCoord(inX, w, fillMode);
          const py = mapCoord(inY, h, fillMode);
          const o = ((b * oh + y) * ow + x) * c;
          for (let k = 0; k < c; k++) out[o + k] = read(img, h, w, c, b * inB + k, py, px, fill);
        }
      }
    }
    return withoutGradient(op, [t.image, t.transforms], fromFlat(op, out, [batch, oh, ow, c]));
  });
}

/** TF.js's `util.clamp(min, x, max)`. */
const clamp = (min: number, x: number, max: number): number => Math.max(min, Math.min(x, max));

/** An input coordinate for `fillMode`, as TF.js's `mapCoord` (TensorFlow's `image_ops.h`). */
function mapCoord(v: number, len: number, mode: FillMode): number {
  switch (mode) {
    case 'reflect': {
      // [abcd] → [dcba|abcd|dcba]
      let inCoord = v;
      if (inCoord < 0) {
        if (len <= 1) inCoord = 0;
        else {
          const sz2 = 2 * len;
          if (inCoord < sz2) inCoord = sz2 * Math.trunc(-inCoord / sz2) + inCoord;
          inCoord = inCoord < -len ? inCoord + sz2 : -inCoord - 1;
        }
      } else if (inCoord > len - 1) {
        if (len <= 1) inCoord = 0;
        else {
          const sz2 = 2 * len;
          inCoord -= sz2 * Math.trunc(inCoord / sz2);
          if (inCoord >= len) inCoord = sz2 - inCoord - 1;
        }
      }
      // 3.5 in a row of 4 would round to 4 in nearest interpolation.
      return clamp(0, inCoord, len - 1);
    }
    case 'wrap': {
      // [abcd] → [abcd|abcd|abcd]
      let inCoord = v;
      if (inCoord < 0) {
        if (len <= 1) inCoord = 0;
        else inCoord += len * (Math.trunc(-inCoord / (len - 1)) + 1);
      } else if (inCoord > len - 1) {
        if (len <= 1) inCoord = 0;
        else inCoord -= len * Math.trunc(inCoord / (len - 1));
      }
      return clamp(0, inCoord, len - 1);
    }
    case 'nearest':
      return clamp(0, v, len - 1);
    default:
      return v;
  }
}

/** The pixel at row `y`, column `x` of the image at `offset` (its batch and channel), or `fill` outside it. */
function at(img: Float32Array, h: number, w: number, c: number, offset: number, y: number, x: number, fill: number): number {
  return y >= 0 && y < h && x >= 0 && x < w ? img[offset + (y * w + x) * c] : fill;
}

function nearest(img: Float32Array, h: number, w: number, c: number, offset: number, y: number, x: number, fill: number): number {
  return at(img, h, w, c, offset, Math.round(y), Math.round(x), fill);
}

function bilinear(img: Float32Array, h: number, w: number, c: number, offset: number, y: number, x: number, fill: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const y1 = y0 + 1;
  const x1 = x0 + 1;
  const top = (x1 - x) * at(img, h, w, c, offset, y0, x0, fill) + (x - x0) * at(img, h, w, c, offset, y0, x1, fill);
  const bottom = (x1 - x) * at(img, h, w, c, offset, y1, x0, fill) + (x - x0) * at(img, h, w, c, offset, y1, x1, fill);
  return (y1 - y) * top + (y - y0) * bottom;
}

/**
 * Rotates each image of `image` (`[batch, height, width, channels]`) counter-clockwise by
 * `radians` about `center`, as TF.js `tf.image.rotateWithOffset(image, radians, fillValue,
 * center)`.
 *
 * Output pixel `(x, y)` copies the input pixel nearest to `(x, y)` rotated by `radians` about
 * `(cx, cy)` = `center·[width, height]` (`Math.round` of each coordinate; `center` 0.5, the
 * default, or `[cx, cy]` as fractions of the width and height). In pixel indices that centre
 * is `(w/2, h/2)`, half a pixel right of and below the middle of the grid, `((w − 1)/2,
 * (h − 1)/2)`: a half turn of an even-sized image also moves it one pixel down and right, as
 * in TF.js. Pixels that come from outside the image are `fillValue`: a number (default 0), or
 * `[r, g, b]` for channels 0–2, the fourth channel (alpha) then being 255, as TF.js. Same
 * shape as `image`.
 *
 * A gradient through the result is an error naming rotateWithOffset, as TF.js 4.22 throws
 * for RotateWithOffset (it has no gradient for it).
 *
 * Differences from TF.js 4.22: none in the result. `radians` and `center` must be finite
 * (TF.js fills the whole image for a NaN angle); a `[r, g, b]` `fillValue` needs 4 channels
 * at most (TF.js fills channels past the fourth with NaN).
 *
 * @example image.rotateWithOffset(batch, Math.PI / 2)                        // a quarter turn
 * @example image.rotateWithOffset(rgba, 0.3, [255, 255, 255], [0, 0])       // about the top-left corner, white
 * @throws {@link InvalidArgumentError} when `image` is not rank 4, `radians` is not a finite
 *   number, `fillValue` not a number or `[r, g, b]` (with at most 4 channels), or `center` not
 *   a finite number or `[cx, cy]` of them.
 */
export function rotateWithOffset(image: TensorLike, radians: number, fillValue: number | [number, number, number] = 0, center: number | [number, number] = 0.5): Tensor4D {
  const op = 'rotateWithOffset';
  return withTensors(op, { image }, (t) => {
    const s = t.image.shape;
    const [batch, h, w, c] = batchOfImages(op, s);
    const angle = numberArg(op, 'radians', radians, true);
    const fills = fillOf(op, fillValue, c, s);
    let fx: number;
    let fy: number;
    if (typeof center === 'number' && Number.isFinite(center)) fx = fy = center;
    else if (Array.isArray(center) && center.length === 2 && center.every((v) => typeof v === 'number' && Number.isFinite(v))) [fx, fy] = center;
    else throw new InvalidArgumentError(`${op}: center must be a finite number or [centerX, centerY] of them (fractions of the width and height), got ${show(center)}`);
    const cx = w * fx;
    const cy = h * fy;
    const sin = Math.sin(angle);
    const cos = Math.cos(angle);
    const img = t.image.size > 0 ? t.image.data() : new Float32Array(0);
    const out = new Float32Array(img.length);
    for (let b = 0; b < batch; b++) {
      const base = b * h * w * c;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          // The source: (x, y) rotated about the centre, rounded to a pixel.
          const sx = Math.round((x - cx) * cos - (y - cy) * sin + cx);
          const sy = Math.round((x - cx) * sin + (y - cy) * cos + cy);
          const inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
          const o = base + (y * w + x) * c;
          const src = base + (sy * w + sx) * c;
          for (let k = 0; k < c; k++) out[o + k] = inside ? img[src + k] : fills[k];
        }
      }
    }
    return withoutGradient(op, [t.image], fromFlat(op, out, s));
  });
}

/** The fill value of each channel: one number for all, or TF.js's `[r, g, b]` with alpha 255. */
function fillOf(op: string, v: unknown, c: number, shape: readonly number[]): number[] {
  if (typeof v === 'number') return new Array<number>(c).fill(v);
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) {
    if (c > 4) throw new InvalidArgumentError(`${op}: a fillValue [r, g, b] fills at most 4 channels (RGBA), image has ${c} (shape ${show(shape)}); pass one number`);
    return [v[0], v[1], v[2], 255].slice(0, c);
  }
  throw new InvalidArgumentError(`${op}: fillValue must be a number or [r, g, b], got ${describe(v)}${Array.isArray(v) ? ` ${show(v)}` : ''}`);
}
