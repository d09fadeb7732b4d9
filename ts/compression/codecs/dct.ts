/**
 * `codecs.dct`: a JPEG-style grayscale codec (`crates/core/src/compression/codecs/dct_codec.rs`):
 * 8×8 orthonormal DCT, the JPEG luminance table scaled by `quality` (libjpeg's formula),
 * zig-zag order, DC differences and (zero-run, size) AC symbols, and Huffman codes built
 * for each image. Any width and height up to 65,536 (edges are padded by repetition and cropped
 * back), within `maxOutputBytes` when decoding (64 MiB by default).
 * Error bound: RMS error ≤ √(mean(Q²)/4 · padding factor) + 0.5 for quantisation table Q.
 * When the coded stream would be longer than the pixels (noise at a high quality), the image
 * is stored as it is (exact; a version-2 stream, which decoders of earlier builds refuse with
 * "unsupported version 2"). Coded streams are version 1, unchanged.
 */
import { CODEC, type Bytes } from '../bytes.js';
import { decodeImage, encodeImage, type GrayImage, type GrayImageInput, type ImageCodecOptions, type ImageDecodeOptions } from './image.js';
import type { ArrayBufferBytes } from '../../web-types.js';

/**
 * Encodes a grayscale image. Images over 64 MiB of pixels (more than 8192 × 8192) encode, but
 * decode only with a larger cap: `codecs.dct.decode(stream, { maxOutputBytes: Infinity })` (or
 * width × height) for a stream you trust.
 * @example
 * const bytes = codecs.dct.encode({ data, width: 64, height: 48 }, { quality: 50 });
 */
export function encode(image: GrayImageInput, options?: ImageCodecOptions): ArrayBufferBytes {
  return encodeImage('codecs.dct.encode', CODEC.dct, image, options);
}

/** Decodes a stream from {@link encode}; malformed streams throw `InvalidArgumentError`. */
export function decode(bytes: Bytes, options?: ImageDecodeOptions): GrayImage {
  return decodeImage('codecs.dct.decode', CODEC.dct, bytes, options);
}
