// Per-sample losses: `reduction: 'none'` in the options form of every Keras-style loss
// (ts/losses.ts), one loss per sample, shape `yPred.shape` without its last axis.
//
// References:
// - TF.js 4.22's per-sample loss functions (tfjs-layers `losses.*`, what `tf.metrics.*` and a
//   layers model's loss compute before averaging), values and gradients (tf.grads of Σ w·loss)
//   for the losses TF.js has: meanSquaredError, meanAbsoluteError, binaryCrossentropy,
//   categoricalCrossentropy (probabilities and logits), sparseCategoricalCrossentropy,
//   kullbackLeiblerDivergence, hinge (±1 targets; TF.js converts no 0/1 targets);
// - neurite's own kernels (crates/core/src/losses/) for every loss and option, huber and label
//   smoothing included: the mean of the per-sample losses is the `'mean'` loss, and the
//   gradient of that mean (by the tape, through the per-row backward rule) is lossGradient's,
//   the kernel's backward rule — also at the clips (probabilities of exactly 0 and 1);
// - TF.js's gradients with respect to the targets (its losses are made of ops), per sample
//   and of the mean, for every dense loss;
// - central finite differences of Σ w·loss for every loss and option.
//
// Tolerances: values rtol 1e-5, atol 2e-6 (the kernels sum in float64, the ops in float32;
// TF.js's binary cross-entropy goes through logits); gradients rtol 1e-5, atol 1e-6.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfLosses from '@tensorflow/tfjs-layers/dist/losses';
import { expectClose, expectNoLeak, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');
const { losses } = nr;

type Vals = { v: Float32Array; shape: number[] };
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
/** Rows of `k` positive values summing to 1 (soft targets, none below 0.05). */
function simplex(seed: number, shape: number[]): Float32Array {
  const k = shape[shape.length - 1];
  const v = uniform(seed, sizeOf(shape), 0.05, 1);
  for (let i = 0; i < v.length; i += k) {
    const s = v.subarray(i, i + k).reduce((a, b) => a + b, 0);
    for (let j = i; j < i + k; j++) v[j] /= s;
  }
  return v;
}
const classes = (seed: number, n: number, k: number) => Float32Array.from(uniform(seed, n, 0, k), (v) => Math.min(k - 1, Math.floor(v)));
const signs = (seed: number, n: number) => Float32Array.from(uniform(seed, n, -1, 1), (v) => (v < 0 ? -1 : 1));

type NrLoss = (t: nr.Tensor, p: nr.Tensor, o?: object) => nr.Tensor;
const nrLoss = (name: string): NrLoss => (losses as unknown as Record<string, NrLoss>)[name];

type Got = { loss: Float32Array; shape: number[]; grad: Float32Array; gradT: Float32Array | null; mean: number; meanGradT: Float32Array | null };

/**
 * Per-sample losses and d(Σ w·loss)/dp from neurite, with `options` plus `reduction: 'none'`;
 * also, unless the targets are class indices, d(Σ w·loss)/dt and the default (mean) loss's
 * value and target gradient.
 */
function viaNr(name: string, options: object, t: Vals, p: Vals, w: Float32Array): Got {
  let got: Got | undefined;
  expectNoLeak(() => nr.tidy(() => {
    const [tt, pp] = [nr.tensor(t.v, t.shape), nr.tensor(p.v, p.shape)];
    const f = (a: nr.Tensor, x: nr.Tensor) => nrLoss(name)(a, x, { ...options, reduction: 'none' });
    const out = f(tt, pp);
    const wt = nr.tensor(w, out.shape);
    const g = nr.grad((x) => nr.sum(nr.mul(f(tt, x), wt)))(pp);
    const dense = name !== 'sparseCategoricalCrossentropy';
    const gT = dense ? nr.grad((a) => nr.sum(nr.mul(f(a, pp), wt)))(tt).data() : null;
    const mean = nrLoss(name)(tt, pp, options).item();
    const meanGradT = dense ? nr.grad((a) => nrLoss(name)(a, pp, options))(tt).data() : null;
    got = { loss: out.data(), shape: [...out.shape], grad: g.data(), gradT: gT, mean, meanGradT };
  }));
  return got as Got;
}

function viaTf(f: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor, t: Vals, p: Vals, w: Float32Array, dense: boolean): Got {
  let got: Got | undefined;
  tf.tidy(() => {
    const [tt, pp] = [tf.tensor(t.v, t.shape), tf.tensor(p.v, p.shape)];
    const out = f(tt, pp);
    const wt = tf.tensor(w, out.shape);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(tt, x), wt)))(pp);
    const gT = dense ? tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a, pp), wt)))(tt).dataSync() as Float32Array : null;
    const mean = tf.mean(out).dataSync()[0];
    const meanGradT = dense ? tf.grad((a: tf.Tensor) => tf.mean(f(a, pp)))(tt).dataSync() as Float32Array : null;
    got = { loss: out.dataSync() as Float32Array, shape: out.shape, grad: g.dataSync() as Float32Array, gradT: gT, mean, meanGradT };
  });
  return got as Got;
}

const SHAPES = [[5, 3], [2, 3, 4], [4], [6, 1]];

describe("reduction: 'none' vs TF.js's per-sample losses (tfjs-layers losses.*): values and gradients", () => {
  const CASES: Array<{ name: string; options?: object; tf: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor; targets: (seed: number, s: number[]) => Vals; preds: (seed: number, s: number[]) => Vals }> = [
    { name: 'meanSquaredError', tf: tfLosses.meanSquaredError, targets: (sd, s) => ({ v: uniform(sd, sizeOf(s), -2, 2), shape: s }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), -2, 2), shape: s }) },
    { name: 'meanAbsoluteError', tf: tfLosses.meanAbsoluteError, targets: (sd, s) => ({ v: uniform(sd, sizeOf(s), -2, 2), shape: s }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), -2, 2), shape: s }) },
    { name: 'binaryCrossentropy', tf: tfLosses.binaryCrossentropy, targets: (sd, s) => ({ v: uniform(sd, sizeOf(s), 0, 1), shape: s }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), 0.02, 0.98), shape: s }) },
    { name: 'categoricalCrossentropy', tf: (t, p) => tfLosses.categoricalCrossentropy(t, p), targets: (sd, s) => ({ v: simplex(sd, s), shape: s }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), 0.05, 1), shape: s }) },
    { name: 'categoricalCrossentropy', options: { fromLogits: true }, tf: (t, p) => tfLosses.categoricalCrossentropy(t, p, true), targets: (sd, s) => ({ v: simplex(sd, s), shape: s }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), -3, 3), shape: s }) },
    { name: 'sparseCategoricalCrossentropy', tf: (t, p) => tfLosses.sparseCategoricalCrossentropy(t, p), targets: (sd, s) => ({ v: classes(sd, sizeOf(s.slice(0, -1)), s[s.length - 1]), shape: s.slice(0, -1) }), preds: (sd, s) => ({ v: simplex(sd, s), shape: s }) },
    // TF.js's sparse loss clips its input to [ε, 1 − ε] before the softmax also on logits: the
    // reference is its categorical loss on the one-hot targets.
    { name: 'sparseCategoricalCrossentropy', options: { fromLogits: true }, tf: (t, p) => tfLosses.categoricalCrossentropy(tf.oneHot(tf.cast(t, 'int32'), p.shape[p.rank - 1]), p, true), targets: (sd, s) => ({ v: classes(sd, sizeOf(s.slice(0, -1)), s[s.length - 1]), shape: s.slice(0, -1) }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), -3, 3), shape: s }) },
    { name: 'kullbackLeiblerDivergence', tf: tfLosses.kullbackLeiblerDivergence, targets: (sd, s) => ({ v: simplex(sd, s), shape: s }), preds: (sd, s) => ({ v: simplex(sd + 7, s), shape: s }) },
    { name: 'hinge', tf: tfLosses.hinge, targets: (sd, s) => ({ v: signs(sd, sizeOf(s)), shape: s }), preds: (sd, s) => ({ v: uniform(sd, sizeOf(s), -2, 2), shape: s }) },
  ];
  for (const c of CASES) {
    for (const shape of SHAPES) {
      // Sparse targets of rank 0 (one sample of a rank-1 prediction), and one class (TF.js's
      // oneHot needs a depth of 2 or more), are not TF.js's cases.
      if (c.name === 'sparseCategoricalCrossentropy' && (shape.length === 1 || shape[shape.length - 1] === 1)) continue;
      it(`${c.name}${c.options ? ` ${JSON.stringify(c.options)}` : ''} [${shape}]`, () => {
        const seed = 11 * shape.length + shape[0];
        const t = c.targets(seed, shape);
        const p = c.preds(seed + 1, shape);
        const w = uniform(seed + 2, sizeOf(shape.slice(0, -1)), 0.5, 2);
        const got = viaNr(c.name, c.options ?? {}, t, p, w);
        const want = viaTf(c.tf, t, p, w, c.name !== 'sparseCategoricalCrossentropy');
        expect(got.shape).toEqual(shape.slice(0, -1));
        expect(want.shape).toEqual(got.shape);
        expectClose(got.loss, want.loss, 1e-5, 2e-6);
        expectClose(got.grad, want.grad, 1e-5, 1e-6);
        // The losses are differentiable in their targets too, per sample and as the mean.
        expectClose([got.mean], [want.mean], 1e-5, 2e-6);
        expect(got.gradT === null).toBe(want.gradT === null);
        if (got.gradT && want.gradT && got.meanGradT && want.meanGradT) {
          expectClose(got.gradT, want.gradT, 1e-5, 1e-6);
          expectClose(got.meanGradT, want.meanGradT, 1e-5, 1e-6);
        }
      });
    }
  }
});

describe('edge values as TF.js (a numerics review, session 28)', () => {
  it('KL divergence with zero targets and zero predictions: values and both gradients', () => {
    const t = [[0, 0.6, 0.4], [0.5, 0.5, 0]];
    const p = [[0.2, 0.8, 0], [0, 0.3, 0.7]];
    const f = (a: nr.Tensor, b: nr.Tensor) => losses.kullbackLeiblerDivergence(a, b, { reduction: 'none' }).sum();
    const [gt, gp, v] = nr.tidy(() => {
      const [a, b] = [nr.tensor(t), nr.tensor(p)];
      const g = nr.grads(f)([a, b]);
      return [g[0].data(), g[1].data(), [f(a, b).item()]];
    });
    const want = tf.tidy(() => {
      const tfF = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tfLosses.kullbackLeiblerDivergence(a, b));
      const g = tf.grads(tfF)([tf.tensor(t), tf.tensor(p)]);
      return [g[0].dataSync(), g[1].dataSync(), [tfF(tf.tensor(t), tf.tensor(p)).dataSync()[0]]];
    });
    expectClose(v, want[2], 1e-6, 1e-6);
    expectClose(gt, want[0], 1e-5, 1e-5);
    expectClose(gp, want[1], 1e-5, 1e-5);
  });

  it('a NaN prediction gives a NaN loss and gradient (hinge, huber, mae dropped it)', () => {
    for (const name of ['hinge', 'huber', 'meanAbsoluteError', 'meanSquaredError'] as const) {
      const [v, g] = nr.tidy(() => {
        const f = (x: nr.Tensor) => nrLoss(name)(nr.tensor([[1, -1, 1]]), x);
        const x = nr.tensor([[NaN, 0.5, 2]]);
        return [f(x).item(), nr.grad(f)(x).data()[0]];
      });
      expect([name, v]).toEqual([name, NaN]);
      expect([name, g]).toEqual([name, NaN]);
    }
  });
});

describe("reduction: 'none' vs neurite's kernels: the mean is the 'mean' loss, its gradient lossGradient's", () => {
  const dense = (seed: number, s: number[], lo: number, hi: number): Vals => ({ v: uniform(seed, sizeOf(s), lo, hi), shape: s });
  const CASES: Array<{ name: nr.LossName; options: object; t: (s: number[]) => Vals; p: (s: number[]) => Vals }> = [
    { name: 'meanSquaredError', options: {}, t: (s) => dense(1, s, -2, 2), p: (s) => dense(2, s, -2, 2) },
    { name: 'meanAbsoluteError', options: {}, t: (s) => dense(3, s, -2, 2), p: (s) => dense(4, s, -2, 2) },
    { name: 'huber', options: {}, t: (s) => dense(5, s, -2, 2), p: (s) => dense(6, s, -2, 2) },
    { name: 'huber', options: { delta: 0.3 }, t: (s) => dense(7, s, -2, 2), p: (s) => dense(8, s, -2, 2) },
    { name: 'binaryCrossentropy', options: { labelSmoothing: 0.2 }, t: (s) => dense(9, s, 0, 1), p: (s) => dense(10, s, 0.1, 0.9) },
    { name: 'binaryCrossentropy', options: { fromLogits: true }, t: (s) => dense(11, s, 0, 1), p: (s) => dense(12, s, -4, 4) },
    { name: 'binaryCrossentropy', options: { fromLogits: true, labelSmoothing: 0.1 }, t: (s) => dense(13, s, 0, 1), p: (s) => dense(14, s, -4, 4) },
    // Targets that do not sum to 1 (the kernel's fused paths handle them too).
    { name: 'categoricalCrossentropy', options: { labelSmoothing: 0.3 }, t: (s) => dense(15, s, 0, 1), p: (s) => dense(16, s, 0.05, 1) },
    { name: 'categoricalCrossentropy', options: { fromLogits: true, labelSmoothing: 0.1 }, t: (s) => dense(17, s, 0, 1), p: (s) => dense(18, s, -4, 4) },
    { name: 'kullbackLeiblerDivergence', options: {}, t: (s) => ({ v: simplex(19, s), shape: s }), p: (s) => ({ v: simplex(20, s), shape: s }) },
    // 0/1 targets, converted to −1/1 as the kernel does.
    { name: 'hinge', options: {}, t: (s) => ({ v: Float32Array.from(uniform(21, sizeOf(s), 0, 1), Math.round), shape: s }), p: (s) => dense(22, s, -2, 2) },
    { name: 'sparseCategoricalCrossentropy', options: {}, t: (s) => ({ v: classes(23, sizeOf(s.slice(0, -1)), s[s.length - 1]), shape: [...s.slice(0, -1), 1] }), p: (s) => dense(24, s, 0.05, 1) },
  ];
  for (const c of CASES) {
    for (const shape of [[4, 3], [2, 2, 5], [3]]) {
      it(`${c.name} ${JSON.stringify(c.options)} [${shape}]`, () => {
        expectNoLeak(() => nr.tidy(() => {
          const t = nr.tensor(c.t(shape).v, c.t(shape).shape);
          const p = nr.tensor(c.p(shape).v, shape);
          const f = nrLoss(c.name);
          const none = f(t, p, { ...c.options, reduction: 'none' });
          expect(none.shape).toEqual(shape.slice(0, -1));
          expectClose([nr.mean(none).item()], [f(t, p, c.options).item()], 1e-5, 2e-6);
          const g = nr.grad((x) => nr.mean(f(t, x, { ...c.options, reduction: 'none' })))(p);
          expectClose(g.data(), losses.lossGradient({ name: c.name, ...c.options } as nr.LossConfig, t, p).data(), 1e-5, 1e-6);
          // And against central differences of Σ w·loss (float64 sums of the float32 values).
          const w = uniform(99, none.size, 0.5, 1.5);
          const obj = (v: Float32Array) => nr.tidy(() => nr.sum(nr.mul(f(t, nr.tensor(v, shape), { ...c.options, reduction: 'none' }), nr.tensor(w, none.shape))).item());
          const gw = nr.grad((x) => nr.sum(nr.mul(f(t, x, { ...c.options, reduction: 'none' }), nr.tensor(w, none.shape))))(p).data();
          const pv = p.data();
          const h = 1e-2;
          for (let i = 0; i < pv.length; i++) {
            const up = pv.slice();
            const down = pv.slice();
            up[i] += h;
            down[i] -= h;
            const fd = (obj(up) - obj(down)) / (2 * h);
            expect(Math.abs(gw[i] - fd), `d/dp[${i}]: tape ${gw[i]}, finite differences ${fd}`).toBeLessThanOrEqual(2e-2 + 2e-2 * Math.abs(fd));
          }
        }));
      });
    }
  }

  it('at the clips: probabilities of exactly 0 and 1 give finite losses and the kernel\'s gradient (0 where clipped)', () => {
    expectNoLeak(() => nr.tidy(() => {
      const t = nr.tensor([[1, 0, 0], [0, 1, 0]]);
      const p = nr.tensor([[0, 1, 0.5], [1e-9, 1, 0]]);
      for (const name of ['binaryCrossentropy', 'categoricalCrossentropy', 'kullbackLeiblerDivergence'] as const) {
        const none = losses[name](t, p, { reduction: 'none' });
        expect(Array.from(none.data()).every(Number.isFinite), name).toBe(true);
        expectClose([nr.mean(none).item()], [losses[name](t, p).item()], 1e-5, 2e-6);
        const g = nr.grad((x) => nr.mean(losses[name](t, x, { reduction: 'none' })))(p);
        expectClose(g.data(), losses.lossGradient(name, t, p).data(), 1e-5, 1e-6);
      }
      // Huge logits stay finite (log-sum-exp, softplus).
      const z = nr.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 3]]);
      expectClose(losses.categoricalCrossentropy(t, z, { fromLogits: true, reduction: 'none' }).data(), [0, 0], 1e-6, 1e-6);
      expectClose(losses.binaryCrossentropy(t, z, { fromLogits: true, reduction: 'none' }).data(), [Math.log(2) / 3, (3 + Math.log1p(Math.exp(-3))) / 3], 1e-5, 1e-5);
    }));
  });
});

describe("reduction: 'none': shapes, arguments and errors", () => {
  it('one loss per sample: [n, k] → [n]; rank 3 → [a, b]; one sample [k] → a scalar; targets with or without a trailing 1', () => {
    expectNoLeak(() => nr.tidy(() => {
      expect(losses.meanSquaredError([[1, 2], [3, 4]], [[1, 1], [1, 1]], { reduction: 'none' }).arraySync()).toEqual([0.5, 6.5]);
      expect(losses.meanSquaredError([1, 2], [1.5, 2], { reduction: 'none' }).shape).toEqual([]);
      expect(losses.meanSquaredError([[1], [2]], [1.5, 2], { reduction: 'none' }).arraySync()).toBeCloseTo(0.125, 7);
      expect(losses.meanSquaredError([1, 2], [[1.5], [2]], { reduction: 'none' }).arraySync()).toEqual([0.25, 0]);
      expect(losses.huber(5, 3, { reduction: 'none', delta: 1 }).arraySync()).toBe(1.5);
      expect(losses.sparseCategoricalCrossentropy([2, 0], [[1, 1, 2], [2, 1, 1]], { reduction: 'none' }).shape).toEqual([2]);
      expect(losses.hinge([[1, -1]], [[0.5, 0.5]], { reduction: 'none' }).arraySync()).toEqual([1]);
      expect(losses.categoricalCrossentropy(nr.ones([2, 3, 4]), nr.ones([2, 3, 4]), { reduction: 'none' }).shape).toEqual([2, 3]);
    }));
  });

  it('differentiable w.r.t. the targets too, per sample and reduced; sparse class indices have no gradient', () => {
    expectNoLeak(() => nr.tidy(() => {
      const g = nr.grad((t) => nr.sum(losses.meanSquaredError(t, [[1, 3]], { reduction: 'none' })))(nr.tensor([[2, 2]]));
      expectClose(g.data(), [1, -1]);
      const m = nr.grad((t) => losses.meanSquaredError(t, [[1, 3]]))(nr.tensor([[2, 2]]));
      expectClose(m.data(), [1, -1]);
      const s = nr.grad((t) => losses.meanSquaredError(t, [[1, 3]], { reduction: 'sumOverFeatures' }))(nr.tensor([[2, 2]]));
      expectClose(s.data(), [2, -2]);
      const sparse = nr.grad((t) => losses.sparseCategoricalCrossentropy(t, [[0.2, 0.8]]))(nr.tensor([1]));
      expect(Array.from(sparse.data())).toEqual([0]);
    }));
  });

  it("the kernel's checks and messages; an unknown reduction lists 'none'; lossGradient refuses 'none'", () => {
    const msg = (f: () => unknown) => expectNoLeak(() => { const e = thrown(f) as Error; return `${e.constructor.name}: ${e.message}`; });
    const p = [[0.5, 0.5]];
    expect(msg(() => losses.meanSquaredError([1, 2, 3], p, { reduction: 'none' }))).toBe(msg(() => losses.meanSquaredError([1, 2, 3], p)));
    expect(msg(() => losses.binaryCrossentropy([[2, 0]], p, { reduction: 'none' }))).toBe('InvalidArgumentError: binaryCrossentropy: target[0] (sample 0, output 0) = 2 is not a probability: targets must be in [0, 1]');
    expect(msg(() => losses.binaryCrossentropy([[1, 0]], p, { reduction: 'none', labelSmoothing: 2 }))).toBe('InvalidArgumentError: binaryCrossentropy: labelSmoothing must be in [0, 1], got 2');
    expect(msg(() => losses.huber([[1, 0]], p, { reduction: 'none', delta: 0 }))).toBe('InvalidArgumentError: huber: delta must be a finite number > 0, got 0');
    expect(msg(() => losses.sparseCategoricalCrossentropy([2], p, { reduction: 'none' }))).toBe('InvalidArgumentError: sparseCategoricalCrossentropy: target[0] = 2 is not a class index: targets must be integers in [0, 2) for 2 classes');
    expect(msg(() => losses.hinge([[1, 0]], p, { reduction: 'none', delta: 1 } as never))).toBe("InvalidArgumentError: hinge: unknown option 'delta' (known: reduction)");
    expect(msg(() => losses.meanSquaredError([[1, 0]], p, { reduction: 'sum' as never }))).toBe("InvalidArgumentError: meanSquaredError: unknown reduction 'sum' (valid: mean, sumOverFeatures, none) — Keras's 'sum' (the losses added over the batch) is reduction 'none' and .sum()");
    expect(msg(() => losses.meanAbsoluteError([[1, 0]], p, { reduction: nr.Reduction.NONE as never }))).toBe("InvalidArgumentError: meanAbsoluteError: unknown reduction 0 (valid: mean, sumOverFeatures, none); TF.js's Reduction enum is the last argument of the tf.losses forms (losses.meanSquaredError(labels, predictions, weights, reduction), losses.absoluteDifference, …)");
    expect(msg(() => losses.lossGradient('mse', [[1, 0]], p, { reduction: 'none' } as never))).toMatch(/^InvalidArgumentError: lossGradient: reduction 'none' gives one loss per sample, not one number to differentiate; take the gradient .* with grad/);
    expect(msg(() => losses.lossGradient({ name: 'mse', reduction: 'none' } as never, [[1, 0]], p))).toMatch(/^InvalidArgumentError: lossGradient: reduction 'none'/);
  });

  it("TF.js's element-wise Reduction.NONE is the TF.js form's; 'none' per sample equals it when each sample has one value", () => {
    expectNoLeak(() => nr.tidy(() => {
      const y = nr.tensor([[1, 2], [3, 4]]);
      const p = nr.tensor([[1.5, 2], [3, 5]]);
      expect(losses.meanSquaredError(y, p, null, nr.Reduction.NONE).arraySync()).toEqual([[0.25, 0], [0, 1]]);
      expect(losses.meanSquaredError(y, p, { reduction: 'none' }).arraySync()).toEqual([0.125, 0.5]);
      const y1 = nr.reshape(y, [4, 1]);
      const p1 = nr.reshape(p, [4, 1]);
      expect(Array.from(losses.meanSquaredError(y1, p1, { reduction: 'none' }).data())).toEqual(Array.from(losses.meanSquaredError(y1, p1, null, nr.Reduction.NONE).data()));
    }));
  });
});
