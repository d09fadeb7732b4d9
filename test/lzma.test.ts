// The LZMA decoder that unpacks the default entry's inline wasm (ts/wasm/lzma.ts), against
// xz 5 as the reference encoder: the core module itself, inputs that exercise every part of
// the model (literals, matches, repeats, long and short distances, every lc/lp/pb), and
// damaged streams, which must end in an LzmaError, never a hang or an out-of-range read.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LzmaError, lzmaDecode, lzmaDecodeSliced } from '../ts/wasm/lzma.js';
import { inlineModuleSliced, unpackInline } from '../ts/wasm/inline.js';
import { WASM_BYTES, WASM_LZMA } from '../ts/wasm/inline.generated.js';
import { ROOT } from './runtimes/expect.js';
import { join } from 'node:path';

const xz = (data: Uint8Array, options: string) => new Uint8Array(execFileSync('xz', ['--format=lzma', `--lzma1=${options}`, '-c'], { input: data, maxBuffer: 1 << 27 }));

/** Deterministic bytes: `entropy` 0 = one repeated phrase … 8 = uniform. */
function bytes(n: number, entropy: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = entropy === 0 ? 'abcabd'.charCodeAt(i % 6) : (s >>> 24) & ((1 << entropy) - 1);
  }
  return out;
}

describe('lzmaDecode', () => {
  it('unpacks the core module exactly as the build packs it', () => {
    const wasm = new Uint8Array(readFileSync(join(ROOT, 'build/core.wasm')));
    const out = lzmaDecode(xz(wasm, 'preset=9e,pb=0'), wasm.length);
    expect(Buffer.compare(Buffer.from(out), Buffer.from(wasm))).toBe(0);
  });

  it('agrees with xz on text, runs, noise, long-distance repeats and every lc/lp/pb', () => {
    const far = new Uint8Array(300_000);
    far.set(bytes(5000, 8, 7), 0);
    far.set(bytes(5000, 8, 7), 250_000); // a match ~250 kB back (distance slots ≥ 14: direct + align bits)
    const inputs: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)], ['one byte', Uint8Array.of(42)], ['zeros', new Uint8Array(100_000)],
      ['phrase', bytes(50_000, 0)], ['2-bit', bytes(50_000, 2)], ['4-bit', bytes(50_000, 4)], ['noise', bytes(20_000, 8)],
      ['text', new TextEncoder().encode('the quick brown fox jumps over the lazy dog; '.repeat(500) + 'THE END')], ['far', far],
    ];
    const options = ['preset=0', 'preset=6', 'preset=9e', 'preset=6,lc=0,lp=0,pb=0', 'preset=6,lc=4,lp=0,pb=4', 'preset=6,lc=0,lp=4,pb=2'];
    for (const [name, data] of inputs) {
      for (const o of options) {
        const out = lzmaDecode(xz(data, o), data.length);
        expect(Buffer.compare(Buffer.from(out), Buffer.from(data)), `${name} with ${o}`).toBe(0);
      }
    }
  });

  it('damaged streams are an LzmaError: truncated, a bad header, flipped bits, a size past the end marker', () => {
    const data = bytes(40_000, 3);
    const packed = xz(data, 'preset=6');
    const fails = (input: Uint8Array, size = data.length) => {
      let err: unknown;
      let out: Uint8Array | undefined;
      try {
        out = lzmaDecode(input, size);
      } catch (e) {
        err = e;
      }
      return err instanceof LzmaError || (out !== undefined && Buffer.compare(Buffer.from(out), Buffer.from(data)) !== 0);
    };
    expect(() => lzmaDecode(packed.slice(0, 10), data.length)).toThrow(LzmaError);
    expect(() => lzmaDecode(packed.slice(0, packed.length >> 1), data.length)).toThrow(/the stream ends early/);
    expect(() => lzmaDecode(Uint8Array.of(225, ...packed.slice(1)), data.length)).toThrow(/bad properties byte 225/);
    expect(() => lzmaDecode(packed, data.length + 1)).toThrow(/the stream ends after 40000 of 40001 bytes/);
    // Flipped bits anywhere: an error or different bytes (which init's size and compile checks
    // catch), and always an answer: the loop writes a byte or reads input on every turn.
    for (let i = 13; i < packed.length; i += 97) {
      const bad = packed.slice();
      bad[i] ^= 1 << (i % 8);
      expect(fails(bad), `bit flipped in byte ${i}`).toBe(true);
    }
  });

  it('in slices (what init() runs, pausing between them): the same bytes and the same errors', async () => {
    const data = bytes(200_000, 3);
    const packed = xz(data, 'preset=6');
    let pauses = 0;
    const pause = async () => {
      pauses++;
    };
    const out = await lzmaDecodeSliced(packed, data.length, 10_000, pause);
    expect(Buffer.compare(Buffer.from(out), Buffer.from(data))).toBe(0);
    // A pause after each ~10,000 bytes (a match is copied whole, so slices may run over).
    expect(pauses).toBeGreaterThanOrEqual(15);
    expect(pauses).toBeLessThanOrEqual(20);
    await expect(lzmaDecodeSliced(packed.slice(0, packed.length >> 1), data.length, 10_000, pause)).rejects.toThrow(/the stream ends early/);
    await expect(lzmaDecodeSliced(packed, data.length + 1, 10_000, pause)).rejects.toThrow(/the stream ends after 200000 of 200001 bytes/);
    // The default entry's module, sliced with real turns of the event loop, as unsliced.
    expect(Buffer.compare(Buffer.from(await inlineModuleSliced()), Buffer.from(unpackInline(WASM_LZMA, WASM_BYTES)))).toBe(0);
  });
});
