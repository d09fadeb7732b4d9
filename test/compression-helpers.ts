/** Helpers shared by the compression suites: seeded generators, Adler-32, PSNR, PGM. */
import { readFileSync } from 'node:fs';
import { psnr as psnrOp, tensor, tidy } from '../ts/index.js';
import { mulberry32 } from './rng.js';

export { mulberry32 };

/** Adler-32 (RFC 1950). */
export function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff, b = start >>> 16;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Rewrites the header checksum of a (mutated) stream so that the decoder gets past it. */
export function resign(s: Uint8Array): Uint8Array {
  if (s.length < 14) return s;
  const out = s.slice();
  const sum = adler32(out.subarray(14), adler32(out.subarray(0, 10)));
  new DataView(out.buffer, out.byteOffset).setUint32(10, sum, true);
  return out;
}

/** Sets the header's decoded length (little-endian u32 at offset 6). */
export function withRawLen(s: Uint8Array, n: number): Uint8Array {
  const out = s.slice();
  new DataView(out.buffer, out.byteOffset).setUint32(6, n >>> 0, true);
  return out;
}

const WORDS = 'the of and to in is that it for as with was on be by this are from or at which an not have but all they one had were can there their been if more when will would who so no what up out about into than them some could only other time new these two may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(' ');

/** Every kind of generated input: [name, bytes]. */
export function genInput(r: () => number, kind: number): Uint8Array {
  const len = (max: number) => Math.floor(r() * max);
  switch (kind % 9) {
    case 0: return new Uint8Array(0);
    case 1: return Uint8Array.of(len(256));
    case 2: return new Uint8Array(1 + len(300)).fill(len(256));
    case 3: return Uint8Array.from({ length: len(300) }, () => len(256));
    case 4: { // long runs
      const out: number[] = [];
      const n = len(2000);
      while (out.length < n) { const v = len(4); const k = 1 + len(300); for (let i = 0; i < k; i++) out.push(v); }
      return Uint8Array.from(out);
    }
    case 5: { // text
      const s: string[] = [];
      const n = len(60);
      for (let i = 0; i < n; i++) s.push(WORDS[len(WORDS.length)]);
      return new TextEncoder().encode(s.join(' '));
    }
    case 6: { // RLE worst cases: runs of exactly 2, and alternating bytes
      const n = len(400);
      return r() < 0.5 ? Uint8Array.from({ length: n }, (_, i) => (i >> 1) & 255) : Uint8Array.from({ length: n }, (_, i) => i & 1);
    }
    case 7: { // LZW worst case (KwKwK: one repeated byte) and Huffman's (Fibonacci frequencies: the deepest tree)
      if (r() < 0.5) return new Uint8Array(1 + len(3000)).fill(len(256));
      const out: number[] = [];
      let [f0, f1] = [1, 1];
      for (let s = 0; s < 20; s++) { for (let i = 0; i < f0 && out.length < 30000; i++) out.push(s); [f0, f1] = [f1, f0 + f1]; }
      return Uint8Array.from(out);
    }
    default: { // small alphabets
      const k = 1 + len(6);
      return Uint8Array.from({ length: len(500) }, () => 97 + len(k));
    }
  }
}

/** PSNR in dB of two 8-bit images: the library's `psnr` (maxValue 255) on them as one row of pixels. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  return tidy(() => psnrOp(tensor(a, [1, a.length]), tensor(b, [1, b.length]), { maxValue: 255 }).item());
}

/** RMS error of two 8-bit arrays (kept here: the codecs' error bounds are stated in RMS pixel values, not dB). */
export function rmse(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; se += d * d; }
  return Math.sqrt(se / Math.max(1, a.length));
}

/** Reads a P5 PGM. */
export function readPgm(path: string): { data: Uint8Array; width: number; height: number } {
  const b = readFileSync(path);
  const head = b.subarray(0, 40).toString('latin1');
  const m = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(head);
  if (!m) throw new Error(`${path}: not an 8-bit P5 PGM`);
  const width = Number(m[1]), height = Number(m[2]);
  return { data: new Uint8Array(b.subarray(m[0].length, m[0].length + width * height)), width, height };
}

/** A synthetic photograph-like image (smooth shading, edges, texture), seeded. */
export function synthImage(r: () => number, width: number, height: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(width * height);
  const fx = 0.02 + 0.2 * r(), fy = 0.02 + 0.2 * r(), edge = 5 + Math.floor(20 * r());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 60 * Math.sin(x * fx) * Math.cos(y * fy) + ((Math.floor(x / edge) + Math.floor(y / edge)) % 2 ? 30 : -30) + 20 * (r() - 0.5);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { data, width, height };
}

/** The JPEG luminance table scaled by quality (libjpeg), as the DCT codec uses it. */
export function quantTable(quality: number): number[] {
  const LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - 2 * quality;
  return LUMA.map((b) => Math.min(255, Math.max(1, Math.floor((b * scale + 50) / 100))));
}
