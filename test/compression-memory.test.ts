/**
 * What the byte decoders take of WebAssembly memory, which grows and is never returned (README,
 * "Limits"). Its own file: a fresh instance whose memory no other test has grown, so growth
 * here is this file's.
 */
import { describe, expect, it } from 'vitest';
import './setup.js';
import { compression, InvalidArgumentError, memory } from '../ts/index.js';
import { resign } from './compression-helpers.js';

const { huffman, lzw } = compression;
const MiB = 1 << 20;

/**
 * A Huffman runs-mode stream (version 3, run byte 0) of one run of `n` zeros: the bijective
 * base-2 digits of `n` (RUNA = 1, RUNB = 2, least significant first), each a 2-bit code
 * (RUNA 10, RUNB 11; 'A' and 'B' complete the code as 00 and 01).
 */
function runOfZeros(n: number): Uint8Array {
  const digits: number[] = [];
  for (let k = n; k > 0; ) {
    if (k % 2 === 1) { digits.push(2); k = (k - 1) / 2; } else { digits.push(3); k = (k - 2) / 2; }
  }
  const table = new Uint8Array(129);
  table[65 >> 1] |= 2; // 'A' (odd symbol: low nibble)
  table[66 >> 1] |= 2 << 4; // 'B'
  table[128] = 0x22; // RUNA, RUNB
  const codes = new Uint8Array(Math.ceil(digits.length / 4));
  digits.forEach((d, i) => (codes[i >> 2] |= d << (6 - 2 * (i & 3))));
  const s = new Uint8Array(14 + 1 + 129 + codes.length);
  s.set([0x4e, 0x52, 0x48, 0x46, 3, 1]); // "NRHF", version 3, parameter RUNS
  new DataView(s.buffer).setUint32(6, n, true);
  s.set(table, 15);
  s.set(codes, 144);
  return resign(s);
}

describe('byte decoders and WebAssembly memory', () => {
  it('LZW decodes into one allocation of the header length (it grew by doubling: 653 MB kept for 256 MiB)', () => {
    const n = 32 * MiB;
    const zeros = new Uint8Array(n);
    const stream = lzw.encode(zeros);
    expect(stream.length).toBeLessThan(20_000);
    // Memory with room for one n-byte block: a Huffman decode of n bytes takes exactly that.
    expect(huffman.decode(huffman.encode(zeros)).length).toBe(n);
    const before = memory().wasmBytes;
    const out = lzw.decode(stream);
    expect(out.length).toBe(n);
    expect(out.every((v) => v === 0)).toBe(true);
    // The output reuses that block: no growth beyond the dictionary and the stream's copy.
    expect(memory().wasmBytes - before).toBeLessThanOrEqual(MiB);
  });

  it("an output too small for the header's length is refused before decoding: no memory for the claimed bytes", () => {
    const n = 256 * MiB; // the default maxOutputBytes
    const stream = runOfZeros(n);
    expect(stream.length).toBeLessThan(200);
    const before = memory().wasmBytes;
    let err: unknown;
    try {
      huffman.decode(stream, { output: new Uint8Array(16) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe(`compression.huffman.decode: output holds 16 bytes but the stream decodes to ${n} (its header's length); pass an output of at least ${n} bytes (nothing was decoded)`);
    expect(memory().wasmBytes).toBe(before);
    // The stream is valid: a run of n zeros, read into an output of 64 bytes it claims.
    const small = runOfZeros(64);
    expect(huffman.decode(small, { output: new Uint8Array(64) })).toEqual(new Uint8Array(64));
  });
});
