// psnr and ssim (issues 9 and 10): psnr against its closed form, ssim against a plain-JS
// reference of the same definition (Wang et al. 2004 with the 11 × 11, σ = 1.5 Gaussian
// window, valid positions only, as tf.image.ssim) written with a direct 2-D window rather
// than the core's separable passes; known properties; layouts and errors.
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

/** A smooth image plus noise, as float32 values in [0, 1]. */
function image(h: number, w: number, seed: number, noise = 0.2): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: h * w }, (_, i) => {
    const y = Math.floor(i / w);
    const x = i % w;
    return Math.min(1, Math.max(0, 0.5 + 0.3 * Math.sin(x / 3) * Math.cos(y / 4) + noise * (r() - 0.5)));
  });
}

function refPsnr(a: ArrayLike<number>, b: ArrayLike<number>, max: number): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((max * max) / mse);
}

function refSsim(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number, o: { max?: number; size?: number; sigma?: number } = {}): number {
  const { max = 1, size = 11, sigma = 1.5 } = o;
  const c = (size - 1) / 2;
  const w2: number[][] = [];
  let sum = 0;
  for (let i = 0; i < size; i++) {
    w2.push([]);
    for (let j = 0; j < size; j++) {
      const v = Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma));
      w2[i].push(v);
      sum += v;
    }
  }
  const c1 = (0.01 * max) ** 2;
  const c2 = (0.03 * max) ** 2;
  let total = 0;
  let count = 0;
  for (let r = 0; r + size <= h; r++) {
    for (let q = 0; q + size <= w; q++) {
      let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const g = w2[i][j] / sum;
          const p = a[(r + i) * w + q + j];
          const s = b[(r + i) * w + q + j];
          mx += g * p; my += g * s; xx += g * p * p; yy += g * s * s; xy += g * p * s;
        }
      }
      const vx = xx - mx * mx;
      const vy = yy - my * my;
      const cov = xy - mx * my;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

describe('psnr', () => {
  it('matches 10·log10(max² / mse) per image, in dB; identical images give Infinity', () => {
    expectNoLeak(() => {
      const [h, w] = [9, 13];
      const a = image(h, w, 1);
      const b = image(h, w, 2);
      const got = nr.tidy(() => nr.psnr(nr.tensor(a, [h, w]), nr.tensor(b, [h, w])).item());
      expect(got).toBeCloseTo(refPsnr(a, b, 1), 4);
      const g255 = nr.tidy(() => nr.psnr(nr.tensor(a, [h, w]).mul(255), nr.tensor(b, [h, w]).mul(255), { maxValue: 255 }).item());
      expect(g255).toBeCloseTo(refPsnr(a, b, 1), 3);
      expect(nr.tidy(() => nr.psnr(nr.tensor(a, [h, w]), nr.tensor(a, [h, w])).item())).toBe(Infinity);
      // A batch [3, h, w] gives [3]; the flat layout [3, h·w] with imageShape gives the same.
      const batchA = Float32Array.from([...a, ...a, ...b]);
      const batchB = Float32Array.from([...b, ...a, ...a]);
      const v = nr.tidy(() => Array.from(nr.psnr(nr.tensor(batchA, [3, h, w]), nr.tensor(batchB, [3, h, w])).dataSync()));
      expect(v[0]).toBeCloseTo(refPsnr(a, b, 1), 4);
      expect(v[1]).toBe(Infinity);
      expect(v[2]).toBeCloseTo(v[0], 5);
      const flat = nr.tidy(() => nr.psnr(nr.tensor(batchA, [3, h * w]), nr.tensor(batchB, [3, h * w]), { imageShape: [h, w] }));
      expect(flat.shape).toEqual([3]);
      expect(Array.from(flat.dataSync())).toEqual(v);
      flat.dispose();
    });
  });
});

describe('ssim', () => {
  it('matches the plain-JS reference on random images, one and batched', () => {
    expectNoLeak(() => {
      for (const [h, w, seed] of [[11, 11, 1], [16, 23, 2], [28, 28, 3]]) {
        const a = image(h, w, seed);
        const b = image(h, w, seed + 100, 0.4);
        const got = nr.tidy(() => nr.ssim(nr.tensor(a, [h, w]), nr.tensor(b, [h, w])).item());
        expect(got).toBeCloseTo(refSsim(a, b, h, w), 5);
      }
      const [h, w] = [20, 17];
      const a = image(h, w, 5);
      const b = image(h, w, 6);
      const c = image(h, w, 7, 0.05);
      const batch = nr.tidy(() => Array.from(nr.ssim(nr.tensor([...a, ...b], [2, h, w]), nr.tensor([...c, ...c], [2, h, w]), { maxValue: 2, windowSize: 7, sigma: 1 }).dataSync()));
      expect(batch[0]).toBeCloseTo(refSsim(a, c, h, w, { max: 2, size: 7, sigma: 1 }), 5);
      expect(batch[1]).toBeCloseTo(refSsim(b, c, h, w, { max: 2, size: 7, sigma: 1 }), 5);
      const flat = nr.tidy(() => Array.from(nr.ssim(nr.tensor([...a, ...b], [2, h * w]), nr.tensor([...c, ...c], [2, h * w]), { maxValue: 2, windowSize: 7, sigma: 1, imageShape: [h, w] }).dataSync()));
      expect(flat).toEqual(batch);
    });
  });

  it('ssim(x, x) = 1, symmetric, below 1 for noise and decreasing with more noise', () => {
    expectNoLeak(() => {
      const [h, w] = [28, 28];
      const clean = image(h, w, 9, 0);
      const r = mulberry32(10);
      const noisy = (s: number) => clean.map((v) => v + s * (r() - 0.5));
      const s = (a: ArrayLike<number>, b: ArrayLike<number>) => nr.tidy(() => nr.ssim(nr.tensor(Array.from(a), [h, w]), nr.tensor(Array.from(b), [h, w])).item());
      expect(s(clean, clean)).toBeCloseTo(1, 6);
      const n1 = noisy(0.1);
      const n2 = noisy(0.5);
      expect(s(clean, n1)).toBe(s(n1, clean));
      expect(s(clean, n1)).toBeLessThan(1);
      expect(s(clean, n2)).toBeLessThan(s(clean, n1));
    });
  });
});

describe('image metric errors', () => {
  const a = nr.zeros([12, 12]);
  const b = nr.zeros([12, 13]);
  afterAll(() => [a, b].forEach((t) => t.dispose()));
  it('mismatched shapes are a ShapeError naming both; other mistakes name the metric', () => {
    for (const f of [nr.psnr, nr.ssim]) {
      const name = f === nr.psnr ? 'psnr' : 'ssim';
      expect(() => expectNoLeak(() => f(a, b))).toThrow(nr.ShapeError);
      expect(() => f(a, b)).toThrow(`${name}: a and b must have the same shape, got [12,12] and [12,13]`);
      expect(() => f(a, a, { maxValue: 0 })).toThrow(`${name}: maxValue must be a finite number > 0, got 0`);
      expect(() => f(a, a, { imageShape: [3, 0] })).toThrow(`${name}: imageShape must be [height, width] with positive integers, got an array of length 2`);
      expect(() => f(a, a, { imageShape: [2, 2] })).toThrow(`${name}: with imageShape [2, 2] images must be [4] or [batch, 4], got shape [12,12]`);
      expect(() => nr.tidy(() => f(nr.tensor([1, 2, 3]), nr.tensor([1, 2, 3])))).toThrow(`${name}: images must be [height, width] or [batch, height, width] (or flat with the imageShape option), got shape [3]`);
      expect(() => nr.tidy(() => f(a, nr.fill([12, 12], NaN)))).toThrow(`${name}: b contains NaN at flat index 0 (shape [12,12])`);
      expect(() => f(a, 1 as never)).toThrow(`${name}: b must be a Tensor, got 1`);
    }
    expect(() => nr.tidy(() => nr.ssim(nr.zeros([1, 8, 8]), nr.zeros([1, 8, 8])))).toThrow('ssim: images of 8 × 8 are smaller than the 11 × 11 window (shape [1,8,8]); pass a smaller windowSize');
    expect(() => nr.ssim(a, a, { windowSize: 0 })).toThrow('ssim: windowSize must be an integer in [1, 2147483647], got 0');
    expect(() => nr.ssim(a, a, { k1: -1 })).toThrow('ssim: k1 must be a finite number > 0, got -1');
  });
});
