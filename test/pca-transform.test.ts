// pca.transform and inverseTransform as float32 tensor ops (sub, matMul, mul, add on the fitted
// constants): their accuracy against the float64 maps, their gradients under grad (affine
// maps: the gradient in x is dy·(scale ⊙ components), in z dy·componentsᵀ ⊙ √variance), and
// explainedVariance read in float64. Needs the wasm with nr_pca_check and nr_pca_get_f64
// (crates/wasm/src/exports/decomposition.rs).
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { expectNoLeak } from './setup.js';
import { mulberry32 } from './rng.js';

type Mat = number[][];

function data(n: number, d: number, seed: number, offset = 0): Mat {
  const r = mulberry32(seed);
  const a = Array.from({ length: d }, (_, i) => Array.from({ length: d }, () => (r() - 0.5) * (1 + i)));
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: d }, () => r() - 0.5);
    return Array.from({ length: d }, (_, j) => Math.fround(offset + z.reduce((acc, zi, i) => acc + zi * a[i][j], 0)));
  });
}

const rows = (t: nr.Tensor): Mat => t.arraySync() as Mat;

/** (x − μ)·Vᵀ (÷ √variance) in float64 from the fitted float32 parts. */
function codes(x: Mat, mean: number[], comps: Mat, scale: number[]): Mat {
  return x.map((r) => comps.map((v, c) => v.reduce((a, vj, j) => a + (r[j] - mean[j]) * vj, 0) * scale[c]));
}

describe('pca.transform and inverseTransform on tensor ops', () => {
  it('agree with the float64 maps to float32 accumulation (≤ 1e-6 of the row norm)', () => {
    for (const whiten of [false, true]) {
      const x = data(50, 20, 1, 100);
      using p = nr.pca({ components: 6, whiten }).fit(x);
      const mean = Array.from(p.mean.dataSync());
      const comps = rows(p.components);
      const scale = p.explainedVariance.map((v) => (whiten ? 1 / Math.sqrt(v) : 1));
      const want = codes(x, mean, comps, scale);
      const got = nr.tidy(() => rows(p.transform(x)));
      got.forEach((r, i) => {
        const norm = Math.hypot(...x[i].map((v, j) => v - mean[j]));
        r.forEach((g, c) => expect(Math.abs(g - want[i][c]), `whiten ${whiten} row ${i} code ${c}`).toBeLessThanOrEqual(1e-6 * norm * scale[c]));
      });
      // The inverse: z·V (× √variance) + μ.
      const back = nr.tidy(() => rows(p.inverseTransform(got)));
      back.forEach((r, i) => r.forEach((b, j) => {
        const w = mean[j] + got[i].reduce((a, z, c) => a + (z / scale[c]) * comps[c][j], 0);
        expect(Math.abs(b - w), `whiten ${whiten} back ${i},${j}`).toBeLessThanOrEqual(1e-6 * (Math.abs(w) + 1));
      }));
      // One sample: [d] → [k] and back, the rows of the batch's.
      const one = nr.tidy(() => Array.from(p.transform(x[3]).dataSync()));
      expect(one).toEqual(got[3].map((v) => Math.fround(v)));
      expect(nr.tidy(() => p.inverseTransform(one).shape)).toEqual([20]);
    }
  });

  it('are differentiable in x and z (they had no gradient rule)', () => {
    for (const whiten of [false, true]) {
      const x = data(12, 5, 2);
      using p = nr.pca({ components: 3, whiten }).fit(x);
      const comps = rows(p.components);
      const scale = p.explainedVariance.map((v) => (whiten ? 1 / Math.sqrt(v) : 1));
      const w = nr.tensor(data(12, 3, 3));
      const wv = rows(w);
      // The fitted constants are made on first use and kept by the PCA.
      nr.tidy(() => {
        p.inverseTransform(p.transform(x));
      });
      expectNoLeak(() => {
        // d/dx Σ w ⊙ transform(x) = (w ⊙ scale)·V
        const gx = nr.tidy(() => rows(nr.grad((xt: nr.Tensor) => nr.sum(nr.mul(p.transform(xt), w)))(nr.tensor(x))));
        gx.forEach((r, i) => r.forEach((g, j) => expect(g).toBeCloseTo(wv[i].reduce((a, wc, c) => a + wc * scale[c] * comps[c][j], 0), 5)));
        // d/dz Σ u ⊙ inverseTransform(z) = (u·Vᵀ) ⊙ √variance
        const u = data(12, 5, 4);
        const gz = nr.tidy(() => rows(nr.grad((zt: nr.Tensor) => nr.sum(nr.mul(p.inverseTransform(zt), u)))(nr.tensor(wv))));
        gz.forEach((r, i) => r.forEach((g, c) => expect(g).toBeCloseTo(comps[c].reduce((a, v, j) => a + u[i][j] * v, 0) / scale[c], 5)));
      });
      w.dispose();
    }
  });

  it("the report's case: grad(s => sum(square(transform(s·X)))) against central differences", () => {
    const x = data(30, 4, 5, 3);
    using p = nr.pca({ components: 2 }).fit(x);
    const xt = nr.tensor(x);
    const f = (s: number): number => nr.tidy(() => nr.sum(nr.square(p.transform(nr.mul(s, xt)))).dataSync()[0]);
    const g = nr.tidy(() => nr.grad((s: nr.Tensor) => nr.sum(nr.square(p.transform(nr.mul(s, xt)))))(nr.scalar(1.5)).dataSync()[0]);
    const h = 1e-2;
    expect(g / ((f(1.5 + h) - f(1.5 - h)) / (2 * h))).toBeCloseTo(1, 3);
    xt.dispose();
  });

  it('keeps the checks and messages; a whitened zero-variance component codes to 0', () => {
    using p = nr.pca({ components: 3, whiten: true }).fit([[1, 2, 0], [3, 1, 0], [0, 0, 0], [5, 1, 0]]);
    expect(() => p.transform([[1, NaN, 3]])).toThrow(new nr.InvalidArgumentError('pca.transform: x contains NaN at flat index 1 (shape [1,3])'));
    expect(() => p.inverseTransform([[1, 2, -Infinity]])).toThrow(new nr.InvalidArgumentError('pca.inverseTransform: z contains -Infinity at flat index 2 (shape [1,3])'));
    expect(() => p.transform([[1, 2]])).toThrow(new nr.ShapeError('pca.transform: x has 2 features (shape [1,2]) but the PCA was fitted on 3 (x must be [samples, 3] or [3])'));
    expect(() => p.transform(5 as never)).toThrow(nr.InvalidArgumentError);
    expect(p.explainedVariance[2]).toBe(0);
    const z = nr.tidy(() => rows(p.transform([[2, 2, 0], [1, 0, 0]])));
    expect(z.map((r) => r[2])).toEqual([0, 0]);
    expect(nr.tidy(() => p.transform(nr.zeros([0, 3])).shape)).toEqual([0, 3]);
  });

  it('leaves nothing behind, and dispose frees the cached constants', () => {
    const x = data(10, 4, 6);
    const before = nr.memory().numTensors;
    const p = nr.pca({ components: 2, whiten: true }).fit(x);
    // The first call makes the fitted constants (mean, components, √variance), kept by the PCA.
    nr.tidy(() => {
      p.inverseTransform(p.transform(x));
    });
    expect(nr.memory().numTensors).toBe(before + 3);
    expectNoLeak(() => {
      nr.tidy(() => {
        p.inverseTransform(p.transform(x));
      });
    });
    p.fit(data(10, 4, 7));
    nr.tidy(() => {
      p.transform(x);
    });
    p.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });
});

describe('pca explained variances in float64', () => {
  it('beyond float32 (was Infinity) and in its subnormals (was 25 % off)', () => {
    const base = data(40, 3, 8);
    using p1 = nr.pca({ components: 3 }).fit(base);
    const v1 = p1.explainedVariance;
    for (const scale of [5e19, 1e-22]) {
      using p = nr.pca({ components: 3 }).fit(base.map((r) => r.map((v) => v * scale)));
      const v = p.explainedVariance;
      v.forEach((got, c) => {
        expect(Number.isFinite(got), `scale ${scale}: ${got}`).toBe(true);
        expect(got / (v1[c] * scale * scale), `scale ${scale}: variance[${c}]`).toBeCloseTo(1, 4);
      });
      expect(p.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    using big = nr.pca({ components: 1 }).fit(base.map((r) => r.map((v) => v * 1e20)));
    expect(big.explainedVariance[0]).toBeGreaterThan(3.4028234663852886e38);
  });

  it('whitened codes of data near float32\'s subnormals stay finite and unit-scaled (1/√variance left float32: ±Infinity codes; a re-tester\'s finding)', () => {
    const base = data(40, 3, 8);
    using p1 = nr.pca({ components: 2, whiten: true }).fit(base);
    const want = nr.tidy(() => Array.from(p1.transform(base).dataSync()));
    for (const scale of [1e-38, 1e-39, 1e-40]) {
      using p = nr.pca({ components: 2, whiten: true }).fit(base.map((r) => r.map((v) => v * scale)));
      const got = nr.tidy(() => Array.from(p.transform(base.map((r) => r.map((v) => v * scale))).dataSync()));
      expect(got.every(Number.isFinite), `scale ${scale}`).toBe(true);
      // Inputs in float32's subnormals keep few bits: the codes agree to that precision.
      const err = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
      expect(err, `scale ${scale}`).toBeLessThan(scale === 1e-38 ? 1e-5 : 0.05);
    }
  });
});

describe('pca.fit on ragged x', () => {
  it('names x and its row', () => {
    using p = nr.pca({ components: 1 });
    expect(() => p.fit([[1, 2], [3]])).toThrow(new nr.ShapeError('pca.fit: x is ragged: x[1] is an array of length 1, expected an array of length 2 (inferred shape [2,2])'));
    expect(() => p.fit([[1, 2], [3, 'a' as never]])).toThrow(new nr.InvalidArgumentError('pca.fit: x[1][1] is the string "a", not a number'));
  });
});
