// psnr and ssim (issues 9 and 10): psnr against its closed form, ssim against a plain-JS
// reference of the same definition (Wang et al. 2004 with the 11 × 11, σ = 1.5 Gaussian
// window, valid positions only, as tf.image.ssim) written with a direct 2-D window rather
// than the core's separable passes; known properties; layouts (channels last as TF's: psnr
// over h·w·c, ssim per channel averaged over channels) and errors.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expectNoLeak, thrown } from './setup.js';
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

describe('the default maxValue', () => {
  it('8-bit images scored with the default maxValue (1) warn once per metric; with maxValue, or in [0, 1], nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // Before any warning: empty images have no range (the check took a maximum over nothing),
      // and a non-finite value is the metric's own error, with no warning before it.
      nr.tidy(() => {
        expect(nr.image.psnr(nr.zeros([0, 12, 12, 3]), nr.zeros([0, 12, 12, 3])).shape).toEqual([0]);
        expect(nr.image.ssim(nr.zeros([0, 12, 12]), nr.zeros([0, 12, 12])).shape).toEqual([0]);
      });
      expect(() => nr.tidy(() => nr.image.psnr([[1, Infinity], [3, 4]], [[1, 2], [3, 4]]))).toThrow(/Infinity/);
      expect(warn).not.toHaveBeenCalled();
      const rnd = mulberry32(7);
      const a = Array.from({ length: 2 }, () => Array.from({ length: 12 }, () => Array.from({ length: 12 }, () => Math.round(rnd() * 255))));
      const b = a.map((img) => img.map((row) => row.map((v) => Math.min(255, v + 3))));
      // Was silent: a negative PSNR for these 8-bit images.
      const bad = nr.tidy(() => Array.from(nr.image.psnr(a, b).dataSync()));
      expect(bad.every((v) => v < 0)).toBe(true);
      nr.tidy(() => nr.image.psnr(a, b));
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(['psnr: the images reach 255 but maxValue is 1, the default for images in [0, 1]: for 8-bit images pass { maxValue: 255 } (the score is wrong: a PSNR comes out negative)']);
      nr.tidy(() => nr.image.ssim(a, b));
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1][0])).toMatch(/^ssim: the images reach 255 but maxValue is 1/);
      warn.mockClear();
      const good = nr.tidy(() => Array.from(nr.image.psnr(a, b, { maxValue: 255 }).dataSync()));
      expect(good.every((v) => v > 30)).toBe(true);
      nr.tidy(() => nr.image.psnr(a.map((i) => i.map((r) => r.map((v) => v / 255))), b.map((i) => i.map((r) => r.map((v) => v / 255)))));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
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
      expect(() => f(a, a, { imageShape: [3, 0] })).toThrow(`${name}: imageShape must be [height, width] with positive integers, got [3,0]`);
      expect(() => f(a, a, { imageShape: [2, 2] })).toThrow(`${name}: with imageShape [2, 2] images must be [4] or [batch, 4], got shape [12,12]`);
      expect(() => nr.tidy(() => f(nr.tensor([1, 2, 3]), nr.tensor([1, 2, 3])))).toThrow(`${name}: images must be [height, width], [batch, height, width] or [batch, height, width, channels] (or flat with the imageShape option), got shape [3]`);
      expect(() => nr.tidy(() => f(a, nr.fill([12, 12], NaN)))).toThrow(`${name}: b contains NaN at flat index 0 (shape [12,12])`);
      // A number is TF.js's TensorLike (a temporary scalar, then a shape error); a string is not.
      expect(() => f(a, 1)).toThrow(`${name}: a and b must have the same shape, got [12,12] and []`);
      expect(() => f(a, 'x' as never)).toThrow(`${name}: b must be a Tensor, a number or an array of numbers, got the string "x"`);
    }
    expect(() => nr.tidy(() => nr.ssim(nr.zeros([1, 8, 8]), nr.zeros([1, 8, 8])))).toThrow('ssim: images of 8 × 8 are smaller than the 11 × 11 window (shape [1,8,8]); pass a smaller windowSize');
    expect(() => nr.ssim(a, a, { windowSize: 0 })).toThrow('ssim: windowSize must be an integer in [1, 2147483647], got 0');
    expect(() => nr.ssim(a, a, { k1: -1 })).toThrow('ssim: k1 must be a finite number > 0, got -1');
  });
});

/** Channel `ch` of image `i` of a channels-last batch `[n, h, w, c]`, as a flat `h × w` plane. */
function plane(v: Float32Array, i: number, h: number, w: number, c: number, ch: number): Float32Array {
  return Float32Array.from({ length: h * w }, (_, p) => v[(i * h * w + p) * c + ch]);
}

/** `n` images `[h, w, c]`, each channel a different smooth image plus noise, interleaved. */
function batchNhwc(n: number, h: number, w: number, c: number, seed: number, noise = 0.2): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const p = image(h, w, seed + 10 * i + ch, noise);
      for (let q = 0; q < h * w; q++) out[(i * h * w + q) * c + ch] = p[q];
    }
  }
  return out;
}

describe('channels last [batch, h, w, c]', () => {
  it('c = 1 gives the same bits as [batch, h, w] and as the flat rows with imageShape', () => {
    expectNoLeak(() => {
      const [n, h, w] = [3, 16, 13];
      const a = batchNhwc(n, h, w, 1, 1);
      const b = batchNhwc(n, h, w, 1, 50, 0.4);
      for (const [f, opts] of [[nr.psnr, {}], [nr.psnr, { maxValue: 2 }], [nr.ssim, {}], [nr.ssim, { windowSize: 5, sigma: 0.8, k1: 0.02, k2: 0.05, maxValue: 2 }]] as const) {
        const run = (shape: number[], o: object) => nr.tidy(() => {
          const v = f(nr.tensor(a, shape), nr.tensor(b, shape), o);
          return { shape: v.shape, values: Array.from(v.dataSync()) };
        });
        const nhwc = run([n, h, w, 1], opts);
        expect(nhwc.shape).toEqual([n]);
        expect(nhwc).toEqual(run([n, h, w], opts));
        expect(nhwc).toEqual(run([n, h * w], { ...opts, imageShape: [h, w] }));
      }
    });
  });

  it('ssim on [batch, h, w, 3] is the mean over channels of each channel\'s SSIM (tf.image.ssim)', () => {
    expectNoLeak(() => {
      for (const [n, h, w, c, o] of [
        [2, 12, 15, 3, {}],
        [3, 11, 11, 3, { max: 255 }],
        [2, 9, 10, 2, { max: 2, size: 5, sigma: 1 }],
      ] as Array<[number, number, number, number, { max?: number; size?: number; sigma?: number }]>) {
        const scale = o.max === 255 ? 255 : 1;
        const a = batchNhwc(n, h, w, c, 7).map((v) => v * scale);
        const b = batchNhwc(n, h, w, c, 70, 0.4).map((v) => v * scale);
        const got = nr.tidy(() => {
          const v = nr.ssim(nr.tensor(a, [n, h, w, c]), nr.tensor(b, [n, h, w, c]), { maxValue: o.max, windowSize: o.size, sigma: o.sigma });
          expect(v.shape).toEqual([n]);
          return Array.from(v.dataSync());
        });
        for (let i = 0; i < n; i++) {
          let want = 0;
          for (let ch = 0; ch < c; ch++) want += refSsim(plane(a, i, h, w, c, ch), plane(b, i, h, w, c, ch), h, w, o) / c;
          expect(got[i]).toBeCloseTo(want, 5);
        }
        // Identical images: 1 in every channel.
        const same = nr.tidy(() => Array.from(nr.ssim(nr.tensor(a, [n, h, w, c]), nr.tensor(a, [n, h, w, c]), { maxValue: o.max, windowSize: o.size, sigma: o.sigma }).dataSync()));
        for (const v of same) expect(v).toBeCloseTo(1, 6);
      }
      // One colour image takes a batch axis of 1.
      const [h, w] = [13, 12];
      const a = batchNhwc(1, h, w, 3, 3);
      const b = batchNhwc(1, h, w, 3, 30);
      const one = nr.tidy(() => nr.ssim(nr.expandDims(nr.tensor(a, [h, w, 3]), 0), nr.expandDims(nr.tensor(b, [h, w, 3]), 0)).item());
      const want = [0, 1, 2].reduce((s, ch) => s + refSsim(plane(a, 0, h, w, 3, ch), plane(b, 0, h, w, 3, ch), h, w) / 3, 0);
      expect(one).toBeCloseTo(want, 5);
    });
  });

  it('psnr on [batch, h, w, c] is per image, the MSE over all h·w·c values (tf.image.psnr)', () => {
    expectNoLeak(() => {
      const [n, h, w, c] = [3, 5, 7, 3];
      const a = batchNhwc(n, h, w, c, 11);
      const b = batchNhwc(n, h, w, c, 12);
      b.set(a.subarray(h * w * c, 2 * h * w * c), h * w * c); // image 1 identical
      const per = h * w * c;
      for (const max of [1, 255]) {
        const s = max === 255 ? 255 : 1;
        const got = nr.tidy(() => {
          const v = nr.psnr(nr.tensor(a, [n, h, w, c]).mul(s), nr.tensor(b, [n, h, w, c]).mul(s), { maxValue: max });
          expect(v.shape).toEqual([n]);
          return Array.from(v.dataSync());
        });
        for (let i = 0; i < n; i++) {
          const want = refPsnr(a.subarray(i * per, (i + 1) * per), b.subarray(i * per, (i + 1) * per), 1);
          if (want === Infinity) expect(got[i]).toBe(Infinity);
          else expect(got[i]).toBeCloseTo(want, max === 1 ? 4 : 3);
        }
      }
      // Not the mean of per-channel PSNRs: the channels share one MSE.
      const perChannel = [0, 1, 2].reduce((s, ch) => s + refPsnr(plane(a, 0, h, w, c, ch), plane(b, 0, h, w, c, ch), 1) / 3, 0);
      expect(Math.abs(perChannel - refPsnr(a.subarray(0, per), b.subarray(0, per), 1))).toBeGreaterThan(1e-3);
    });
  });

  it('rank 2 without imageShape is one image; rows of flattened images need imageShape', () => {
    expectNoLeak(() => {
      const [n, h, w] = [12, 16, 16];
      const x = batchNhwc(n, h, w, 1, 21);
      const y = batchNhwc(n, h, w, 1, 22, 0.4);
      nr.tidy(() => {
        const rows = [nr.tensor(x, [n, h * w]), nr.tensor(y, [n, h * w])] as const;
        const asOne = nr.ssim(...rows);
        expect(asOne.shape).toEqual([]);
        expect(asOne.item()).toBeCloseTo(refSsim(x, y, n, h * w), 5);
        const perImage = nr.ssim(...rows, { imageShape: [h, w] });
        expect(perImage.shape).toEqual([n]);
        expect(Array.from(perImage.dataSync())).toEqual(Array.from(nr.ssim(nr.tensor(x, [n, h, w]), nr.tensor(y, [n, h, w])).dataSync()));
        expect(nr.psnr(...rows).shape).toEqual([]);
        expect(nr.psnr(...rows, { imageShape: [h, w] }).shape).toEqual([n]);
      });
    });
  });

  it('errors name the metric, the argument and the caller\'s shapes, and leave nothing live', () => {
    const z = (s: number[]) => nr.zeros(s);
    const cases: Array<[string, () => unknown, new (m: string) => Error, string]> = [];
    for (const name of ['psnr', 'ssim'] as const) {
      const f = nr[name];
      cases.push(
        [name, () => f(z([2, 12, 12, 3]), z([2, 12, 12, 1])), nr.ShapeError, `${name}: a and b must have the same shape, got [2,12,12,3] and [2,12,12,1]`],
        [name, () => f(z([2, 12, 12, 3]), z([2, 12, 12])), nr.ShapeError, `${name}: a and b must have the same shape, got [2,12,12,3] and [2,12,12]`],
        [name, () => f(z([1, 2, 12, 12, 3]), z([1, 2, 12, 12, 3])), nr.ShapeError, `${name}: images must be [height, width], [batch, height, width] or [batch, height, width, channels] (or flat with the imageShape option), got shape [1,2,12,12,3]`],
        [name, () => f(z([2, 12, 12, 1]), z([2, 12, 12, 1]), { imageShape: [12, 12] }), nr.ShapeError, `${name}: with imageShape [12, 12] images must be [144] or [batch, 144], got shape [2,12,12,1]`],
        [name, () => f(z([2, 12, 12, 0]), z([2, 12, 12, 0])), nr.ShapeError, `${name}: images are empty (12 × 12 × 0; shape [2,12,12,0])`],
        [name, () => f(z([2, 0, 12, 3]), z([2, 0, 12, 3])), nr.ShapeError, `${name}: images are empty (0 × 12 × 3; shape [2,0,12,3])`],
        // The flat index is the caller's (channels last), not that of a transposed copy.
        [name, () => f(z([2, 12, 12, 3]), nr.tensor(Float32Array.from({ length: 864 }, (_, i) => (i === 437 ? -Infinity : 0)), [2, 12, 12, 3])), nr.InvalidArgumentError, `${name}: b contains -Infinity at flat index 437 (shape [2,12,12,3])`],
        [name, () => f(nr.fill([1, 12, 12, 1], NaN), z([1, 12, 12, 1])), nr.InvalidArgumentError, `${name}: a contains NaN at flat index 0 (shape [1,12,12,1])`],
        [name, () => f(z([2, 12, 12, 3]), 'x' as never), nr.InvalidArgumentError, `${name}: b must be a Tensor, a number or an array of numbers, got the string "x"`],
      );
    }
    cases.push(
      ['ssim', () => nr.ssim(z([2, 8, 12, 3]), z([2, 8, 12, 3])), nr.InvalidArgumentError, 'ssim: images of 8 × 12 are smaller than the 11 × 11 window (shape [2,8,12,3]); pass a smaller windowSize'],
      ['ssim', () => nr.ssim(z([2, 8, 12, 1]), z([2, 8, 12, 1]), { windowSize: 9 }), nr.InvalidArgumentError, 'ssim: images of 8 × 12 are smaller than the 9 × 9 window (shape [2,8,12,1]); pass a smaller windowSize'],
    );
    for (const [, f, cls, message] of cases) {
      const err = expectNoLeak(() => thrown(() => nr.tidy(f)));
      expect(err, message).toBeInstanceOf(cls);
      expect((err as Error).message).toBe(message);
    }
  });

  it('an empty batch [0, h, w, c] gives [0]', () => {
    expectNoLeak(() => {
      for (const c of [1, 3]) {
        nr.tidy(() => {
          expect(nr.ssim(nr.zeros([0, 12, 12, c]), nr.zeros([0, 12, 12, c])).shape).toEqual([0]);
          expect(nr.psnr(nr.zeros([0, 12, 12, c]), nr.zeros([0, 12, 12, c])).shape).toEqual([0]);
        });
      }
    });
  });
});

describe("TensorFlow's positional max_val", () => {
  it('psnr(a, b, 1) and ssim(a, b, 255) say to write { maxValue } (it said only that options must be an object)', () => {
    const a = nr.zeros([4, 4]), b = nr.ones([4, 4]);
    expect((thrown(() => nr.psnr(a, b, 1 as never)) as Error).message).toBe("psnr: options must be an object, got 1; TensorFlow's third argument max_val is the maxValue option here: psnr(a, b, { maxValue: 1 })");
    expect((thrown(() => nr.ssim(a, b, 255 as never)) as Error).message).toBe("ssim: options must be an object, got 255; TensorFlow's third argument max_val is the maxValue option here: ssim(a, b, { maxValue: 255 })");
    nr.dispose([a, b]);
  });
});
