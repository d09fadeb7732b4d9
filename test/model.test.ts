// The model API against TF.js 4.22 Layers (`@tensorflow/tfjs-layers`, CPU backend): the same
// Sequential is built in both libraries, neurite's initial weights are copied into TF.js, and
// predictions, evaluate() losses, one-step gradients and 20-step optimizer trajectories are
// compared. Where TF.js has no counterpart (AdamW, activity regularizers, evaluate() with
// weight penalties, hinge on {0,1} labels) the Keras formula is written out here instead.
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

await tf.setBackend('cpu');
const { layers, optimizers, regularizers } = nr;

/** A seeded standard-normal generator (mulberry32 + Box–Muller). */
function normals(seed: number): (n: number, scale?: number) => Float32Array {
  const u = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return (n, scale = 1) => Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

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
      return tfl.layers.dense({ ...base, units: s.units, activation: (s.activation ?? 'linear') as any, useBias: s.useBias ?? true, kernelRegularizer: tfReg(s.kernelRegularizer), biasRegularizer: tfReg(s.biasRegularizer) });
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
      return tfl.layers.prelu({ ...base, alphaInitializer: tfl.initializers.constant({ value: 0.25 }) });
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

  /** neurite → TF.js, layer by layer (TF.js's model-level order puts non-trainable weights last). */
  copyWeights(): void {
    const names = this.nr.weightNames();
    const ws = this.nr.getWeights();
    this.nr.layers.forEach((l, i) => {
      const mine = ws.filter((_, k) => names[k].startsWith(`${l.name}/`));
      if (mine.length) this.tf.layers[i].setWeights(mine.map((t) => tf.tensor(t.data(), [...t.shape])));
    });
    ws.forEach((t) => t.dispose());
  }

  nrWeights(): Float32Array[] {
    const ws = this.nr.getWeights();
    const out = ws.map((t) => t.data());
    ws.forEach((t) => t.dispose());
    return out;
  }

  /** TF.js weights in neurite's order (per layer: kernel, bias, …, moving statistics). */
  tfWeights(): Float32Array[] {
    return this.tf.layers.flatMap((l) => l.getWeights().map((w) => Float32Array.from(w.dataSync())));
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

const ACTIVATIONS = ['relu', 'elu', 'selu', 'softplus', 'softsign', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'linear', 'swish', 'gelu'];

/** One SGD(lr=1) trainOnBatch step on both: returns the implied gradients and the losses. */
async function oneStep(p: Pair, nrLoss: nr.CompileArgs['loss'], tfLoss: string | ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor), x: Float32Array, y: Float32Array, ys: number[]) {
  p.nr.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: nrLoss });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  p.tf.compile({ optimizer: tf.train.sgd(1), loss: tfLoss as any });
  const before = p.nrWeights();
  const tfBefore = p.tfWeights();
  for (let i = 0; i < before.length; i++) expectClose(tfBefore[i], before[i], 0, 0);
  const [lossNr, lossTf] = await withData(x, [N, IN], y, ys, async (nx, ny, tx, ty) => [p.nr.trainOnBatch(nx, ny) as number, (await p.tf.trainOnBatch(tx, ty)) as number]);
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
      expectClose(a, b, 1e-5, act === 'gelu' ? 1e-5 : 1e-6);
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
