/**
 * `compression.huffman`: canonical Huffman coding of bytes, code lengths limited to 15 bits,
 * table-driven decoding (`crates/core/src/compression/huffman.rs`).
 *
 * Stream: the 14-byte header (magic `NRHF`, version, decoded length, Adler-32), 128 bytes
 * of 4-bit code lengths, then the codes. Within 1 % of the order-0 entropy on text (plus the
 * 142 bytes of header and table). When one byte dominates (an image's background: 78 % of
 * MNIST's bytes are 0) the encoder switches to runs mode (version 3, parameter 0x01): runs of
 * that byte become bzip2-style RUNA/RUNB digits, and the stream lands below the order-0
 * entropy (MNIST: 21 % of the input against an entropy of 26 %; plain Huffman, which spends at
 * least one bit per byte, would take 29.5 %). It picks whichever mode is smaller, exactly.
 * When coding would not make the input smaller (random bytes, inputs of under about 130
 * bytes), the stream is stored instead, as deflate's stored blocks: the header (version 2,
 * stored flag 0x80 in the parameter byte) followed by the input itself, so it costs 14 bytes
 * and decodes at copy speed.
 */
import { call, check, withWords, words } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { attachedArg, describe } from '../ops/convert.js';
import { checkKeys } from '../classic/common.js';
import { byteDecodeArgs, bytesArg, CODEC, decodeRaw, encodeRaw, tensorLike, type ByteDecodeOptions, type Bytes } from './bytes.js';
import type { ArrayBufferBytes } from '../web-types.js';

/**
 * Encodes `bytes`. Inputs over 256 MiB encode, but decode only with a larger cap:
 * `huffman.decode(stream, { maxOutputBytes: Infinity })` (or their length) for a stream you trust.
 * @example
 * const packed = compression.huffman.encode(new TextEncoder().encode('abracadabra'));
 */
export function encode(bytes: Bytes): ArrayBufferBytes;
export function encode(bytes: Bytes, options?: unknown): ArrayBufferBytes {
  const op = 'compression.huffman.encode';
  checkKeys(op, options, []); // it takes none: an options object with any key is a mistake
  return encodeRaw(op, CODEC.huffman, bytesArg(op, bytes), 0);
}

/**
 * Decodes a stream from {@link encode} (coded or stored). Throws `InvalidArgumentError` on
 * any malformed stream (wrong magic or version, checksum mismatch, truncation, a code table
 * that is not prefix-free, a stored payload whose length is not the header's, more output
 * than `maxOutputBytes`). `options.output` decodes into a buffer of yours (see
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
  const op = 'compression.huffman.decode';
  const input = bytesArg(op, bytes);
  const { maxOutput, output } = byteDecodeArgs(op, options);
  return decodeRaw(op, CODEC.huffman, input, maxOutput, output).bytes;
}

/**
 * Huffman code lengths for symbol `frequencies` (non-negative integers), each at most
 * `maxLength` bits (default 15, at most 15); symbols of frequency 0 get 0. A lone used
 * symbol gets length 1. When the unrestricted Huffman tree is deeper than `maxLength`, the
 * lengths are those of an optimal code limited to `maxLength` bits (package-merge: the least
 * total frequency × length). With two or more used symbols the code is complete (Kraft sum 1);
 * of two symbols of equal frequency, the higher-numbered never gets the longer code.
 *
 * @example
 * compression.huffman.codeLengths([1, 1, 2, 4]); // [3, 3, 2, 1]
 */
export function codeLengths(frequencies: ArrayLike<number>, options: { maxLength?: number | undefined } = {}): number[] {
  const op = 'compression.huffman.codeLengths';
  if (typeof frequencies !== 'object' || frequencies === null || typeof frequencies.length !== 'number') {
    // A tensor of counts (neurite's or TF.js's, e.g. bincount's): its values are the array.
    const t = tensorLike(frequencies);
    const values = t?.kind === 'tensor' ? `: a tensor's values are t.dataSync() (counts of shape [${t.shape}])` : '';
    throw new InvalidArgumentError(`${op}: frequencies must be an array of non-negative integers, got ${values ? 'a tensor' : describe(frequencies)}${values}`);
  }
  if (ArrayBuffer.isView(frequencies)) attachedArg(op, 'frequencies', frequencies);
  const o = checkKeys(op, options, ['maxLength']);
  const maxLength = o.maxLength ?? 15;
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1 || maxLength > 15) {
    throw new InvalidArgumentError(`${op}: maxLength must be an integer in [1, 15], got ${describe(maxLength)}`);
  }
  const n = frequencies.length;
  if (n > 1 << 20) throw new InvalidArgumentError(`${op}: ${n} symbols are too many (at most ${1 << 20})`);
  for (let i = 0; i < n; i++) {
    const f = frequencies[i];
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f > 0xffff_ffff) {
      throw new InvalidArgumentError(`${op}: frequencies[${i}] must be an integer in [0, 4294967295], got ${describe(f)}`);
    }
  }
  // One list holds the frequencies, then receives the lengths.
  return withWords(op, Math.max(n, 1), (ptr, cap) => {
    const w = words(ptr, n);
    for (let i = 0; i < n; i++) w[i] = frequencies[i];
    return call((e) => {
      check(e.nr_huffman_code_lengths(ptr, n, maxLength, ptr, cap));
      return Array.from(words(ptr, n));
    });
  });
}

/**
 * The canonical codes of code `lengths` (as {@link codeLengths} gives them and the stream's
 * table holds them), as strings of bits, most significant first: lengths 1 to 15 in turn, and
 * within one length consecutive codes in increasing symbol order (deflate's rule, which
 * `encode` writes with). A length of 0 (a symbol that does not occur) gets `''`. The lengths
 * must be integers in [0, 15] that a prefix code can have (Kraft sum `Σ 2^−len ≤ 1`), else an
 * error naming the sum. To see what `encode` does to a text: count its bytes, then
 * `codes(codeLengths(counts))`.
 *
 * @example
 * compression.huffman.codes([3, 3, 2, 1]); // ['110', '111', '10', '0']
 * @example
 * const text = new TextEncoder().encode('abracadabra');
 * const counts = new Array(256).fill(0);
 * for (const b of text) counts[b]++;
 * const table = compression.huffman.codes(compression.huffman.codeLengths(counts));
 * table[97]; // 'a' (5 of the 11 bytes): '0'
 */
export function codes(lengths: ArrayLike<number>): string[] {
  const op = 'compression.huffman.codes';
  if (typeof lengths !== 'object' || lengths === null || typeof lengths.length !== 'number') {
    throw new InvalidArgumentError(`${op}: lengths must be an array of integers in [0, 15], got ${describe(lengths)}`);
  }
  if (ArrayBuffer.isView(lengths)) attachedArg(op, 'lengths', lengths);
  const n = lengths.length;
  if (n > 1 << 20) throw new InvalidArgumentError(`${op}: ${n} symbols are too many (at most ${1 << 20})`);
  // How many codes of each length, and the Kraft sum in units of 2^−15 (exact in a double).
  const count = new Array<number>(16).fill(0);
  let kraft = 0;
  for (let i = 0; i < n; i++) {
    const l = lengths[i];
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l > 15) {
      throw new InvalidArgumentError(`${op}: lengths[${i}] must be an integer in [0, 15], got ${describe(l)}`);
    }
    if (l > 0) {
      count[l]++;
      kraft += 2 ** (15 - l);
    }
  }
  if (kraft > 2 ** 15) {
    throw new InvalidArgumentError(`${op}: no prefix code has these lengths: their Kraft sum Σ 2^−length is ${kraft / 2 ** 15}, above 1 (too many short codes)`);
  }
  // The first code of each length (deflate's next_code), then each symbol's in symbol order.
  const next = new Array<number>(16).fill(0);
  for (let l = 1, code = 0; l <= 15; l++) {
    code = (code + count[l - 1]) << 1;
    next[l] = code;
  }
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const l = lengths[i];
    out[i] = l === 0 ? '' : (next[l]++).toString(2).padStart(l, '0');
  }
  return out;
}
