/**
 * Images in and out of tensors, as TF.js's `tf.browser`: `fromPixels` reads an image, a video
 * frame, a canvas, an `ImageBitmap`, an `ImageData` or `{ data, width, height }` RGBA bytes into
 * a `[height, width, channels]` tensor; `toPixels` turns a tensor into RGBA bytes and can draw
 * them on a canvas. `ImageData` and `{ data, width, height }` work everywhere (Node and Deno
 * included); the other sources need a DOM or `OffscreenCanvas`.
 */
import { InvalidArgumentError } from '../errors.js';
import { isA } from '../runtime.js';
import { Tensor, type Tensor3D } from '../tensor.js';
import { attachedArg, describe, intArg, show, withTensors, type TensorLike } from '../ops/convert.js';
import { tensor } from '../ops/creation.js';
import type { WebImageBitmap, WebImageData, WebOffscreenCanvas } from '../web-types.js';

/** RGBA bytes, 4 per pixel, row by row (TF.js's `PixelData`; `ImageData` is one). */
export interface PixelData {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * An image element, a video element or a canvas: anything with a size that a 2-D canvas
 * context can draw (typed by shape, so that the declarations need no DOM element types: Deno
 * has none).
 */
export interface DrawableImage {
  readonly width: number;
  readonly height: number;
}

/** What {@link fromPixels} reads: RGBA bytes, or anything a 2-D canvas context can draw. */
export type PixelSource = PixelData | WebImageData | WebImageBitmap | WebOffscreenCanvas | DrawableImage;

/** A canvas to draw on: `<canvas>` or `OffscreenCanvas`. */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(contextId: '2d'): unknown;
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A 2-D context to draw images on and read their bytes back (made once, on first use). */
let scratch: Context2D | null = null;

function scratchContext(op: string): Context2D {
  if (scratch) return scratch;
  let ctx: Context2D | null = null;
  try {
    // Deno has OffscreenCanvas without a 2-D context (null).
    if (typeof OffscreenCanvas !== 'undefined') ctx = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
    if (!ctx && typeof document !== 'undefined') ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  } catch {
    ctx = null;
  }
  if (!ctx) throw new InvalidArgumentError(`${op}: this runtime has no 2-D canvas (no OffscreenCanvas or document) to read the image with; pass an ImageData or { data, width, height } RGBA bytes instead`);
  return (scratch = ctx);
}

/** The RGBA bytes and size of `pixels`. */
function rgbaOf(op: string, pixels: unknown): PixelData {
  if (pixels === null || typeof pixels !== 'object') {
    throw new InvalidArgumentError(`${op}: pixels must be an ImageData, { data, width, height } RGBA bytes, an image, a video, a canvas or an ImageBitmap, got ${describe(pixels)}`);
  }
  const p = pixels as Record<string, unknown>;
  if (p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray) {
    attachedArg(op, 'pixels.data', p.data);
    const width = intArg(op, 'pixels.width', p.width, 0);
    const height = intArg(op, 'pixels.height', p.height, 0);
    if (p.data.length !== width * height * 4) {
      throw new InvalidArgumentError(`${op}: pixels.data has ${p.data.length} bytes but a ${width}x${height} RGBA image has ${width * height * 4} (4 per pixel)`);
    }
    return { width, height, data: p.data };
  }
  const video = isA(pixels, 'HTMLVideoElement');
  const drawable = video || isA(pixels, 'HTMLImageElement') || isA(pixels, 'ImageBitmap') || typeof p.getContext === 'function';
  if (!drawable) {
    throw new InvalidArgumentError(`${op}: pixels must be an ImageData, { data, width, height } RGBA bytes, an image, a video, a canvas or an ImageBitmap, got ${describe(pixels)}`);
  }
  const width = (video ? p.videoWidth : p.width) as number;
  const height = (video ? p.videoHeight : p.height) as number;
  if (video && (p.readyState as number) < 2) {
    throw new InvalidArgumentError(`${op}: the video has no frame yet (readyState ${show(p.readyState)}); wait for its 'loadeddata' event`);
  }
  if (isA(pixels, 'HTMLImageElement') && !p.complete) {
    throw new InvalidArgumentError(`${op}: the image has not loaded yet; wait for its 'load' event (or use fromPixelsAsync after img.decode())`);
  }
  // A finished <img> without pixels failed to load (a 404, not an image) or has no src.
  if (isA(pixels, 'HTMLImageElement') && p.naturalWidth === 0) {
    const src = typeof p.src === 'string' && p.src !== '' ? `'${p.src.length > 200 ? `${p.src.slice(0, 200)}…` : p.src}'` : 'no src';
    throw new InvalidArgumentError(`${op}: the image has no pixels: it failed to load or has no src (${src}, naturalWidth 0); listen for its 'error' event`);
  }
  if (width === 0 || height === 0) return { width, height, data: new Uint8ClampedArray(0) };
  const ctx = scratchContext(op);
  ctx.canvas.width = width;
  ctx.canvas.height = height;
  ctx.clearRect(0, 0, width, height);
  try {
    ctx.drawImage(pixels as CanvasImageSource, 0, 0, width, height);
    return { width, height, data: ctx.getImageData(0, 0, width, height).data };
  } catch (e) {
    if ((e as { name?: unknown } | null)?.name !== 'SecurityError') throw e;
    // A cross-origin image without CORS taints the canvas it is drawn on: the browser's error
    // named neurite's scratch canvas. A fresh one is made next time.
    scratch = null;
    const what = isA(pixels, 'HTMLImageElement') || video ? `the ${video ? 'video' : 'image'} comes from another origin without CORS` : 'it holds pixels from another origin without CORS (a canvas drawn with such an image, or its ImageBitmap)';
    throw new InvalidArgumentError(
      `${op}: the browser does not let the pixels be read: ${what} (${(e as Error).message}); serve the image with an Access-Control-Allow-Origin header and set img.crossOrigin = 'anonymous' before its src (or fetch it and pass await createImageBitmap(await response.blob()))`,
    );
  }
}

/**
 * The pixels of an image as a `[height, width, numChannels]` tensor of the byte values 0–255,
 * as TF.js `tf.browser.fromPixels`: `numChannels` 3 (default) keeps R, G and B; 4 adds alpha;
 * 1 keeps R (not a gray conversion: see {@link image.rgbToGrayscale}). TF.js returns int32;
 * here the same integers are float32 — divide by 255 for values in [0, 1].
 *
 * `pixels` may be an `ImageData`, `{ data, width, height }` RGBA bytes (both everywhere), or,
 * where a 2-D canvas exists, an `<img>` (loaded), a `<video>` (with a frame), a canvas, an
 * `OffscreenCanvas` or an `ImageBitmap`.
 *
 * @example const x = browser.fromPixels(imageData)           // [h, w, 3], values 0–255
 * @example const x = browser.fromPixels(canvas, 1).div(255)  // [h, w, 1], values in [0, 1]
 * @throws {@link InvalidArgumentError} for anything else, a `numChannels` other than 1, 3 or
 *   4, bytes that do not match the size, an image not loaded yet or that failed to load.
 */
export function fromPixels(pixels: PixelSource, numChannels = 3): Tensor3D {
  const op = 'fromPixels';
  if (numChannels !== 1 && numChannels !== 3 && numChannels !== 4) {
    throw new InvalidArgumentError(`${op}: numChannels must be 1, 3 or 4, got ${describe(numChannels)}`);
  }
  const { width, height, data } = rgbaOf(op, pixels);
  const n = width * height;
  const out = new Float32Array(n * numChannels);
  for (let i = 0; i < n; i++) for (let c = 0; c < numChannels; c++) out[i * numChannels + c] = data[i * 4 + c];
  return tensor(out, [height, width, numChannels]);
}

/**
 * {@link fromPixels} after the image is ready: an `<img>` still loading is decoded first
 * (`img.decode()`), as TF.js `tf.browser.fromPixelsAsync` lets the browser prepare it.
 *
 * @example const x = await browser.fromPixelsAsync(img)
 */
export async function fromPixelsAsync(pixels: PixelSource, numChannels = 3): Promise<Tensor3D> {
  const img = pixels as unknown as { complete: boolean; decode(): Promise<void> };
  if (isA(pixels, 'HTMLImageElement') && !img.complete) await img.decode();
  return fromPixels(pixels, numChannels);
}

/**
 * The RGBA bytes of an image tensor, and drawn on `canvas` when one is given (its size set to
 * the image's), as TF.js `tf.browser.toPixels`. `img` is `[height, width]` (gray) or
 * `[height, width, depth]` with depth 1 (gray), 3 (RGB) or 4 (RGBA); missing alpha is 255.
 *
 * As in TF.js, a Tensor holds values in [0, 1] (float32: scaled by 255 and rounded), while a
 * plain array holds 0–255 (TF.js reads it as int32: fractions are cut off). NaN is an error
 * (TF.js writes 0).
 *
 * @example const bytes = await browser.toPixels(x.div(255))   // x from fromPixels
 * @example await browser.toPixels(img, document.querySelector('canvas'))
 * @throws {@link InvalidArgumentError} for another rank or depth, or a value out of range.
 */
export async function toPixels(img: TensorLike, canvas?: CanvasLike | null): Promise<Uint8ClampedArray> {
  const op = 'toPixels';
  const isTensor = img instanceof Tensor;
  const { shape, values } = withTensors(op, { img }, (t) => ({ shape: t.img.shape, values: t.img.data() }));
  if (shape.length !== 2 && shape.length !== 3) throw new InvalidArgumentError(`${op}: img must have rank 2 or 3 ([height, width] or [height, width, depth]), got shape ${show(shape)}`);
  const depth = shape.length === 2 ? 1 : shape[2];
  if (depth !== 1 && depth !== 3 && depth !== 4) throw new InvalidArgumentError(`${op}: img's depth (last axis) must be 1, 3 or 4, got shape ${show(shape)}`);
  const [height, width] = shape;
  const bytes = new Uint8ClampedArray(width * height * 4);
  const [scale, max] = isTensor ? [255, 1] : [1, 255];
  for (let i = 0; i < width * height; i++) {
    const rgba = [0, 0, 0, 255];
    for (let d = 0; d < depth; d++) {
      const v = values[i * depth + d];
      if (!(v >= 0 && v <= max)) {
        const hint = isTensor && v > 1 && v <= 255 ? ' (a tensor of 0–255 values, as fromPixels gives, must be divided by 255 first)' : '';
        throw new InvalidArgumentError(`${op}: img${show([Math.floor(i / width), i % width, d].slice(0, shape.length))} = ${show(v)} is not in [0, ${max}]${hint}`);
      }
      const b = isTensor ? Math.round(v * scale) : Math.trunc(v);
      if (depth === 1) rgba[0] = rgba[1] = rgba[2] = b;
      else rgba[d] = b;
    }
    bytes.set(rgba, i * 4);
  }
  if (canvas !== undefined && canvas !== null) {
    const ctx = typeof canvas === 'object' && typeof canvas.getContext === 'function' ? (canvas.getContext('2d') as Context2D | null) : null;
    if (!ctx) throw new InvalidArgumentError(`${op}: canvas must be a canvas with a 2-D context, got ${describe(canvas)}`);
    canvas.width = width;
    canvas.height = height;
    if (width > 0 && height > 0) ctx.putImageData(new ImageData(bytes, width, height), 0, 0);
  }
  return bytes;
}
