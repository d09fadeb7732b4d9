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

/**
 * Encodes `bytes`. Inputs over 256 MiB encode, but decode only with a larger cap:
 * `rle.decode(stream, { maxOutputBytes: Infinity })` (or their length) for a stream you trust.
 */
export function encode(bytes: Bytes): Uint8Array;
export function encode(bytes: Bytes, options?: unknown): Uint8Array {
  const op = 'compression.rle.encode';
  checkArgs(op, options, []); // it takes none: an options object with any key is a mistake
  return encodeRaw(op, CODEC.rle, bytesArg(op, bytes), 0);
}

/**
 * Decodes a stream from {@link encode}; malformed streams throw `InvalidArgumentError`.
 * `options.output` decodes into a buffer of yours (reused across calls, it saves allocating
 * the result: `rle.decode(stream, { output: buf })` returns `buf.subarray(0, n)`).
 */
export function decode(bytes: Bytes, options?: ByteDecodeOptions): Uint8Array {
  const op = 'compression.rle.decode';
  const input = bytesArg(op, bytes);
  const { maxOutput, output } = byteDecodeArgs(op, options);
  return decodeRaw(op, CODEC.rle, input, maxOutput, output).bytes;
}
