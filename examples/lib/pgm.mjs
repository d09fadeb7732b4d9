// Reads binary PGM (P5, 8-bit) grayscale images: the shipped photographs in test/data/images/.
import { readFileSync } from 'node:fs';

/** Parses a P5 PGM file into `{ data: Uint8Array, width, height }`. */
export function readPgm(path) {
  const b = readFileSync(path);
  const tokens = [];
  let p = 0;
  while (tokens.length < 4) {
    while (p < b.length && /\s/.test(String.fromCharCode(b[p]))) p++;
    if (b[p] === 0x23) { while (p < b.length && b[p] !== 0x0a) p++; continue; }
    let s = '';
    while (p < b.length && !/\s/.test(String.fromCharCode(b[p]))) s += String.fromCharCode(b[p++]);
    tokens.push(s);
  }
  p++;
  const [magic, w, h, max] = tokens;
  const width = Number(w), height = Number(h);
  if (magic !== 'P5' || Number(max) !== 255 || !(width > 0 && height > 0) || b.length - p < width * height) {
    throw new Error(`${path}: not an 8-bit binary PGM (${tokens.join(' ')})`);
  }
  return { data: new Uint8Array(b.subarray(p, p + width * height)), width, height };
}

/** Peak signal-to-noise ratio in dB of two 8-bit images (Infinity when equal). */
export function psnr8(a, b) {
  let se = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; se += d * d; }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / se);
}
