// Reads binary PGM (P5, 8-bit) grayscale images: the shipped photographs in test/data/images/.
import { readFileSync } from 'node:fs';
import { psnr, tensor, tidy } from '../../dist/index.js';

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

/**
 * Peak signal-to-noise ratio in dB of two 8-bit pixel arrays of equal length (Infinity when
 * equal): the library's `psnr` with `maxValue: 255`, all pixels as one image (so a set of
 * digits laid end to end gives the PSNR of the total squared error).
 */
export function psnr8(a, b) {
  return tidy(() => psnr(tensor(a, [1, a.length]), tensor(b, [1, b.length]), { maxValue: 255 }).item());
}
