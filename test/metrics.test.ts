// metrics.* against TF.js 4.22's tf.metrics (tfjs-layers, `cpu` backend): the same shapes out
// (one value per example, or a scalar), values within float32 rounding (the accuracies, precision
// and recall exactly) on shapes of rank 1–3 with odd sizes, targets that are not one-hot or do not
// sum to 1, zeros in yTrue (MAPE's clip), the 0/0 cases of precision and recall; the aliases; a
// gradient through the differentiable ones; errors naming the metric and the shapes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops'; // TF.js's r2Score uses tensor methods
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';
import { normals, mulberry32 } from './rng.js';

await tf.setBackend('cpu');

type Pair = { t: Float32Array; p: Float32Array; shape: number[] };
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Regression-like data: yTrue with some exact zeros, yPred near it. */
function regression(shape: number[], seed: number): Pair {
  const g = normals(seed);
  const t = Float32Array.from(g(size(shape)), (v, i) => (i % 5 === 2 ? 0 : v));
  const p = Float32Array.from(g(size(shape)), (v, i) => t[i] + 0.3 * v);
  return { t, p, shape };
}

/** Classification-like data: yTrue rows one-hot, soft or not summing to 1; yPred probabilities. */
function classes(shape: number[], seed: number): Pair {
  const r = mulberry32(seed);
  const k = shape[shape.length - 1];
  const t = new Float32Array(size(shape));
  const p = new Float32Array(size(shape));
  for (let row = 0; row < size(shape) / k; row++) {
    const hot = Math.floor(r() * k);
    for (let j = 0; j < k; j++) {
      t[row * k + j] = row % 3 === 2 ? r() * 0.7 : j === hot ? 1 : 0;
      p[row * k + j] = 0.05 + r();
    }
  }
  return { t, p, shape };
}

/** Binary data: yTrue in {0, 1}, yPred probabilities or (thresholded) {0, 1}. */
function binary(shape: number[], seed: number, hard: boolean): Pair {
  const r = mulberry32(seed);
  const t = Float32Array.from({ length: size(shape) }, () => (r() < 0.5 ? 1 : 0));
  const p = Float32Array.from({ length: size(shape) }, () => (hard ? (r() < 0.5 ? 1 : 0) : r()));
  return { t, p, shape };
}

/** neurite's metric and TF.js's on the same data: same shape, values within `tol` relative. */
function same(name: string, d: Pair, nf: (t: nr.Tensor, p: nr.Tensor) => nr.Tensor, tf_: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor, tol: number) {
  const [tt, tp] = [tf.tensor(d.t, d.shape), tf.tensor(d.p, d.shape)];
  const w = tf_(tt, tp);
  const want = { shape: w.shape, data: Array.from(w.dataSync()) };
  tf.dispose([tt, tp, w]);
  expectNoLeak(() => nr.tidy(() => {
    const got = nf(nr.tensor(d.t, d.shape), nr.tensor(d.p, d.shape));
    expect(got.shape, name).toEqual(want.shape);
    Array.from(got.data()).forEach((v, i) => {
      if (tol === 0 || !Number.isFinite(want.data[i])) expect(v, `${name} [${i}]`).toBe(want.data[i]); // r² of one value: −∞ in both
      else expect(Math.abs(v - want.data[i]), `${name} [${i}]: ${v} vs ${want.data[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want.data[i])));
    });
  }));
}

const SHAPES = [[7], [5, 3], [2, 3, 4], [1, 1]];

describe('metrics.* vs tf.metrics', () => {
  it('errors per example: meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError (zeros in yTrue), cosineProximity, r2Score', () => {
    SHAPES.forEach((shape, k) => {
      const d = regression(shape, 10 + k);
      same(`mse ${shape}`, d, nr.metrics.meanSquaredError, tfl.metrics.meanSquaredError, 1e-6);
      same(`mae ${shape}`, d, nr.metrics.meanAbsoluteError, tfl.metrics.meanAbsoluteError, 1e-6);
      same(`mape ${shape}`, d, nr.metrics.meanAbsolutePercentageError, tfl.metrics.meanAbsolutePercentageError, 1e-6);
      same(`cosine ${shape}`, d, nr.metrics.cosineProximity, tfl.metrics.cosineProximity, 1e-6);
      same(`r2 ${shape}`, d, nr.metrics.r2Score, tfl.metrics.r2Score, 1e-5);
    });
  });

  it('r2Score of no samples is NaN, as TF.js (it was max\'s empty-axis error)', () => {
    const tfv = tf.tidy(() => tfl.metrics.r2Score(tf.zeros([0, 3]), tf.zeros([0, 3])).dataSync()[0]);
    const got = nr.tidy(() => nr.metrics.r2Score(nr.zeros([0, 3]), nr.zeros([0, 3])).item());
    expect([Number.isNaN(got), Number.isNaN(tfv)]).toEqual([true, true]);
  });

  it('empty inputs: no examples give empty results as TF.js; a mean of no values is NaN (TF.js cpu: 0), an example of no classes NaN (it threw argMax\'s error)', () => {
    const m = nr.metrics as unknown as Record<string, (a: nr.Tensor, b: nr.Tensor) => nr.Tensor>;
    const tm = tfl.metrics as unknown as Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>;
    const names = ['binaryAccuracy', 'categoricalAccuracy', 'binaryCrossentropy', 'meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'cosineProximity', 'categoricalCrossentropy', 'precision', 'recall'];
    expectNoLeak(() => nr.tidy(() => {
      for (const n of names) {
        const want = tf.tidy(() => { const r = tm[n](tf.zeros([0, 3]), tf.zeros([0, 3])); return [r.shape, Array.from(r.dataSync())]; });
        const got = m[n](nr.zeros([0, 3]), nr.zeros([0, 3]));
        expect([got.shape, Array.from(got.data() as Float32Array)], n).toEqual(want);
      }
      expect(Array.from(nr.metrics.sparseCategoricalAccuracy(nr.zeros([0]), nr.zeros([0, 3])).shape)).toEqual([0]);
      expect(Array.from(nr.metrics.categoricalAccuracy(nr.zeros([2, 0]), nr.zeros([2, 0])).data())).toEqual([NaN, NaN]);
      expect(Array.from(nr.metrics.sparseCategoricalAccuracy(nr.zeros([2]), nr.zeros([2, 0])).data())).toEqual([NaN, NaN]);
      expect(nr.metrics.meanSquaredError(nr.zeros([0]), nr.zeros([0])).item()).toBeNaN();
      expect(Array.from(nr.metrics.categoricalCrossentropy(nr.zeros([2, 0]), nr.zeros([2, 0])).data(), Math.abs)).toEqual([0, 0]); // −Σ of nothing
    }));
  });

  it('r2Score of targets far from zero with a small spread is the exact value (squares around a float32 mean gave 0.972 for 0.95)', () => {
    for (const n of [64, 1024]) {
      const y = Array.from({ length: n }, (_, i) => 2e6 + (i % 4) * 0.5);
      const p = y.map((v, i) => v + (i % 2 ? 0.125 : -0.125));
      // Closed form: Σ(y−p)² = n/64, Σ(y−ȳ)² = n·0.3125, so r² = 1 − 0.05 = 0.95.
      expect(Math.abs(nr.tidy(() => nr.metrics.r2Score(nr.tensor(y), nr.tensor(p)).item()) - 0.95), `n = ${n}`).toBeLessThan(1e-6);
    }
  });

  it('r2Score of a constant target (and of one value) is TF.js\'s: NaN when predicted exactly, −Infinity otherwise', () => {
    // Keras 3's R2Score maps the −Infinity to 0 (keras/src/metrics/regression_metrics.py,
    // `ops.where(ops.isinf(raw_scores), 0.0, raw_scores)`) and keeps the NaN; scikit-learn's
    // r2_score gives 1 and 0 (force_finite). The project follows TF.js where they differ.
    const cases: Array<[string, number[], number[], number[], number]> = [
      ['constant, exact', [4], [2, 2, 2, 2], [2, 2, 2, 2], NaN],
      ['constant, off', [4], [2, 2, 2, 2], [1, 2, 3, 2], -Infinity],
      ['constant zeros, off', [2, 2], [0, 0, 0, 0], [0, 0, 0, 1e-3], -Infinity],
      ['one value, exact', [1, 1], [5], [5], NaN],
      ['one value, off', [1], [5], [4], -Infinity],
    ];
    for (const [name, shape, t, p, want] of cases) {
      const d = { t: Float32Array.from(t), p: Float32Array.from(p), shape };
      same(`r2 ${name}`, d, nr.metrics.r2Score, tfl.metrics.r2Score, 0);
      expect(nr.tidy(() => nr.metrics.r2Score(nr.tensor(t, shape), nr.tensor(p, shape)).item()), name).toBe(want);
    }
    // Constants float32 cannot hold: neurite's denominator is still exactly 0, where TF.js's is
    // the rounding error of its float32 mean (three 0.1s: 7.5e-9, so r² = 1 and −6.0e13).
    for (const [c, n] of [[0.1, 3], [0.1, 7], [10000.1, 10], [0.7, 100]]) {
      const t = Array<number>(n).fill(c);
      const off = [...t.slice(1), 2 * c];
      expect(nr.tidy(() => nr.metrics.r2Score(t, t).item()), `${n} × ${c}, exact`).toBe(NaN);
      expect(nr.tidy(() => nr.metrics.r2Score(t, off).item()), `${n} × ${c}, off`).toBe(-Infinity);
    }
    expect(tfl.metrics.r2Score(tf.tensor([0.1, 0.1, 0.1]), tf.tensor([0.1, 0.1, 0.1])).dataSync()[0]).toBe(1);
    // Not constant: the usual value (1 − 2/8 by hand), and the gradient still flows to yPred.
    expect(nr.tidy(() => nr.metrics.r2Score([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]).item())).toBe(1);
    expect(nr.tidy(() => nr.metrics.r2Score([0, 2, 0, 2], [1, 2, 0, 1]).item())).toBe(0.5);
    const g = nr.tidy(() => Array.from(nr.grad((p: nr.Tensor) => nr.metrics.r2Score(nr.tensor([0, 2, 0, 2]), p))(nr.tensor([1, 2, 0, 1])).data()));
    expect(g).toEqual([-0.5, 0, 0, 0.5]); // 2(t − p)/Σ(t − t̄)² = (t − p)/2
  });

  it('accuracies exactly: binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy (indices with and without the trailing 1)', () => {
    SHAPES.forEach((shape, k) => {
      same(`binaryAccuracy ${shape}`, binary(shape, 20 + k, false), nr.metrics.binaryAccuracy, tfl.metrics.binaryAccuracy, 0);
      if (shape.length < 2) return;
      const c = classes(shape, 30 + k);
      same(`categoricalAccuracy ${shape}`, c, nr.metrics.categoricalAccuracy, tfl.metrics.categoricalAccuracy, 0);
      // Class indices from the one-hot rows, as [batch…] and as [batch…, 1].
      const kk = shape[shape.length - 1];
      const idx = Float32Array.from({ length: c.t.length / kk }, (_, r) => c.t.subarray(r * kk, (r + 1) * kk).indexOf(Math.max(...c.t.subarray(r * kk, (r + 1) * kk))));
      for (const ishape of [shape.slice(0, -1), [...shape.slice(0, -1), 1]]) {
        const want = tf.tidy(() => Array.from(tfl.metrics.sparseCategoricalAccuracy(tf.tensor(idx, ishape), tf.tensor(c.p, shape)).dataSync()));
        nr.tidy(() => { expect(Array.from(nr.metrics.sparseCategoricalAccuracy(nr.tensor(idx, ishape), nr.tensor(c.p, shape)).data())).toEqual(want); });
      }
    });
  });

  it('precision and recall on 0/1 predictions, including the 0/0 cases (0, as TF.js)', () => {
    SHAPES.forEach((shape, k) => {
      const d = binary(shape, 40 + k, true);
      same(`precision ${shape}`, d, nr.metrics.precision, tfl.metrics.precision, 0);
      same(`recall ${shape}`, d, nr.metrics.recall, tfl.metrics.recall, 0);
    });
    const zeros = { t: new Float32Array(4), p: new Float32Array(4), shape: [2, 2] };
    same('precision, no positive predictions', zeros, nr.metrics.precision, tfl.metrics.precision, 0);
    same('recall, no positive labels', zeros, nr.metrics.recall, tfl.metrics.recall, 0);
  });

  it('cross-entropies per example (soft targets, rows that do not sum to 1, clipped probabilities)', () => {
    for (const shape of [[5, 3], [2, 3, 4]]) {
      const c = classes(shape, 50);
      same(`categoricalCrossentropy ${shape}`, c, nr.metrics.categoricalCrossentropy, tfl.metrics.categoricalCrossentropy, 1e-5);
      const b = binary(shape, 51, false);
      b.p[0] = 0; // clipped to 1e-7
      b.p[1] = 1;
      same(`binaryCrossentropy ${shape}`, b, nr.metrics.binaryCrossentropy, tfl.metrics.binaryCrossentropy, 1e-5);
    }
  });

  it('aliases: mse, MSE, mae, MAE, mape, MAPE', () => {
    expect([nr.metrics.mse, nr.metrics.MSE]).toEqual([nr.metrics.meanSquaredError, nr.metrics.meanSquaredError]);
    expect([nr.metrics.mae, nr.metrics.MAE]).toEqual([nr.metrics.meanAbsoluteError, nr.metrics.meanAbsoluteError]);
    expect([nr.metrics.mape, nr.metrics.MAPE]).toEqual([nr.metrics.meanAbsolutePercentageError, nr.metrics.meanAbsolutePercentageError]);
  });

  it('a gradient through meanSquaredError is 2(yPred − yTrue)/n per example', () => {
    nr.tidy(() => {
      const t = nr.tensor([[1, 2, 3], [0, 0, 0]]);
      const g = nr.grad((p: nr.Tensor) => nr.metrics.meanSquaredError(t, p).sum())(nr.tensor([[1, 3, 5], [1, -1, 0.5]]));
      Array.from(g.data()).forEach((v, i) => expect(v).toBeCloseTo([0, 2 / 3, 4 / 3, 2 / 3, -2 / 3, 1 / 3][i], 6));
    });
  });

  it('errors name the metric and the shapes', () => {
    nr.tidy(() => {
      const a = nr.tensor([[1, 0], [0, 1]]);
      expect(thrown(() => nr.metrics.meanSquaredError(a, nr.tensor([1, 0])))).toMatchObject({ name: 'ShapeError', message: 'metrics.meanSquaredError: yTrue has shape [2,2] but yPred has shape [2]; they must match' });
      // An array is TF.js's TensorLike (a temporary tensor, shape-checked as one); a string is not.
      expect(thrown(() => nr.metrics.binaryAccuracy([1, 0], a))).toMatchObject({ name: 'ShapeError', message: 'metrics.binaryAccuracy: yTrue has shape [2] but yPred has shape [2,2]; they must match' });
      expect(thrown(() => nr.metrics.binaryAccuracy('y' as never, a))).toMatchObject({ name: 'InvalidArgumentError', message: 'metrics.binaryAccuracy: yTrue must be a Tensor, a number or an array of numbers, got the string "y"' });
      expect(thrown(() => nr.metrics.sparseCategoricalAccuracy(nr.tensor([1, 0, 1]), a))).toMatchObject({ name: 'ShapeError', message: 'metrics.sparseCategoricalAccuracy: yTrue has shape [3] but yPred [2,2] needs class indices of shape [2] (or [2,1])' });
      expect(thrown(() => nr.metrics.r2Score(nr.scalar(1), nr.scalar(1)))).toMatchObject({ name: 'ShapeError', message: 'metrics.r2Score: yPred is a scalar; metrics take [batch, …] tensors (the last axis is averaged or compared)' });
    });
    const d = nr.tensor([1]);
    d.dispose();
    expect(thrown(() => nr.metrics.mse(d, d))).toMatchObject({ name: 'DisposedError' });
  });
});
