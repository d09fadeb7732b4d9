/** @internal Shared argument checks of the image codecs. */
import { InvalidArgumentError } from '../../errors.js';
import { describe } from '../../ops/convert.js';
import { checkKeys } from '../../classic/common.js';
import { bytesArg, decodeRaw, encodeRaw, maxOutputArg, type DecodeOptions } from '../bytes.js';

/** A grayscale image: `data[y * width + x]`, one byte per pixel. */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Encoder options of the image codecs. */
export interface ImageCodecOptions {
  /** 1 (smallest) .. 100 (best), as in JPEG. Default 75. */
  quality?: number;
}

export function encodeImage(op: string, codec: number, image: GrayImage, options: ImageCodecOptions | undefined): Uint8Array {
  if (image === null || typeof image !== 'object' || Array.isArray(image)) throw new InvalidArgumentError(`${op}: image must be { data: Uint8Array, width, height }, got ${describe(image)}`);
  const { data, width, height } = image;
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`${op}: image.data must be a Uint8Array, got ${describe(data)}`);
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65536) {
      throw new InvalidArgumentError(`${op}: image.${k} must be an integer in [0, 65536], got ${describe(v)}`);
    }
  }
  if (width * height !== data.length) {
    throw new InvalidArgumentError(`${op}: image.data has ${data.length} bytes but width × height = ${width} × ${height} = ${width * height}`);
  }
  const o = checkKeys(op, options, ['quality']);
  const quality = o.quality ?? 75;
  if (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new InvalidArgumentError(`${op}: quality must be an integer in [1, 100], got ${describe(quality)}`);
  }
  return encodeRaw(op, codec, data, quality, width, height);
}

export function decodeImage(op: string, codec: number, bytes: Uint8Array, options: DecodeOptions | undefined): GrayImage {
  const r = decodeRaw(op, codec, bytesArg(op, bytes), maxOutputArg(op, options));
  return { data: r.bytes, width: r.width, height: r.height };
}

/** Bits per pixel of an encoded stream, counted from all its bytes (header included). */
export function bitsPerPixel(bytes: Uint8Array, image: { width: number; height: number }): number {
  return (8 * bytes.length) / (image.width * image.height);
}
