/** @internal Shared argument checks of the image codecs. */
import { InvalidArgumentError } from '../../errors.js';
import { describe } from '../../ops/convert.js';
import { checkKeys } from '../../classic/common.js';
import { Tensor } from '../../tensor.js';
import { asBytes, bytesArg, decodeRaw, DEFAULT_MAX_IMAGE_BYTES, encodeRaw, maxOutputArg, type Bytes, type DecodeOptions } from '../bytes.js';
import type { ArrayBufferBytes } from '../../web-types.js';

/**
 * A grayscale image: `data[y * width + x]`, one byte per pixel. The codecs return `data` as a
 * `Uint8Array` and also take a `Uint8ClampedArray` (read in place, not copied).
 */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * An image as the encoders take it: {@link GrayImage}, with `data` also a `Uint8ClampedArray`.
 * A canvas `ImageData` (RGBA, 4 bytes per pixel) does not type-check (its `colorSpace`), as it
 * fails at run time: make one gray byte per pixel first, e.g. JPEG's luma
 * `Math.round(0.299·R + 0.587·G + 0.114·B)`.
 */
export interface GrayImageInput {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** Never set: keeps an RGBA `ImageData` (which has one) from type-checking as a gray image. */
  colorSpace?: never;
}

const SHAPE = '{ data: Uint8Array, width, height } (one byte per pixel)';

/**
 * @internal Checks that `image` (named `at` in messages) is an object with `data` bytes; says
 * what it is instead when it is a tensor or bare bytes. Returns `data` as a `Uint8Array` (a
 * view on a `Uint8ClampedArray`); the width and height are checked by the caller.
 */
export function imageData(op: string, at: string, image: unknown): Uint8Array {
  if (image instanceof Tensor) {
    const [h, w] = image.shape.length === 2 ? image.shape : ['<height>', '<width>'];
    throw new InvalidArgumentError(
      `${op}: ${at} must be ${SHAPE}, got a Tensor of shape [${image.shape.join(',')}]; make the bytes from its values, ` +
        `e.g. for values in [0, 1]: { data: Uint8Array.from(t.dataSync(), (v) => Math.round(v * 255)), width: ${w}, height: ${h} }`,
    );
  }
  if (ArrayBuffer.isView(image) || image instanceof ArrayBuffer) {
    const n = image.byteLength;
    throw new InvalidArgumentError(`${op}: ${at} must be ${SHAPE}, got ${describe(image)} of ${n} bytes alone; pass { data, width, height } with it as data`);
  }
  if (image === null || typeof image !== 'object' || Array.isArray(image)) throw new InvalidArgumentError(`${op}: ${at} must be ${SHAPE}, got ${describe(image)}`);
  const raw = (image as { data?: unknown }).data;
  const data = asBytes(op, `${at}.data`, raw);
  if (data === undefined) throw new InvalidArgumentError(`${op}: ${at}.data must be a Uint8Array (or a Uint8ClampedArray), one byte per pixel, got ${describe(raw)}`);
  return data;
}

/** `" (RGBA ImageData? …)"` when `bytes` is 4 bytes per pixel: the image codecs are grayscale. */
export function rgbaHint(bytes: number, pixels: number): string {
  return pixels > 0 && bytes === 4 * pixels ? ' (4 bytes per pixel: RGBA ImageData? these codecs take one gray byte per pixel)' : '';
}

/** Encoder options of the image codecs. */
export interface ImageCodecOptions {
  /** 1 (smallest) .. 100 (best), as in JPEG. Default 75. */
  quality?: number | undefined;
}

/** @internal `quality` (the argument of `op`) if it is an integer in [1, 100], else an {@link InvalidArgumentError}. */
export function qualityArg(op: string, quality: unknown): number {
  if (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new InvalidArgumentError(`${op}: quality must be an integer in [1, 100], got ${describe(quality)}`);
  }
  return quality;
}

export function encodeImage(op: string, codec: number, image: GrayImageInput, options: ImageCodecOptions | undefined): ArrayBufferBytes {
  const data = imageData(op, 'image', image);
  const { width, height } = image;
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65536) {
      throw new InvalidArgumentError(`${op}: image.${k} must be an integer in [0, 65536], got ${describe(v)}`);
    }
  }
  if (width * height !== data.length) {
    throw new InvalidArgumentError(`${op}: image.data has ${data.length} bytes but width × height = ${width} × ${height} = ${width * height}${rgbaHint(data.length, width * height)}`);
  }
  const o = checkKeys(op, options, ['quality']);
  const quality = qualityArg(op, o.quality === undefined ? 75 : o.quality);
  return encodeRaw(op, codec, data, quality, width, height);
}

/**
 * Options of the image decoders: `maxOutputBytes` (one byte per pixel) defaults to
 * {@link DEFAULT_MAX_IMAGE_BYTES}, 64 MiB (2^26 pixels, 8192 × 8192), not the byte codecs' 256
 * MiB: decoding works in ~11 bytes per pixel, and a flat image of 2^26 pixels codes in 13 kB.
 */
export type ImageDecodeOptions = DecodeOptions;

export function decodeImage(op: string, codec: number, bytes: Bytes, options: ImageDecodeOptions | undefined): GrayImage {
  const r = decodeRaw(op, codec, bytesArg(op, bytes), maxOutputArg(op, options, DEFAULT_MAX_IMAGE_BYTES));
  return { data: r.bytes, width: r.width, height: r.height };
}

/**
 * Bits per pixel of an encoded stream (a `Uint8Array` or a `Uint8ClampedArray`), counted from
 * all its bytes (header included), for an `image` of `width × height` pixels (positive
 * integers; a {@link GrayImage} will do), or for the array of images a batch stream holds
 * (a learned codec's `encode(images)`): its pixels are all of theirs.
 *
 * @example codecs.bitsPerPixel(codec.encode(images), images) // a batch's rate
 */
export function bitsPerPixel(bytes: Bytes, image: { width: number; height: number } | ReadonlyArray<{ width: number; height: number }>): number {
  const op = 'codecs.bitsPerPixel';
  const b = bytesArg(op, bytes);
  const batch = Array.isArray(image);
  const images = batch ? (image as ReadonlyArray<{ width: number; height: number }>) : [image as { width: number; height: number }];
  if (images.length === 0) throw new InvalidArgumentError(`${op}: image is an empty array: a batch of no images has no bits per pixel`);
  let pixels = 0;
  images.forEach((im, i) => {
    const name = batch ? `image[${i}]` : 'image';
    if (im === null || typeof im !== 'object') throw new InvalidArgumentError(`${op}: ${name} must be an object with width and height${batch ? '' : ' (or an array of them)'}, got ${describe(im)}`);
    for (const k of ['width', 'height'] as const) {
      const v = im[k];
      if (v === 0) throw new InvalidArgumentError(`${op}: ${name}.${k} is 0: an image of no pixels has no bits per pixel (width and height must be positive integers)`);
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
        throw new InvalidArgumentError(`${op}: ${name}.${k} must be a positive integer, got ${describe(v)}`);
      }
    }
    pixels += im.width * im.height;
  });
  return (8 * b.length) / pixels;
}
