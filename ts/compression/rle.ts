/**
 * `compression.rle`: PackBits run-length encoding (`crates/core/src/compression/rle.rs`).
 *
 * Runs of 3 to 128 equal bytes become 2 bytes; everything else is copied in literal packets
 * of up to 128 bytes behind one control byte. Growth bound: an `n`-byte input encodes to at
 * most `n + ⌊n/128⌋ + 1` payload bytes plus the 14-byte header, so data without runs grows
 * by at most 1/128 (0.8 %).
 */
import { checkArgs } from '../options.js';
import { byteDecodeArgs, bytesArg, CODEC, decodeRaw, encodeRaw, type ByteDecodeOptions, type Bytes } from './bytes.js';
import type { ArrayBufferBytes } from '../web-types.js';

/**
 * Encodes `bytes`. Inputs over 256 MiB encode, but decode only with a larger cap:
 * `rle.decode(stream, { maxOutputBytes: Infinity })` (or their length) for a stream you trust.
 */
export function encode(bytes: Bytes): ArrayBufferBytes;
export function encode(bytes: Bytes, options?: unknown): ArrayBufferBytes {
  const op = 'compression.rle.encode';
  checkArgs(op, options, []); // it takes none: an options object with any key is a mistake
  return encodeRaw(op, CODEC.rle, bytesArg(op, bytes), 0);
}

/**
 * Decodes a stream from {@link encode}; malformed streams throw `InvalidArgumentError`.
 * `options.output` decodes into a buffer of yours (reused across calls, it saves allocating
 * the result: `rle.decode(stream, { output: buf })` returns `buf.subarray(0, n)`).
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
  const op = 'compression.rle.decode';
  const input = bytesArg(op, bytes);
  const { maxOutput, output } = byteDecodeArgs(op, options);
  return decodeRaw(op, CODEC.rle, input, maxOutput, output).bytes;
}
