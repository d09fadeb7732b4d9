// The batchNormalization layer's kernels bit for bit: its forward (training and inference) and
// backward (dx, dγ, dβ) against a float32 reference in JS that rounds every operation as the
// core documents it (crates/core/src/kernels/norm.rs and layers/batch_norm.rs: per feature,
// sums over the rows in row order, the mean's of deviations from the first row, separate
// multiplies and adds). The wasm evaluates 4 features per SIMD lane group, the
// rest as scalars, and splits rows over the thread pool: feature counts around 4 and batches
// above one task's rows check that none of that changes a bit.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { rng, uniform } from './oracle.js';

const f = Math.fround;
const EPS = 1e-3;

/** Everything the layer computes, by the reference's rounding. */
function reference(x: Float32Array, rows: number, c: number, g: Float32Array, b: Float32Array, mm: Float32Array, mv: Float32Array, dy: Float32Array) {
  const mean = new Float32Array(c), vr = new Float32Array(c);
  // The mean as deviations from the first row, shifted back (batch_norm.rs).
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) mean[j] = f(mean[j] + f(x[r * c + j] - x[j]));
  for (let j = 0; j < c; j++) mean[j] = f(x[j] + f(mean[j] / rows));
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) { const d = f(x[r * c + j] - mean[j]); vr[j] = f(vr[j] + f(d * d)); }
  for (let j = 0; j < c; j++) vr[j] = f(vr[j] / rows);
  const inv = vr.map((v) => f(1 / f(Math.sqrt(f(v + f(EPS))))));
  const minv = mv.map((v) => f(1 / f(Math.sqrt(f(v + f(EPS))))));
  const h = new Float32Array(x.length), y = new Float32Array(x.length), yi = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % c;
    h[i] = f(f(x[i] - mean[j]) * inv[j]);
    y[i] = f(f(g[j] * h[i]) + b[j]);
    yi[i] = f(f(f(g[j] * f(x[i] - mm[j])) * minv[j]) + b[j]);
  }
  const sd = new Float32Array(c), sdh = new Float32Array(c);
  for (let i = 0; i < x.length; i++) { const j = i % c; sd[j] = f(sd[j] + dy[i]); sdh[j] = f(sdh[j] + f(dy[i] * h[i])); }
  const k = g.map((gj, j) => f(f(gj * inv[j]) / rows));
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % c;
    dx[i] = f(k[j] * f(f(f(rows * dy[i]) - sd[j]) - f(h[i] * sdh[j])));
  }
  return { y, yi, dx, dgamma: sdh, dbeta: sd };
}

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe('batchNormalization: the same bits as the float32 reference', () => {
  // [sample shape, batch]: 1 to 17 features; rank 4 (the conv case); 600 rows × 64 features
  // and 2,048 × 16 span several pool tasks (16 Ki values each).
  const cases: Array<[number[], number]> = [[[1], 7], [[3], 5], [[4], 9], [[5], 3], [[16], 33], [[17], 11], [[6, 6, 8], 4], [[64], 600], [[8, 8, 16], 32]];
  for (const [sample, batch] of cases) {
    it(`sample shape [${sample}], batch ${batch}`, () => {
      const c = sample[sample.length - 1], size = batch * sample.reduce((a, d) => a * d, 1), rows = size / c;
      const rand = rng(sample.length * 100 + batch);
      const x = Float32Array.from(uniform(rand, size, -3, 5));
      const dy = Float32Array.from(uniform(rand, size, -1, 1));
      const [g, b, mm] = [uniform(rand, c, 0.5, 2), uniform(rand, c, -1, 1), uniform(rand, c, -1, 1)].map((v) => Float32Array.from(v));
      const mv = Float32Array.from(uniform(rand, c, 0.1, 3));
      const want = reference(x, rows, c, g, b, mm, mv, dy);

      const m = nr.sequential({ layers: [nr.layers.batchNormalization({ inputShape: sample, epsilon: EPS })] });
      m.build();
      m.setWeights([nr.tensor(g), nr.tensor(b), nr.tensor(mm), nr.tensor(mv)]);
      const xt = nr.tensor(x, [batch, ...sample]), dyt = nr.tensor(dy, [batch, ...sample]);
      try {
        nr.tidy(() => {
          expect(bits(m.predict(xt).dataSync()), 'inference').toEqual(bits(want.yi));
          expect(bits(m.apply(xt, { training: true }).dataSync()), 'training forward').toEqual(bits(want.y));
          const dx = nr.grad((v: nr.Tensor) => m.apply(v, { training: true }) as nr.Tensor)(xt, dyt);
          expect(bits(dx.dataSync()), 'dx').toEqual(bits(want.dx));
          const [gamma, beta] = m.getLayer(0).trainableWeights;
          const { grads } = nr.variableGrads(() => (m.apply(xt, { training: true }) as nr.Tensor).mul(dyt).sum(), [gamma, beta]);
          expect(bits(grads[gamma.name].dataSync()), 'dgamma').toEqual(bits(want.dgamma));
          expect(bits(grads[beta.name].dataSync()), 'dbeta').toEqual(bits(want.dbeta));
        });
      } finally {
        nr.dispose([xt, dyt]);
        m.dispose();
      }
    });
  }
});
