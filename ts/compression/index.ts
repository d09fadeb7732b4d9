/**
 * `compression`: lossless byte codes (`huffman`, `lzw`, `rle`) and the transforms of
 * transform coding (`dct`, `dwt`), all in the Rust core. Every encoded stream carries a
 * 14-byte self-describing header (magic, version, decoded length, Adler-32 checksum), and
 * every decoder throws `InvalidArgumentError` naming the codec and the problem on malformed
 * input, with `maxOutputBytes` (default 256 MiB) guarding against decompression bombs.
 */
export * as huffman from './huffman.js';
export * as lzw from './lzw.js';
export * as rle from './rle.js';
export * as dct from './dct.js';
export * as dwt from './dwt.js';
export { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_IMAGE_BYTES, type ByteDecodeOptions, type DecodeOptions, type Bytes } from './bytes.js';
export type { LzwOptions } from './lzw.js';
/** What the codecs' encoders (and decoders with no `output`) return: bytes on an `ArrayBuffer`, `Uint8Array<ArrayBuffer>` in TypeScript 5.7+. */
export type { ArrayBufferBytes } from '../web-types.js';
export type { DctOptions } from './dct.js';
export type { DwtOptions, WaveletName } from './dwt.js';
