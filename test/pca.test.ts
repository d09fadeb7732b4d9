// pca (issue 9, "The two uses"): against a plain-JS float64 reference — the covariance matrix
// from its definition and a cyclic Jacobi eigen-solver, written here independently of the
// Rust Householder + QL solver — on random and structured data; reconstruction error against
// the dropped eigenvalues; round trips; errors and memory.
import { describe, expect, it } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

type Mat = number[][];

/** Column means and the centred scatter matrix Xcᵀ·Xc, in float64. */
function scatter(x: Mat): { mean: number[]; s: Mat } {
  const n = x.length;
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((a, r) => a + r[j], 0) / n);
  const s = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const r of x) {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]);
  }
  return { mean, s };
}

/** Cyclic Jacobi: eigenvalues (descending) and eigenvectors (rows) of a symmetric matrix. */
function jacobi(m: Mat): { values: number[]; vectors: Mat } {
  const n = m.length;
  const a = m.map((r) => r.slice());
  const v: Mat = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vp = v[p][k];
          const vq = v[q][k];
          v[p][k] = c * vp - s * vq;
          v[q][k] = s * vp + c * vq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => v[i]) };
}

/** The reference PCA: variances λ/(n−1) and sign-normalised components. */
function reference(x: Mat): { mean: number[]; variance: number[]; ratio: number[]; components: Mat } {
  const { mean, s } = scatter(x);
  const { values, vectors } = jacobi(s);
  const total = values.reduce((a, b) => a + Math.max(b, 0), 0);
  const components = vectors.map((v) => {
    let best = 0;
    v.forEach((e, j) => { if (Math.abs(e) > Math.abs(v[best])) best = j; });
    return v[best] < 0 ? v.map((e) => -e) : v;
  });
  return { mean, variance: values.map((l) => Math.max(l, 0) / (x.length - 1)), ratio: values.map((l) => Math.max(l, 0) / total), components };
}

function randomData(n: number, d: number, seed: number): Mat {
  const r = mulberry32(seed);
  // Correlated columns of different scales: x = z·A with a random A.
  const a = Array.from({ length: d }, (_, i) => Array.from({ length: d }, () => (r() - 0.5) * (1 + i)));
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: d }, () => r() - 0.5);
    return Array.from({ length: d }, (_, j) => z.reduce((acc, zi, i) => acc + zi * a[i][j], 0));
  });
}

/** The data as float32, as neurite sees it. */
const f32 = (x: Mat): Mat => x.map((r) => Array.from(new Float32Array(r)));
const rows = (t: nr.Tensor): Mat => t.arraySync() as Mat;

function expectNear(got: number, want: number, tol: number, what: string): void {
  if (!(Math.abs(got - want) <= tol)) throw new Error(`${what}: got ${got}, want ${want} (tol ${tol})`);
}

function compare(x: Mat, k: number, rankTol = 1e-9): void {
  const xs = f32(x);
  const ref = reference(xs);
  using p = nr.pca({ components: k });
  const xt = nr.tensor(xs);
  p.fit(xt);
  const scale = ref.variance[0];
  const variance = p.explainedVariance;
  expect(variance.length).toBe(k);
  for (let c = 0; c < k; c++) {
    expectNear(variance[c], ref.variance[c], 1e-5 * scale, `variance[${c}]`);
    expectNear(p.explainedVarianceRatio[c], ref.ratio[c], 1e-6, `ratio[${c}]`);
  }
  const comps = rows(p.components);
  const mean = Array.from(p.mean.dataSync());
  ref.mean.forEach((m, j) => expectNear(mean[j], m, 1e-5 * (1 + Math.abs(m)), `mean[${j}]`));
  for (let c = 0; c < k; c++) {
    // Components are only defined when their eigenvalue is simple and non-zero.
    const gapPrev = c === 0 ? Infinity : ref.variance[c - 1] - ref.variance[c];
    const gapNext = c + 1 >= ref.variance.length ? Infinity : ref.variance[c] - ref.variance[c + 1];
    if (ref.variance[c] > rankTol * scale && Math.min(gapPrev, gapNext) > 1e-3 * scale) {
      comps[c].forEach((e, j) => expectNear(e, ref.components[c][j], 2e-4, `component ${c}[${j}]`));
    }
    for (let c2 = 0; c2 < k; c2++) {
      const dot = comps[c].reduce((a, e, j) => a + e * comps[c2][j], 0);
      expectNear(dot, c === c2 ? 1 : 0, 1e-5, `components ${c}·${c2}`);
    }
  }
  xt.dispose();
}

describe('pca against a float64 Jacobi reference', () => {
  it('random data, odd sizes, every k', () => {
    expectNoLeak(() => {
      compare(randomData(37, 11, 1), 11);
      compare(randomData(37, 11, 1), 3);
      compare(randomData(200, 5, 2), 1);
    });
  });

  it('fewer samples than features (the Gram path)', () => {
    expectNoLeak(() => {
      compare(randomData(6, 15, 3), 6);
      compare(randomData(9, 40, 4), 4);
    });
  });

  it('duplicated columns, a constant column, k above the rank', () => {
    const base = randomData(25, 3, 5);
    const x = base.map((r) => [r[0], r[1], r[0], 7, r[2], r[1], r[0] * 2]);
    expectNoLeak(() => {
      compare(x, 7);
      using p = nr.pca({ components: 7 }).fit(x);
      const v = p.explainedVariance;
      expect(v.slice(3)).toEqual([0, 0, 0, 0]);
      expect(v[2]).toBeGreaterThan(0);
      // Wide and rank-deficient at once: 4 samples, 10 features, rank ≤ 3.
      compare(randomData(4, 10, 6), 4);
    });
  });
});

describe('reconstruction', () => {
  const x = f32(randomData(60, 8, 7));

  it('the squared error of inverseTransform(transform(x)) is the sum of dropped eigenvalues, decreasing in k', () => {
    expectNoLeak(() => {
      const lambda = reference(x).variance.map((v) => v * (x.length - 1));
      let last = Infinity;
      for (let k = 1; k <= 8; k++) {
        using p = nr.pca({ components: k }).fit(x);
        const back = nr.tidy(() => rows(p.inverseTransform(p.transform(x))));
        const err = back.reduce((a, r, i) => a + r.reduce((b, e, j) => b + (e - x[i][j]) ** 2, 0), 0);
        const dropped = lambda.slice(k).reduce((a, b) => a + b, 0);
        expectNear(err, dropped, 1e-4 * (1 + lambda[0]), `k=${k}`);
        expect(err).toBeLessThanOrEqual(last + 1e-6);
        last = err;
      }
    });
  });

  it('round trip at k = d, one sample, and fitTransform', () => {
    expectNoLeak(() => {
      using p = nr.pca({ components: 8 });
      nr.tidy(() => {
        const z = p.fitTransform(x);
        expect(z.shape).toEqual([60, 8]);
        const back = rows(p.inverseTransform(z));
        back.forEach((r, i) => r.forEach((e, j) => expectNear(e, x[i][j], 1e-4 * (1 + Math.abs(x[i][j])), `x[${i}][${j}]`)));
        const z3 = p.transform(x[3]);
        expect(z3.shape).toEqual([8]);
        Array.from(z3.dataSync()).forEach((e, c) => expectNear(e, (z.arraySync() as Mat)[3][c], 1e-6, `z[3][${c}]`));
        expect(p.inverseTransform(z3).shape).toEqual([8]);
      });
      expect(p.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    });
  });

  it('whitened codes have unit variance and invert', () => {
    using p = nr.pca({ components: 3, whiten: true }).fit(x);
    const z = nr.tidy(() => rows(p.transform(x)));
    for (let c = 0; c < 3; c++) expectNear(z.reduce((a, r) => a + r[c] ** 2, 0) / (x.length - 1), 1, 1e-4, `var ${c}`);
    using q = nr.pca({ components: 3 }).fit(x);
    const a = nr.tidy(() => rows(p.inverseTransform(p.transform(x))));
    const b = nr.tidy(() => rows(q.inverseTransform(q.transform(x))));
    a.forEach((r, i) => r.forEach((e, j) => expectNear(e, b[i][j], 1e-4, `[${i}][${j}]`)));
  });

  it('MNIST-sized features (d = 784) on low-rank data: codes reproduce the data', () => {
    const r = mulberry32(11);
    const basis = Array.from({ length: 5 }, () => Array.from({ length: 784 }, () => r()));
    const x2 = Array.from({ length: 300 }, () => {
      const w = Array.from({ length: 5 }, () => r() - 0.5);
      return basis[0].map((_, j) => w.reduce((a, wi, i) => a + wi * basis[i][j], 0.5));
    });
    using p = nr.pca({ components: 5 }).fit(x2);
    const err = nr.tidy(() => rows(p.inverseTransform(p.transform(x2))).reduce((a, row, i) => a + row.reduce((b, e, j) => b + (e - x2[i][j]) ** 2, 0), 0));
    expect(err / (300 * 784)).toBeLessThan(1e-9);
    expect(p.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('pca lifecycle and errors', () => {
  it('memory: handles and tensors back to baseline after dispose; refit replaces the cached tensors', () => {
    const before = nr.memory();
    const p = nr.pca({ components: 2 });
    expect(nr.memory().numHandles).toBe(before.numHandles + 1);
    p.fit([[1, 2, 3], [4, 5, 7], [0, 1, 1], [2, 2, 2]]);
    const c1 = p.components;
    expect(p.components).toBe(c1);
    expect(p.mean.shape).toEqual([3]);
    p.fit([[1, 0, 3], [4, 5, 7], [0, 1, 1]]);
    expect(c1.isDisposed).toBe(true);
    expect(p.nSamples).toBe(3);
    expect(p.nFeatures).toBe(3);
    // A component tensor taken inside tidy survives the scope (it belongs to the PCA).
    const inside = nr.tidy(() => p.components);
    expect(inside.isDisposed).toBe(false);
    p.dispose();
    p.dispose();
    expect(inside.isDisposed).toBe(true);
    const after = nr.memory();
    expect(after.numHandles).toBe(before.numHandles);
    expect(after.numTensors).toBe(before.numTensors);
    expect(() => p.transform([[1, 2, 3]])).toThrow(nr.DisposedError);
    expect(() => p.fit([[1, 2, 3], [1, 2, 4]])).toThrow('pca.fit: the PCA is disposed');
  });

  it('bad arguments name pca and the shapes', () => {
    const bad = (f: () => unknown, cls: typeof nr.NeuriteError, msg: string | RegExp) => {
      expect(() => expectNoLeak(f)).toThrow(cls);
      expect(() => expectNoLeak(f)).toThrow(msg);
    };
    bad(() => nr.pca({ components: 0 }), nr.InvalidArgumentError, 'pca: components must be an integer in [1, 16777215], got 0');
    bad(() => nr.pca({ components: 1.5 }), nr.InvalidArgumentError, /^pca: components must be an integer/);
    bad(() => nr.pca({ components: 2, whiten: 1 as never }), nr.InvalidArgumentError, 'pca: whiten must be a boolean, got 1');
    bad(() => nr.pca({} as never), nr.InvalidArgumentError, /^pca: components must be an integer/);
    using p = nr.pca({ components: 3 });
    bad(() => p.transform([[1, 2]]), nr.InvalidArgumentError, 'pca.transform: the PCA is not fitted yet; call fit(x) first');
    bad(() => p.components, nr.InvalidArgumentError, 'pca.components: the PCA is not fitted yet; call fit(x) first');
    bad(() => p.fit([[1, 2], [3, 4]]), nr.InvalidArgumentError, 'pca.fit: components (3) must be at most min(samples, features) = min(2, 2) = 2 (x has shape [2,2])');
    bad(() => p.fit([[1, 2, 3], [3, NaN, 4], [0, 0, 1]]), nr.InvalidArgumentError, 'pca.fit: x contains NaN at flat index 4 (shape [3,3])');
    bad(() => p.fit([[1, 2, 3]]), nr.ShapeError, 'pca.fit: x must have at least 2 samples to estimate a variance, got shape [1,3]');
    bad(() => p.fit('x' as never), nr.InvalidArgumentError, /^pca\.fit: x must be a Tensor or an array of numbers/);
    expect(p.isFitted).toBe(false);
    p.fit([[1, 2, 3], [3, 1, 4], [0, 0, 1], [5, 1, 1]]);
    bad(() => p.transform([[1, 2, 3, 4]]), nr.ShapeError, 'pca.transform: x has 4 features (shape [1,4]) but the PCA was fitted on 3 (x must be [samples, 3] or [3])');
    bad(() => p.transform([[[1, 2, 3]]] as never), nr.ShapeError, 'pca.transform: x must be [samples, 3] or [3], got shape [1,1,3]');
    bad(() => p.inverseTransform([[1, 2]]), nr.ShapeError, 'pca.inverseTransform: z has 2 components (shape [1,2]) but the PCA keeps 3 (z must be [samples, 3] or [3])');
    bad(() => p.transform([[1, Infinity, 3]]), nr.InvalidArgumentError, 'pca.transform: x contains Infinity at flat index 1 (shape [1,3])');
    // Failed calls kept the fit.
    expect(nr.tidy(() => p.transform([1, 2, 3]).shape)).toEqual([3]);
  });
});
