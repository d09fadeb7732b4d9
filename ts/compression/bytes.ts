/**
 * @internal Byte buffers through the ABI: the input is copied into an `nr_alloc` block, the
 * codec's result is copied out of the module's result buffer, which is then released.
 */
import { call, check, outPtr, raw, readOut } from '../engine.js';
import { InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { describe } from '../ops/convert.js';

/** ABI codec ids (crates/wasm/src/exports/compression.rs `CODECS`). */
export const CODEC = { huffman: 0, lzw: 1, rle: 2, dct: 3, wavelet: 4 } as const;

/** The default cap on a decoder's output: 256 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Decoder options. */
export interface DecodeOptions {
  /**
   * The most bytes the decoder may produce (default 256 MiB). A stream whose header claims
   * more is refused before anything is allocated (a decompression bomb guard).
   */
  maxOutputBytes?: number;
}

export function bytesArg(op: string, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`${op}: bytes must be a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length > 0xffff_fffe) throw new InvalidArgumentError(`${op}: ${bytes.length} bytes are more than 4 GiB - 1`);
  return bytes;
}

export function maxOutputArg(op: string, options: unknown): number {
  if (options === undefined) return DEFAULT_MAX_OUTPUT_BYTES;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (k !== 'maxOutputBytes') throw new InvalidArgumentError(`${op}: unknown option '${k}' (known: maxOutputBytes)`);
  }
  const m = (options as DecodeOptions).maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 0xffff_ffff) {
    throw new InvalidArgumentError(`${op}: maxOutputBytes must be an integer in [0, 4294967295], got ${describe(m)}`);
  }
  return m;
}

/** What a codec call returns: the bytes, and the image size for the image codecs. */
export interface RawResult {
  bytes: Uint8Array;
  width: number;
  height: number;
}

function withInput<T>(op: string, bytes: Uint8Array, f: (ptr: number) => T): T {
  const e = raw();
  const n = bytes.length;
  const ptr = e.nr_alloc(n, 1) >>> 0;
  if (ptr === 0) throw new OutOfMemoryError(`${op}: out of memory copying ${n} input bytes into WebAssembly memory`);
  try {
    new Uint8Array(e.memory.buffer, ptr, n).set(bytes);
    return f(ptr);
  } finally {
    e.nr_dealloc(ptr, n, 1);
  }
}

function takeResult(): RawResult {
  const e = raw();
  const ptr = readOut(0);
  const len = readOut(1);
  const out = { bytes: new Uint8Array(e.memory.buffer, ptr, len).slice(), width: readOut(2), height: readOut(3) };
  e.nr_compress_release();
  return out;
}

export function encodeRaw(op: string, codec: number, bytes: Uint8Array, param: number, width = 0, height = 0): Uint8Array {
  return withInput(op, bytes, (ptr) =>
    call((e) => {
      check(e.nr_compress(codec, ptr, bytes.length, param, width, height, outPtr(0)));
      return takeResult().bytes;
    }),
  );
}

export function decodeRaw(op: string, codec: number, bytes: Uint8Array, maxOutput: number): RawResult {
  return withInput(op, bytes, (ptr) =>
    call((e) => {
      check(e.nr_decompress(codec, ptr, bytes.length, maxOutput, outPtr(0)));
      return takeResult();
    }),
  );
}
