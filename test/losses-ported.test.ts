// The compile losses TF.js 4.22 has and neurite gained from it (crates/core/src/losses/:
// mape.rs, msle.rs, logcosh.rs, poisson.rs, squared_hinge.rs, categorical_hinge.rs,
// cosine_proximity.rs), against TF.js as the oracle:
// - tfjs-layers' own loss functions (`losses.meanAbsolutePercentageError`, …, what
//   `model.compile({ loss })` trains with): per-sample values (`reduction: 'none'`), the mean,
//   and gradients w.r.t. the predictions and the targets (tf.grad of Σ w·loss and of the mean),
//   on odd sizes, rank-1 to rank-3 predictions, negative and zero targets where TF.js takes
//   them, huge and tiny values, ties for categorical hinge's max, rows below cosine proximity's
//   √ε clamp and zero rows;
// - `fit`: one SGD step of a model with the same weights against TF.js's
//   `model.compile({ loss: '<name>' })` + `fit` (the weights after the step);
// - the documented differences: squaredHinge converts 0/1 labels (TF.js does not: the
//   reference converts them), logcosh is evaluated without the float32 softplus form's
//   cancellation, and the aliases.
//
// Tolerances: values rtol 1e-5, atol 2e-6; gradients rtol 1e-5, atol 1e-6 (neurite sums in
// float64, TF.js in float32 with float32 ops); weights after one SGD step: 1e-5 absolute plus
// 1e-5 relative (the largest differences seen are printed with NEURITE_LOSS_DIFFS=1).
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfLosses from '@tensorflow/tfjs-layers/dist/losses';
import { expectClose, expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { copyLayerWeights } from './oracle.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');
const { losses, layers, optimizers } = nr;

type Vals = { v: Float32Array; shape: number[] };
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
/** Uniform values with now and then a special one of `specials`. */
function mixed(seed: number, n: number, lo: number, hi: number, specials: number[]): Float32Array {
  const r = mulberry32(seed + 1000);
  return uniform(seed, n, lo, hi).map((v) => (r() < 0.3 ? specials[Math.floor(r() * specials.length)] : v));
}
const signs = (seed: number, n: number) => Float32Array.from(uniform(seed, n, -1, 1), (v) => (v < 0 ? -1 : 1));
function onehot(seed: number, s: number[]): Float32Array {
  const k = s[s.length - 1];
  const r = mulberry32(seed);
  const v = new Float32Array(sizeOf(s));
  for (let i = 0; i < v.length; i += k) v[i + Math.floor(r() * k)] = 1;
  return v;
}

/** The largest |neurite − TF.js| / (atol/rtol scale) seen per loss, for the report. */
const diffs = new Map<string, { value: number; grad: number; weights: number }>();
function note(name: string, kind: 'value' | 'grad' | 'weights', got: ArrayLike<number>, want: ArrayLike<number>): void {
  const d = diffs.get(name) ?? { value: 0, grad: 0, weights: 0 };
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(want[i])) continue;
    d[kind] = Math.max(d[kind], Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  diffs.set(name, d);
}
afterAll(() => {
  if (process.env.NEURITE_LOSS_DIFFS) console.log([...diffs].map(([k, d]) => `${k}: value ${d.value.toExponential(1)}, grad ${d.grad.toExponential(1)}, weights ${d.weights.toExponential(1)}`).join('\n'));
});

type NrLoss = (t: nr.Tensor, p: nr.Tensor, o?: object) => nr.Tensor;
const nrLoss = (name: string): NrLoss => (losses as unknown as Record<string, NrLoss>)[name];
type Got = { loss: Float32Array; grad: Float32Array; gradT: Float32Array; mean: number; meanGrad: Float32Array; meanGradT: Float32Array; sof: number };

/** neurite: per-sample losses, d(Σ w·loss)/dp and /dt, the mean and its gradients, sumOverFeatures. */
function viaNr(name: string, t: Vals, p: Vals, w: Float32Array): Got {
  let got: Got | undefined;
  expectNoLeak(() => nr.tidy(() => {
    const [tt, pp] = [nr.tensor(t.v, t.shape), nr.tensor(p.v, p.shape)];
    const f = (a: nr.Tensor, x: nr.Tensor) => nrLoss(name)(a, x, { reduction: 'none' });
    const out = f(tt, pp);
    expect(out.shape).toEqual(p.shape.slice(0, -1));
    const wt = nr.tensor(w, out.shape);
    const [gT, g] = nr.grads((a: nr.Tensor, x: nr.Tensor) => nr.sum(nr.mul(f(a, x), wt)))([tt, pp]);
    const [mT, m] = nr.grads((a: nr.Tensor, x: nr.Tensor) => nrLoss(name)(a, x))([tt, pp]);
    // lossGradient (the kernel's backward, what fit uses) equals the tape's gradient of the mean.
    expectClose(losses.lossGradient(name as nr.LossName, tt, pp).data(), m.data(), 1e-6, 1e-7);
    const sof = nrLoss(name)(tt, pp, { reduction: 'sumOverFeatures' }).item();
    got = { loss: out.data(), grad: g.data(), gradT: gT.data(), mean: nrLoss(name)(tt, pp).item(), meanGrad: m.data(), meanGradT: mT.data(), sof };
  }));
  return got as Got;
}

/** TF.js: the same from tfjs-layers' loss function `f` (per sample). */
function viaTf(f: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor, t: Vals, p: Vals, w: Float32Array, sumsRow: boolean): Got {
  let got: Got | undefined;
  tf.tidy(() => {
    const [tt, pp] = [tf.tensor(t.v, t.shape), tf.tensor(p.v, p.shape)];
    const out = f(tt, pp);
    const wt = tf.tensor(w, out.shape);
    const [gT, g] = tf.grads((a: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(f(a, x), wt)))([tt, pp]);
    const [mT, m] = tf.grads((a: tf.Tensor, x: tf.Tensor) => tf.mean(f(a, x)))([tt, pp]);
    // sumOverFeatures: the per-sample sum of every value (a mean loss times its last axis).
    const k = p.shape.length ? p.shape[p.shape.length - 1] : 1;
    const perSample = p.shape.length >= 2 ? sizeOf(p.shape.slice(1, -1)) : 1;
    const sof = tf.mean(f(tt, pp)).dataSync()[0] * perSample * (sumsRow ? 1 : k);
    got = {
      loss: out.dataSync() as Float32Array, grad: g.dataSync() as Float32Array, gradT: gT.dataSync() as Float32Array, mean: tf.mean(out).dataSync()[0],
      meanGrad: m.dataSync() as Float32Array, meanGradT: mT.dataSync() as Float32Array, sof,
    };
  });
  return got as Got;
}

interface Case {
  name: string;
  tf: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor;
  /** Whether the loss is a row-wise value (no mean over the last axis). */
  sumsRow?: boolean;
  /** Shapes not compared (see the case). */
  skip?: (s: number[]) => boolean;
  targets: (seed: number, s: number[]) => Float32Array;
  preds: (seed: number, s: number[]) => Float32Array;
}

const CASES: Case[] = [
  {
    // Negative, zero and tiny targets (divided by ε), huge ones. No prediction equals its
    // target (TF.js's abs gradient at 0 is −1, neurite's 0, as its meanAbsoluteError) and none
    // is near 0 against its target (∂/∂t = 100·p/t² then, below TF.js's float32 rounding of
    // 1/c − (t − p)/c²).
    name: 'meanAbsolutePercentageError', tf: tfLosses.meanAbsolutePercentageError,
    targets: (sd, s) => mixed(sd, sizeOf(s), -3, 3, [0, -0, 1e-9, -1e-8, 2.5e6, -0.5]),
    preds: (sd, s) => mixed(sd, sizeOf(s), -3, 3, [-0.25, 1e5, 4]),
  },
  {
    // Values at and below 0 (clipped to ε, no gradient), tiny, huge.
    name: 'meanSquaredLogarithmicError', tf: tfLosses.meanSquaredLogarithmicError,
    targets: (sd, s) => mixed(sd, sizeOf(s), -1, 5, [0, -2, 1e-9, 3e6]),
    preds: (sd, s) => mixed(sd, sizeOf(s), -1, 5, [0, -0.5, 1e-8, 1e6]),
  },
  {
    // Errors tiny (about e²/2) to large (|e| − ln 2, tanh saturated).
    name: 'logcosh', tf: tfLosses.logcosh,
    targets: (sd, s) => mixed(sd, sizeOf(s), -3, 3, [0, 40, -1e-4]),
    preds: (sd, s) => mixed(sd, sizeOf(s), -3, 3, [0, -35, 1e-4, 3e3]),
  },
  {
    // Rates ≥ 0 (0 exactly, tiny, huge); counts of any sign, zero.
    name: 'poisson', tf: tfLosses.poisson,
    targets: (sd, s) => mixed(sd, sizeOf(s), -1, 6, [0, 3, 100]),
    preds: (sd, s) => mixed(sd, sizeOf(s), 0, 5, [0, 1e-9, 1e4]),
  },
  {
    name: 'squaredHinge', tf: tfLosses.squaredHinge,
    targets: (sd, s) => signs(sd, sizeOf(s)),
    preds: (sd, s) => mixed(sd, sizeOf(s), -2, 2, [0, 1, -1, 1e4]),
  },
  {
    name: 'categoricalHinge', tf: tfLosses.categoricalHinge, sumsRow: true,
    targets: (sd, s) => onehot(sd, s),
    preds: (sd, s) => mixed(sd, sizeOf(s), -2, 2, [0, 5, -1e3]),
  },
  {
    // Soft, multi-hot and negative targets (TF.js takes any).
    name: 'categoricalHinge', tf: tfLosses.categoricalHinge, sumsRow: true,
    targets: (sd, s) => mixed(sd, sizeOf(s), -0.5, 1.5, [0, 1]),
    preds: (sd, s) => uniform(sd, sizeOf(s), -2, 2),
  },
  {
    // Rows of one value are skipped: the loss is −sign(t·p) there, its gradient 0, and TF.js's
    // float32 chain (1/(a·b) − s·p/(a·b³)) leaves rounding noise of up to 1e-7/|p| (rows
    // below √ε and zero rows are in 'edge values').
    name: 'cosineProximity', tf: tfLosses.cosineProximity, sumsRow: true, skip: (s) => s[s.length - 1] === 1,
    targets: (sd, s) => mixed(sd, sizeOf(s), -2, 2, [0, 1e4]),
    preds: (sd, s) => mixed(sd, sizeOf(s), -2, 2, [0, -0.5, 1e5]),
  },
];
const SHAPES = [[5, 3], [2, 3, 4], [7], [6, 1], [3, 2, 5]];

describe("the losses TF.js's compile takes, vs tfjs-layers' loss functions: values and gradients", () => {
  CASES.forEach((c, ci) => {
    for (const shape of SHAPES) {
      if (c.skip?.(shape)) continue;
      it(`${c.name} #${ci} [${shape}]`, () => {
        const seed = 31 * ci + 7 * shape.length + shape[0];
        const t = { v: c.targets(seed, shape), shape };
        const p = { v: c.preds(seed + 1, shape), shape };
        const w = uniform(seed + 2, sizeOf(shape.slice(0, -1)), 0.5, 2);
        const got = viaNr(c.name, t, p, w);
        const want = viaTf(c.tf, t, p, w, c.sumsRow ?? false);
        for (const [k, tol] of [['loss', [1e-5, 2e-6]], ['grad', [1e-5, 1e-6]], ['gradT', [1e-5, 1e-6]], ['meanGrad', [1e-5, 1e-6]], ['meanGradT', [1e-5, 1e-6]]] as const) {
          note(c.name, k === 'loss' ? 'value' : 'grad', got[k], want[k]);
          try {
            expectClose(got[k], want[k], tol[0], tol[1]);
          } catch (e) {
            throw new Error(`${k}: ${(e as Error).message}`);
          }
        }
        note(c.name, 'value', [got.mean, got.sof], [want.mean, want.sof]);
        expectClose([got.mean, got.sof], [want.mean, want.sof], 1e-5, 2e-6);
      });
    }
  });
});

describe('edge values and documented differences', () => {
  const run = (name: string, t: number[][], p: number[][]) => nr.tidy(() => {
    const [a, b] = [nr.tensor(t), nr.tensor(p)];
    const [gt, gp] = nr.grads((x: nr.Tensor, y: nr.Tensor) => nrLoss(name)(x, y))([a, b]);
    return { v: nrLoss(name)(a, b).item(), gt: gt.data(), gp: gp.data() };
  });
  const runTf = (f: (t: tf.Tensor, p: tf.Tensor) => tf.Tensor, t: number[][], p: number[][]) => tf.tidy(() => {
    const [a, b] = [tf.tensor(t), tf.tensor(p)];
    const [gt, gp] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.mean(f(x, y)))([a, b]);
    return { v: tf.mean(f(a, b)).dataSync()[0], gt: gt.dataSync(), gp: gp.dataSync() };
  });
  const same = (got: ReturnType<typeof run>, want: ReturnType<typeof runTf>) => {
    expectClose([got.v], [want.v], 1e-5, 2e-6);
    expectClose(got.gt, want.gt, 1e-5, 1e-6);
    expectClose(got.gp, want.gp, 1e-5, 1e-6);
  };

  it('categoricalHinge: a tie for the max passes the gradient to every tied class, as TF.js; the flat side passes none', () => {
    const t = [[0, 0, 1], [0, 1, 0], [1, 0, 0]];
    const p = [[0.4, 0.4, 0.1], [0.3, 2, 0.3], [-1, -1, -1]];
    same(run('categoricalHinge', t, p), runTf(tfLosses.categoricalHinge, t, p));
  });

  it('cosineProximity: zero rows and rows below √ε (not renormalised), as TF.js', () => {
    const t = [[0, 0, 0], [1, 2, 3], [1e-5, 0, 1e-5], [3, -1, 2]];
    const p = [[1, 2, 3], [0, 0, 0], [2, 0, 1], [1e-4, 2e-4, 0]];
    same(run('cosineProximity', t, p), runTf(tfLosses.cosineProximity, t, p));
  });

  it('poisson: rates below −ε give NaN as in TF.js; the gradient w.r.t. the rate stays 1 − t/(p + ε)', () => {
    const t = [[2, 0], [1, 3]];
    const p = [[-0.5, 1], [0.5, 2]];
    const got = run('poisson', t, p);
    const want = runTf(tfLosses.poisson, t, p);
    expect(got.v).toBeNaN();
    expect(want.v).toBeNaN();
    expectClose(got.gp, want.gp, 1e-5, 1e-6);
    expectClose(got.gt, want.gt, 1e-5, 1e-6);
  });

  it('MAPE and MSLE: zero and negative targets are accepted (TF.js makes no refusal); NaN and ±Infinity are errors', () => {
    const t = [[0, -2], [-0.5, 1e-9]];
    const p = [[1, -1], [0, 3]];
    same(run('meanAbsolutePercentageError', t, p), runTf(tfLosses.meanAbsolutePercentageError, t, p));
    same(run('meanSquaredLogarithmicError', t, p), runTf(tfLosses.meanSquaredLogarithmicError, t, p));
    for (const name of ['meanAbsolutePercentageError', 'meanSquaredLogarithmicError', 'poisson', 'logcosh', 'categoricalHinge', 'cosineProximity']) {
      expect(() => nrLoss(name)(nr.tensor([[1, Infinity]]), nr.tensor([[1, 1]]))).toThrow(`${name}: target[1] (sample 0, output 1) is Infinity; targets must be finite numbers`);
    }
  });

  it('logcosh: the same function as TF.js, without the float32 softplus form\'s cancellation for tiny errors', () => {
    const v = nr.tidy(() => losses.logcosh([[0]], [[1e-4]]).item());
    expect(Math.abs(v - 5e-9)).toBeLessThan(1e-14);
    // TF.js's float32 form rounds e + softplus(−2e) − ln 2 to within its ulps of ln 2.
    const w = tf.tidy(() => tfLosses.logcosh(tf.tensor([[0]]), tf.tensor([[1e-4]])).dataSync()[0]);
    expect(Math.abs(v - w)).toBeLessThan(1e-7);
  });

  it("squaredHinge: 0/1 labels are converted to ±1 as neurite's hinge (and Keras) do; TF.js's squaredHinge does not", () => {
    const t = [[1, 0, 0], [0, 1, 1]];
    const p = [[0.3, -0.2, 1.5], [2, -1, 0.4]];
    const pm = t.map((r) => r.map((v) => 2 * v - 1));
    const got = run('squaredHinge', t, p);
    const want = runTf(tfLosses.squaredHinge, pm, p);
    expectClose([got.v], [want.v], 1e-5, 2e-6);
    expectClose(got.gp, want.gp, 1e-5, 1e-6);
    // The target gradient is through 2t − 1: twice TF.js's on the ±1 labels.
    expectClose(got.gt, Array.from(want.gt, (g) => 2 * g), 1e-5, 1e-6);
    const raw = runTf(tfLosses.squaredHinge, t, p).v;
    expect(Math.abs(raw - got.v)).toBeGreaterThan(0.1);
    expect(() => losses.squaredHinge([[-1, 0, 1]], [[1, 1, 1]])).toThrow('squaredHinge: target[1] (sample 0, output 1) = 0: hinge targets must be all in {-1, 1} or all in {0, 1}');
  });

  it("aliases: 'mape', 'MAPE', 'msle', 'MSLE', Keras 3's 'cosineSimilarity' and 'logCosh'", () => {
    expectNoLeak(() => nr.tidy(() => {
      const [t, p] = [nr.tensor([[1, 2], [3, -4]]), nr.tensor([[1.5, 1], [2, 0.5]])];
      for (const [alias, name] of [['mape', 'meanAbsolutePercentageError'], ['MAPE', 'meanAbsolutePercentageError'], ['msle', 'meanSquaredLogarithmicError'], ['MSLE', 'meanSquaredLogarithmicError'], ['cosineSimilarity', 'cosineProximity'], ['logCosh', 'logcosh']] as const) {
        expect(Array.from(losses.lossGradient(alias, t, p).data())).toEqual(Array.from(losses.lossGradient(name, t, p).data()));
      }
    }));
  });
});

describe("fit: one SGD step vs TF.js's model.compile({ loss }) with the same weights", () => {
  /** Data for each loss: inputs, targets, and the output activation. */
  const FIT: Array<{ loss: string; act: 'linear' | 'softplus'; units: number; y: (n: number, k: number) => Float32Array; inShape?: number[] }> = [
    // No zero or tiny targets here (their 1/ε gradients make a step of 1e8 whose float32 sums
    // differ in the last bits; they are compared above as values and gradients).
    { loss: 'meanAbsolutePercentageError', act: 'linear', units: 3, y: (n, k) => mixed(5, n * k, -2, 2, [-0.5, 3]) },
    { loss: 'meanSquaredLogarithmicError', act: 'linear', units: 3, y: (n, k) => mixed(6, n * k, -0.5, 4, [0]) },
    { loss: 'logcosh', act: 'linear', units: 3, y: (n, k) => uniform(7, n * k, -3, 3) },
    { loss: 'poisson', act: 'softplus', units: 3, y: (n, k) => Float32Array.from(uniform(8, n * k, 0, 6), Math.floor) },
    { loss: 'squaredHinge', act: 'linear', units: 3, y: (n, k) => signs(9, n * k) },
    { loss: 'categoricalHinge', act: 'linear', units: 4, y: (n, k) => onehot(10, [n, k]) },
    { loss: 'cosineProximity', act: 'linear', units: 4, y: (n, k) => uniform(11, n * k, -1, 1) },
    // Rank-3 outputs: a dense layer over [steps, features], the loss over the last axis.
    { loss: 'cosineProximity', act: 'linear', units: 4, y: (n, k) => uniform(12, n * k, -1, 1), inShape: [3, 5] },
    { loss: 'categoricalHinge', act: 'linear', units: 4, y: (n, k) => onehot(13, [n, k]), inShape: [3, 5] },
    { loss: 'meanSquaredLogarithmicError', act: 'linear', units: 3, y: (n, k) => uniform(14, n * k, 0, 3), inShape: [2, 5] },
  ];
  for (const c of FIT) {
    it(`${c.loss}${c.inShape ? ` [batch, ${c.inShape}]` : ''}`, async () => {
      const batch = 7;
      const inShape = c.inShape ?? [5];
      const x = uniform(3, batch * sizeOf(inShape), -1, 1);
      const outShape = [batch, ...inShape.slice(0, -1), c.units];
      const y = c.y(sizeOf(outShape) / c.units, c.units);
      const n = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: inShape, units: 6, activation: 'tanh' }), layers.dense({ units: c.units, activation: c.act })] });
      const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: inShape, units: 6, activation: 'tanh' }), tfl.layers.dense({ units: c.units, activation: c.act })] });
      try {
        n.build();
        copyLayerWeights(n, t);
        t.compile({ optimizer: tf.train.sgd(0.1), loss: c.loss });
        n.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: c.loss as nr.LossName });
        const [tx, ty] = [tf.tensor(x, [batch, ...inShape]), tf.tensor(y, outShape)];
        const th = await t.fit(tx, ty, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });
        tf.dispose([tx, ty]);
        using nx = nr.tensor(x, [batch, ...inShape]);
        using ny = nr.tensor(y, outShape);
        const nh = await n.fit(nx, ny, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });
        // The loss before the step, then every weight after it.
        const tl = th.history.loss[0] as number;
        note(c.loss, 'value', [nh.history.loss[0] as number], [tl]);
        expectClose([nh.history.loss[0] as number], [tl], 1e-5, 2e-6);
        const got = n.getWeights();
        const gotV = got.flatMap((w) => Array.from(w.data()));
        got.forEach((w) => w.dispose());
        const wantV = t.getWeights().flatMap((w) => Array.from(w.dataSync()));
        note(c.loss, 'weights', gotV, wantV);
        expectClose(gotV, wantV, 1e-5, 1e-5);
        // The step moved the weights.
        const before = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: inShape, units: 6, activation: 'tanh' }), layers.dense({ units: c.units, activation: c.act })] });
        before.build();
        const b = before.getWeights();
        expect(Math.max(...b.flatMap((w) => Array.from(w.data())).map((v, i) => Math.abs(v - gotV[i])))).toBeGreaterThan(1e-4);
        b.forEach((w) => w.dispose());
        before.dispose();
      } finally {
        n.dispose();
        t.dispose();
      }
    });
  }

  it("compile takes the aliases, and a model compiled with a new loss saves TF.js's trainingConfig name", async () => {
    const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [2], units: 2 })] });
    try {
      for (const loss of ['mape', 'MAPE', 'msle', 'MSLE', 'cosineSimilarity', 'logCosh', 'poisson', 'squaredHinge', 'categoricalHinge'] as const) {
        m.compile({ optimizer: 'sgd', loss });
      }
      m.compile({ optimizer: 'sgd', loss: 'meanAbsolutePercentageError' });
      const a = await m.toArtifacts();
      expect(a.trainingConfig?.loss).toBe('mean_absolute_percentage_error');
      m.compile({ optimizer: 'sgd', loss: 'cosineSimilarity' });
      expect((await m.toArtifacts()).trainingConfig?.loss).toBe('cosine_proximity');
    } finally {
      m.dispose();
    }
  });
});
