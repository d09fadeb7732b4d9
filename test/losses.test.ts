// Losses against TF.js 4.22 (tfjs-core, CPU backend).
//
// TF.js's `tf.losses.*` default reduction is SUM_BY_NONZERO_WEIGHTS: with no weights that is
// the mean over every per-element (MSE, MAE, Huber, sigmoid CE, hinge) or per-row (softmax
// CE) loss, which equals Keras's "sum_over_batch_size" of the per-sample means. Where TF.js has
// no such loss, or its formula differs from Keras's (logLoss adds ε instead of clipping; hinge
// always converts 0/1 labels), the reference is the Keras formula written with TF.js ops, and
// gradients come from `tf.grad` of that same expression (so TF.js's `clipByValue` gradient
// convention is checked too).
import { describe, expect, it } from 'vitest';
import { expectClose, expectNoLeak } from './setup.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfLosses from '@tensorflow/tfjs-layers/dist/losses';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');
const { losses } = nr;

const rng = mulberry32;

const EPS = 1e-7;
const R = 6;
const C = 4;
const rand = rng(42);
const reals = Float32Array.from({ length: R * C }, () => rand() * 4 - 2);
const targetsReal = Float32Array.from({ length: R * C }, () => rand() * 4 - 2);
const logits = Float32Array.from({ length: R * C }, () => rand() * 6 - 3);
// Probabilities including exact 0 and 1 (clipped), and soft targets in [0, 1].
const probs = Float32Array.from({ length: R * C }, (_, i) => (i === 3 ? 0 : i === 7 ? 1 : rand()));
const soft = Float32Array.from({ length: R * C }, () => rand());
const labels = Float32Array.from({ length: R }, () => Math.floor(rand() * C));
const onehot = Float32Array.from({ length: R * C }, (_, i) => (labels[Math.floor(i / C)] === i % C ? 1 : 0));
const rowProbs = (() => {
  const p = Float32Array.from({ length: R * C }, () => 0.05 + rand());
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += p[r * C + c];
    for (let c = 0; c < C; c++) p[r * C + c] /= s;
  }
  return p;
})();
const binary01 = Float32Array.from({ length: R * C }, () => (rand() < 0.5 ? 0 : 1));
// Target rows that do not sum to 1 (issue 7): multi-hot, all zero, summing to 0.3 and 2.5,
// then a one-hot and a uniform row for contrast.
const oddRows = Float32Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0.1, 0.1, 0.1, 0, 1, 1, 0.5, 0, 0, 1, 0, 0, 0.25, 0.25, 0.25, 0.25]);
// Categorical cross-entropy on logits written out, `mean_rows Σ_j ỹ_j·(lse(z) − z_j)`, so
// tf.grad differentiates it exactly: ∂/∂z = softmax(z)·Σỹ − ỹ. (tf.losses.softmaxCrossEntropy
// has a custom gradient `softmax − ỹ`, right only for rows summing to 1, like TF's kernel.)
const cceLogits = (s: number): Ref => (y, z) => {
  const lse = tf.logSumExp(z, -1, true);
  return tf.mean(tf.sum(tf.mul(smoothC(y, s), tf.sub(lse, z)), -1)) as tf.Scalar;
};
const binaryPm = binary01.map((v) => 2 * v - 1);

type Ref = (y: tf.Tensor, p: tf.Tensor) => tf.Scalar;
interface Case {
  title: string;
  loss: nr.losses.LossConfig;
  yTrue: Float32Array;
  yPred: Float32Array;
  trueShape?: number[];
  ref: Ref;
}

const clip = (p: tf.Tensor, hi = 1 - EPS) => tf.clipByValue(p, EPS, hi);
const smoothB = (y: tf.Tensor, s: number) => tf.add(tf.mul(y, 1 - s), 0.5 * s);
const smoothC = (y: tf.Tensor, s: number) => tf.add(tf.mul(y, 1 - s), s / C);
const bceProbs = (s: number): Ref => (y, p) => {
  const t = smoothB(y, s);
  const c = clip(p);
  return tf.neg(tf.mean(tf.add(tf.mul(t, tf.log(c)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, c)))))) as tf.Scalar;
};
const cceProbs = (s: number): Ref => (y, p) => {
  const q = clip(tf.div(p, tf.sum(p, -1, true)));
  return tf.mean(tf.neg(tf.sum(tf.mul(smoothC(y, s), tf.log(q)), -1))) as tf.Scalar;
};

const cases: Case[] = [
  { title: 'meanSquaredError = tf.losses.meanSquaredError', loss: { name: 'meanSquaredError' }, yTrue: targetsReal, yPred: reals, ref: (y, p) => tf.losses.meanSquaredError(y, p) as tf.Scalar },
  { title: 'meanAbsoluteError = tf.losses.absoluteDifference', loss: { name: 'meanAbsoluteError' }, yTrue: targetsReal, yPred: reals, ref: (y, p) => tf.losses.absoluteDifference(y, p) as tf.Scalar },
  { title: 'huber δ=1 = tf.losses.huberLoss', loss: { name: 'huber' }, yTrue: targetsReal, yPred: reals, ref: (y, p) => tf.losses.huberLoss(y, p) as tf.Scalar },
  { title: 'huber δ=0.4 = tf.losses.huberLoss', loss: { name: 'huber', delta: 0.4 }, yTrue: targetsReal, yPred: reals, ref: (y, p) => tf.losses.huberLoss(y, p, undefined, 0.4) as tf.Scalar },
  { title: 'binaryCrossentropy logits = tf.losses.sigmoidCrossEntropy', loss: { name: 'binaryCrossentropy', fromLogits: true }, yTrue: soft, yPred: logits, ref: (y, p) => tf.losses.sigmoidCrossEntropy(y, p) as tf.Scalar },
  { title: 'binaryCrossentropy logits, smoothing 0.2', loss: { name: 'binaryCrossentropy', fromLogits: true, labelSmoothing: 0.2 }, yTrue: binary01, yPred: logits, ref: (y, p) => tf.losses.sigmoidCrossEntropy(y, p, undefined, 0.2) as tf.Scalar },
  { title: 'binaryCrossentropy probabilities (Keras formula)', loss: { name: 'binaryCrossentropy' }, yTrue: soft, yPred: probs, ref: bceProbs(0) },
  { title: 'binaryCrossentropy probabilities, smoothing 0.1', loss: { name: 'binaryCrossentropy', labelSmoothing: 0.1 }, yTrue: binary01, yPred: probs, ref: bceProbs(0.1) },
  { title: 'categoricalCrossentropy logits = tf.losses.softmaxCrossEntropy', loss: { name: 'categoricalCrossentropy', fromLogits: true }, yTrue: onehot, yPred: logits, ref: (y, p) => tf.losses.softmaxCrossEntropy(y, p) as tf.Scalar },
  { title: 'categoricalCrossentropy logits, smoothing 0.3', loss: { name: 'categoricalCrossentropy', fromLogits: true, labelSmoothing: 0.3 }, yTrue: onehot, yPred: logits, ref: (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0.3) as tf.Scalar },
  { title: 'categoricalCrossentropy probabilities (renormalised, clipped)', loss: { name: 'categoricalCrossentropy' }, yTrue: soft, yPred: probs, ref: cceProbs(0) },
  { title: 'categoricalCrossentropy probabilities, smoothing 0.1', loss: { name: 'categoricalCrossentropy', labelSmoothing: 0.1 }, yTrue: onehot, yPred: rowProbs, ref: cceProbs(0.1) },
  { title: 'categoricalCrossentropy logits, rows not summing to 1', loss: { name: 'categoricalCrossentropy', fromLogits: true }, yTrue: oddRows, yPred: logits, ref: cceLogits(0) },
  { title: 'categoricalCrossentropy logits, rows not summing to 1, smoothing 0.2', loss: { name: 'categoricalCrossentropy', fromLogits: true, labelSmoothing: 0.2 }, yTrue: oddRows, yPred: logits, ref: cceLogits(0.2) },
  { title: 'categoricalCrossentropy probabilities, rows not summing to 1', loss: { name: 'categoricalCrossentropy' }, yTrue: oddRows, yPred: rowProbs, ref: cceProbs(0) },
  { title: 'categoricalCrossentropy probabilities, rows not summing to 1, smoothing 0.1', loss: { name: 'categoricalCrossentropy', labelSmoothing: 0.1 }, yTrue: oddRows, yPred: rowProbs, ref: cceProbs(0.1) },
  { title: 'binaryCrossentropy probabilities, rows not summing to 1, smoothing 0.1', loss: { name: 'binaryCrossentropy', labelSmoothing: 0.1 }, yTrue: oddRows, yPred: rowProbs, ref: bceProbs(0.1) },
  { title: 'binaryCrossentropy logits, rows not summing to 1', loss: { name: 'binaryCrossentropy', fromLogits: true }, yTrue: oddRows, yPred: logits, ref: (y, p) => tf.losses.sigmoidCrossEntropy(y, p) as tf.Scalar },
  {
    title: 'sparseCategoricalCrossentropy logits = softmaxCrossEntropy(oneHot)', loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true },
    yTrue: labels, trueShape: [R], yPred: logits, ref: (_y, p) => tf.losses.softmaxCrossEntropy(tf.tensor(onehot, [R, C]), p) as tf.Scalar,
  },
  {
    title: 'sparseCategoricalCrossentropy probabilities (Keras: log(clip(p)) as logits)', loss: { name: 'sparseCategoricalCrossentropy' },
    yTrue: labels, trueShape: [R, 1], yPred: probs, ref: (_y, p) => tf.losses.softmaxCrossEntropy(tf.tensor(onehot, [R, C]), tf.log(clip(p))) as tf.Scalar,
  },
  {
    title: 'kullbackLeiblerDivergence (Keras formula)', loss: { name: 'kullbackLeiblerDivergence' }, yTrue: soft, yPred: probs,
    // TF.js's form (tfjs-layers losses.kullbackLeiblerDivergence): the weight is the target itself.
    ref: (y, p) => tf.mean(tf.sum(tf.mul(y, tf.log(tf.div(clip(y, 1), clip(p, 1)))), -1)) as tf.Scalar,
  },
  {
    title: 'kullbackLeiblerDivergence, rows not summing to 1', loss: { name: 'kullbackLeiblerDivergence' }, yTrue: oddRows, yPred: rowProbs,
    // TF.js's form (tfjs-layers losses.kullbackLeiblerDivergence): the weight is the target itself.
    ref: (y, p) => tf.mean(tf.sum(tf.mul(y, tf.log(tf.div(clip(y, 1), clip(p, 1)))), -1)) as tf.Scalar,
  },
  { title: 'hinge 0/1 labels = tf.losses.hingeLoss', loss: { name: 'hinge' }, yTrue: binary01, yPred: reals, ref: (y, p) => tf.losses.hingeLoss(y, p) as tf.Scalar },
  { title: 'hinge ±1 labels (Keras formula)', loss: { name: 'hinge' }, yTrue: binaryPm, yPred: reals, ref: (y, p) => tf.mean(tf.relu(tf.sub(1, tf.mul(y, p)))) as tf.Scalar },
];

/** The named function of `losses` for a config (checks the per-loss entry points, not just lossGradient). */
function callNamed(cfg: nr.losses.LossConfig, y: nr.Tensor, p: nr.Tensor): nr.Tensor {
  const { name, ...opts } = cfg;
  const f = losses[name as keyof typeof losses] as (y: nr.Tensor, p: nr.Tensor, o?: object) => nr.Tensor;
  return f(y, p, Object.keys(opts).length ? opts : undefined);
}

describe('losses vs TF.js', () => {
  for (const c of cases) {
    it(c.title, () => {
      const shape = [R, C];
      const tshape = c.trueShape ?? shape;
      const [want, wantGrad] = tf.tidy(() => {
        const y = tf.tensor(c.yTrue, tshape);
        const p = tf.tensor(c.yPred, shape);
        const g = tf.grad((x: tf.Tensor) => c.ref(y, x))(p);
        return [c.ref(y, p).dataSync()[0], g.dataSync().slice()];
      });
      expectNoLeak(() =>
        nr.tidy(() => {
          const y = nr.tensor(c.yTrue, tshape);
          const p = nr.tensor(c.yPred, shape);
          const loss = callNamed(c.loss, y, p);
          expect(loss.shape).toEqual([]);
          expectClose(loss.data(), [want], 1e-5, 1e-6);
          const g = losses.lossGradient(c.loss, y, p);
          expect(g.shape).toEqual(shape);
          expectClose(g.data(), wantGrad, 1e-5, 1e-7);
        }),
      );
    });
  }

  it('reduces over the last axis of rank-3 predictions, then over every other axis', () => {
    const y3 = tf.tensor(onehot, [2, 3, C]);
    const z3 = tf.tensor(logits, [2, 3, C]);
    const want = tf.losses.softmaxCrossEntropy(tf.reshape(y3, [R, C]), tf.reshape(z3, [R, C])).dataSync()[0];
    tf.dispose([y3, z3]);
    nr.tidy(() => {
      const l = losses.categoricalCrossentropy(nr.tensor(onehot, [2, 3, C]), nr.tensor(logits, [2, 3, C]), { fromLogits: true });
      expectClose(l.data(), [want], 1e-5, 1e-6);
      const s = losses.sparseCategoricalCrossentropy(nr.tensor(labels, [2, 3]), nr.tensor(logits, [2, 3, C]), { fromLogits: true });
      expectClose(s.data(), [want], 1e-5, 1e-6);
    });
  });

  it('accepts [n] targets for [n, 1] predictions (and the reverse)', () => {
    nr.tidy(() => {
      const a = losses.meanSquaredError(nr.tensor([1, 2, 3]), nr.tensor([[1.5], [2], [2]]));
      const b = losses.meanSquaredError(nr.tensor([[1], [2], [3]]), nr.tensor([1.5, 2, 2]));
      expectClose(a.data(), [(0.25 + 1) / 3]);
      expectClose(b.data(), [(0.25 + 1) / 3]);
      expect(losses.lossGradient('mse', nr.tensor([1, 2, 3]), nr.tensor([[1.5], [2], [2]])).shape).toEqual([3, 1]);
    });
  });

  it('stays finite on probabilities of exactly 0 and 1', () => {
    nr.tidy(() => {
      const y = nr.tensor([[1, 0], [0, 1]]);
      const p = nr.tensor([[0, 1], [1, 0]]);
      for (const f of [losses.binaryCrossentropy, losses.categoricalCrossentropy, losses.kullbackLeiblerDivergence]) {
        const v = f(y, p).item();
        expect(Number.isFinite(v) && v > 10 && v < 40).toBe(true);
      }
      const g = losses.lossGradient('binaryCrossentropy', y, p).data();
      expect(Array.from(g)).toEqual([0, 0, 0, 0]); // every value is clipped: no gradient
    });
  });
});

describe('loss errors', () => {
  it('names the loss, the argument and the values', () => {
    nr.tidy(() => {
      const p = nr.tensor([[0.2, 0.8], [0.5, 0.5]]);
      expect(() => losses.meanSquaredError(nr.tensor([1, 2, 3]), p)).toThrow(nr.ShapeError);
      expect(() => losses.meanSquaredError(nr.tensor([[1, 2, 3]]), p)).toThrow('meanSquaredError: targets of shape [1,3] do not match predictions of shape [2,2]');
      expect(() => losses.sparseCategoricalCrossentropy(nr.tensor([0, 2]), p)).toThrow(
        'sparseCategoricalCrossentropy: target[1] = 2 is not a class index: targets must be integers in [0, 2) for 2 classes',
      );
      expect(() => losses.binaryCrossentropy(nr.tensor([[0, 1], [1.5, 0]]), p)).toThrow('binaryCrossentropy: target[2] (sample 1, output 0) = 1.5 is not a probability');
      expect(() => losses.hinge(nr.tensor([[-1, 0], [1, 1]]), p)).toThrow('hinge: target[1] (sample 0, output 1) = 0: hinge targets must be all in {-1, 1} or all in {0, 1}');
      expect(() => losses.meanAbsoluteError(nr.tensor([[0, NaN], [1, 1]]), p)).toThrow('meanAbsoluteError: target[1] (sample 0, output 1) is NaN; targets must be finite numbers');
      expect(() => losses.huber(p, p, { delta: -1 })).toThrow('huber: delta must be a finite number > 0, got -1');
      expect(() => losses.categoricalCrossentropy(p, p, { labelSmoothing: 2 })).toThrow('categoricalCrossentropy: labelSmoothing must be in [0, 1], got 2');
      expect(() => losses.binaryCrossentropy(p, p, { fromLogit: true } as never)).toThrow("binaryCrossentropy: unknown option 'fromLogit' — did you mean 'fromLogits'? (known: fromLogits, labelSmoothing, reduction)");
      // Every loss takes `reduction`: the list says so, for losses with no other option too.
      expect(() => losses.lossGradient({ name: 'hinge', delta: 1 }, p, p)).toThrow("lossGradient: unknown hinge option 'delta' (known: reduction)");
      expect(() => losses.lossGradient({ name: 'mse', reductio: 'mean' } as never, p, p)).toThrow("lossGradient: unknown meanSquaredError option 'reductio' — did you mean 'reduction'? (known: reduction)");
      // A config object checks its options as the name form does: no inherited keys, no non-object options (a fuzzer's find).
      const huber = { name: 'huber' } as const;
      expect(() => losses.lossGradient(huber, p, p, true as never)).toThrow('lossGradient: options must be an object, got boolean true');
      expect(() => losses.lossGradient(huber, p, p, null as never)).toThrow('lossGradient: options must be an object, got null');
      expect(() => losses.lossGradient(huber, p, p, Object.create({ delta: 5 }))).toThrow("lossGradient: the options object inherits the key 'delta'");
      expect(() => losses.lossGradient(Object.create(huber), p, p)).toThrow("lossGradient: the options object inherits the key 'name'");
      expect(() => losses.lossGradient(Object.assign(Object.create({ delta: 5 }), huber), p, p)).toThrow("lossGradient: the options object inherits the key 'delta'");
      const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2 })] });
      expect(() => m.compile({ optimizer: 'sgd', loss: { name: 'mse', foo: 1 } as never })).toThrow("compile: unknown meanSquaredError option 'foo' (known: reduction)");
      expect(() => m.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', fromLogit: true } as never })).toThrow("compile: unknown binaryCrossentropy option 'fromLogit' — did you mean 'fromLogits'? (known: fromLogits, labelSmoothing, reduction)");
      m.dispose();
      expect(() => losses.binaryCrossentropy(p, p, { fromLogits: 1 } as never)).toThrow('binaryCrossentropy: fromLogits must be a boolean, got 1');
      expect(() => losses.lossGradient('nope' as never, p, p)).toThrow(/lossGradient: unknown loss 'nope' \(known: meanSquaredError, /);
      // An array is TF.js's TensorLike (a temporary tensor), checked against yPred's shape; a string is not.
      expect(() => losses.meanSquaredError([1, 2], p)).toThrow('meanSquaredError: targets of shape [2] do not match predictions of shape [2,2]');
      expect(() => losses.meanSquaredError('y' as never, p)).toThrow('meanSquaredError: yTrue must be a Tensor, a number or an array of numbers, got the string "y"');
      // TF.js's third argument is weights: meanSquaredError takes TF.js's form (test/losses-tfjs.test.ts);
      // the other losses say which TF.js-form loss takes weights (rather than reading a tensor's keys as options).
      expect(losses.meanSquaredError(p, p, nr.scalar(2)).item()).toBe(0);
      expect(() => losses.meanAbsoluteError(p, p, nr.scalar(2) as never)).toThrow(new nr.InvalidArgumentError(
        "meanAbsoluteError: options must be an object such as { reduction: 'mean' }, got a Tensor (shape []); for TF.js's weights argument use losses.absoluteDifference(labels, predictions, weights, reduction)",
      ));
      expect(() => losses.lossGradient('mse', p, p, p as never)).toThrow(/^lossGradient: options must be an object such as \{ reduction: 'mean' \}, got a Tensor \(shape \[2,2\]\)/);
      const gone = nr.tensor([1, 2, 3, 4], [2, 2]);
      gone.dispose();
      expect(() => losses.meanSquaredError(gone, p)).toThrow(nr.DisposedError);
    });
  });
});


describe('losses of empty tensors (they threw "a loss needs at least one value")', () => {
  const NAMES = ['meanSquaredError', 'meanAbsoluteError', 'huber', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'kullbackLeiblerDivergence', 'hinge', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError', 'logcosh', 'poisson', 'squaredHinge', 'categoricalHinge', 'cosineProximity'] as const;
  const SUMS = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'kullbackLeiblerDivergence', 'cosineProximity'];
  const call = (n: string, t: nr.Tensor, p: nr.Tensor, o?: object) => (losses as unknown as Record<string, (...a: unknown[]) => nr.Tensor>)[n](t, p, o);
  const vals = (x: nr.Tensor) => [x.shape, Array.from(x.data() as Float32Array)];

  it('no samples ([0, 3], [0]): the mean is NaN, as TF.js\'s tf.losses forms; per-sample losses empty as tfjs-layers\'', () => {
    // TF.js: tf.losses.meanSquaredError (and absoluteDifference, …) of no values is NaN.
    for (const shape of [[0, 3], [0]]) {
      expect(tf.tidy(() => tf.losses.meanSquaredError(tf.zeros(shape), tf.zeros(shape)).dataSync()[0])).toBeNaN();
      expect(tf.tidy(() => tf.losses.absoluteDifference(tf.zeros(shape), tf.zeros(shape)).dataSync()[0])).toBeNaN();
    }
    expectNoLeak(() => nr.tidy(() => {
      const p = nr.zeros([0, 3]);
      for (const n of NAMES) {
        const t = n === 'sparseCategoricalCrossentropy' ? nr.zeros([0]) : p;
        expect(vals(call(n, t, p)), n).toEqual([[], [NaN]]);
        expect(vals(call(n, t, p, { reduction: 'sumOverFeatures' })), n).toEqual([[], [NaN]]);
        expect(vals(call(n, t, p, { reduction: 'none' })), n).toEqual([[0], []]); // tfjs-layers' per-sample losses: shape [0]
        expect(vals(losses.lossGradient(n, t, p)), n).toEqual([[0, 3], []]);
        if (n !== 'sparseCategoricalCrossentropy') {
          // One sample of no values ([0]): a mean of nothing (NaN), a sum 0.
          const e = nr.zeros([0]);
          expect(vals(call(n, e, e)), n).toEqual([[], [SUMS.includes(n) ? 0 : NaN]]);
          expect(vals(call(n, e, e, { reduction: 'sumOverFeatures' })), n).toEqual([[], [0]]);
          // Samples of no values: TF.js's per-sample sums over no classes are 0 too.
          const r = nr.zeros([2, 0]);
          expect(vals(call(n, r, r, { reduction: 'none' })), n).toEqual([[2], SUMS.includes(n) ? [0, 0] : [NaN, NaN]]);
        }
      }
      expect(vals(losses.dice(p, p))).toEqual([[], [1]]); // Keras's 1 − 2·0 / (0 + ε)
      // Under the tape, the gradients are empty tensors of the inputs' shapes (the core's one
      // backward rule), also through a reduction 'none' and for the targets.
      for (const [n, o] of [['meanSquaredError', undefined], ['categoricalCrossentropy', { reduction: 'none' }], ['hinge', { reduction: 'sumOverFeatures' }]] as const) {
        const [gt, gp] = nr.grads((t: nr.Tensor, q: nr.Tensor) => nr.sum(call(n, t, q, o)))([p, p]);
        expect([vals(gt), vals(gp)], n).toEqual([[[0, 3], []], [[0, 3], []]]);
      }
      for (const n of ['categoricalCrossentropy', 'kullbackLeiblerDivergence', 'cosineProximity'] as const) {
        const want = tf.tidy(() => Array.from((tfLosses[n] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(tf.zeros([2, 0]), tf.zeros([2, 0])).dataSync(), Math.abs)); // −Σ of nothing is −0 there
        expect(Array.from(call(n, nr.zeros([2, 0]), nr.zeros([2, 0]), { reduction: 'none' }).data() as Float32Array), n).toEqual(want);
      }
    }));
  });

  it('targets are still checked against empty predictions; a sparse row of no classes is refused (TF.js: oneHot depth 0)', () => {
    nr.tidy(() => {
      expect(() => losses.meanSquaredError(nr.zeros([0, 2]), nr.zeros([0, 3]))).toThrow(new nr.ShapeError('meanSquaredError: targets of shape [0,2] do not match predictions of shape [0,3]'));
      expect(losses.meanSquaredError(nr.zeros([0]), nr.zeros([0, 1])).item()).toBeNaN(); // a trailing 1, as for values
      expect(() => losses.sparseCategoricalCrossentropy(nr.zeros([0, 3]), nr.zeros([0, 3]))).toThrow(
        new nr.ShapeError('sparseCategoricalCrossentropy: targets must be class indices of shape [0] (the prediction shape [0,3] without its last axis), got shape [0,3]'),
      );
      expect(() => losses.sparseCategoricalCrossentropy(nr.zeros([2]), nr.zeros([2, 0]))).toThrow(/^sparseCategoricalCrossentropy: predictions are empty/);
      expect(() => losses.lossGradient('mse', nr.zeros([3]), nr.zeros([0]))).toThrow('meanSquaredError: targets of shape [3] do not match predictions of shape [0]'); // as for values
      // The options too, as for values (the API fuzzer found labelSmoothing 1.0000002 taken).
      const bad = (f: () => unknown) => expect(f).toThrow(nr.InvalidArgumentError);
      bad(() => losses.binaryCrossentropy(nr.zeros([5, 0, 6]), nr.zeros([5, 0, 6]), { labelSmoothing: 1.0000002 }));
      bad(() => losses.huber(nr.zeros([0, 2]), nr.zeros([0, 2]), { delta: -1 }));
      bad(() => losses.lossGradient({ name: 'binaryCrossentropy', labelSmoothing: 2 }, nr.zeros([0]), nr.zeros([0])));
      expect(losses.binaryCrossentropy(nr.zeros([5, 0, 6]), nr.zeros([5, 0, 6]), { labelSmoothing: 0.1 }).item()).toBeNaN();
    });
    expect(nr.memory().numTensors).toBe(0);
  });
});

describe('loss configs by alias', () => {
  it("{ name: 'mse', reduction } type-checks as a LossConfig (it was LossName only) and is meanSquaredError's", async () => {
    const cfg: nr.losses.LossConfig = { name: 'mse', reduction: 'sumOverFeatures' };
    const y = nr.tensor([[1, 2, 3], [0, -1, 4]]);
    const p = nr.tensor([[1.5, 2, 2], [0, 1, 4]]);
    const viaAlias = nr.losses.lossGradient(cfg, y, p);
    const viaName = nr.losses.lossGradient({ name: 'meanSquaredError', reduction: 'sumOverFeatures' }, y, p);
    expect(Array.from(viaAlias.dataSync())).toEqual(Array.from(viaName.dataSync()));
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 3 })] });
    m.compile({ optimizer: 'sgd', loss: { name: 'mse', reduction: 'sumOverFeatures' } });
    const h = await m.fit(y, p, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss![0])).toBe(true);
    for (const t of [y, p, viaAlias, viaName]) t.dispose();
    m.dispose();
  });
});
