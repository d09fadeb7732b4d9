/**
 * Seeded fuzz test of every decoder (issue 10, "Bad input"): valid streams are mutated (bit
 * flips, byte overwrites, truncation, extension, insertions, deletions, header fields), both
 * as they are (the checksum catches them) and re-signed with a valid checksum so the decoder
 * proper parses them. Every outcome is a result or an InvalidArgumentError — never a trap,
 * another error type, a hang or an output above maxOutputBytes.
 */
import { describe, expect, it } from 'vitest';
import './setup.js';
import { codecs, compression, InvalidArgumentError, memory } from '../ts/index.js';
import { genInput, mulberry32, resign, synthImage } from './compression-helpers.js';

type Dec = (b: Uint8Array, o?: { maxOutputBytes?: number }) => Uint8Array | { data: Uint8Array };

function mutate(r: () => number, s: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(r() * n);
  let out = s.slice();
  const k = 1 + pick(3);
  for (let j = 0; j < k; j++) {
    switch (pick(7)) {
      case 0: if (out.length) out[pick(out.length)] ^= 1 << pick(8); break;
      case 1: if (out.length) out[pick(out.length)] = pick(256); break;
      case 2: out = out.slice(0, pick(out.length + 1)); break;
      case 3: { const e = new Uint8Array(out.length + 1 + pick(16)); e.set(out); for (let i = out.length; i < e.length; i++) e[i] = pick(256); out = e; break; }
      case 4: { const at = pick(out.length + 1); const e = new Uint8Array(out.length + 1); e.set(out.subarray(0, at)); e[at] = pick(256); e.set(out.subarray(at), at + 1); out = e; break; }
      case 5: { if (!out.length) break; const at = pick(out.length); out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1)]); break; }
      default: if (out.length >= 10) out[5 + pick(5)] = pick(256); break; // parameter and length fields
    }
  }
  return out;
}

describe('fuzz: every decoder on mutated valid streams', () => {
  const r = mulberry32(2026);
  const inputs = Array.from({ length: 12 }, (_, i) => genInput(r, i));
  const images = [synthImage(r, 17, 9), synthImage(r, 32, 32), synthImage(r, 5, 40)];
  const targets: Array<{ name: string; dec: Dec; streams: Uint8Array[] }> = [
    { name: 'huffman', dec: (b, o) => compression.huffman.decode(b, o), streams: inputs.map((x) => compression.huffman.encode(x)) },
    { name: 'lzw', dec: (b, o) => compression.lzw.decode(b, o), streams: inputs.map((x, i) => compression.lzw.encode(x, { maxBits: 12 + (i % 9) })) },
    { name: 'rle', dec: (b, o) => compression.rle.decode(b, o), streams: inputs.map((x) => compression.rle.encode(x)) },
    { name: 'dct', dec: (b, o) => codecs.dct.decode(b, o), streams: images.map((im, i) => codecs.dct.encode(im, { quality: 10 + 40 * i })) },
    { name: 'wavelet', dec: (b, o) => codecs.wavelet.decode(b, o), streams: images.map((im, i) => codecs.wavelet.encode(im, { quality: 10 + 40 * i })) },
  ];
  for (const t of targets) {
    it(`${t.name}: 3,000 mutations, raw and re-signed`, () => {
      const maxOutputBytes = 1 << 20;
      const before = memory().numTensors;
      let rejected = 0, decoded = 0;
      for (let i = 0; i < 3000; i++) {
        const m = mutate(r, t.streams[i % t.streams.length]);
        for (const s of [m, resign(m)]) {
          try {
            const out = t.dec(s, { maxOutputBytes });
            const bytes = out instanceof Uint8Array ? out : out.data;
            expect(bytes.length).toBeLessThanOrEqual(maxOutputBytes);
            decoded++;
          } catch (err) {
            if (!(err instanceof InvalidArgumentError)) throw new Error(`${t.name}: mutation ${i} gave ${String(err)}`);
            expect((err as Error).message).toMatch(new RegExp(`^(compression|codecs)\\.${t.name}`));
            rejected++;
          }
        }
      }
      expect(rejected).toBeGreaterThan(3000);
      expect(decoded + rejected).toBe(6000);
      expect(memory().numTensors).toBe(before);
    });
  }
});
