/**
 * `compression.lzw`: Lempel–Ziv–Welch with variable code width (9 bits up to `maxBits`,
 * 12..20, 17 by default) and an adaptive dictionary reset (CLEAR code 256) when the
 * compression ratio stops improving, as in `compress`
 * (`crates/core/src/compression/lzw.rs`). Codes are packed MSB first. When the codes would
 * not be smaller than the input (random bytes grow by about 37 % under LZW), the stream is
 * stored instead: the 14-byte header (version 2, stored flag 0x80 in the parameter byte)
 * followed by the input itself.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import { checkKeys } from '../classic/common.js';
import { byteDecodeArgs, bytesArg, CODEC, decodeRaw, encodeRaw, type ByteDecodeOptions, type Bytes } from './bytes.js';
import type { ArrayBufferBytes } from '../web-types.js';

/** Encoder options. */
export interface LzwOptions {
  /** The widest code, 12..20 (default 17: a 131072-entry dictionary; `compress` uses 16, GIF 12). */
  maxBits?: number | undefined;
}

/**
 * Encodes `bytes`. Inputs over 256 MiB encode, but decode only with a larger cap:
 * `lzw.decode(stream, { maxOutputBytes: Infinity })` (or their length) for a stream you trust.
 */
export function encode(bytes: Bytes, options: LzwOptions = {}): ArrayBufferBytes {
  const op = 'compression.lzw.encode';
  const o = checkKeys(op, options, ['maxBits']);
  const maxBits = o.maxBits ?? 17;
  if (typeof maxBits !== 'number' || !Number.isInteger(maxBits) || maxBits < 12 || maxBits > 20) {
    throw new InvalidArgumentError(`${op}: maxBits must be an integer in [12, 20], got ${describe(maxBits)}`);
  }
  return encodeRaw(op, CODEC.lzw, bytesArg(op, bytes), maxBits);
}

/**
 * Decodes a stream from {@link encode}. Throws `InvalidArgumentError` on a malformed stream
 * (codes beyond the dictionary, truncation, checksum mismatch, more output than
 * `maxOutputBytes`, …). `options.output` decodes into a buffer of yours (see
 * {@link ByteDecodeOptions}).
 *
 * With no `output`, the result is a fresh array on an `ArrayBuffer` (`Uint8Array<ArrayBuffer>` in
 * TypeScript 5.7+: it fits `crypto.subtle.digest`, `new Blob([…])`, `new File([…], …)`).
 */
export function decode(bytes: Bytes, options?: ByteDecodeOptions & { output?: undefined }): ArrayBufferBytes;
/**
 * Decodes into `options.output`, a `Uint8Array` (or a subclass, as Node's `Buffer`): the result
 * is `output.subarray(0, n)` for the `n` decoded bytes, of `output`'s own type (same memory).
 */
export function decode<O extends Uint8Array>(bytes: Bytes, options: ByteDecodeOptions & { output: O }): O;
/**
 * Decodes with options known only at run time (an `output` or not), or into a
 * `Uint8ClampedArray` `output`: the result is a `Uint8Array` (over `output`'s memory if given).
 */
export function decode(bytes: Bytes, options?: ByteDecodeOptions): Uint8Array;
export function decode(bytes: Bytes, options?: ByteDecodeOptions): Uint8Array {
  const op = 'compression.lzw.decode';
  const input = bytesArg(op, bytes);
  const { maxOutput, output } = byteDecodeArgs(op, options);
  return decodeRaw(op, CODEC.lzw, input, maxOutput, output).bytes;
}
