/**
 * Internal: the image layouts shared by the image metrics (`imageShape`, channels last), and the
 * argument checks shared by the image ops computed in JS (crops, NMS, transforms).
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { f32String, show } from '../ops/convert.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tidy } from '../scope.js';
import { max, min } from '../ops/reduce.js';

/** The metrics that said their images exceed the default maxValue (once each). */
const rangeWarned = new Set<string>();

/**
 * @internal Warns once per metric when `maxValue` was left at its default, 1 (images in
 * [0, 1]), and the images reach above 2: 8-bit images (0–255) then score a meaningless value
 * (a negative PSNR) in silence. TF's `tf.image.psnr` has no default.
 */
export function checkDefaultRange(op: string, given: unknown, a: Tensor, b: Tensor): void {
  // Empty images have no range (and a maximum over nothing is an error).
  if (given !== undefined || rangeWarned.has(op) || a.size === 0) return;
  // The largest |value|, from two reductions (no full-size |x| tensor).
  const top = Math.max(...[a, b].map((t) => tidy(() => Math.max(max(t).dataSync()[0], -min(t).dataSync()[0]))));
  // A non-finite value is the metric's own error, which follows.
  if (!(top > 2) || top === Infinity) return;
  rangeWarned.add(op);
  const wrong = op === 'psnr' ? 'the score is wrong: a PSNR comes out negative' : "the score is off: SSIM's constants C1 and C2 follow maxValue, and flat regions are scored by them";
  console.warn(`${op}: the images reach ${f32String(top)} but maxValue is 1, the default for images in [0, 1]: for 8-bit images pass { maxValue: 255 } (${wrong})`);
}

/** @internal `imageShape` as `[has, h, w]` for the ABI. */
export function imageShapeWords(op: string, v: unknown): [number, number, number] {
  if (v === undefined) return [0, 0, 0];
  const ok = Array.isArray(v) && v.length === 2 && v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 2 ** 31 - 1);
  if (!ok) throw new InvalidArgumentError(`${op}: imageShape must be [height, width] with positive integers, got ${show(v)}`);
  return [1, v[0] as number, v[1] as number];
}

/**
 * @internal TensorFlow's positional `tf.image.psnr(a, b, max_val)` (and `ssim`'s): said with
 * the options form to write (it was "options must be an object, got 1").
 */
export function positionalMax(op: string, args: unknown): void {
  if (typeof args === 'number') throw new InvalidArgumentError(`${op}: options must be an object, got ${args}; TensorFlow's third argument max_val is the maxValue option here: ${op}(a, b, { maxValue: ${args} })`);
}

/**
 * @internal The layout of `a` and `b` (live tensors) when the metric must read them in TS:
 * `[n, h, w, c]` for a channels-last batch, checked as the core checks its own layouts (the
 * same messages, naming the caller's shape, and finite values). `null` when the core reads
 * them as they are: with `imageShape`, when the shapes differ (the core names both), and for
 * `[h, w]` and `[n, h, w]`. Any other rank is a `ShapeError` listing the layouts.
 */
export function channelsLast(op: string, a: Tensor, b: Tensor, imageShape: unknown): [number, number, number, number] | null {
  if (imageShape !== undefined || show(a.shape) !== show(b.shape) || a.rank === 2 || a.rank === 3) return null;
  if (a.rank !== 4) {
    throw new ShapeError(`${op}: images must be [height, width], [batch, height, width] or [batch, height, width, channels] (or flat with the imageShape option), got shape ${show(a.shape)}`);
  }
  const [n, h, w, c] = a.shape;
  if (h === 0 || w === 0 || c === 0) throw new ShapeError(`${op}: images are empty (${h} × ${w} × ${c}; shape ${show(a.shape)})`);
  for (const [name, t] of [['a', a], ['b', b]] as const) {
    const handle = t.handleFor(op, name);
    const at = call((e) => {
      check(e.nr_tensor_first_non_finite(handle, outPtr(0)));
      return readOut(0) === 1 ? readOut(1) : -1;
    });
    if (at >= 0) throw new InvalidArgumentError(`${op}: ${name} contains ${String(t.dataSync()[at])} at flat index ${at} (shape ${show(a.shape)})`);
  }
  return [n, h, w, c];
}

/** @internal `shape` as `[batch, height, width, channels]`, or the error for any other rank. */
export function batchOfImages(op: string, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) throw new InvalidArgumentError(`${op}: image must have rank 4 [batch, height, width, channels], got shape ${show(shape)}`);
  return shape as [number, number, number, number];
}

/**
 * @internal Refuses the first non-finite value of `data`, rows of `width` values: the error names
 * the row (`name(row)`), its values and the value, then `rule`.
 */
export function finiteRows(op: string, data: Float32Array, width: number, name: (row: number) => string, rule: string): void {
  const at = data.findIndex((v) => !Number.isFinite(v));
  if (at < 0) return;
  const r = Math.floor(at / width);
  throw new InvalidArgumentError(`${op}: ${name(r)} = [${Array.from(data.subarray(width * r, width * r + width), f32String)}] has ${f32String(data[at])}; ${rule}`);
}
