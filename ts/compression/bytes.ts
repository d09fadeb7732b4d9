/**
 * @internal Byte buffers through the ABI: the input is copied into an `nr_alloc` block, the
 * codec's result is copied out of the module's result buffer, which is then released.
 */
import { call, check, outPtr, raw, readOut } from '../engine.js';
import { inOp, InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { attachedArg, describe } from '../ops/convert.js';
import { checkArgs } from '../options.js';
import type { ArrayBufferBytes } from '../web-types.js';

/** ABI codec ids (crates/wasm/src/exports/compression.rs `CODECS`). */
export const CODEC = { huffman: 0, lzw: 1, rle: 2, dct: 3, wavelet: 4 } as const;

/** The default cap on a decoder's output: 256 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * The image decoders' default cap: 64 MiB, an image of 2^26 pixels (8192 × 8192). Decoding
 * works in about 11 bytes per pixel (coefficients and the transform's floats), so the default
 * bounds a hostile stream — a flat 8192 × 8192 image codes in 13 kB (wavelet) or 262 kB (DCT)
 * — to ~700 MB of WebAssembly memory and seconds of work (5.4 s of CPU measured for the
 * wavelet one). WebAssembly memory never shrinks (until `shutdown()`): a server that decodes
 * untrusted images should lower `maxOutputBytes` to the sizes it expects; raise it for larger
 * trusted images.
 */
export const DEFAULT_MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** Decoder options. */
export interface DecodeOptions {
  /**
   * The most bytes the decoder may produce (default 256 MiB for the byte codecs, 64 MiB for
   * the image codecs). A stream whose header claims more is refused before anything is
   * allocated (a decompression bomb guard). `Infinity` (or any integer above 2^32 − 1) means
   * no limit but the memory's: one output is at most 2 GiB (the largest block a 32-bit
   * WebAssembly memory can allocate), and less while the input and other data are in memory
   * (an output of 2 GiB − 64 bytes decodes in a fresh instance, not beside its 2 GiB input);
   * beyond that the decoder throws an `OutOfMemoryError`.
   */
  maxOutputBytes?: number | undefined;
}

/** Bytes as the codecs take them: a `Uint8Array`, or a `Uint8ClampedArray` (canvas `ImageData.data`). */
export type Bytes = Uint8Array | Uint8ClampedArray;

/**
 * @internal Whether `v` is a tensor (neurite's or TF.js's: a `shape` and `dataSync()`) or a
 * model weight (a `shape` and `read()`), with its shape for messages; `undefined` otherwise.
 */
export function tensorLike(v: unknown): { kind: 'tensor' | 'model weight'; shape: string } | undefined {
  const t = v as { shape?: unknown; dataSync?: unknown; read?: unknown } | null;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape)) return undefined;
  if (typeof t.dataSync === 'function') return { kind: 'tensor', shape: String(t.shape) };
  return typeof t.read === 'function' ? { kind: 'model weight', shape: String(t.shape) } : undefined;
}

/**
 * @internal `v` (the argument `arg` of `op`) as a `Uint8Array` if it holds bytes: itself, or a
 * view on the same memory of a `Uint8ClampedArray` (no copy); `undefined` for anything else.
 * Bytes whose buffer was transferred away (detached) are an {@link InvalidArgumentError}.
 */
export function asBytes(op: string, arg: string, v: unknown): Uint8Array | undefined {
  if (!(v instanceof Uint8Array) && !(v instanceof Uint8ClampedArray)) return undefined;
  attachedArg(op, arg, v);
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.length);
}

/**
 * The hint for a string or a bare buffer where bytes go: a text to encode is its UTF-8 bytes; a
 * stream to decode (or measure) is bytes already, so a string is most likely its base64 form; a
 * buffer is read through a view.
 */
function textOrBufferHint(op: string, v: unknown): string {
  if (typeof v === 'string') {
    return op.endsWith('.encode')
      ? '; to code a text, pass its bytes: new TextEncoder().encode(s) (and new TextDecoder().decode(bytes) on the decoded bytes)'
      : '; a stream is bytes, as encode returns them: if it came as base64 text, decode that to bytes first (Uint8Array.from(atob(s), (c) => c.charCodeAt(0)), or Buffer.from(s, \'base64\') in Node)';
  }
  const tag = typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : '';
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]' ? '; to read a buffer\'s bytes, pass a view of it: new Uint8Array(buffer)' : '';
}

export function bytesArg(op: string, bytes: unknown): Uint8Array {
  const b = asBytes(op, 'bytes', bytes);
  if (b === undefined) {
    // Samples in a wider typed array (Int16Array audio, Float32Array): their bytes, as a view.
    const view = ArrayBuffer.isView(bytes) && !(bytes instanceof DataView) ? `; to code its bytes, pass new Uint8Array(x.buffer, x.byteOffset, x.byteLength), and view the decoded bytes as ${bytes.constructor.name} again` : '';
    // A tensor or a model weight (neurite's or TF.js's): describe()'s hints are for ops that
    // take tensors (read(), tensor(…)), which would give another refused object here.
    const t = tensorLike(bytes);
    if (t !== undefined) {
      const get = t.kind === 'tensor' ? 't.dataSync()' : 'tidy(() => w.read().dataSync())';
      throw new InvalidArgumentError(`${op}: bytes must be a Uint8Array (or a Uint8ClampedArray), got a ${t.kind} (shape [${t.shape}]): the codecs take bytes; a float32 tensor's are new Uint8Array(Float32Array.from(${get}).buffer) (4 per value; the decoded bytes back as new Float32Array(decoded.slice().buffer)), or quantise the values to bytes first`);
    }
    throw new InvalidArgumentError(`${op}: bytes must be a Uint8Array (or a Uint8ClampedArray), got ${describe(bytes)}${view}${textOrBufferHint(op, bytes)}`);
  }
  if (b.length > 0xffff_fffe) throw new InvalidArgumentError(`${op}: ${b.length} bytes are more than 4 GiB - 1`);
  return b;
}

/** Options of the byte decoders (Huffman, LZW, RLE). */
export interface ByteDecodeOptions extends DecodeOptions {
  /**
   * A buffer to decode into, as fflate's `out`: the result is `output.subarray(0, n)` for the
   * `n` decoded bytes, and no new array is allocated. Reusing one buffer for many streams
   * saves the allocation of the result, which dominates decoding long runs (a fresh 64 MiB
   * array costs its page faults when first written). A `Uint8ClampedArray` (canvas
   * `ImageData.data`) is written in place too, and the result is a `Uint8Array` over its first
   * `n` bytes (the same memory). A stream whose header says it decodes to more bytes than
   * `output` holds throws `InvalidArgumentError` before anything is decoded (the header gives
   * the length up front), after the checks of the stream itself (magic, version, checksum,
   * `maxOutputBytes`).
   */
  output?: Bytes | undefined;
}

function maxOf(op: string, m: unknown, byDefault = DEFAULT_MAX_OUTPUT_BYTES): number {
  if (m === undefined) return byDefault;
  if (typeof m !== 'number' || !(Number.isInteger(m) || m === Infinity) || m < 0) {
    throw new InvalidArgumentError(`${op}: maxOutputBytes must be a non-negative integer, or Infinity for no limit, got ${describe(m)}`);
  }
  return Math.min(m, 0xffff_ffff);
}

export function maxOutputArg(op: string, options: unknown, byDefault = DEFAULT_MAX_OUTPUT_BYTES): number {
  return maxOf(op, checkArgs(op, options, ['maxOutputBytes']).maxOutputBytes, byDefault);
}

/** The options of a byte decoder: the output cap and the buffer to decode into, if any. */
export function byteDecodeArgs(op: string, options: unknown): { maxOutput: number; output?: Uint8Array } {
  const o = checkArgs(op, options, ['maxOutputBytes', 'output']);
  const output = o.output === undefined ? undefined : asBytes(op, 'output', o.output);
  if (o.output !== undefined && output === undefined) {
    throw new InvalidArgumentError(`${op}: output must be a Uint8Array (or a Uint8ClampedArray), got ${describe(o.output)}`);
  }
  return { maxOutput: maxOf(op, o.maxOutputBytes), output };
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

/** Copies the codec's result out of WebAssembly memory (into `output` if given) and releases it. */
function takeResult(op: string, output?: Uint8Array): RawResult {
  const e = raw();
  const ptr = readOut(0);
  const len = readOut(1);
  try {
    const view = new Uint8Array(e.memory.buffer, ptr, len);
    if (output === undefined) return { bytes: view.slice(), width: readOut(2), height: readOut(3) };
    // The core refused a stream longer than `output` before decoding it (`outputCap`).
    if (len > output.length) throw new InvalidArgumentError(`${op}: output holds ${output.length} bytes but the stream decodes to ${len}`);
    output.set(view);
    return { bytes: output.subarray(0, len), width: readOut(2), height: readOut(3) };
  } finally {
    e.nr_compress_release();
  }
}

export function encodeRaw(op: string, codec: number, bytes: Uint8Array, param: number, width = 0, height = 0): ArrayBufferBytes {
  return withInput(op, bytes, (ptr) =>
    call((e) => {
      asCalled(op, () => check(e.nr_compress(codec, ptr, bytes.length, param, width, height, outPtr(0))));
      // A fresh copy (slice), on an ArrayBuffer even when the module's memory is shared.
      return takeResult(op).bytes as ArrayBufferBytes;
    }),
  );
}

/**
 * Runs `f`, a codec's call into the core, whose errors name the codec (`compression.huffman:
 * the header claims …`): they name the function called instead (`compression.huffman.decode:`),
 * as the option errors do.
 */
function asCalled(op: string, f: () => void): void {
  try {
    f();
  } catch (err) {
    throw inOp(op, err, op.slice(0, op.lastIndexOf('.')));
  }
}

export function decodeRaw(op: string, codec: number, bytes: Uint8Array, maxOutput: number, output?: Uint8Array): RawResult {
  return withInput(op, bytes, (ptr) =>
    call((e) => {
      // The core refuses a stream whose header claims more than `output` holds, undecoded.
      const outputCap = output === undefined ? 0xffff_ffff : Math.min(output.length, 0xffff_ffff);
      asCalled(op, () => check(e.nr_decompress(codec, ptr, bytes.length, maxOutput, outputCap, outPtr(0))));
      return takeResult(op, output);
    }),
  );
}
