// The model API against TF.js 4.22 Layers (`@tensorflow/tfjs-layers`, CPU backend): the same
// Sequential is built in both libraries, neurite's initial weights are copied into TF.js, and
// predictions, evaluate() losses, one-step gradients and 20-step optimizer trajectories are
// compared. Where TF.js has no counterpart (AdamW, activity regularizers, hinge on {0,1}
// labels) the Keras formula is written out here instead.
//
// Tolerances (|a − e| ≤ atol + rtol·|e|, float32 on both sides, different summation orders):
// - forward values and losses: rtol 1e-5, atol 1e-6 (gelu: atol 1e-5, TF.js's erf is an
//   approximation with |error| ≤ 1.5e-7);
// - one-step gradients (w_before − w_after with lr 1): atol 1e-5 + rtol 1e-4 — the subtraction
//   w − (w − g) loses up to one ulp of w (≈ 6e-8 for |w| < 1);
// - weights after 20 optimizer steps: rtol 1e-4, atol 1e-5 (errors compound over the steps).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';
import { normals } from './rng.js';

await tf.setBackend('cpu');
const { layers, optimizers, regularizers } = nr;


type Reg = { l1?: number; l2?: number };
/** One layer, described once and built in both libraries. */
type Spec =
  | { kind: 'dense'; units: number; activation?: string; useBias?: boolean; kernelRegularizer?: Reg; biasRegularizer?: Reg; activityRegularizer?: Reg }
  | { kind: 'activation'; activation: string }
  | { kind: 'batchNormalization'; momentum?: number; epsilon?: number }
  | { kind: 'layerNormalization'; epsilon?: number }
  | { kind: 'dropout'; rate: number }
  | { kind: 'prelu' };

const nrReg = (r?: Reg) => (r ? regularizers.l1l2({ l1: r.l1 ?? 0, l2: r.l2 ?? 0 }) : undefined);
const tfReg = (r?: Reg) => (r ? tfl.regularizers.l1l2({ l1: r.l1 ?? 0, l2: r.l2 ?? 0 }) : undefined);

function nrLayer(s: Spec, inputShape?: number[]): nr.Layer {
  const base = inputShape ? { inputShape } : {};
  switch (s.kind) {
    case 'dense':
      return layers.dense({ ...base, units: s.units, activation: (s.activation ?? 'linear') as nr.ActivationName, useBias: s.useBias, kernelRegularizer: nrReg(s.kernelRegularizer), biasRegularizer: nrReg(s.biasRegularizer), activityRegularizer: nrReg(s.activityRegularizer) });
    case 'activation':
      return layers.activation({ ...base, activation: s.activation as nr.ActivationName });
    case 'batchNormalization':
      return layers.batchNormalization({ ...base, momentum: s.momentum, epsilon: s.epsilon });
    case 'layerNormalization':
      return layers.layerNormalization({ ...base, epsilon: s.epsilon });
    case 'dropout':
      return layers.dropout({ ...base, rate: s.rate });
    case 'prelu':
      return layers.prelu(base);
  }
}

function tfLayer(s: Spec, inputShape?: number[]): tfl.layers.Layer {
  const base = inputShape ? { inputShape } : {};
  switch (s.kind) {
    case 'dense':
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return tfl.layers.dense({ ...base, units: s.units, activation: (s.activation === 'geluNew' ? 'gelu_new' : s.activation ?? 'linear') as any, useBias: s.useBias ?? true, kernelRegularizer: tfReg(s.kernelRegularizer), biasRegularizer: tfReg(s.biasRegularizer) });
    case 'activation':
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return tfl.layers.activation({ ...base, activation: s.activation as any });
    case 'batchNormalization':
      return tfl.layers.batchNormalization({ ...base, momentum: s.momentum ?? 0.99, epsilon: s.epsilon ?? 1e-3 });
    case 'layerNormalization':
      return tfl.layers.layerNormalization({ ...base, epsilon: s.epsilon ?? 1e-3 });
    case 'dropout':
      return tfl.layers.dropout({ ...base, rate: s.rate });
    case 'prelu':
      return tfl.layers.prelu(base); // alpha 'zeros' in both (and copied from neurite's anyway)
  }
}

/** The same model in both libraries, TF.js holding a copy of neurite's (seeded) initial weights. */
class Pair {
  readonly nr: nr.Sequential;
  readonly tf: tfl.Sequential;
  constructor(readonly specs: Spec[], readonly inputDim: number, seed = 1) {
    this.nr = nr.sequential({ seed, layers: specs.map((s, i) => nrLayer(s, i === 0 ? [inputDim] : undefined)) });
    this.tf = tfl.sequential({ layers: specs.map((s, i) => tfLayer(s, i === 0 ? [inputDim] : undefined)) });
    this.nr.build();
    this.copyWeights();
  }

  /** neurite → TF.js: both list a model's weights in TF.js's order (non-trainable weights last). */
  copyWeights(): void {
    const ws = this.nr.getWeights();
    tf.tidy(() => this.tf.setWeights(ws.map((t) => tf.tensor(t.data(), [...t.shape]))));
    ws.forEach((t) => t.dispose());
  }

  nrWeights(): Float32Array[] {
    const ws = this.nr.getWeights();
    const out = ws.map((t) => t.data());
    ws.forEach((t) => t.dispose());
    return out;
  }

  /** TF.js's weights, in its `getWeights()` order (neurite's too). */
  tfWeights(): Float32Array[] {
    return this.tf.getWeights().map((w) => Float32Array.from(w.dataSync()));
  }

  dispose(): void {
    this.nr.dispose();
    this.tf.dispose();
  }
}

/** Runs `f` with neurite and TF.js tensors of the same values, disposing both. */
async function withData<T>(x: Float32Array, xs: number[], y: Float32Array, ys: number[], f: (nx: nr.Tensor, ny: nr.Tensor, tx: tf.Tensor, ty: tf.Tensor) => Promise<T>): Promise<T> {
  const nx = nr.tensor(x, xs);
  const ny = nr.tensor(y, ys);
  const tx = tf.tensor(x, xs);
  const ty = tf.tensor(y, ys);
  try {
    return await f(nx, ny, tx, ty);
  } finally {
    nx.dispose();
    ny.dispose();
    tf.dispose([tx, ty]);
  }
}

const N = 8;
const IN = 5;

function predictBoth(p: Pair, x: Float32Array): { a: Float32Array; b: Float32Array } {
  const nx = nr.tensor(x, [N, IN]);
  const py = p.nr.predict(nx);
  const a = py.data();
  nx.dispose();
  py.dispose();
  const b = tf.tidy(() => Float32Array.from((p.tf.predict(tf.tensor(x, [N, IN])) as tf.Tensor).dataSync()));
  return { a, b };
}

// ---------------------------------------------------------------------------------------------
// Activations: forward and one-step gradients through a dense stack.
// ---------------------------------------------------------------------------------------------

const ACTIVATIONS = ['relu', 'elu', 'selu', 'softplus', 'softsign', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'linear', 'swish', 'gelu', 'relu6', 'mish', 'geluNew'];

/** One SGD(lr=1) trainOnBatch step on both: returns the implied gradients and the losses. */
async function oneStep(p: Pair, nrLoss: nr.CompileArgs['loss'], tfLoss: string | ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor), x: Float32Array, y: Float32Array, ys: number[], tfY = y, tfYs = ys) {
  p.nr.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: nrLoss });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  p.tf.compile({ optimizer: tf.train.sgd(1), loss: tfLoss as any });
  const before = p.nrWeights();
  const tfBefore = p.tfWeights();
  for (let i = 0; i < before.length; i++) expectClose(tfBefore[i], before[i], 0, 0);
  const [lossNr, lossTf] = await withData(x, [N, IN], y, ys, async (nx, ny, tx) => {
    const ty = tf.tensor(tfY, tfYs);
    const r = [p.nr.trainOnBatch(nx, ny) as number, (await p.tf.trainOnBatch(tx, ty)) as number];
    ty.dispose();
    return r;
  });
  const after = p.nrWeights();
  const tfAfter = p.tfWeights();
  const gNr = before.map((b, i) => b.map((v, k) => v - after[i][k]));
  const gTf = tfBefore.map((b, i) => b.map((v, k) => v - tfAfter[i][k]));
  return { lossNr, lossTf, gNr, gTf, after, tfAfter };
}

function expectGrads(gNr: Float32Array[], gTf: Float32Array[]): void {
  expect(gNr.length).toBe(gTf.length);
  gNr.forEach((g, i) => expectClose(g, gTf[i], 1e-4, 1e-5));
}

describe('dense stack vs TF.js layers: every activation', () => {
  const gen = normals(7);
  const x = gen(N * IN, 1.5);
  const y = gen(N * 3);
  for (const act of ACTIVATIONS) {
    it(`${act}: predictions and one-step gradients (mse)`, async () => {
      const p = new Pair([{ kind: 'dense', units: 6, activation: act }, { kind: 'dense', units: 3, activation: act }], IN, 11);
      const { a, b } = predictBoth(p, x);
      expectClose(a, b, 1e-5, act.startsWith('gelu') ? 1e-5 : 1e-6);
      const r = await oneStep(p, 'meanSquaredError', 'meanSquaredError', x, y, [N, 3]);
      expectClose([r.lossNr], [r.lossTf], 1e-5, 1e-6);
      expectGrads(r.gNr, r.gTf);
      p.dispose();
    });
  }

  it('hardSigmoid is clip(0.2·x + 0.5, 0, 1) in both, including the kinks at ±2.5', () => {
    const xs = Float32Array.from([-4, -2.5, -2.4, -1, 0, 0.3, 2.4, 2.5, 4]);
    const a = nr.tidy(() => nr.hardSigmoid(nr.tensor(xs)).data());
    const b = tf.tidy(() => tfl.layers.activation({ activation: 'hardSigmoid' }).apply(tf.tensor(xs)) as tf.Tensor).dataSync();
    expectClose(a, b, 0, 1e-7);
    expectClose(a, Array.from(xs, (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))), 0, 1e-7);
  });
});

// ---------------------------------------------------------------------------------------------
// Losses: evaluate() and one training step, for every loss and option TF.js can express.
// ---------------------------------------------------------------------------------------------

type TfLoss = string | ((yt: tf.Tensor, yp: tf.Tensor) => tf.Tensor);
interface LossCase {
  title: string;
  nr: nr.CompileArgs['loss'];
  tf: TfLoss;
  /** Activation of the output layer. */
  out: string;
  /** Targets for N rows of 3 outputs, and their shape. */
  targets: () => { y: Float32Array; shape: number[] };
  /** TF.js gets the sparse targets one-hot (its custom losses need targets of the output's shape). */
  tfOneHot?: boolean;
}

const gl = normals(21);
const rand01 = (n: number) => Float32Array.from(gl(n), (v) => 1 / (1 + Math.exp(-v)));
const binary = () => ({ y: Float32Array.from(rand01(N * 3), (v) => (v > 0.5 ? 1 : 0)), shape: [N, 3] });
const oneHot = () => {
  const y = new Float32Array(N * 3);
  for (let r = 0; r < N; r++) y[r * 3 + ((r * 7 + 1) % 3)] = 1;
  return { y, shape: [N, 3] };
};
const softTargets = () => {
  const y = rand01(N * 3);
  for (let r = 0; r < N; r++) {
    const s = y[r * 3] + y[r * 3 + 1] + y[r * 3 + 2];
    for (let j = 0; j < 3; j++) y[r * 3 + j] /= s;
  }
  return { y, shape: [N, 3] };
};
const sparse = () => ({ y: Float32Array.from({ length: N }, (_, r) => (r * 7 + 1) % 3), shape: [N] });
const smoothB = (s: number) => (yt: tf.Tensor, yp: tf.Tensor) => tfl.metrics.binaryCrossentropy(tf.add(tf.mul(yt, 1 - s), 0.5 * s), yp);
const smoothC = (s: number) => (yt: tf.Tensor, yp: tf.Tensor) => tfl.metrics.categoricalCrossentropy(tf.add(tf.mul(yt, 1 - s), s / 3), yp);

const LOSSES: LossCase[] = [
  { title: 'meanSquaredError', nr: 'meanSquaredError', tf: 'meanSquaredError', out: 'linear', targets: () => ({ y: gl(N * 3), shape: [N, 3] }) },
  { title: 'meanAbsoluteError', nr: 'meanAbsoluteError', tf: 'meanAbsoluteError', out: 'linear', targets: () => ({ y: gl(N * 3), shape: [N, 3] }) },
  { title: 'huber (delta 1)', nr: 'huber', tf: (yt, yp) => tf.losses.huberLoss(yt, yp), out: 'linear', targets: () => ({ y: gl(N * 3, 2), shape: [N, 3] }) },
  { title: 'huber (delta 0.5)', nr: { name: 'huber', delta: 0.5 }, tf: (yt, yp) => tf.losses.huberLoss(yt, yp, undefined, 0.5), out: 'linear', targets: () => ({ y: gl(N * 3, 2), shape: [N, 3] }) },
  { title: 'binaryCrossentropy', nr: 'binaryCrossentropy', tf: 'binaryCrossentropy', out: 'sigmoid', targets: binary },
  { title: 'binaryCrossentropy, soft targets', nr: 'binaryCrossentropy', tf: 'binaryCrossentropy', out: 'sigmoid', targets: () => ({ y: rand01(N * 3), shape: [N, 3] }) },
  { title: 'binaryCrossentropy, labelSmoothing 0.1', nr: { name: 'binaryCrossentropy', labelSmoothing: 0.1 }, tf: smoothB(0.1), out: 'sigmoid', targets: binary },
  { title: 'binaryCrossentropy, fromLogits', nr: { name: 'binaryCrossentropy', fromLogits: true }, tf: (yt, yp) => tf.losses.sigmoidCrossEntropy(yt, yp), out: 'linear', targets: binary },
  { title: 'binaryCrossentropy, fromLogits + labelSmoothing 0.2', nr: { name: 'binaryCrossentropy', fromLogits: true, labelSmoothing: 0.2 }, tf: (yt, yp) => tf.losses.sigmoidCrossEntropy(yt, yp, undefined, 0.2), out: 'linear', targets: binary },
  { title: 'categoricalCrossentropy', nr: 'categoricalCrossentropy', tf: 'categoricalCrossentropy', out: 'softmax', targets: oneHot },
  { title: 'categoricalCrossentropy, soft targets', nr: 'categoricalCrossentropy', tf: 'categoricalCrossentropy', out: 'softmax', targets: softTargets },
  { title: 'categoricalCrossentropy, labelSmoothing 0.1', nr: { name: 'categoricalCrossentropy', labelSmoothing: 0.1 }, tf: smoothC(0.1), out: 'softmax', targets: oneHot },
  { title: 'categoricalCrossentropy, fromLogits', nr: { name: 'categoricalCrossentropy', fromLogits: true }, tf: (yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp), out: 'linear', targets: oneHot },
  { title: 'categoricalCrossentropy, fromLogits + labelSmoothing 0.2', nr: { name: 'categoricalCrossentropy', fromLogits: true, labelSmoothing: 0.2 }, tf: (yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp, undefined, 0.2), out: 'linear', targets: oneHot },
  { title: 'categoricalCrossentropy on a sigmoid output (not fused)', nr: 'categoricalCrossentropy', tf: 'categoricalCrossentropy', out: 'sigmoid', targets: oneHot },
  { title: 'sparseCategoricalCrossentropy', nr: 'sparseCategoricalCrossentropy', tf: 'sparseCategoricalCrossentropy', out: 'softmax', targets: sparse },
  { title: 'sparseCategoricalCrossentropy, fromLogits', nr: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, tf: (yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp), out: 'linear', targets: sparse, tfOneHot: true },
  { title: 'sparseCategoricalCrossentropy, labels [N, 1]', nr: 'sparseCategoricalCrossentropy', tf: 'sparseCategoricalCrossentropy', out: 'softmax', targets: () => ({ y: sparse().y, shape: [N, 1] }) },
  { title: 'kullbackLeiblerDivergence', nr: 'kullbackLeiblerDivergence', tf: 'kullbackLeiblerDivergence', out: 'softmax', targets: softTargets },
  { title: 'hinge (±1 targets)', nr: 'hinge', tf: 'hinge', out: 'tanh', targets: () => ({ y: Float32Array.from(binary().y, (v) => 2 * v - 1), shape: [N, 3] }) },
];

/** TF.js cannot take the sparse labels as [N]: it wants [N, 1]. */
const tfTargetShape = (shape: number[]) => (shape.length === 1 ? [shape[0], 1] : shape);

/** The targets TF.js gets for a case: as given, or sparse labels made one-hot. */
function tfTargets(c: LossCase, y: Float32Array, shape: number[]): { y: Float32Array; shape: number[] } {
  if (!c.tfOneHot) return { y, shape: tfTargetShape(shape) };
  const h = new Float32Array(y.length * 3);
  y.forEach((k, r) => (h[r * 3 + k] = 1));
  return { y: h, shape: [y.length, 3] };
}

describe('losses vs TF.js: evaluate() and one SGD step', () => {
  const x = normals(5)(N * IN, 1.5);
  for (const c of LOSSES) {
    it(c.title, async () => {
      const { y, shape } = c.targets();
      const p = new Pair([{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 3, activation: c.out }], IN, 3);
      p.nr.compile({ optimizer: 'sgd', loss: c.nr });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      p.tf.compile({ optimizer: tf.train.sgd(1), loss: c.tf as any });
      const [a, b] = await withData(x, [N, IN], y, shape, async (nx, ny, tx) => {
        const ev = p.nr.evaluate(nx, ny, { batchSize: 3 }) as nr.Tensor;
        const mine = ev.data()[0];
        ev.dispose();
        const t = tfTargets(c, y, shape);
        const ty2 = tf.tensor(t.y, t.shape);
        const theirs = tf.tidy(() => (p.tf.evaluate(tx, ty2, { batchSize: 3 }) as tf.Scalar).dataSync()[0]);
        ty2.dispose();
        return [mine, theirs];
      });
      expectClose([a], [b], 1e-5, 1e-6);
      const t = tfTargets(c, y, shape);
      const r = await oneStep(p, c.nr, c.tf, x, y, shape, t.y, t.shape);
      expectClose([r.lossNr], [r.lossTf], 1e-5, 1e-6);
      expectGrads(r.gNr, r.gTf);
      p.dispose();
    });
  }

  it('hinge with {0, 1} targets converts them to ±1 (Keras)', () => {
    const x = normals(9)(N * IN);
    const { y } = binary();
    const p = new Pair([{ kind: 'dense', units: 3, activation: 'tanh' }], IN, 4);
    p.nr.compile({ optimizer: 'sgd', loss: 'hinge' });
    const pred = tf.tidy(() => (p.tf.predict(tf.tensor(x, [N, IN])) as tf.Tensor).dataSync());
    let want = 0;
    pred.forEach((v, i) => (want += Math.max(0, 1 - (2 * y[i] - 1) * v)));
    want /= pred.length;
    nr.tidy(() => expectClose([(p.nr.evaluate(nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])) as nr.Tensor).data()[0]], [want], 1e-5, 1e-6));
    p.dispose();
  });

  it('metrics: accuracy (binary, categorical, sparse), mse and mae match TF.js', async () => {
    const x = normals(13)(N * IN, 2);
    const cases: Array<[nr.LossName, nr.ActivationName, () => { y: Float32Array; shape: number[] }, nr.MetricName[]]> = [
      ['binaryCrossentropy', 'sigmoid', binary, ['accuracy', 'mse', 'mae']],
      ['categoricalCrossentropy', 'softmax', oneHot, ['accuracy', 'categoricalAccuracy']],
      ['sparseCategoricalCrossentropy', 'softmax', sparse, ['accuracy']],
      ['meanSquaredError', 'linear', () => ({ y: gl(N * 3), shape: [N, 3] }), ['mae', 'mse']],
    ];
    for (const [loss, out, targets, metrics] of cases) {
      const { y, shape } = targets();
      const p = new Pair([{ kind: 'dense', units: 3, activation: out }], IN, 8);
      p.nr.compile({ optimizer: 'sgd', loss, metrics });
      p.tf.compile({ optimizer: 'sgd', loss, metrics });
      const mine = nr.tidy(() => (p.nr.evaluate(nr.tensor(x, [N, IN]), nr.tensor(y, shape)) as nr.Tensor[]).map((t) => t.data()[0]));
      const theirs = tf.tidy(() => (p.tf.evaluate(tf.tensor(x, [N, IN]), tf.tensor(y, tfTargetShape(shape))) as tf.Scalar[]).map((t) => t.dataSync()[0]));
      expectClose(mine, theirs, 1e-5, 1e-6);
      p.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Optimizers: 20 trainOnBatch steps on the same batch.
// ---------------------------------------------------------------------------------------------

const STACK: Spec[] = [{ kind: 'dense', units: 6, activation: 'tanh' }, { kind: 'dense', units: 3, activation: 'softmax' }];

async function trajectory(nrOpt: () => nr.Optimizer, tfOpt: () => tf.Optimizer, steps = 20) {
  const x = normals(31)(N * IN, 1.5);
  const { y } = oneHot();
  const p = new Pair(STACK, IN, 5);
  p.nr.compile({ optimizer: nrOpt(), loss: 'categoricalCrossentropy' });
  p.tf.compile({ optimizer: tfOpt(), loss: 'categoricalCrossentropy' });
  const lossesNr: number[] = [];
  const lossesTf: number[] = [];
  await withData(x, [N, IN], y, [N, 3], async (nx, ny, tx, ty) => {
    for (let s = 0; s < steps; s++) {
      lossesNr.push(p.nr.trainOnBatch(nx, ny) as number);
      lossesTf.push((await p.tf.trainOnBatch(tx, ty)) as number);
    }
  });
  const wNr = p.nrWeights();
  const wTf = p.tfWeights();
  p.dispose();
  return { lossesNr, lossesTf, wNr, wTf };
}

describe('optimizers vs TF.js: 20 trainOnBatch steps', () => {
  const cases: Array<[string, () => nr.Optimizer, () => tf.Optimizer]> = [
    ['sgd', () => optimizers.sgd({ learningRate: 0.5 }), () => tf.train.sgd(0.5)],
    ['sgd + momentum', () => optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), () => tf.train.momentum(0.1, 0.9)],
    ['sgd + nesterov', () => optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), () => tf.train.momentum(0.1, 0.9, true)],
    ['adam', () => optimizers.adam({ learningRate: 0.05 }), () => tf.train.adam(0.05, 0.9, 0.999, 1e-7)],
    ['adam (beta1 0.8, beta2 0.99, epsilon 1e-4)', () => optimizers.adam({ learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 }), () => tf.train.adam(0.05, 0.8, 0.99, 1e-4)],
    ['rmsprop', () => optimizers.rmsprop({ learningRate: 0.01 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7)],
    ['rmsprop + momentum', () => optimizers.rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5 }), () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-7)],
    ['adagrad', () => optimizers.adagrad({ learningRate: 0.1 }), () => tf.train.adagrad(0.1, 0.1)],
    ['adamax (decay 0.05)', () => optimizers.adamax({ learningRate: 0.05, decay: 0.05 }), () => tf.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.05)],
  ];
  for (const [name, mk, mkTf] of cases) {
    it(name, async () => {
      const r = await trajectory(mk, mkTf);
      expectClose(r.lossesNr, r.lossesTf, 1e-4, 1e-5);
      r.wNr.forEach((w, i) => expectClose(w, r.wTf[i], 1e-4, 1e-5));
      expect(r.lossesNr[19]).toBeLessThan(r.lossesNr[0]);
    });
  }

  it('adamw matches the Keras 3 formula (decay p ← p − η·λ·p, then Adam) on TF.js gradients', async () => {
    const [lr, b1, b2, eps, wd] = [0.05, 0.9, 0.999, 1e-7, 0.1];
    const x = normals(31)(N * IN, 1.5);
    const { y } = oneHot();
    const p = new Pair(STACK, IN, 5);
    p.nr.compile({ optimizer: optimizers.adamw({ learningRate: lr, weightDecay: wd }), loss: 'categoricalCrossentropy' });
    const lossesNr: number[] = [];
    nr.tidy(() => {
      const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])];
      for (let s = 0; s < 20; s++) lossesNr.push(p.nr.trainOnBatch(nx, ny) as number);
    });
    // Reference: TF.js gradients, the AdamW update in float64.
    const vars = p.tf.trainableWeights.map((w) => w.read() as tf.Variable);
    let w = vars.map((v) => Float64Array.from(v.dataSync()));
    const m = w.map((a) => new Float64Array(a.length));
    const v2 = w.map((a) => new Float64Array(a.length));
    const lossesTf: number[] = [];
    const [tx, ty] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, 3])];
    for (let t = 1; t <= 20; t++) {
      const { value, grads } = tf.variableGrads(() => tf.mean(tfl.metrics.categoricalCrossentropy(ty, p.tf.apply(tx, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
      lossesTf.push(value.dataSync()[0]);
      w = w.map((wi, i) => {
        const g = grads[vars[i].name].dataSync();
        const out = new Float64Array(wi.length);
        for (let k = 0; k < wi.length; k++) {
          const decayed = wi[k] - lr * wd * wi[k];
          m[i][k] = b1 * m[i][k] + (1 - b1) * g[k];
          v2[i][k] = b2 * v2[i][k] + (1 - b2) * g[k] * g[k];
          const mh = m[i][k] / (1 - b1 ** t);
          const vh = v2[i][k] / (1 - b2 ** t);
          out[k] = decayed - (lr * mh) / (Math.sqrt(vh) + eps);
        }
        return out;
      });
      tf.dispose([value, ...Object.values(grads)]);
      vars.forEach((v, i) => v.assign(tf.tensor(Float32Array.from(w[i]), v.shape)));
    }
    tf.dispose([tx, ty]);
    expectClose(lossesNr, lossesTf, 1e-4, 1e-5);
    p.nrWeights().forEach((wi, i) => expectClose(wi, w[i], 1e-4, 1e-5));
    p.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Normalization, dropout, prelu, regularizers.
// ---------------------------------------------------------------------------------------------

describe('layers vs TF.js', () => {
  const x = normals(41)(N * IN, 2);
  const y = normals(42)(N * 3);

  const cases: Array<[string, Spec[]]> = [
    ['batchNormalization (defaults)', [{ kind: 'dense', units: 6 }, { kind: 'batchNormalization' }, { kind: 'dense', units: 3 }]],
    ['batchNormalization (momentum 0.5, epsilon 0.01) after relu', [{ kind: 'dense', units: 6, activation: 'relu' }, { kind: 'batchNormalization', momentum: 0.5, epsilon: 0.01 }, { kind: 'dense', units: 3 }]],
    ['layerNormalization', [{ kind: 'dense', units: 6 }, { kind: 'layerNormalization' }, { kind: 'dense', units: 3 }]],
    ['layerNormalization (epsilon 0.1)', [{ kind: 'dense', units: 6 }, { kind: 'layerNormalization', epsilon: 0.1 }, { kind: 'dense', units: 3, activation: 'tanh' }]],
    ['prelu', [{ kind: 'dense', units: 6 }, { kind: 'prelu' }, { kind: 'dense', units: 3 }]],
    ['dropout rate 0 (identity in training)', [{ kind: 'dense', units: 6, activation: 'relu' }, { kind: 'dropout', rate: 0 }, { kind: 'dense', units: 3 }]],
    ['activation layers', [{ kind: 'dense', units: 6 }, { kind: 'activation', activation: 'elu' }, { kind: 'dense', units: 3 }, { kind: 'activation', activation: 'softmax' }]],
    ['dense without bias', [{ kind: 'dense', units: 6, useBias: false, activation: 'relu' }, { kind: 'dense', units: 3, useBias: false }]],
    ['kernel and bias regularizers (loss and gradient include the penalty)', [{ kind: 'dense', units: 6, activation: 'tanh', kernelRegularizer: { l1: 0.01, l2: 0.02 }, biasRegularizer: { l2: 0.05 } }, { kind: 'dense', units: 3, kernelRegularizer: { l1: 0.03 } }]],
  ];
  for (const [title, specs] of cases) {
    it(`${title}: predictions and one-step gradients`, async () => {
      const p = new Pair(specs, IN, 9);
      const { a, b } = predictBoth(p, x);
      expectClose(a, b, 1e-5, 1e-6);
      const r = await oneStep(p, 'meanSquaredError', 'meanSquaredError', x, y, [N, 3]);
      expectClose([r.lossNr], [r.lossTf], 1e-5, 1e-6);
      // Includes the moving statistics of batchNormalization (updated once by the step).
      expectGrads(r.gNr, r.gTf);
      const { a: a2, b: b2 } = predictBoth(p, x);
      expectClose(a2, b2, 1e-5, 1e-5);
      p.dispose();
    });
  }

  it('batchNormalization at inference uses the moving statistics', () => {
    const p = new Pair([{ kind: 'dense', units: 4 }, { kind: 'batchNormalization', epsilon: 0.01 }], IN, 2);
    const ws = p.nr.getWeights();
    const stats = [[0.5, 1, 1.5, 2], [-1, 0, 0.3, 2], [0.2, -0.1, 0.4, 0], [0.5, 2, 0.1, 4]];
    p.nr.setWeights([ws[0], ws[1], ...stats.map((v) => nr.tensor(v))]);
    ws.forEach((t) => t.dispose());
    p.copyWeights();
    const { a, b } = predictBoth(p, x);
    expectClose(a, b, 1e-5, 1e-6);
    p.dispose();
    nr.tidy(() => undefined);
  });

  it('dropout is the identity at inference', () => {
    const p = new Pair([{ kind: 'dense', units: 6 }, { kind: 'dropout', rate: 0.5 }, { kind: 'dense', units: 3 }], IN, 2);
    const { a, b } = predictBoth(p, x);
    expectClose(a, b, 1e-5, 1e-6);
    p.dispose();
  });

  it('dropout in training zeroes about `rate` of the units and scales the rest by 1/(1 − rate)', () => {
    const m = nr.sequential({ seed: 4, layers: [layers.dropout({ inputShape: [1000], rate: 0.3 }), layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    const x1 = nr.ones([1, 1000]);
    const y1 = nr.zeros([1, 1]);
    // With W = 1 and lr 1, dW = 2·pred·mask/(1−rate) = before − after.
    const before = m.getWeights()[0];
    const pred = 2 * (m.trainOnBatch(x1, y1) as number) ** 0.5; // loss = pred² → 2·|pred|
    const after = m.getWeights()[0];
    const g = before.data().map((v, i) => v - after.data()[i]);
    const kept = g.filter((v) => v !== 0);
    expect(kept.length / 1000).toBeGreaterThan(0.65);
    expect(kept.length / 1000).toBeLessThan(0.75);
    for (const v of kept) expect(v).toBeCloseTo(pred / 0.7, 3);
    [x1, y1, before, after].forEach((t) => t.dispose());
    m.dispose();
  });

  it('weight penalties: evaluate() leaves them out as TF.js does (Keras 3 adds them) and reports them as regularization', async () => {
    const specs: Spec[] = [{ kind: 'dense', units: 6, activation: 'tanh', kernelRegularizer: { l1: 0.01, l2: 0.02 }, biasRegularizer: { l2: 0.05 } }, { kind: 'dense', units: 3, kernelRegularizer: { l1: 0.03 } }];
    const p = new Pair(specs, IN, 9);
    p.nr.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    p.tf.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [k1, b1, k2] = p.nrWeights();
    let penalty = 0;
    for (const v of k1) penalty += 0.01 * Math.abs(v) + 0.02 * v * v;
    for (const v of b1) penalty += 0.05 * v * v;
    for (const v of k2) penalty += 0.03 * Math.abs(v);
    const mine = nr.tidy(() => (p.nr.evaluate(nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])) as nr.Tensor).data()[0]);
    const data = tf.tidy(() => (p.tf.evaluate(tf.tensor(x, [N, IN]), tf.tensor(y, [N, 3])) as tf.Scalar).dataSync()[0]);
    expectClose([mine], [data], 1e-5, 1e-6);
    const dict = nr.tidy(() => p.nr.evaluate(nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3]), { returnDict: true }));
    expectClose([dict.loss, dict.regularization], [data, penalty], 1e-5, 1e-6);
    // Training still descends loss + penalty (TF.js too): trainOnBatch reports the sum.
    const trained = nr.tidy(() => p.nr.trainOnBatch(nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])) as number);
    const tfTrained = await p.tf.trainOnBatch(tf.tensor(x, [N, IN]), tf.tensor(y, [N, 3])) as number;
    expectClose([trained], [tfTrained], 1e-5, 1e-6);
    expectClose([trained], [data + penalty], 1e-5, 1e-6);
    p.dispose();
  });

  it('l1 on a weight at exactly 0: neurite adds sign(0) = 0 (Keras 3, TF, JAX); TF.js adds -l1 (documented difference)', async () => {
    // TF.js's |w| gradient is step(w, -1), -1 at 0; a zero-initialised bias under l1 is the common case.
    const n = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [3], units: 2, biasRegularizer: regularizers.l1({ l1: 0.1 }) })] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, biasRegularizer: tfl.regularizers.l1({ l1: 0.1 }) })] });
    n.build();
    tf.tidy(() => t.setWeights(n.getWeights().map((w) => tf.tensor(w.dataSync(), w.shape.slice()))));
    n.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const xs = [0.5, -1, 2, 1.5, 0.25, -0.75];
    const ys = [1, -1, 0.5, 2];
    nr.tidy(() => n.trainOnBatch(nr.tensor(xs, [2, 3]), nr.tensor(ys, [2, 2])));
    await t.trainOnBatch(tf.tensor(xs, [2, 3]), tf.tensor(ys, [2, 2]));
    const [nk, nb] = n.getWeights();
    const [tk, tb] = t.getWeights();
    expectClose(nk.dataSync(), tk.dataSync(), 1e-6, 1e-6);
    // The bias steps differ by exactly lr·l1 = 0.05: TF.js's pushes a zero weight up.
    expectClose(Array.from(tb.dataSync(), (v, i) => v - nb.dataSync()[i]), [0.05, 0.05], 1e-6, 1e-6);
    for (const d of [nk, nb, n]) d.dispose();
    t.dispose();
  });

  it('activityRegularizer: loss + l1·Σ|y|/batch + l2·Σy²/batch (Keras) in training; evaluate() leaves it out (TF.js) and reports it', () => {
    const [l1, l2] = [0.02, 0.01];
    const specs: Spec[] = [{ kind: 'dense', units: 6, activation: 'tanh', activityRegularizer: { l1, l2 } }, { kind: 'dense', units: 3 }];
    const p = new Pair(specs, IN, 12);
    p.nr.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    // Reference: TF.js gradients of the loss plus the penalty on the first layer's output.
    const vars = p.tf.trainableWeights.map((w) => w.read() as tf.Variable);
    const [tx, ty] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, 3])];
    const total = () => {
      const h = p.tf.layers[0].apply(tx) as tf.Tensor;
      const out = p.tf.layers[1].apply(h) as tf.Tensor;
      const pen = tf.div(tf.add(tf.mul(l1, tf.sum(tf.abs(h))), tf.mul(l2, tf.sum(tf.square(h)))), N);
      return tf.add(tf.mean(tf.square(tf.sub(out, ty))), pen) as tf.Scalar;
    };
    const evalTf = tf.tidy(() => total().dataSync()[0]);
    const dataTf = tf.tidy(() => tf.mean(tf.square(tf.sub(p.tf.layers[1].apply(p.tf.layers[0].apply(tx)) as tf.Tensor, ty))).dataSync()[0]);
    const { value, grads } = tf.variableGrads(total, vars);
    const evalNr = nr.tidy(() => p.nr.evaluate(nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3]), { returnDict: true }));
    expectClose([evalNr.loss, evalNr.loss + evalNr.regularization], [dataTf, evalTf], 1e-5, 1e-6);
    const before = p.nrWeights();
    const loss = nr.tidy(() => p.nr.trainOnBatch(nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])) as number);
    const after = p.nrWeights();
    expectClose([loss], [value.dataSync()[0]], 1e-5, 1e-6);
    before.forEach((b, i) => expectClose(b.map((v, k) => v - after[i][k]), grads[vars[i].name].dataSync(), 1e-4, 1e-5));
    tf.dispose([tx, ty, value, ...Object.values(grads)]);
    p.dispose();
  });
});

describe('fit on saturated samples (the loss clips p to [1e-7, 1 − 1e-7])', () => {
  // A confidently wrong sample: TF.js's clip has no gradient there, so the sample contributes
  // nothing; fit must step as TF.js and as neurite's own minimize do (not along p − y).
  const cases = [
    { name: 'softmax + categoricalCrossentropy', act: 'softmax', loss: 'categoricalCrossentropy', units: 2, inputs: 2, x: [50, -50, 0.1, 0.2, -0.3, 0.4], y: [0, 1, 1, 0, 0, 1], lr: 0.01 },
    { name: 'softmax + sparseCategoricalCrossentropy', act: 'softmax', loss: 'sparseCategoricalCrossentropy', units: 2, inputs: 2, x: [50, -50, 0.1, 0.2, -0.3, 0.4], y: [1, 0, 1], lr: 0.01 },
    { name: 'sigmoid + binaryCrossentropy', act: 'sigmoid', loss: 'binaryCrossentropy', units: 1, inputs: 1, x: [100, -100, 3], y: [0, 1, 1], lr: 0.001 },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: the step is TF.js's and minimize's`, async () => {
      const rows = c.x.length / c.inputs;
      const ys = c.loss === 'sparseCategoricalCrossentropy' ? [rows] : [rows, c.units];
      const kernel = Array.from({ length: c.inputs * c.units }, (_, i) => (i % (c.units + 1) === 0 ? 1 : 0));
      const make = () => {
        const m = nr.sequential({ layers: [layers.dense({ inputShape: [c.inputs], units: c.units, activation: c.act })] });
        m.build();
        m.setWeights([nr.tensor(kernel, [c.inputs, c.units]), nr.zeros([c.units])]);
        return m;
      };
      const m = make();
      m.compile({ optimizer: optimizers.sgd({ learningRate: c.lr }), loss: c.loss });
      const h = await m.fit(nr.tensor(c.x, [rows, c.inputs]), nr.tensor(c.y, ys), { epochs: 1, batchSize: rows, shuffle: false, verbose: 0 });
      const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [c.inputs], units: c.units, activation: c.act, kernelInitializer: 'zeros' })] });
      t.setWeights([tf.tensor(kernel, [c.inputs, c.units]), tf.zeros([c.units])]);
      t.compile({ optimizer: tf.train.sgd(c.lr), loss: c.loss });
      const th = await t.fit(tf.tensor(c.x, [rows, c.inputs]), tf.tensor(c.y, c.loss === 'sparseCategoricalCrossentropy' ? [rows, 1] : ys), { epochs: 1, batchSize: rows, shuffle: false, verbose: 0 });
      expectClose(h.history.loss, th.history.loss as number[], 1e-5, 1e-6);
      const mine = nr.tidy(() => m.getWeights().flatMap((w) => Array.from(w.dataSync())));
      const theirs = tf.tidy(() => t.getWeights().flatMap((w) => Array.from(w.dataSync())));
      expectClose(mine, theirs, 1e-5, 1e-6);
      // neurite's own tape through the same loss function gives the same step.
      const m2 = make();
      const opt = nr.train.sgd(c.lr);
      const lossFn = c.loss === 'categoricalCrossentropy' ? nr.losses.categoricalCrossentropy : c.loss === 'binaryCrossentropy' ? nr.losses.binaryCrossentropy : nr.losses.sparseCategoricalCrossentropy;
      nr.tidy(() => opt.minimize(() => lossFn(nr.tensor(c.y, ys), m2.apply(nr.tensor(c.x, [rows, c.inputs])) as nr.Tensor) as nr.Scalar, false, m2.trainableWeights));
      const taped = nr.tidy(() => m2.getWeights().flatMap((w) => Array.from(w.dataSync())));
      expectClose(mine, taped, 1e-5, 1e-6);
      for (const d of [m, m2]) d.dispose();
      opt.dispose?.();
      t.dispose();
    });
  }
});

describe('fit vs TF.js fit', () => {
  it('shuffle off, batchSize 3 (a partial last batch), validationSplit 0.25, 3 epochs: same history and weights', async () => {
    const n = 16;
    const x = normals(51)(n * IN, 1.5);
    const y = new Float32Array(n * 3);
    for (let r = 0; r < n; r++) y[r * 3 + (r % 3)] = 1;
    const p = new Pair(STACK, IN, 6);
    p.nr.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    p.tf.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const args = { epochs: 3, batchSize: 3, shuffle: false, validationSplit: 0.25, verbose: 0 as const };
    const [hn, ht] = await withData(x, [n, IN], y, [n, 3], async (nx, ny, tx, ty) => [await p.nr.fit(nx, ny, args), await p.tf.fit(tx, ty, args)]);
    for (const k of ['loss', 'acc', 'val_loss', 'val_acc']) {
      const mine = hn.history[k];
      expectClose(mine, ht.history[k] as number[], 1e-4, 1e-5);
    }
    p.nrWeights().forEach((w, i) => expectClose(w, p.tfWeights()[i], 1e-4, 1e-5));
    p.dispose();
  });
  it("classWeight (TF.js's per-class loss weights): same history and weights as TF.js, one-hot softmax + CCE (fused), sigmoid + BCE with 0/1 labels [n, 1], MSE on class indices [n], soft and multi-label rows (argMax)", async () => {
    const n = 16;
    const xv = normals(61)(n * IN, 1.5);
    const cases: Array<{ specs: Spec[]; loss: 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError'; y: Float32Array; ys: number[]; weights: Record<number, number> }> = [
      { specs: STACK, loss: 'categoricalCrossentropy', y: Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), ys: [n, 3], weights: { 0: 1, 1: 4, 2: 0.5 } },
      { specs: [{ kind: 'dense', units: 5, activation: 'tanh' }, { kind: 'dense', units: 1, activation: 'sigmoid' }], loss: 'binaryCrossentropy', y: Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)), ys: [n, 1], weights: { 0: 0.25, 1: 3 } },
      { specs: [{ kind: 'dense', units: 5, activation: 'tanh' }, { kind: 'dense', units: 1 }], loss: 'meanSquaredError', y: Float32Array.from({ length: n }, (_, i) => i % 2), ys: [n], weights: { 0: 2, 1: 0 } },
      // Soft rows (label smoothing 0.1) and multi-label rows with ties: the class of each is its
      // argMax, the first of equal values, as TF.js (they were refused: "no one class").
      { specs: STACK, loss: 'categoricalCrossentropy', y: Float32Array.from({ length: n * 3 }, (_, i) => {
        const [r, k] = [Math.floor(i / 3), i % 3];
        if (r % 4 === 1) return [0.5, 0, 0.5][k];
        if (r % 4 === 3) return [0, 0.5, 0.5][k];
        return k === r % 3 ? 0.9 + 0.1 / 3 : 0.1 / 3;
      }), ys: [n, 3], weights: { 0: 1, 1: 4, 2: 0.5 } },
    ];
    for (const c of cases) {
      const p = new Pair(c.specs, IN, 8);
      p.nr.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: c.loss });
      p.tf.compile({ optimizer: tf.train.sgd(0.1), loss: c.loss });
      const args = { epochs: 3, batchSize: 5, shuffle: false, verbose: 0 as const, classWeight: c.weights };
      const yShape = c.ys.length === 1 ? [n, 1] : c.ys; // TF.js's model output is [n, 1]
      const [hn, ht] = await withData(xv, [n, IN], c.y, yShape, async (nx, ny, tx, ty) => [await p.nr.fit(nx, c.ys.length === 1 ? nr.tidy(() => ny.reshape([n])) : ny, args), await p.tf.fit(tx, ty, args)]);
      expectClose(hn.history.loss, ht.history.loss as number[], 1e-4, 1e-5);
      p.nrWeights().forEach((w, i) => expectClose(w, p.tfWeights()[i], 1e-4, 1e-5));
      // And the weights matter: without them training goes elsewhere (so the check can fail).
      const q = new Pair(c.specs, IN, 8);
      q.nr.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: c.loss });
      const plain = await withData(xv, [n, IN], c.y, yShape, async (nx, ny) => q.nr.fit(nx, ny, { ...args, classWeight: undefined }));
      expect(Math.abs(plain.history.loss[2] - hn.history.loss[2])).toBeGreaterThan(1e-3);
      p.dispose();
      q.dispose();
    }
  });

  it('classWeight errors name the class or the value', async () => {
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    using x = nr.ones([4, 2]);
    using y = nr.oneHot([0, 1, 2, 1], 3);
    const fit = (classWeight: unknown) => m.fit(x, y, { verbose: 0, classWeight: classWeight as never });
    await expect(fit({ 0: 1, 1: 2 })).rejects.toThrow('fit: y holds class 2 at sample 2 but classWeight has no weight for it (classes weighted: 0, 1); every class in y needs one');
    await expect(fit({ 0: 1, 1: -2, 2: 1 })).rejects.toThrow('fit: classWeight[1] must be a finite number >= 0, got -2');
    await expect(fit({ a: 1 })).rejects.toThrow("fit: classWeight's keys must be class indices (0, 1, …), got 'a'");
    await expect(fit([1, -2, 3])).rejects.toThrow('fit: classWeight[1] must be a finite number >= 0, got -2');
    await expect(fit([1, 'a'])).rejects.toThrow("fit: classWeight must be an object { [classIndex]: weight }, a list of weights by class index ([1, 3, 0.5]), or a list of one object (for the one output), got an array of length 2");
    const h = await fit([{ 0: 1, 1: 1, 2: 1 }]); // TF.js's list of one
    expect(h.history.loss).toHaveLength(1);
    using m3 = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m3.compile({ optimizer: 'sgd', loss: 'mse' });
    using y3 = nr.tensor([0.5, 1, 0, 1]);
    await expect(m3.fit(x, y3, { verbose: 0, classWeight: { 0: 1, 1: 1 } })).rejects.toThrow('fit: y holds the value 0.5, not a class index, at sample 0 but classWeight has no weight for it (classes weighted: 0, 1); every class in y needs one; for soft labels weight the samples yourself: sampleWeight with one weight per sample (Keras 3 rounds y to classes first)');
  });

  // Issue 7 item 10: with n·s not whole, TF.js (training.ts: splitAt = floor(n·(1 − s))) and
  // Keras train on ⌊n·(1 − s)⌋ samples and validate on the rest; neurite held out ⌊n·s⌋ and
  // so trained on one sample more (8 of 10, 5 of 7).
  for (const [n, split, nTrain] of [[10, 0.25, 7], [7, 0.3, 4]] as const) {
    it(`validationSplit ${split} of ${n} samples: ${nTrain} train, ${n - nTrain} validate, as TF.js (same steps, history and weights)`, async () => {
      const x = normals(60 + n)(n * IN, 1.5);
      const y = new Float32Array(n * 3);
      for (let r = 0; r < n; r++) y[r * 3 + (r % 3)] = 1;
      const p = new Pair(STACK, IN, 8);
      p.nr.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
      p.tf.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const sizes: { nr: number[]; tf: number[] } = { nr: [], tf: [] };
      const args = { epochs: 2, batchSize: 2, shuffle: false, validationSplit: split, verbose: 0 as const };
      const [hn, ht] = await withData(x, [n, IN], y, [n, 3], async (nx, ny, tx, ty) => [
        await p.nr.fit(nx, ny, { ...args, callbacks: { onBatchEnd: (_b, logs) => void sizes.nr.push(logs!.size) } }),
        await p.tf.fit(tx, ty, { ...args, callbacks: { onBatchEnd: async (_b, logs) => void sizes.tf.push(logs!.size as number) } }),
      ]);
      expect(sizes.tf.slice(0, sizes.tf.length / 2).reduce((a, b) => a + b, 0)).toBe(nTrain);
      expect(sizes.nr).toEqual(sizes.tf);
      for (const k of ['loss', 'val_loss']) expectClose(hn.history[k], ht.history[k] as number[], 1e-4, 1e-5);
      p.nrWeights().forEach((w, i) => expectClose(w, p.tfWeights()[i], 1e-4, 1e-5));
      p.dispose();
    });
  }
});
