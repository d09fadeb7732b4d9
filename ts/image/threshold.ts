/**
 * `image.threshold`: binarises an image at a fixed level or at Otsu's, as TF.js's
 * `tf.image.threshold`. Computed in JS on the values read out, replaying the float32 rounding
 * of each TF.js op it is composed of (the luma sum, the 256-bin histogram, Otsu's variances),
 * so the threshold and the pixels are TF.js's bits.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor3D } from '../tensor.js';
import { LUMA as RGB_LUMA } from './color.js';
import { boolArg, describe, f32String, fromFlat, show, withTensors, type TensorLike } from '../ops/convert.js';

const f32 = Math.fround;
/** TF.js's luma weights of red, green and blue (CCIR 601), as the float32 scalars its `mul` sees. */
const LUMA = RGB_LUMA.map(f32);

/**
 * A binary image from `image` (`[height, width, channels]`, 1 or 3 channels, values 0–255),
 * as TF.js `tf.image.threshold(image, method, inverted, threshValue)`.
 *
 * Three channels are first made gray, `0.2989·r + 0.587·g + 0.114·b` (TF.js's luma). A pixel
 * is 255 when its gray level is above the threshold and 0 otherwise (`inverted`: 255 at or
 * below it, 0 above; NaN gives 0 both ways). The threshold is `threshValue·255` with
 * `'binary'` (default; `threshValue` defaults to 0.5, a fraction of the range 0–255), or
 * Otsu's with `'otsu'`: the gray levels, rounded half to even, are counted into 256 bins
 * (levels above 255 are not counted) and the threshold is the bin index `t` that maximises
 * the between-class variance of bins `0..t` against `t+1..255`, the first on ties. A
 * constant image has no such `t`: the threshold is then −1 (every pixel 255, as TF.js).
 *
 * Returns `[height, width, 1]` (also for 3 channels, as TF.js, whose docs say `depth`) of 0
 * and 255, float32 (TF.js gives int32). A constant under `grad` (a step function, as the
 * comparisons): no gradient reaches `image` (TF.js 4.22 throws that its Greater has no
 * gradient function).
 *
 * Differences from TF.js 4.22: none in the result, but for Otsu on gray levels of 2^31 and
 * more, which are not counted (TF.js's int32 cast wraps them: 2^32 counts as level 0, and
 * levels in [2^31, 2^32) make it throw). `threshValue` must be a number, not NaN
 * (TF.js makes every pixel 0); in `'otsu'` mode a NaN or ±Infinity pixel throws (TF.js counts
 * it as level 0), and so does a level below 0, as in TF.js. The fourth argument is TF.js's
 * `threshValue`, ignored with `'otsu'`.
 *
 * @example image.threshold(gray)                          // 255 above 127.5, 0 elsewhere
 * @example image.threshold(photo, 'otsu', true)           // [h, w, 1]: dark regions 255
 * @throws {@link InvalidArgumentError} when `image` is not `[height, width, 1 or 3]`, `method`
 *   is not `'binary'` or `'otsu'`, `inverted` not a boolean, `threshValue` NaN or not a
 *   number, or (Otsu) a gray level is not finite or rounds below 0.
 */
export function threshold(image: TensorLike, method: 'binary' | 'otsu' = 'binary', inverted = false, threshValue = 0.5): Tensor3D {
  const op = 'threshold';
  return withTensors(op, { image }, (t) => {
    const s = t.image.shape;
    if (s.length !== 3 || (s[2] !== 1 && s[2] !== 3)) throw new InvalidArgumentError(`${op}: image must have shape [height, width, 1 or 3], got shape ${show(s)}`);
    if (method !== 'binary' && method !== 'otsu') throw new InvalidArgumentError(`${op}: method must be 'binary' or 'otsu', got ${show(method)}`);
    const inv = boolArg(op, 'inverted', inverted);
    if (typeof threshValue !== 'number' || Number.isNaN(threshValue)) throw new InvalidArgumentError(`${op}: threshValue must be a number (a fraction of 255), got ${describe(threshValue)}`);
    const [h, w, c] = s;
    const gray = grayLevels(t.image.size > 0 ? t.image.data() : new Float32Array(0), c);
    const level = method === 'otsu' ? otsu(op, gray, h * w, s) : f32(f32(threshValue) * 255);
    const out = new Float32Array(gray.length);
    for (let i = 0; i < gray.length; i++) {
      out[i] = (inv ? gray[i] <= level : gray[i] > level) ? 255 : 0;
    }
    return fromFlat(op, out, [h, w, 1]);
  });
}

/** The gray level of each pixel: the value itself, or TF.js's luma, each product and sum rounded to float32. */
function grayLevels(v: Float32Array, c: number): Float32Array {
  if (c === 1) return v;
  const g = new Float32Array(v.length / 3);
  for (let i = 0; i < g.length; i++) {
    g[i] = f32(f32(f32(v[3 * i] * LUMA[0]) + f32(v[3 * i + 1] * LUMA[1])) + f32(v[3 * i + 2] * LUMA[2]));
  }
  return g;
}

/** TF.js's `round`: half to even. */
function roundHalfEven(x: number): number {
  const base = Math.floor(x);
  if (x - base < 0.5) return base;
  if (x - base > 0.5) return Math.ceil(x);
  return base % 2 === 0 ? base : base + 1;
}

/**
 * Otsu's threshold as TF.js computes it: a float32 histogram (its `bincount` with float32
 * weights), then for each split `t` in 0..254 the class weights, means and
 * `wF·wB·(μF − μB)²`, each op rounded to float32 as its tensor ops round; a sum runs in f64
 * and is rounded once (TF.js's CPU `sum`). The first `t` with the largest variance wins; −1 if
 * none is above 0 (a variance of NaN, from an empty class, never wins).
 */
function otsu(op: string, gray: Float32Array, total: number, shape: readonly number[]): number {
  const hist = new Float32Array(256);
  for (let i = 0; i < gray.length; i++) {
    const g = gray[i];
    const level = Number.isFinite(g) ? roundHalfEven(g) : NaN;
    if (!(level >= 0)) {
      const at = `[${Math.floor(i / shape[1])}, ${i % shape[1]}]`;
      throw new InvalidArgumentError(`${op}: 'otsu' needs gray levels that are finite and round to 0 or more, got ${f32String(g)} at pixel ${at} (image shape ${show(shape)})`);
    }
    if (level < 256) hist[level] += 1;
  }
  const n = f32(total);
  let best = -1;
  let bestVar = 0;
  for (let t = 0; t < 255; t++) {
    let s1 = 0;
    let a = 0;
    for (let i = 0; i <= t; i++) {
      s1 += hist[i];
      a += f32(hist[i] * i);
    }
    let s2 = 0;
    let b = 0;
    for (let i = t + 1; i < 256; i++) {
      s2 += hist[i];
      b += f32(hist[i] * i);
    }
    s1 = f32(s1);
    s2 = f32(s2);
    const wF = f32(s1 / n);
    const wB = f32(s2 / n);
    const meanF = f32(f32(a) / s1);
    const meanB = f32(f32(b) / s2);
    const d = f32(meanF - meanB);
    const v = f32(f32(f32(wF * wB) * d) * d);
    if (v > bestVar) {
      bestVar = v;
      best = t;
    }
  }
  return best;
}
