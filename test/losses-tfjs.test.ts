// TF.js's `tf.losses.*` forms (ts/weighted_losses.ts, and `losses.meanSquaredError`'s TF.js
// form) and `tf.math.confusionMatrix` (ts/ops/confusion_matrix.ts), checked live against TF.js
// 4.22 (tfjs-core, cpu backend; gradients with tf.grads): every loss, every reduction (and the
// default), with no weights, scalar weights (2.5 and 0), per-batch weights ([B, 1, …] or [B]),
// weights along the last axis, full-shape weights holding zeros, all-zero weights, weights as
// nested arrays; shapes from rank 0 to rank 3, odd and empty sizes; labels not summing to 1;
// huge (±1e30, ±1e4) and tiny (±1e-30) logits and predictions of exactly 0 and 1. Then the
// documented differences from TF.js, confusionMatrix (exact), every error message, and that
// every call (also a failing one) leaves memory().numTensors where it was.
//
// Tolerances (|a − e| ≤ atol + rtol·|e|; both sides float32):
// - values: rtol 1e-5, atol 2e-6 (TF.js sums in float64 and evaluates exp/log in float64;
//   neurite sums in float32 and its exp/log/logSoftmax are within 2 ulp; the largest error
//   seen, 6.6e-6 relative, is MEAN with weights of both signs, whose Σw cancels);
// - gradients: rtol 1e-5, atol 1e-6;
// - where TF.js's loss is NaN (every weight 0), neurite's gradient is NaN too, or 0 where an
//   op passes no gradient (relu's inactive side);
// - logits beyond ~1e4: TF.js rounds log-sum-exp to the logits' magnitude (ln 2 lost at 1e30),
//   so those are checked against a float64 reference instead (rtol 1e-6, atol 1e-6);
// - confusionMatrix: exact.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');
const { losses, Reduction } = nr;

const VALUE_TOL: [number, number] = [1e-5, 2e-6];
const GRAD_TOL: [number, number] = [1e-5, 1e-6];

type Vals = { values: Float32Array; shape: number[] };
type R = nr.Reduction | undefined;
/** A weights argument: none, a number, or values (passed to neurite as a tensor, or as nested arrays with `nested`). */
type Weights = undefined | null | number | (Vals & { nested?: boolean });

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Nested arrays of `v` in `shape`, as TF.js's arraySync gives. */
function nest(v: Float32Array, shape: number[]): unknown {
  return tf.tidy(() => tf.tensor(v, shape).arraySync());
}

/** The weights variants for losses of shape `ls`. */
function weightsFor(ls: number[], seed: number): Array<[string, Weights]> {
  const n = sizeOf(ls);
  const out: Array<[string, Weights]> = [['none', undefined], ['null', null], ['scalar 2.5', 2.5], ['scalar 0', 0]];
  if (ls.length >= 1) {
    const batch = [ls[0], ...ls.slice(1).map(() => 1)];
    out.push(['[batch]', { values: uniform(seed, ls[0], 0.5, 2), shape: batch }]);
    out.push(['last axis', { values: uniform(seed + 1, ls[ls.length - 1], -1, 2), shape: [ls[ls.length - 1]] }]);
  }
  const full = uniform(seed + 2, n, -1, 2).map((v, i) => (i % 3 === 1 ? 0 : v));
  out.push(['full, with zeros', { values: full, shape: ls }]);
  if (n > 0) out.push(['full, nested arrays', { values: uniform(seed + 3, n, 0, 2), shape: ls, nested: true }]);
  out.push(['all zeros', { values: new Float32Array(n), shape: ls }]);
  return out;
}

const REDUCTIONS: Array<[string, R]> = [['default', undefined], ['NONE', Reduction.NONE], ['MEAN', Reduction.MEAN], ['SUM', Reduction.SUM], ['SUM_BY_NONZERO_WEIGHTS', Reduction.SUM_BY_NONZERO_WEIGHTS]];

interface Spec {
  /** neurite's call. */
  nr: (l: nr.Tensor, p: nr.Tensor, w: nr.TensorLike | null | undefined, r: R) => nr.Tensor;
  /** TF.js's call. */
  tf: (l: tf.Tensor, p: tf.Tensor, w: tf.Tensor | number | null | undefined, r: R) => tf.Tensor;
  shapes: number[][];
  labels: (seed: number, n: number) => Float32Array;
  preds: (seed: number, n: number) => Float32Array;
  /** The losses' shape for inputs of shape `s` (the inputs' shape by default). */
  lossShape?: (s: number[]) => number[];
  /** Whether the gradient w.r.t. the labels is TF.js's (false for softmaxCrossEntropy). */
  labelGrad?: boolean;
  /**
   * Whether a call with no weights and no reduction is neurite's own form (meanSquaredError:
   * the Rust kernel, whose targets are constants; of empty tensors NaN, as TF.js's).
   */
  kernelWhenPlain?: boolean;
}

const real = (seed: number, n: number) => uniform(seed, n, -2, 2);
const prob = (seed: number, n: number) => uniform(seed, n, 0.02, 0.98);
const bits = (seed: number, n: number) => uniform(seed, n, 0, 1).map((v) => (v < 0.5 ? 0 : 1));
const ELEMENTWISE = [[], [1], [7], [3, 5], [2, 3, 4], [0, 3]];

/** One-hot rows (last axis), some rows smoothed. */
function onehot(seed: number, n: number, k: number): Float32Array {
  const r = mulberry32(seed);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i += k) v[i + Math.floor(r() * k)] = 1;
  return v;
}

const SPECS: Record<string, Spec> = {
  absoluteDifference: {
    nr: (l, p, w, r) => losses.absoluteDifference(l, p, w, r),
    tf: (l, p, w, r) => tf.losses.absoluteDifference(l, p, w ?? undefined, r),
    shapes: ELEMENTWISE, labels: real, preds: real,
  },
  meanSquaredError: {
    nr: (l, p, w, r) => losses.meanSquaredError(l, p, w, r),
    tf: (l, p, w, r) => tf.losses.meanSquaredError(l, p, w ?? undefined, r),
    shapes: ELEMENTWISE, labels: real, preds: real, kernelWhenPlain: true,
  },
  'cosineDistance axis 1': {
    nr: (l, p, w, r) => losses.cosineDistance(l, p, 1, w, r),
    tf: (l, p, w, r) => tf.losses.cosineDistance(l, p, 1, w ?? undefined, r),
    shapes: [[3, 5], [2, 3, 4], [4, 1]], labels: real, preds: real, lossShape: (s) => s.map((d, i) => (i === 1 ? 1 : d)),
  },
  'cosineDistance axis 0': {
    nr: (l, p, w, r) => losses.cosineDistance(l, p, 0, w, r),
    tf: (l, p, w, r) => tf.losses.cosineDistance(l, p, 0, w ?? undefined, r),
    shapes: [[7], [3, 5], [2, 3, 4]], labels: real, preds: real, lossShape: (s) => s.map((d, i) => (i === 0 ? 1 : d)),
  },
  'cosineDistance axis -1': {
    nr: (l, p, w, r) => losses.cosineDistance(l, p, -1, w, r),
    tf: (l, p, w, r) => tf.losses.cosineDistance(l, p, -1, w ?? undefined, r),
    shapes: [[3, 5], [2, 3, 4]], labels: real, preds: real, lossShape: (s) => s.map((d, i) => (i === s.length - 1 ? 1 : d)),
  },
  hingeLoss: {
    nr: (l, p, w, r) => losses.hingeLoss(l, p, w, r),
    tf: (l, p, w, r) => tf.losses.hingeLoss(l, p, w ?? undefined, r),
    shapes: ELEMENTWISE, labels: bits, preds: real,
  },
  huberLoss: {
    nr: (l, p, w, r) => losses.huberLoss(l, p, w, undefined, r),
    tf: (l, p, w, r) => tf.losses.huberLoss(l, p, w ?? undefined, undefined, r),
    shapes: ELEMENTWISE, labels: real, preds: real,
  },
  'huberLoss delta 0.3': {
    nr: (l, p, w, r) => losses.huberLoss(l, p, w, 0.3, r),
    tf: (l, p, w, r) => tf.losses.huberLoss(l, p, w ?? undefined, 0.3, r),
    shapes: [[7], [3, 5]], labels: real, preds: real,
  },
  logLoss: {
    nr: (l, p, w, r) => losses.logLoss(l, p, w, undefined, r),
    tf: (l, p, w, r) => tf.losses.logLoss(l, p, w ?? undefined, undefined, r),
    shapes: ELEMENTWISE, labels: (s, n) => uniform(s, n, 0, 1), preds: prob,
  },
  'logLoss epsilon 1e-3': {
    nr: (l, p, w, r) => losses.logLoss(l, p, w, 1e-3, r),
    tf: (l, p, w, r) => tf.losses.logLoss(l, p, w ?? undefined, 1e-3, r),
    shapes: [[7], [3, 5]], labels: bits, preds: prob,
  },
  sigmoidCrossEntropy: {
    nr: (l, p, w, r) => losses.sigmoidCrossEntropy(l, p, w, undefined, r),
    tf: (l, p, w, r) => tf.losses.sigmoidCrossEntropy(l, p, w ?? undefined, undefined, r),
    shapes: ELEMENTWISE, labels: (s, n) => uniform(s, n, 0, 1), preds: (s, n) => uniform(s, n, -6, 6),
  },
  'sigmoidCrossEntropy labelSmoothing 0.2': {
    nr: (l, p, w, r) => losses.sigmoidCrossEntropy(l, p, w, 0.2, r),
    tf: (l, p, w, r) => tf.losses.sigmoidCrossEntropy(l, p, w ?? undefined, 0.2, r),
    shapes: [[7], [3, 5], [2, 3, 4]], labels: bits, preds: (s, n) => uniform(s, n, -6, 6),
  },
  softmaxCrossEntropy: {
    nr: (l, p, w, r) => losses.softmaxCrossEntropy(l, p, w, undefined, r),
    tf: (l, p, w, r) => tf.losses.softmaxCrossEntropy(l, p, w ?? undefined, undefined, r),
    shapes: [[5], [3, 5], [4, 1], [2, 3, 4], [0, 3]], labels: (s, n) => uniform(s, n, 0, 1), preds: (s, n) => uniform(s, n, -6, 6),
    lossShape: (s) => s.slice(0, -1), labelGrad: false,
  },
  'softmaxCrossEntropy one-hot, labelSmoothing 0.1': {
    nr: (l, p, w, r) => losses.softmaxCrossEntropy(l, p, w, 0.1, r),
    tf: (l, p, w, r) => tf.losses.softmaxCrossEntropy(l, p, w ?? undefined, 0.1, r),
    shapes: [[3, 5], [6, 2]], labels: (s, n) => onehot(s, n, n === 15 ? 5 : 2), preds: (s, n) => uniform(s, n, -6, 6),
    lossShape: (s) => s.slice(0, -1), labelGrad: false,
  },
};

/** Reads a neurite tensor out and disposes it. */
function readNr(t: nr.Tensor): Vals {
  const r = { values: t.data(), shape: [...t.shape] };
  t.dispose();
  return r;
}

/** Runs `f` in a TF.js scope (its tensors freed) and returns what it returns (plain values). */
function tfTidy<T>(f: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = f();
  });
  return out as T;
}

function readTf(t: tf.Tensor): Vals {
  return { values: Float32Array.from(t.dataSync() as ArrayLike<number>), shape: t.shape.slice() };
}

function same(got: Vals, want: Vals, [rtol, atol]: [number, number], what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  try {
    expectClose(got.values, want.values, rtol, atol);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** The value and the gradients w.r.t. labels and predictions, from TF.js. */
function viaTf(spec: Spec, l: Vals, p: Vals, w: Weights, r: R): { value: Vals; dl: Vals; dp: Vals } {
  return tfTidy(() => {
    const tw = w === undefined || w === null || typeof w === 'number' ? w : tf.tensor(w.values, w.shape);
    const f = (a: tf.Tensor, b: tf.Tensor) => spec.tf(a, b, tw, r);
    const lt = tf.tensor(l.values, l.shape);
    const pt = tf.tensor(p.values, p.shape);
    const value = readTf(f(lt, pt));
    const [dl, dp] = tf.grads(f)([lt, pt]).map(readTf);
    return { value, dl, dp };
  });
}

/** The same from neurite, checking that nothing is left behind. */
function viaNr(spec: Spec, l: Vals, p: Vals, w: Weights, r: R): { value: Vals; dl: Vals; dp: Vals } {
  const before = nr.memory().numTensors;
  const wt = w === undefined || w === null || typeof w === 'number' ? w : w.nested ? (nest(w.values, w.shape) as number[]) : nr.tensor(w.values, w.shape);
  const lt = nr.tensor(l.values, l.shape);
  const pt = nr.tensor(p.values, p.shape);
  const f = (a: nr.Tensor, b: nr.Tensor) => spec.nr(a, b, wt, r);
  const value = readNr(f(lt, pt));
  const [dl, dp] = nr.grads(f)([lt, pt]).map(readNr);
  lt.dispose();
  pt.dispose();
  if (wt instanceof nr.Tensor) wt.dispose();
  expect(nr.memory().numTensors, 'numTensors').toBe(before);
  return { value, dl, dp };
}

/**
 * Gradients of a NaN loss (every weight 0: 0/0): TF.js's are NaN everywhere; neurite's are NaN
 * too, or 0 where an op passes no gradient whatever flows into it (relu where its input is
 * ≤ 0, the unpicked side of maximum/minimum), as its backward rules do.
 */
function sameNaN(got: Vals, want: Vals, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  got.values.forEach((g, i) => {
    if (Number.isNaN(want.values[i])) expect(Number.isNaN(g) || g === 0, `${what}[${i}]: ${g}`).toBe(true);
    else expectClose([g], [want.values[i]], ...GRAD_TOL);
  });
}

function compare(spec: Spec, l: Vals, p: Vals, w: Weights, r: R, what: string): void {
  const plain = spec.kernelWhenPlain && w === undefined && r === undefined;
  const want = viaTf(spec, l, p, w, r);
  const got = viaNr(spec, l, p, w, r);
  same(got.value, want.value, VALUE_TOL, `${what}: value`);
  const nanLoss = want.value.values.some(Number.isNaN);
  const check = (g: Vals, e: Vals, which: string) => (nanLoss ? sameNaN(g, e, `${what}: ${which}`) : same(g, e, GRAD_TOL, `${what}: ${which}`));
  check(got.dp, want.dp, 'gradient w.r.t. predictions');
  if (spec.labelGrad !== false && !plain) check(got.dl, want.dl, 'gradient w.r.t. labels');
}

describe('tf.losses forms vs TF.js: every reduction, every kind of weights', () => {
  let seed = 1;
  for (const [name, spec] of Object.entries(SPECS)) {
    for (const shape of spec.shapes) {
      it(`${name} [${shape}]`, () => {
        const n = sizeOf(shape);
        const l = { values: spec.labels(seed++, n), shape };
        const p = { values: spec.preds(seed++, n), shape };
        const ls = spec.lossShape ? spec.lossShape(shape) : shape;
        for (const [wName, w] of weightsFor(ls, seed++)) {
          for (const [rName, r] of REDUCTIONS) compare(spec, l, p, w, r, `${name} [${shape}], weights ${wName}, reduction ${rName}`);
        }
      });
    }
  }
});

describe('extreme values vs TF.js', () => {
  const LOGITS = [0, -0, 1e-30, -1e-30, 1e-7, 0.5, -0.5, 20, -20, 50, -50, 88, -88, 1e4, -1e4, 1e30, -1e30];
  it('sigmoidCrossEntropy: huge and tiny logits (and gradient σ(x) − z at x = 0)', () => {
    const n = LOGITS.length;
    const p = { values: Float32Array.from(LOGITS), shape: [n] };
    for (const labels of [new Float32Array(n), new Float32Array(n).fill(1), uniform(5, n, 0, 1)]) {
      const l = { values: labels, shape: [n] };
      for (const [rName, r] of REDUCTIONS) {
        for (const s of [0, 0.3]) {
          const spec: Spec = { ...SPECS.sigmoidCrossEntropy, nr: (a, b, w, r) => losses.sigmoidCrossEntropy(a, b, w, s, r), tf: (a, b, w, r) => tf.losses.sigmoidCrossEntropy(a, b, w ?? undefined, s, r) };
          compare(spec, l, p, undefined, r, `labels ${labels[2]}, smoothing ${s}, ${rName}`);
        }
      }
    }
    const g = nr.grad((x: nr.Tensor) => losses.sigmoidCrossEntropy([0, 1, 0.25], x, null, 0, Reduction.SUM))(nr.tensor([0, 0, 0]));
    expect(Array.from(readNr(g).values)).toEqual([0.5, -0.5, 0.25]);
  });

  it('softmaxCrossEntropy: huge (to ±1e4) and tiny logits, rows of labels not summing to 1', () => {
    const logits = [[1e4, -1e4, 0], [3000, -3000, 0], [-1e-30, 1e-30, 0], [50, 80, -100], [88, -88, 0], [0, 0, 0]];
    const p = { values: Float32Array.from(logits.flat()), shape: [6, 3] };
    const sets = [
      [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]],
      [[0.7, 0.7, 0.1], [0.2, 0, 0.1], [2, 1, 0], [0, 0, 0], [0.5, 0.5, 0.5], [3, 0, 1]],
    ];
    for (const labels of sets) {
      const l = { values: Float32Array.from(labels.flat()), shape: [6, 3] };
      for (const [rName, r] of REDUCTIONS) {
        for (const [wName, w] of weightsFor([6], 3)) compare(SPECS.softmaxCrossEntropy, l, p, w, r, `${labels[1]}, weights ${wName}, ${rName}`);
      }
    }
  });

  it('softmaxCrossEntropy: logits to ±1e30 against a float64 reference (TF.js rounds log-sum-exp to the logits\' magnitude there)', () => {
    const logits = [[1e30, 1e30, -1e30], [1e20, 1e20 - 1e14, 0], [-1e30, 0, 1], [3e38, 0, 3e38]].map((row) => row.map(Math.fround));
    const labels = [[0, 1, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.1], [1, 0, 0]];
    const want = logits.map((x, r) => {
      const m = Math.max(...x);
      const logSum = Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
      const ls = x.map((v) => v - m - logSum); // log-softmax, without rounding m + logSum
      return { loss: -ls.reduce((s, v, k) => s + labels[r][k] * v, 0), grad: ls.map((v, k) => Math.exp(v) - labels[r][k]) };
    });
    const x = nr.tensor(logits);
    const y = nr.tensor(labels);
    const before = nr.memory().numTensors;
    const { value, grad } = nr.valueAndGrad((z: nr.Tensor) => losses.softmaxCrossEntropy(y, z, null, 0, Reduction.NONE))(x);
    expectClose(readNr(value).values, want.map((w) => w.loss), 1e-6, 1e-6);
    expectClose(readNr(grad).values, want.flatMap((w) => w.grad), 1e-6, 1e-6);
    expect(nr.memory().numTensors).toBe(before);
    // TF.js: lse = 1e30 + ln 2 rounds to 1e30, so the first row's loss is 0 (not ln 2) and its gradient [1, 0, 0].
    const tfRow = tfTidy(() => readTf(tf.losses.softmaxCrossEntropy(tf.tensor([labels[0]]), tf.tensor([logits[0]]), undefined, 0, tf.Reduction.NONE)));
    expect(tfRow.values[0]).toBe(0);
    x.dispose();
    y.dispose();
  });

  it('logLoss: predictions of exactly 0 and 1 (epsilon keeps them finite)', () => {
    const p = { values: Float32Array.from([0, 1, 0, 1, 1e-30, 1 - 1e-7]), shape: [6] };
    const l = { values: Float32Array.from([0, 1, 1, 0, 0.5, 0.5]), shape: [6] };
    const w = { values: Float32Array.from([1, 0, 2, 1, 0.5, 3]), shape: [6] };
    for (const [rName, r] of REDUCTIONS) {
      compare(SPECS.logLoss, l, p, undefined, r, rName);
      compare(SPECS.logLoss, l, p, w, r, `${rName}, weights`);
    }
  });

  it('huge differences: absoluteDifference, meanSquaredError (overflow to Infinity as TF.js), huberLoss', () => {
    const l = { values: Float32Array.from([1e30, -1e30, 1e-30, 3e38, 0]), shape: [5] };
    const p = { values: Float32Array.from([-1e30, 1e30, -1e-30, -3e38, 1e20]), shape: [5] };
    for (const name of ['absoluteDifference', 'meanSquaredError', 'huberLoss']) {
      for (const [rName, r] of REDUCTIONS) {
        const spec = SPECS[name];
        const want = viaTf(spec, l, p, undefined, r);
        const got = viaNr(spec, l, p, undefined, r);
        same(got.value, want.value, VALUE_TOL, `${name} ${rName}`);
      }
    }
  });
});

describe('computeWeightedLoss vs TF.js', () => {
  const cases: Array<[string, number[]]> = [['scalar', []], ['[7]', [7]], ['[3,5]', [3, 5]], ['[2,3,4]', [2, 3, 4]], ['empty [0,2]', [0, 2]]];
  for (const [title, shape] of cases) {
    it(`losses ${title}: every weights kind and reduction, gradients w.r.t. losses and weights`, () => {
      const n = sizeOf(shape);
      const lv = uniform(shape.length + 40, n, -1, 3);
      for (const [wName, w] of weightsFor(shape, 77)) {
        for (const [rName, r] of REDUCTIONS) {
          const what = `${title}, weights ${wName}, ${rName}`;
          const want = tfTidy(() => {
            const lt = tf.tensor(lv, shape);
            if (w === undefined || w === null || typeof w === 'number') {
              const f = (x: tf.Tensor) => tf.losses.computeWeightedLoss(x, w ?? undefined, r);
              // NONE without weights returns the input itself in TF.js: tf.grad cannot see it (the gradient is ones).
              const dl = w == null && r === Reduction.NONE ? readTf(tf.onesLike(lt)) : readTf(tf.grad(f)(lt));
              return { value: readTf(f(lt)), dl, dw: null };
            }
            const f = (x: tf.Tensor, y: tf.Tensor) => tf.losses.computeWeightedLoss(x, y, r);
            const wt = tf.tensor(w.values, w.shape);
            // TF.js cannot differentiate SUM_BY_NONZERO_WEIGHTS w.r.t. the weights (its notEqual
            // has no gradient): the same expression with the count as a constant instead.
            const count = tf.sum(tf.notEqual(tf.mul(wt, tf.ones(shape)), 0)).dataSync()[0];
            const g = r === undefined || r === Reduction.SUM_BY_NONZERO_WEIGHTS ? (x: tf.Tensor, y: tf.Tensor) => tf.div(tf.sum(tf.mul(x, y)), count) : f;
            const [dl, dw] = tf.grads(g)([lt, wt]).map(readTf);
            return { value: readTf(f(lt, wt)), dl, dw };
          });
          const before = nr.memory().numTensors;
          const lt = nr.tensor(lv, shape);
          if (w === undefined || w === null || typeof w === 'number') {
            const f = (x: nr.Tensor) => losses.computeWeightedLoss(x, w, r);
            same(readNr(f(lt)), want.value, VALUE_TOL, `${what}: value`);
            same(readNr(nr.grad(f)(lt)), want.dl, GRAD_TOL, `${what}: d/dlosses`);
          } else {
            const wt = nr.tensor(w.values, w.shape);
            const f = (x: nr.Tensor, y: nr.Tensor) => losses.computeWeightedLoss(x, y, r);
            same(readNr(f(lt, wt)), want.value, VALUE_TOL, `${what}: value`);
            const [dl, dw] = nr.grads(f)([lt, wt]).map(readNr);
            same(dl, want.dl, GRAD_TOL, `${what}: d/dlosses`);
            same(dw, want.dw!, GRAD_TOL, `${what}: d/dweights`);
            wt.dispose();
          }
          lt.dispose();
          expect(nr.memory().numTensors, what).toBe(before);
        }
      }
    });
  }

  it('the definitions, by hand: MEAN divides by the broadcast weights, SUM_BY_NONZERO_WEIGHTS by their nonzero count', () => {
    const v = (t: nr.Tensor) => readNr(t).values;
    const l = [[1, 2], [3, 4]];
    expect(v(losses.computeWeightedLoss(l, [[1], [0]], Reduction.MEAN))[0]).toBe(1.5); // (1 + 2) / (1 + 1 + 0 + 0)
    expect(v(losses.computeWeightedLoss(l, [[1], [0]]))[0]).toBe(1.5); // (1 + 2) / 2 nonzero
    expect(v(losses.computeWeightedLoss(l, [2, 0], Reduction.MEAN))[0]).toBe(2); // (2 + 6) / 4
    expect(v(losses.computeWeightedLoss(l, [2, 0]))[0]).toBe(4); // (2 + 6) / 2
    expect(v(losses.computeWeightedLoss(l, 3, Reduction.MEAN))[0]).toBe(2.5); // the mean, whatever the scalar
    expect(v(losses.computeWeightedLoss(l, 3))[0]).toBe(7.5); // 30 / 4
    expect(v(losses.computeWeightedLoss(l, null, Reduction.SUM))[0]).toBe(10);
    expect(Array.from(v(losses.computeWeightedLoss(l, [1, -1], Reduction.NONE)))).toEqual([1, -2, 3, -4]);
    // Every weight 0: 0 / 0, NaN (as TF.js), for MEAN and the default; SUM is 0.
    expect(v(losses.computeWeightedLoss(l, 0))[0]).toBeNaN();
    expect(v(losses.computeWeightedLoss(l, [0, 0], Reduction.MEAN))[0]).toBeNaN();
    expect(v(losses.computeWeightedLoss(l, [0, 0], Reduction.SUM))[0]).toBe(0);
    // Weights with extra leading axes of size 1 broadcast too (NONE keeps their rank, as TF.js).
    expect(readNr(losses.computeWeightedLoss([1, 2], [[[2, 3]]], Reduction.NONE))).toEqual({ values: Float32Array.from([2, 6]), shape: [1, 1, 2] });
  });

  it('NONE without weights returns a copy the caller owns (TF.js returns the input itself)', () => {
    const l = nr.tensor([1, 2, 3]);
    const before = nr.memory().numTensors;
    const out = losses.computeWeightedLoss(l, undefined, Reduction.NONE);
    expect(out).not.toBe(l);
    expect(nr.memory().numTensors).toBe(before + 1);
    out.dispose();
    expect(Array.from(l.data())).toEqual([1, 2, 3]);
    l.dispose();
  });
});

describe('the Reduction enum', () => {
  it("has TF.js's names and numbers, reverse names included, top-level and under losses", () => {
    for (const k of ['NONE', 'MEAN', 'SUM', 'SUM_BY_NONZERO_WEIGHTS'] as const) {
      expect(nr.Reduction[k]).toBe(tf.Reduction[k]);
      expect(nr.Reduction[nr.Reduction[k]]).toBe(k);
    }
    expect(Object.keys(nr.Reduction).sort()).toEqual(Object.keys(tf.Reduction).sort());
    expect(losses.Reduction).toBe(nr.Reduction);
    expect(Object.isFrozen(nr.Reduction)).toBe(true);
  });
});

describe('meanSquaredError: both forms', () => {
  const l = uniform(3, 24, -2, 2);
  const p = uniform(4, 24, -2, 2);

  it("TF.js's default (no weights, SUM_BY_NONZERO_WEIGHTS) equals neurite's default (the Rust kernel)", () => {
    for (const shape of [[24], [4, 6], [2, 3, 4]]) {
      const want = tf.tidy(() => tf.losses.meanSquaredError(tf.tensor(l, shape), tf.tensor(p, shape)).dataSync()[0]);
      const a = nr.tensor(l, shape);
      const b = nr.tensor(p, shape);
      const kernel = readNr(losses.meanSquaredError(a, b)).values[0];
      const composed = readNr(losses.meanSquaredError(a, b, null)).values[0];
      expectClose([kernel, composed], [want, want], ...VALUE_TOL);
      a.dispose();
      b.dispose();
    }
  });

  it("the options form is today's path: same values as lossGradient's kernel, the reduction options unchanged", () => {
    nr.tidy(() => {
      const a = nr.tensor(l, [4, 6]);
      const b = nr.tensor(p, [4, 6]);
      const v = (t: nr.Tensor) => t.data()[0];
      const base = v(losses.meanSquaredError(a, b));
      expect(v(losses.meanSquaredError(a, b, {}))).toBe(base);
      expect(v(losses.meanSquaredError(a, b, { reduction: 'mean' }))).toBe(base);
      expect(v(losses.meanSquaredError(a, b, undefined, undefined))).toBe(base);
      expect(v(losses.meanSquaredError(a, b, { reduction: 'sumOverFeatures' }))).toBeCloseTo(base * 6, 4);
      // The TF.js form with a scalar weight and SUM: Σ w·(a − b)².
      const want = tf.tidy(() => tf.losses.meanSquaredError(tf.tensor(l, [4, 6]), tf.tensor(p, [4, 6]), 0.5, tf.Reduction.SUM).dataSync()[0]);
      expectClose([v(losses.meanSquaredError(a, b, 0.5, Reduction.SUM))], [want], ...VALUE_TOL);
      // A reduction given positionally selects the TF.js form even without weights.
      expect(readNr(losses.meanSquaredError(a, b, undefined, Reduction.NONE)).shape).toEqual([4, 6]);
    });
  });

  it('TensorLike everywhere: arrays and numbers for labels, predictions and weights', () => {
    const before = nr.memory().numTensors;
    const want = tf.tidy(() => tf.losses.meanSquaredError([[1, 2], [3, 4]], [[1.5, 2], [2, 5]], [[2], [0]]).dataSync()[0]);
    const got = readNr(losses.meanSquaredError([[1, 2], [3, 4]], [[1.5, 2], [2, 5]], [[2], [0]])).values[0];
    expect(got).toBe(want);
    expect(readNr(losses.absoluteDifference(1, 3, 2, Reduction.SUM)).values[0]).toBe(4);
    expect(nr.memory().numTensors).toBe(before);
  });
});

describe('documented differences from TF.js', () => {
  it('softmaxCrossEntropy: the gradient w.r.t. the logits is softmax − labels (TF.js, TF), w.r.t. the labels −logSoftmax', () => {
    const x = nr.tensor([[1, -2, 0.5], [0, 3, -1]]);
    const y = nr.tensor([[0.7, 0.7, 0.1], [0.2, 0, 0.1]]);
    const before = nr.memory().numTensors;
    const [dy, dx] = nr.grads((a: nr.Tensor, b: nr.Tensor) => losses.softmaxCrossEntropy(a, b, null, 0, Reduction.SUM))([y, x]).map(readNr);
    const sm = readNr(nr.softmax(x)).values;
    const ls = readNr(nr.logSoftmax(x)).values;
    expectClose(dx.values, sm.map((s, i) => s - y.data()[i]), ...GRAD_TOL);
    expectClose(dy.values, ls.map((v) => -v), ...GRAD_TOL);
    expect(nr.memory().numTensors).toBe(before);
    // Outside grad nothing is added: the value is the cross-entropy itself.
    const v = readNr(losses.softmaxCrossEntropy(y, x, null, 0, Reduction.NONE)).values;
    expectClose(v, [0, 1].map((r) => -[0, 1, 2].reduce((s, k) => s + y.data()[r * 3 + k] * ls[r * 3 + k], 0)), ...VALUE_TOL);
    x.dispose();
    y.dispose();
  });

  it('softmaxCrossEntropy label smoothing divides by the classes of the last axis (TF.js reads shape[1])', () => {
    // Rank 3: the same as the rows flattened to rank 2, where TF.js's shape[1] is the class count.
    const x = uniform(11, 24, -3, 3);
    const y = onehot(12, 24, 4);
    const want = tf.tidy(() => readTf(tf.losses.softmaxCrossEntropy(tf.tensor(y, [6, 4]), tf.tensor(x, [6, 4]), undefined, 0.2, tf.Reduction.NONE)));
    const got = readNr(losses.softmaxCrossEntropy(nr.tensor(y, [2, 3, 4]), nr.tensor(x, [2, 3, 4]), undefined, 0.2, Reduction.NONE));
    expect(got.shape).toEqual([2, 3]);
    expectClose(got.values, want.values, ...VALUE_TOL);
    // Rank 1: one example (TF.js gives NaN).
    const one = readNr(losses.softmaxCrossEntropy([0, 1], [0, 0], undefined, 0.5)).values[0];
    expect(one).toBeCloseTo(Math.LN2, 6);
  });

  it('absoluteDifference: gradient 0 where labels = predictions (TF.js: +1)', () => {
    const g = nr.grad((p: nr.Tensor) => losses.absoluteDifference([1, 2], p, null, Reduction.SUM))(nr.tensor([1, 3]));
    expect(Array.from(readNr(g).values, (v) => v + 0)).toEqual([0, 1]);
  });

  it('weights that would enlarge the losses are an error (TF.js broadcasts the losses to them)', () => {
    // TF.js: [3] losses times [3, 1] weights is a [3, 3] loss matrix, silently.
    const want = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.eye(3), tf.zeros([3, 3]), tf.ones([3, 1]), 0, tf.Reduction.NONE).shape);
    expect(want).toEqual([3, 3]);
    expect(() => losses.softmaxCrossEntropy(nr.eye(3), nr.zeros([3, 3]), [[1], [1], [1]], Reduction.NONE)).toThrow(nr.ShapeError);
  });
});

describe('math.confusionMatrix vs TF.js (exact)', () => {
  it('random labels and predictions, numClasses 1 to 9, lengths 0 to 200', () => {
    const r = mulberry32(99);
    for (const n of [2, 3, 5, 9]) {
      for (const len of [0, 1, 7, 200]) {
        const labels = Array.from({ length: len }, () => Math.floor(r() * n));
        const preds = Array.from({ length: len }, () => Math.floor(r() * n));
        const want = tf.tidy(() => readTf(tf.math.confusionMatrix(tf.tensor1d(labels, 'int32'), tf.tensor1d(preds, 'int32'), n)));
        const before = nr.memory().numTensors;
        const lt = nr.tensor1d(labels);
        const got = readNr(nr.math.confusionMatrix(lt, preds, n));
        lt.dispose();
        expect(got, `n ${n}, length ${len}`).toEqual(want);
        expect(nr.memory().numTensors).toBe(before);
      }
    }
  });

  it('numClasses 1 (TF.js 4.22 throws: its oneHot needs depth ≥ 2)', () => {
    expect(() => tf.math.confusionMatrix(tf.tensor1d([0, 0], 'int32'), tf.tensor1d([0, 0], 'int32'), 1)).toThrow(/depth must be >=2/);
    expect(readNr(nr.math.confusionMatrix([0, 0, 0], [0, 0, 0], 1))).toEqual({ values: Float32Array.from([3]), shape: [1, 1] });
  });

  it('rows are labels, columns predictions; TensorLike inputs (typed arrays too); no leak', () => {
    const before = nr.memory().numTensors;
    const got = readNr(nr.math.confusionMatrix([0, 1, 2, 1, 0], Float32Array.from([0, 2, 2, 1, 0]), 3));
    expect(got).toEqual({ values: Float32Array.from([2, 0, 0, 0, 1, 1, 0, 0, 1]), shape: [3, 3] });
    const labels = nr.tensor([1, 1, 1]);
    const m = readNr(nr.math.confusionMatrix(labels, [0, 0, 1], 2));
    expect(Array.from(m.values)).toEqual([0, 0, 2, 1]);
    labels.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });

  it('is a constant under grad (zero gradient)', () => {
    const x = nr.tensor([0.3, 1.2, 1.6, 0.4]);
    const g = nr.grad((x: nr.Tensor) => nr.add(nr.sum(nr.math.confusionMatrix(nr.round(x), [0, 1, 1, 2], 3)), nr.sum(nr.mul(x, 0))))(x);
    expect(Array.from(readNr(g).values)).toEqual([0, 0, 0, 0]);
    x.dispose();
  });
});

/** The error `f` throws (checked to leave nothing behind): its class and message. */
function err(f: () => unknown): { cls: string; message: string } {
  const before = nr.memory().numTensors;
  const e = thrown(() => nr.tidy(() => { f(); }));
  expect(nr.memory().numTensors).toBe(before);
  expect(e, 'should throw').toBeInstanceOf(nr.NeuriteError);
  return { cls: (e as Error).constructor.name, message: (e as Error).message };
}

describe('errors name the function, the argument and the shapes or values', () => {
  const p = [[0.2, 0.8], [0.5, 0.5]];
  const cases: Array<[string, () => unknown, string, string]> = [
    // Shapes of labels and predictions.
    ['absoluteDifference shapes', () => losses.absoluteDifference([1, 2, 3], p), 'ShapeError', 'absoluteDifference: labels shape [3] and predictions shape [2,2] must be equal'],
    ['meanSquaredError TF.js form shapes', () => losses.meanSquaredError([1, 2], p, null), 'ShapeError', 'meanSquaredError: labels shape [2] and predictions shape [2,2] must be equal'],
    ['sigmoidCrossEntropy shapes', () => losses.sigmoidCrossEntropy([[1, 0]], p), 'ShapeError', 'sigmoidCrossEntropy: multiClassLabels shape [1,2] and logits shape [2,2] must be equal'],
    ['softmaxCrossEntropy shapes', () => losses.softmaxCrossEntropy([1, 0], p), 'ShapeError', 'softmaxCrossEntropy: onehotLabels shape [2] and logits shape [2,2] must be equal'],
    ['softmaxCrossEntropy scalar', () => losses.softmaxCrossEntropy(1, 2), 'InvalidArgumentError', 'softmaxCrossEntropy: logits is a scalar; it needs a last axis of classes (e.g. shape [batch, classes])'],
    // Weights that do not broadcast to the losses.
    ['weights [3]', () => losses.hingeLoss(p, p, [1, 2, 3]), 'ShapeError', "hingeLoss: weights of shape [3] do not broadcast to the losses' shape [2,2] (labels' shape): each axis of weights, aligned from the last, must be 1 or the losses' size (a scalar, or shape [1,1] to [2,2])"],
    ['weights [2,2] for [2] losses', () => losses.softmaxCrossEntropy(p, p, p), 'ShapeError', "softmaxCrossEntropy: weights of shape [2,2] do not broadcast to the losses' shape [2] (one per example: logits shape [2,2] without its last axis): each axis of weights, aligned from the last, must be 1 or the losses' size (a scalar, or shape [1] to [2])"],
    ['weights for cosineDistance', () => losses.cosineDistance(p, p, 1, [1, 2]), 'ShapeError', "cosineDistance: weights of shape [2] do not broadcast to the losses' shape [2,1] (labels' shape [2,2] with axis 1 reduced to 1): each axis of weights, aligned from the last, must be 1 or the losses' size (a scalar, or shape [1,1] to [2,1])"],
    ['computeWeightedLoss weights', () => losses.computeWeightedLoss([1, 2, 3], [1, 2]), 'ShapeError', "computeWeightedLoss: weights of shape [2] do not broadcast to the losses' shape [3] (losses): each axis of weights, aligned from the last, must be 1 or the losses' size (a scalar, or shape [1] to [3])"],
    ['weights a string', () => losses.logLoss(p, p, 'w' as never), 'InvalidArgumentError', 'logLoss: weights must be a Tensor, a number or an array of numbers, got the string "w"'],
    ['weights ragged', () => losses.huberLoss(p, p, [[1], [1, 2]]), 'ShapeError', 'huberLoss: weights: values are ragged: values[1] is an array of length 2, expected an array of length 1 (inferred shape [2,1])'],
    // Reductions.
    ['reduction 4', () => losses.absoluteDifference(p, p, null, 4 as never), 'InvalidArgumentError', 'absoluteDifference: unknown reduction 4; reduction must be Reduction.NONE (0), Reduction.MEAN (1), Reduction.SUM (2) or Reduction.SUM_BY_NONZERO_WEIGHTS (3)'],
    ['reduction null', () => losses.computeWeightedLoss(p, 1, null as never), 'InvalidArgumentError', 'computeWeightedLoss: unknown reduction null; reduction must be Reduction.NONE (0), Reduction.MEAN (1), Reduction.SUM (2) or Reduction.SUM_BY_NONZERO_WEIGHTS (3)'],
    ['reduction string', () => losses.hingeLoss(p, p, undefined, 'MEAN' as never), 'InvalidArgumentError', 'hingeLoss: unknown reduction "MEAN"; reduction must be Reduction.NONE (0), Reduction.MEAN (1), Reduction.SUM (2) or Reduction.SUM_BY_NONZERO_WEIGHTS (3) (pass the enum, e.g. losses.Reduction.MEAN, not a string)'],
    ['mse reduction string', () => losses.meanSquaredError(p, p, undefined, 'mean' as never), 'InvalidArgumentError', `meanSquaredError: unknown reduction "mean"; reduction must be Reduction.NONE (0), Reduction.MEAN (1), Reduction.SUM (2) or Reduction.SUM_BY_NONZERO_WEIGHTS (3) (pass the enum, e.g. losses.Reduction.MEAN, not a string; neurite's { reduction: 'mean' | 'sumOverFeatures' | 'none' } goes in the options object of meanSquaredError(yTrue, yPred, options))`],
    ['NONE reduction checked without weights', () => losses.computeWeightedLoss(p, undefined, -1 as never), 'InvalidArgumentError', 'computeWeightedLoss: unknown reduction -1; reduction must be Reduction.NONE (0), Reduction.MEAN (1), Reduction.SUM (2) or Reduction.SUM_BY_NONZERO_WEIGHTS (3)'],
    // Axis and scalar parameters.
    ['axis 1.5', () => losses.cosineDistance(p, p, 1.5), 'InvalidArgumentError', 'cosineDistance: axis must be an integer, got 1.5'],
    ['axis missing', () => (losses.cosineDistance as (a: unknown, b: unknown) => unknown)(p, p), 'InvalidArgumentError', 'cosineDistance: axis must be an integer, got undefined'],
    ['axis 2', () => losses.cosineDistance(p, p, 2), 'InvalidArgumentError', 'cosineDistance: axis 2 is out of range for a tensor of rank 2 (shape [2,2])'],
    ['delta 0', () => losses.huberLoss(p, p, null, 0), 'InvalidArgumentError', 'huberLoss: delta must be a finite number > 0, got 0'],
    ['delta NaN', () => losses.huberLoss(p, p, null, NaN), 'InvalidArgumentError', 'huberLoss: delta must be a finite number > 0, got NaN'],
    ['epsilon -1', () => losses.logLoss(p, p, null, -1), 'InvalidArgumentError', 'logLoss: epsilon must be a finite number ≥ 0, got -1'],
    // Checked as float32: 1e39 is Infinity there and 1e-46 is 0 (they gave NaN and 0 losses).
    ['delta 1e39', () => losses.huberLoss(p, p, null, 1e39), 'InvalidArgumentError', 'huberLoss: delta must be a finite number > 0, got 1e+39 (Infinity as a float32)'],
    ['delta 1e-46', () => losses.huberLoss(p, p, null, 1e-46), 'InvalidArgumentError', 'huberLoss: delta must be a finite number > 0, got 1e-46 (0 as a float32)'],
    ['epsilon 1e39', () => losses.logLoss(p, p, null, 1e39), 'InvalidArgumentError', 'logLoss: epsilon must be a finite number ≥ 0, got 1e+39 (Infinity as a float32)'],
    ['labelSmoothing 1.5', () => losses.sigmoidCrossEntropy(p, p, null, 1.5), 'InvalidArgumentError', 'sigmoidCrossEntropy: labelSmoothing must be a finite number in [0, 1], got 1.5'],
    ['labelSmoothing string', () => losses.softmaxCrossEntropy(p, p, null, '0.1' as never), 'InvalidArgumentError', 'softmaxCrossEntropy: labelSmoothing must be a finite number in [0, 1], got the string "0.1"'],
    // TensorLike arguments.
    ['labels a string', () => losses.absoluteDifference('y' as never, p), 'InvalidArgumentError', 'absoluteDifference: labels must be a Tensor, a number or an array of numbers, got the string "y"'],
    ['logits an object', () => losses.sigmoidCrossEntropy(p, {} as never), 'InvalidArgumentError', 'sigmoidCrossEntropy: logits must be a Tensor, a number or an array of numbers, got an object (Object)'],
    // The Keras-style losses given TF.js's weights: which loss takes them.
    ['mae weights', () => losses.meanAbsoluteError(p, p, nr.scalar(2) as never), 'InvalidArgumentError', "meanAbsoluteError: options must be an object such as { reduction: 'mean' }, got a Tensor (shape []); for TF.js's weights argument use losses.absoluteDifference(labels, predictions, weights, reduction)"],
    ['huber weights', () => losses.huber(p, p, [1, 2] as never), 'InvalidArgumentError', "huber: options must be an object such as { reduction: 'mean' }, got an array of length 2; for TF.js's weights argument use losses.huberLoss(labels, predictions, weights, delta, reduction)"],
    ['bce weights', () => losses.binaryCrossentropy(p, p, 2 as never), 'InvalidArgumentError', "binaryCrossentropy: options must be an object such as { reduction: 'mean' }, got 2; for TF.js's weights argument use losses.logLoss(labels, predictions, weights, epsilon, reduction), or losses.sigmoidCrossEntropy(labels, logits, weights, labelSmoothing, reduction) on logits"],
    ['cce weights', () => losses.categoricalCrossentropy(p, p, nr.ones([2]) as never), 'InvalidArgumentError', "categoricalCrossentropy: options must be an object such as { reduction: 'mean' }, got a Tensor (shape [2]); for TF.js's weights argument use losses.softmaxCrossEntropy(onehotLabels, logits, weights, labelSmoothing, reduction) on logits"],
    ['hinge weights', () => losses.hinge(p, p, Float32Array.from([1, 2]) as never), 'InvalidArgumentError', "hinge: options must be an object such as { reduction: 'mean' }, got an object (Float32Array); for TF.js's weights argument use losses.hingeLoss(labels, predictions, weights, reduction) (0/1 labels)"],
    ['kld weights', () => losses.kullbackLeiblerDivergence(p, p, nr.scalar(1) as never), 'InvalidArgumentError', "kullbackLeiblerDivergence: options must be an object such as { reduction: 'mean' }, got a Tensor (shape []); for TF.js's weights argument use losses.computeWeightedLoss(perElementLosses, weights, reduction)"],
    ['lossGradient weights', () => losses.lossGradient('mse', p, p, nr.scalar(1) as never), 'InvalidArgumentError', "lossGradient: options must be an object such as { reduction: 'mean' }, got a Tensor (shape []); for TF.js's weights argument use grad of a loss that takes weights (losses.absoluteDifference, huberLoss, …, or losses.computeWeightedLoss)"],
    // confusionMatrix.
    ['cm numClasses 0', () => nr.math.confusionMatrix([0], [0], 0), 'InvalidArgumentError', 'confusionMatrix: numClasses must be a positive integer, got 0'],
    ['cm numClasses 2.5', () => nr.math.confusionMatrix([0], [0], 2.5), 'InvalidArgumentError', 'confusionMatrix: numClasses must be a positive integer, got 2.5'],
    ['cm numClasses missing', () => (nr.math.confusionMatrix as (a: unknown, b: unknown) => unknown)([0], [0]), 'InvalidArgumentError', 'confusionMatrix: numClasses must be a positive integer, got undefined'],
    ['cm numClasses huge', () => nr.math.confusionMatrix([0], [0], 1e5), 'OutOfMemoryError', 'confusionMatrix: out of memory allocating 40000000000 bytes: the result [100000,100000] has 10000000000 elements, more than the 536870911 (2^29 - 1) one tensor can hold'],
    ['cm labels rank 2', () => nr.math.confusionMatrix([[0, 1]], [0, 1], 2), 'InvalidArgumentError', 'confusionMatrix: labels must be 1-D, got rank 2 (shape [1,2])'],
    ['cm predictions scalar', () => nr.math.confusionMatrix([0], 0, 2), 'InvalidArgumentError', 'confusionMatrix: predictions must be 1-D, got rank 0 (shape [])'],
    ['cm lengths', () => nr.math.confusionMatrix([0, 1, 1], [0, 1], 2), 'ShapeError', 'confusionMatrix: labels and predictions must have one length (one entry per example), got 3 labels and 2 predictions'],
    ['cm label too large', () => nr.math.confusionMatrix([0, 1, 3, 5], [0, 1, 1, 1], 3), 'InvalidArgumentError', 'confusionMatrix: labels[2] = 3 is not a class index: labels must hold integers in [0, 3) for numClasses 3'],
    ['cm prediction fractional', () => nr.math.confusionMatrix([0, 1], [0, 0.5], 3), 'InvalidArgumentError', 'confusionMatrix: predictions[1] = 0.5 is not a class index: predictions must hold integers in [0, 3) for numClasses 3'],
    ['cm prediction negative', () => nr.math.confusionMatrix([0, 1], [-1, 0], 3), 'InvalidArgumentError', 'confusionMatrix: predictions[0] = -1 is not a class index: predictions must hold integers in [0, 3) for numClasses 3'],
    ['cm label NaN', () => nr.math.confusionMatrix([NaN], [0], 3), 'InvalidArgumentError', 'confusionMatrix: labels[0] = NaN is not a class index: labels must hold integers in [0, 3) for numClasses 3'],
    ['cm labels a string', () => nr.math.confusionMatrix('0' as never, [0], 3), 'InvalidArgumentError', 'confusionMatrix: labels must be a Tensor, a number or an array of numbers, got the string "0"'],
  ];
  for (const [title, f, cls, message] of cases) {
    it(title, () => expect(err(f)).toEqual({ cls, message }));
  }

  it('a disposed tensor is named', () => {
    const gone = nr.tensor([1, 2]);
    gone.dispose();
    expect(() => losses.absoluteDifference(gone, [1, 2])).toThrow(nr.DisposedError);
    expect(() => losses.absoluteDifference([1, 2], [1, 2], gone)).toThrow(/absoluteDifference.*weights/);
    expect(() => nr.math.confusionMatrix([0, 1], gone, 2)).toThrow(/confusionMatrix.*predictions/);
  });
});
